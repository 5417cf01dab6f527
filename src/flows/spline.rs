//! Monotonic rational-quadratic splines (Durkan, Bekasov, Murray &
//! Papamakarios 2019, "Neural Spline Flows", NeurIPS; eqs. 4–6 and the
//! inverse of Appendix A.3) on `[−bound, bound]` with `K` bins and linear
//! (identity) tails, and a fused [`CustomOp`] that evaluates the spline of
//! every element with its VJP from forward-mode dual numbers.
//!
//! Raw parameters per element (`3K − 1`): `K` unnormalised widths, `K`
//! unnormalised heights, `K − 1` unconstrained interior derivatives.
//! Widths/heights are `min + (1 − K·min)·softmax(·)` scaled to `2·bound`
//! (min = 1e-3); derivatives `1e-3 + softplus(·)`; the boundary derivatives
//! are 1 so the map is C¹ with the identity tails.

// `!(x > 0.0)` deliberately rejects NaN; index loops mirror the formulas.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

use ferrax_autodiff::{AdError, CustomOp, Dual, Scalar, Tensor};

const MIN_BIN: f64 = 1e-3;
const MIN_DERIV: f64 = 1e-3;

/// Knots `(x_k, y_k)` (K+1 each) and derivatives `δ_k` (K+1) from raw parameters.
fn knots<T: Scalar>(raw: &[T], k: usize, bound: f64) -> (Vec<T>, Vec<T>, Vec<T>) {
    let norm = |v: &[T]| -> Vec<T> {
        let m = v.iter().fold(f64::NEG_INFINITY, |a, b| a.max(b.re()));
        let e: Vec<T> = v.iter().map(|x| (*x - m).exp()).collect();
        let s = e.iter().fold(T::cst(0.0), |a, b| a + *b);
        let mut out = Vec::with_capacity(k + 1);
        let mut acc = T::cst(-bound);
        out.push(acc);
        for (i, ei) in e.iter().enumerate() {
            let w = (*ei / s * (1.0 - MIN_BIN * k as f64) + MIN_BIN) * (2.0 * bound);
            acc = if i + 1 == k { T::cst(bound) } else { acc + w };
            out.push(acc);
        }
        out
    };
    let xs = norm(&raw[..k]);
    let ys = norm(&raw[k..2 * k]);
    let mut ds = Vec::with_capacity(k + 1);
    ds.push(T::cst(1.0));
    for r in &raw[2 * k..3 * k - 1] {
        ds.push(r.softplus() + MIN_DERIV);
    }
    ds.push(T::cst(1.0));
    (xs, ys, ds)
}

/// Forward spline `y(x)` and `log dy/dx` for one element.
pub fn rq_forward<T: Scalar>(x: T, raw: &[T], k: usize, bound: f64) -> (T, T) {
    if !(x.re() > -bound && x.re() < bound) {
        return (x, T::cst(0.0));
    }
    let (xs, ys, ds) = knots(raw, k, bound);
    let b = (1..=k).find(|&i| x.re() < xs[i].re()).unwrap_or(k) - 1;
    let w = xs[b + 1] - xs[b];
    let h = ys[b + 1] - ys[b];
    let s = h / w;
    let xi = (x - xs[b]) / w;
    let om = xi.rsub(1.0);
    let xi1 = xi * om;
    let denom = s + (ds[b + 1] + ds[b] - s * 2.0) * xi1;
    let y = ys[b] + h * (s * xi * xi + ds[b] * xi1) / denom;
    let num = s * s * (ds[b + 1] * xi * xi + s * xi1 * 2.0 + ds[b] * om * om);
    let logdet = num.ln() - denom.ln() * 2.0;
    (y, logdet)
}

/// Inverse spline `x(y)` for one element (f64; sampling needs no gradient).
pub fn rq_inverse(y: f64, raw: &[f64], k: usize, bound: f64) -> f64 {
    if !(y > -bound && y < bound) {
        return y;
    }
    let (xs, ys, ds) = knots(raw, k, bound);
    let b = (1..=k).find(|&i| y < ys[i]).unwrap_or(k) - 1;
    let w = xs[b + 1] - xs[b];
    let h = ys[b + 1] - ys[b];
    let s = h / w;
    let dy = y - ys[b];
    let c2 = ds[b + 1] + ds[b] - 2.0 * s;
    let a = h * (s - ds[b]) + dy * c2;
    let bb = h * ds[b] - dy * c2;
    let c = -s * dy;
    let disc = (bb * bb - 4.0 * a * c).max(0.0);
    let xi = 2.0 * c / (-bb - disc.sqrt());
    xs[b] + xi * w
}

/// Values of `u` and `raw`, batch size, dimension, parameters per element.
type Unpacked<'a> = (&'a [f64], &'a [f64], usize, usize, usize);

/// The fused spline op: inputs `u [B, d]` and `raw [B, d, 3K−1]`; output
/// `[B, d, 2]` holding `y` and `log dy/du` per element.
pub struct RqSplineOp {
    /// Bins K.
    pub bins: usize,
    /// Half-width of the spline interval.
    pub bound: f64,
}

fn dual_grads<const N: usize>(x: f64, raw: &[f64], k: usize, bound: f64, gy: f64, gl: f64, out: &mut [f64]) {
    let mut vars = [Dual::<N>::constant(0.0); N];
    vars[0] = Dual::variable(x, 0);
    for (i, r) in raw.iter().enumerate() {
        vars[i + 1] = Dual::variable(*r, i + 1);
    }
    let (y, l) = rq_forward(vars[0], &vars[1..], k, bound);
    for i in 0..N {
        out[i] = gy * y.eps[i] + gl * l.eps[i];
    }
}

impl CustomOp for RqSplineOp {
    fn name(&self) -> &str {
        "rq_spline"
    }
    fn forward(&self, inputs: &[Tensor]) -> ferrax_autodiff::Result<Tensor> {
        let (u, raw, b, d, p) = self.unpack(inputs)?;
        let mut out = vec![0.0; b * d * 2];
        for e in 0..b * d {
            let (y, l) = rq_forward(u[e], &raw[e * p..(e + 1) * p], self.bins, self.bound);
            out[2 * e] = y;
            out[2 * e + 1] = l;
        }
        Tensor::from_vec(out, &[b, d, 2])
    }
    fn vjp(
        &self,
        inputs: &[Tensor],
        _output: &Tensor,
        grad_output: &Tensor,
    ) -> ferrax_autodiff::Result<Vec<Option<Tensor>>> {
        let (u, raw, b, d, p) = self.unpack(inputs)?;
        let g = grad_output.as_slice()?;
        let n = p + 1;
        let mut gu = vec![0.0; b * d];
        let mut graw = vec![0.0; b * d * p];
        let mut buf = vec![0.0; n];
        for e in 0..b * d {
            let (gy, gl) = (g[2 * e], g[2 * e + 1]);
            if !(u[e] > -self.bound && u[e] < self.bound) {
                gu[e] = gy;
                continue;
            }
            let r = &raw[e * p..(e + 1) * p];
            match n {
                12 => dual_grads::<12>(u[e], r, self.bins, self.bound, gy, gl, &mut buf),
                24 => dual_grads::<24>(u[e], r, self.bins, self.bound, gy, gl, &mut buf),
                48 => dual_grads::<48>(u[e], r, self.bins, self.bound, gy, gl, &mut buf),
                _ => {
                    return Err(AdError::CustomOp {
                        name: "rq_spline".into(),
                        msg: format!("{} bins unsupported (use 4, 8 or 16)", self.bins),
                    })
                }
            }
            gu[e] = buf[0];
            graw[e * p..(e + 1) * p].copy_from_slice(&buf[1..]);
        }
        Ok(vec![
            Some(Tensor::from_vec(gu, &[b, d])?),
            Some(Tensor::from_vec(graw, &[b, d, p])?),
        ])
    }
}

impl RqSplineOp {
    fn unpack<'a>(&self, inputs: &'a [Tensor]) -> ferrax_autodiff::Result<Unpacked<'a>> {
        let p = 3 * self.bins - 1;
        let bad = |msg: String| AdError::CustomOp {
            name: "rq_spline".into(),
            msg,
        };
        if inputs.len() != 2 {
            return Err(bad("needs inputs u and raw".into()));
        }
        let (us, rs) = (inputs[0].shape(), inputs[1].shape());
        if us.len() != 2 || rs.len() != 3 || rs[0] != us[0] || rs[1] != us[1] || rs[2] != p {
            return Err(bad(format!(
                "shapes {us:?} and {rs:?} are not [B, d] and [B, d, {p}]"
            )));
        }
        Ok((inputs[0].as_slice()?, inputs[1].as_slice()?, us[0], us[1], p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(k: usize, seed: f64) -> Vec<f64> {
        (0..3 * k - 1)
            .map(|i| (seed * (i as f64 + 1.0)).sin() * 1.5)
            .collect()
    }

    #[test]
    fn inverse_and_log_det() {
        let (k, bound) = (8, 5.0);
        let r = raw(k, 0.7);
        for i in 0..200 {
            let x = -6.0 + 12.0 * i as f64 / 199.0;
            let (y, l) = rq_forward(x, &r, k, bound);
            assert!((rq_inverse(y, &r, k, bound) - x).abs() < 1e-11, "x {x}");
            let h = 1e-6;
            let fd = (rq_forward(x + h, &r, k, bound).0 - rq_forward(x - h, &r, k, bound).0) / (2.0 * h);
            assert!((fd.ln() - l).abs() < 1e-6, "x {x}: {} vs {l}", fd.ln());
        }
    }

    /// Dual-number derivatives of `y` and `log dy/dx` with respect to `x`
    /// and every raw parameter against central differences.
    #[test]
    fn dual_derivatives_match_finite_differences() {
        let k = 4;
        let r = raw(k, 1.3);
        for &x in &[0.3, -1.2, 2.5] {
            let mut vars = [Dual::<12>::constant(0.0); 12];
            vars[0] = Dual::variable(x, 0);
            for (i, v) in r.iter().enumerate() {
                vars[i + 1] = Dual::variable(*v, i + 1);
            }
            let (y, l) = rq_forward(vars[0], &vars[1..], k, 3.0);
            for i in 0..12 {
                let h = 1e-6;
                let mut a: Vec<f64> = std::iter::once(x).chain(r.iter().copied()).collect();
                let mut b = a.clone();
                a[i] += h;
                b[i] -= h;
                let (ya, la) = rq_forward(a[0], &a[1..], k, 3.0);
                let (yb, lb) = rq_forward(b[0], &b[1..], k, 3.0);
                assert!((y.eps[i] - (ya - yb) / (2.0 * h)).abs() < 1e-7);
                assert!((l.eps[i] - (la - lb) / (2.0 * h)).abs() < 1e-7);
            }
        }
    }

    #[test]
    fn op_gradients_match_finite_differences() {
        let op = std::rc::Rc::new(RqSplineOp { bins: 4, bound: 3.0 });
        let u = Tensor::from_vec(vec![0.3, -1.2, 2.5, 4.0], &[2, 2]).unwrap();
        let rv: Vec<f64> = (0..4).flat_map(|s| raw(4, 0.3 + s as f64)).collect();
        let r = Tensor::from_vec(rv, &[2, 2, 11]).unwrap();
        let w = Tensor::from_vec((0..8).map(|i| 0.5 + 0.1 * i as f64).collect(), &[2, 2, 2]).unwrap();
        let rep = ferrax_autodiff::check_gradients(
            |ps: &[Tensor]| (&ferrax_autodiff::apply_custom(op.clone(), ps) * &w).sum_all(),
            &[u, r],
            &ferrax_autodiff::GradCheckOptions::default(),
        )
        .unwrap();
        assert!(rep.max_rel_error < 1e-4, "{}", rep.max_rel_error);
    }
}
