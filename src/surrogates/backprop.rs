//! Batched training gradients of an [`Mlp`]: the weighted mean squared error
//! of a minibatch and its gradient with respect to all weights and biases,
//! by hand-written reverse-mode differentiation (backpropagation, Rumelhart,
//! Hinton & Williams 1986). Forward and backward passes are matrix products
//! (`matrixmultiply` dgemm); the rows of a batch are split over threads,
//! each thread sums its own rows, and the partial sums are added in thread
//! order, so the result does not depend on scheduling.
//!
//! The loss is the one the autodiff tape gives ([`tape_loss_and_grad`]),
//! `L = (1 / (n·n_out)) Σ_rk w_rk (f(x_r)_k − y_rk)²`; the tests check value
//! and gradient against the tape and against finite differences. With
//! [`ShiftedOutputs`] the network's outputs are curves on a wide grid and
//! each row's prediction is its curves read at its own shifted positions
//! (the time-stretch fold, [`super::stretch`]).

use super::interp::GridShift;
use super::mlp::{sigmoid, Activation, Mlp};
use super::SurrogateError;
use crate::gemm::gemm;
use ferrax_autodiff::{value_and_grads, Tensor};

/// The same loss and gradient on the autodiff tape (the reference the
/// batched path is tested against, and the earlier training path):
/// `(L, ∂L/∂θ)` in the order of [`Mlp::flat_params`].
pub fn tape_loss_and_grad(
    mlp: &Mlp,
    x: &[f64],
    y: &[f64],
    w: &[f64],
    n: usize,
) -> Result<(f64, Vec<f64>), SurrogateError> {
    let xt = Tensor::from_vec(x.to_vec(), &[n, mlp.n_in()])?;
    let yt = Tensor::from_vec(y.to_vec(), &[n, mlp.n_out()])?;
    let wt = Tensor::from_vec(w.to_vec(), &[n, mlp.n_out()])?;
    let ps = mlp.param_tensors()?;
    let (l, g) = value_and_grads(
        |p| {
            let d = &mlp.forward_tensor_with(p, &xt) - &yt;
            (&(&d * &d) * &wt).mean_all()
        },
        &ps,
    )?;
    let mut flat = Vec::with_capacity(mlp.n_params());
    for t in &g {
        flat.extend_from_slice(t.as_slice()?);
    }
    Ok((l, flat))
}

/// The activation and its derivative at pre-activation `z` (one
/// exponential for SiLU; the value is computed as in [`Activation::apply`]).
#[inline]
fn activation_and_derivative(act: Activation, z: f64) -> (f64, f64) {
    match act {
        Activation::Tanh => {
            let h = z.tanh();
            (h, 1.0 - h * h)
        }
        Activation::Silu => {
            // h = z s, s = σ(z): dh/dz = s (1 + z (1 − s))
            let s = sigmoid(z);
            (z * s, s * (1.0 + z * (1.0 - s)))
        }
    }
}

/// Network outputs that are `curves` curves of `n_wide` nodes each, read
/// per row at the positions of its [`GridShift`] to `n_values` values per
/// curve before the loss: the prediction of row `r` is
/// `shifts[r].read(out_r)` curve by curve (see [`super::stretch`]).
#[derive(Clone, Copy, Debug)]
pub struct ShiftedOutputs<'a> {
    /// Curves per row (bands).
    pub curves: usize,
    /// Nodes per curve in the network output.
    pub n_wide: usize,
    /// Values per curve in the targets.
    pub n_values: usize,
    /// Per data-set row: where its values lie on the wide grid.
    pub shifts: &'a [GridShift],
}

/// Scratch memory of one thread: activation derivatives and activations of
/// the hidden layers, two delta buffers, the thread's gradient sum and its
/// gathered rows.
#[derive(Default, Clone, Debug)]
struct Workspace {
    dphi: Vec<Vec<f64>>,
    h: Vec<Vec<f64>>,
    out: Vec<f64>,
    delta: Vec<f64>,
    delta_prev: Vec<f64>,
    grad: Vec<f64>,
    xb: Vec<f64>,
    yb: Vec<f64>,
    wb: Vec<f64>,
    shifts: Vec<GridShift>,
    pred: Vec<f64>,
    dpred: Vec<f64>,
}

/// Reusable batched loss-and-gradient evaluator (scratch memory per thread).
#[derive(Clone, Debug)]
pub struct Backprop {
    threads: usize,
    work: Vec<Workspace>,
}

impl Backprop {
    /// An evaluator splitting each batch over `threads` (≥ 1) threads.
    pub fn new(threads: usize) -> Self {
        let threads = threads.max(1);
        Backprop {
            threads,
            work: vec![Workspace::default(); threads],
        }
    }

    /// Number of threads a batch is split over.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Weighted mean squared error of `mlp` on `n` rows and its gradient.
    ///
    /// `x` is `n × n_in`, `y` and `w` are `n × n_out` (targets and
    /// per-element weights), all row-major. Returns
    /// `L = Σ w (f(x) − y)² / (n·n_out)` and writes `∂L/∂θ` to `grad`, in the
    /// order of [`Mlp::flat_params`].
    pub fn loss_and_grad(
        &mut self,
        mlp: &Mlp,
        x: &[f64],
        y: &[f64],
        w: &[f64],
        n: usize,
        grad: &mut [f64],
    ) -> Result<f64, SurrogateError> {
        let batch = Batch {
            x,
            y,
            w,
            rows: None,
            shifted: None,
        };
        self.run(mlp, batch, n, grad)
    }

    /// [`Backprop::loss_and_grad`] of the rows `rows` of the data set
    /// (`x`, `y`, `w` hold all its rows): each thread gathers its own share
    /// of the minibatch, so no copy of the batch is made beforehand. With
    /// `shifted`, `y` and `w` hold `curves × n_values` entries per row and
    /// the loss compares them with the shifted reading of the outputs.
    #[allow(clippy::too_many_arguments)]
    pub fn loss_and_grad_rows(
        &mut self,
        mlp: &Mlp,
        x: &[f64],
        y: &[f64],
        w: &[f64],
        rows: &[usize],
        shifted: Option<ShiftedOutputs<'_>>,
        grad: &mut [f64],
    ) -> Result<f64, SurrogateError> {
        let (ni, no) = (mlp.n_in(), mlp.n_out());
        let n_all = x.len() / ni.max(1);
        if let Some(s) = shifted {
            if s.curves * s.n_wide != no || s.shifts.len() != n_all || s.n_wide < s.n_values + 3 {
                return Err(SurrogateError::invalid(
                    "backprop shifted outputs",
                    format!(
                        "{} curves of {} nodes for {no} outputs, {} shifts for {n_all} rows, {} values",
                        s.curves,
                        s.n_wide,
                        s.shifts.len(),
                        s.n_values
                    ),
                ));
            }
            if let Some(b) = s.shifts.iter().find(|g| g.first + s.n_values + 3 > s.n_wide) {
                return Err(SurrogateError::invalid(
                    "backprop shifted outputs",
                    format!("shift {b:?} reads past {} nodes", s.n_wide),
                ));
            }
        }
        let no = shifted.map_or(no, |s| s.curves * s.n_values);
        if x.len() != n_all * ni || y.len() != n_all * no || w.len() != n_all * no {
            return Err(SurrogateError::invalid(
                "backprop data set",
                format!(
                    "x {} (rows of {ni}), y {} and w {} (want {})",
                    x.len(),
                    y.len(),
                    w.len(),
                    n_all * no
                ),
            ));
        }
        if let Some(&r) = rows.iter().find(|&&r| r >= n_all) {
            return Err(SurrogateError::invalid(
                "backprop rows",
                format!("row {r} of a data set of {n_all}"),
            ));
        }
        self.run(
            mlp,
            Batch {
                x,
                y,
                w,
                rows: Some(rows),
                shifted,
            },
            rows.len(),
            grad,
        )
    }

    fn run(
        &mut self,
        mlp: &Mlp,
        batch: Batch<'_>,
        n: usize,
        grad: &mut [f64],
    ) -> Result<f64, SurrogateError> {
        let (ni, no, np) = (mlp.n_in(), mlp.n_out(), mlp.n_params());
        let contiguous_ok = batch.rows.is_some()
            || (batch.x.len() == n * ni && batch.y.len() == n * no && batch.w.len() == n * no);
        if n == 0 || !contiguous_ok || grad.len() != np {
            return Err(SurrogateError::invalid(
                "backprop batch",
                format!(
                    "{n} rows: x {} (want {}), y {} and w {} (want {}), grad {} (want {np})",
                    batch.x.len(),
                    n * ni,
                    batch.y.len(),
                    batch.w.len(),
                    n * no,
                    grad.len()
                ),
            ));
        }
        // rows per thread: as even as possible, no empty chunk
        let t = self.threads.min(n);
        let base = n / t;
        let extra = n % t;
        let mut bounds = Vec::with_capacity(t + 1);
        bounds.push(0);
        for i in 0..t {
            bounds.push(bounds[i] + base + usize::from(i < extra));
        }
        let mut sums = vec![0.0; t];
        let work = &mut self.work[..t];
        if t == 1 {
            sums[0] = batch.chunk(mlp, 0, n, &mut work[0]);
        } else {
            std::thread::scope(|s| {
                let mut handles = Vec::with_capacity(t - 1);
                let (first, rest) = work.split_at_mut(1);
                for (i, ws) in rest.iter_mut().enumerate() {
                    let (a, b) = (bounds[i + 1], bounds[i + 2]);
                    handles.push(s.spawn(move || batch.chunk(mlp, a, b, ws)));
                }
                sums[0] = batch.chunk(mlp, 0, bounds[1], &mut first[0]);
                for (i, h) in handles.into_iter().enumerate() {
                    sums[i + 1] = h.join().expect("backprop worker panicked");
                }
            });
        }
        let n_target = batch.shifted.map_or(no, |s| s.curves * s.n_values);
        let scale = 1.0 / (n * n_target) as f64;
        grad.copy_from_slice(&work[0].grad);
        for ws in &work[1..] {
            for (g, v) in grad.iter_mut().zip(&ws.grad) {
                *g += v;
            }
        }
        grad.iter_mut().for_each(|g| *g *= scale);
        Ok(sums.iter().sum::<f64>() * scale)
    }
}

/// A minibatch: rows `0..n` of `x`, `y`, `w`, or the listed rows of them
/// (then optionally with shifted outputs).
#[derive(Clone, Copy)]
struct Batch<'a> {
    x: &'a [f64],
    y: &'a [f64],
    w: &'a [f64],
    rows: Option<&'a [usize]>,
    shifted: Option<ShiftedOutputs<'a>>,
}

impl Batch<'_> {
    /// [`chunk`] of the batch rows `a..b`, gathered into the workspace if
    /// the batch is a list of rows.
    fn chunk(&self, mlp: &Mlp, a: usize, b: usize, ws: &mut Workspace) -> f64 {
        let ni = mlp.n_in();
        let no = self.shifted.map_or(mlp.n_out(), |s| s.curves * s.n_values);
        match self.rows {
            None => chunk(
                mlp,
                (
                    &self.x[a * ni..b * ni],
                    &self.y[a * no..b * no],
                    &self.w[a * no..b * no],
                ),
                b - a,
                None,
                ws,
            ),
            Some(rows) => {
                let (mut xb, mut yb, mut wb, mut sb) = (
                    std::mem::take(&mut ws.xb),
                    std::mem::take(&mut ws.yb),
                    std::mem::take(&mut ws.wb),
                    std::mem::take(&mut ws.shifts),
                );
                xb.clear();
                yb.clear();
                wb.clear();
                sb.clear();
                for &r in &rows[a..b] {
                    xb.extend_from_slice(&self.x[r * ni..(r + 1) * ni]);
                    yb.extend_from_slice(&self.y[r * no..(r + 1) * no]);
                    wb.extend_from_slice(&self.w[r * no..(r + 1) * no]);
                    if let Some(s) = self.shifted {
                        sb.push(s.shifts[r]);
                    }
                }
                let shifted = self.shifted.map(|s| (s, sb.as_slice()));
                let sum = chunk(mlp, (&xb, &yb, &wb), b - a, shifted, ws);
                (ws.xb, ws.yb, ws.wb, ws.shifts) = (xb, yb, wb, sb);
                sum
            }
        }
    }
}

/// Sum of `w (f(x) − y)²` over `m` rows (`f` read at the rows' shifts if
/// given); the gradient of that sum goes to `ws.grad`.
fn chunk(
    mlp: &Mlp,
    (x, y, w): (&[f64], &[f64], &[f64]),
    m: usize,
    shifted: Option<(ShiftedOutputs<'_>, &[GridShift])>,
    ws: &mut Workspace,
) -> f64 {
    let nl = mlp.layers.len();
    let act = mlp.activation;
    ws.dphi.resize(nl - 1, Vec::new());
    ws.h.resize(nl - 1, Vec::new());
    ws.grad.resize(mlp.n_params(), 0.0);
    // forward
    for (li, l) in mlp.layers.iter().enumerate() {
        let hidden = li + 1 < nl;
        // pre-activations go to `dphi` (hidden) or `out` (last layer)
        let dst = if hidden { &mut ws.dphi[li] } else { &mut ws.out };
        dst.clear();
        for _ in 0..m {
            dst.extend_from_slice(&l.b);
        }
        let input: &[f64] = if li == 0 { x } else { &ws.h[li - 1] };
        gemm(m, l.n_in, l.n_out, input, false, &l.w, false, 1.0, dst);
        if hidden {
            let h = &mut ws.h[li];
            h.resize(m * l.n_out, 0.0);
            // one match per layer, so the loop vectorises
            let pairs = ws.dphi[li].iter_mut().zip(h.iter_mut());
            match act {
                Activation::Silu => {
                    pairs.for_each(|(zd, hv)| (*hv, *zd) = activation_and_derivative(Activation::Silu, *zd))
                }
                Activation::Tanh => {
                    pairs.for_each(|(zd, hv)| (*hv, *zd) = activation_and_derivative(Activation::Tanh, *zd))
                }
            }
        }
    }
    // loss and its derivative with respect to the outputs (unscaled sum)
    let mut sum = 0.0;
    ws.delta.clear();
    match shifted {
        None => ws
            .delta
            .extend(ws.out.iter().zip(y).zip(w).map(|((&o, &t), &wt)| {
                let d = o - t;
                sum += wt * d * d;
                2.0 * wt * d
            })),
        Some((layout, shifts)) => {
            // each curve read at its row's shift; the transpose of the
            // reading carries the derivative back to the wide-grid outputs
            let (nw, nv) = (layout.n_wide, layout.n_values);
            ws.delta.resize(ws.out.len(), 0.0);
            ws.pred.resize(nv, 0.0);
            ws.dpred.resize(nv, 0.0);
            let curves = ws.out.chunks_exact(nw).zip(ws.delta.chunks_exact_mut(nw));
            for (c, (out, delta)) in curves.enumerate() {
                let sh = &shifts[c / layout.curves];
                sh.read(out, &mut ws.pred);
                let (yc, wc) = (&y[c * nv..(c + 1) * nv], &w[c * nv..(c + 1) * nv]);
                for (((g, &p), &t), &wt) in ws.dpred.iter_mut().zip(&ws.pred).zip(yc).zip(wc) {
                    let d = p - t;
                    sum += wt * d * d;
                    *g = 2.0 * wt * d;
                }
                sh.read_transpose_add(&ws.dpred, delta);
            }
        }
    }
    // backward: layer offsets in the flat parameter order
    let mut offsets = Vec::with_capacity(nl);
    let mut off = 0;
    for l in &mlp.layers {
        offsets.push(off);
        off += l.w.len() + l.b.len();
    }
    for li in (0..nl).rev() {
        let l = &mlp.layers[li];
        let o = offsets[li];
        let (gw, rest) = ws.grad[o..].split_at_mut(l.w.len());
        let gb = &mut rest[..l.n_out];
        let input: &[f64] = if li == 0 { x } else { &ws.h[li - 1] };
        // dW = inputᵀ δ, db = Σ_rows δ
        gemm(l.n_in, m, l.n_out, input, true, &ws.delta, false, 0.0, gw);
        gb.iter_mut().for_each(|g| *g = 0.0);
        for row in ws.delta.chunks_exact(l.n_out) {
            for (g, d) in gb.iter_mut().zip(row) {
                *g += d;
            }
        }
        if li > 0 {
            // δ_prev = (δ Wᵀ) ⊙ φ'(z)
            ws.delta_prev.clear();
            ws.delta_prev.resize(m * l.n_in, 0.0);
            gemm(
                m,
                l.n_out,
                l.n_in,
                &ws.delta,
                false,
                &l.w,
                true,
                0.0,
                &mut ws.delta_prev,
            );
            for (d, &dp) in ws.delta_prev.iter_mut().zip(&ws.dphi[li - 1]) {
                *d *= dp;
            }
            std::mem::swap(&mut ws.delta, &mut ws.delta_prev);
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn problem(act: Activation, n: usize) -> (Mlp, Vec<f64>, Vec<f64>, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mlp = Mlp::new(&[4, 9, 7, 5], act, &mut rng).unwrap();
        let x: Vec<f64> = (0..n * 4).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let y: Vec<f64> = (0..n * 5).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let w: Vec<f64> = (0..n * 5)
            .map(|_| if rng.gen_bool(0.3) { 0.1 } else { 1.0 })
            .collect();
        (mlp, x, y, w)
    }

    #[test]
    fn matches_the_tape_loss_and_gradient() {
        for act in [Activation::Tanh, Activation::Silu] {
            let n = 11;
            let (mlp, x, y, w) = problem(act, n);
            let (lt, gt) = tape_loss_and_grad(&mlp, &x, &y, &w, n).unwrap();
            for threads in [1, 2, 3] {
                let mut bp = Backprop::new(threads);
                let mut g = vec![0.0; mlp.n_params()];
                let l = bp.loss_and_grad(&mlp, &x, &y, &w, n, &mut g).unwrap();
                assert!((l - lt).abs() < 1e-13 * lt, "{act:?} {threads}: {l} vs {lt}");
                let gmax = gt.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                for (a, b) in g.iter().zip(&gt) {
                    assert!((a - b).abs() < 1e-12 * gmax, "{act:?} {threads}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn gradient_matches_finite_differences_and_is_deterministic() {
        let n = 6;
        let (mut mlp, x, y, w) = problem(Activation::Silu, n);
        let mut bp = Backprop::new(2);
        let mut g = vec![0.0; mlp.n_params()];
        let l0 = bp.loss_and_grad(&mlp, &x, &y, &w, n, &mut g).unwrap();
        let mut g2 = vec![0.0; mlp.n_params()];
        assert_eq!(bp.loss_and_grad(&mlp, &x, &y, &w, n, &mut g2).unwrap(), l0);
        assert_eq!(g, g2);
        let flat = mlp.flat_params();
        let h = 1e-6;
        let mut scratch = vec![0.0; flat.len()];
        for i in (0..flat.len()).step_by(7) {
            let mut p = flat.clone();
            p[i] += h;
            mlp.set_flat_params(&p).unwrap();
            let lp = bp.loss_and_grad(&mlp, &x, &y, &w, n, &mut scratch).unwrap();
            p[i] -= 2.0 * h;
            mlp.set_flat_params(&p).unwrap();
            let lm = bp.loss_and_grad(&mlp, &x, &y, &w, n, &mut scratch).unwrap();
            let fd = (lp - lm) / (2.0 * h);
            assert!(
                (fd - g[i]).abs() < 1e-7 * (1.0 + g[i].abs()),
                "param {i}: fd {fd} vs {}",
                g[i]
            );
        }
    }

    #[test]
    fn listed_rows_equal_the_gathered_batch() {
        let n = 13;
        let (mlp, x, y, w) = problem(Activation::Silu, n);
        let rows = [7usize, 2, 11, 2, 0, 5, 12];
        let (ni, no) = (mlp.n_in(), mlp.n_out());
        let (mut xb, mut yb, mut wb) = (Vec::new(), Vec::new(), Vec::new());
        for &r in &rows {
            xb.extend_from_slice(&x[r * ni..(r + 1) * ni]);
            yb.extend_from_slice(&y[r * no..(r + 1) * no]);
            wb.extend_from_slice(&w[r * no..(r + 1) * no]);
        }
        for threads in [1, 2, 3] {
            let mut bp = Backprop::new(threads);
            let (mut g1, mut g2) = (vec![0.0; mlp.n_params()], vec![0.0; mlp.n_params()]);
            let l1 = bp
                .loss_and_grad(&mlp, &xb, &yb, &wb, rows.len(), &mut g1)
                .unwrap();
            let l2 = bp
                .loss_and_grad_rows(&mlp, &x, &y, &w, &rows, None, &mut g2)
                .unwrap();
            assert_eq!(l1, l2);
            assert_eq!(g1, g2);
        }
        let mut bp = Backprop::new(2);
        let mut g = vec![0.0; mlp.n_params()];
        assert!(bp
            .loss_and_grad_rows(&mlp, &x, &y, &w, &[0, n], None, &mut g)
            .is_err());
        assert!(bp
            .loss_and_grad_rows(&mlp, &x, &y[1..], &w, &[0], None, &mut g)
            .is_err());
    }

    #[test]
    fn shifted_outputs_match_a_direct_sum_and_finite_differences() {
        use crate::surrogates::interp::catmull_rom_weights;
        let (curves, n_wide, n_values, n) = (2usize, 10usize, 5usize, 7usize);
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        let mut mlp = Mlp::new(&[3, 8, curves * n_wide], Activation::Silu, &mut rng).unwrap();
        let x: Vec<f64> = (0..n * 3).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let nt = curves * n_values;
        let y: Vec<f64> = (0..n * nt).map(|_| rng.gen_range(-1.0..1.0)).collect();
        let w: Vec<f64> = (0..n * nt).map(|_| rng.gen_range(0.1..1.0)).collect();
        let shifts: Vec<GridShift> = (0..n)
            .map(|_| GridShift {
                first: rng.gen_range(0..=n_wide - n_values - 3),
                weights: catmull_rom_weights(&rng.gen_range(0.0..1.0)),
            })
            .collect();
        let layout = ShiftedOutputs {
            curves,
            n_wide,
            n_values,
            shifts: &shifts,
        };
        let rows: Vec<usize> = (0..40).map(|i| (i * 3 + i / 7) % n).collect();
        let loss = |mlp: &Mlp, bp: &mut Backprop, g: &mut [f64]| {
            bp.loss_and_grad_rows(mlp, &x, &y, &w, &rows, Some(layout), g)
                .unwrap()
        };
        // direct: forward, read, weighted squares
        let out = mlp.forward_batch(&x, n);
        let mut direct = 0.0;
        let mut v = vec![0.0; n_values];
        for &r in &rows {
            for b in 0..curves {
                let o = &out[r * curves * n_wide + b * n_wide..][..n_wide];
                shifts[r].read(o, &mut v);
                for j in 0..n_values {
                    let k = r * nt + b * n_values + j;
                    direct += w[k] * (v[j] - y[k]).powi(2);
                }
            }
        }
        direct /= (rows.len() * nt) as f64;
        let mut g = vec![0.0; mlp.n_params()];
        for threads in [1, 2] {
            let l = loss(&mlp, &mut Backprop::new(threads), &mut g);
            assert!((l - direct).abs() < 1e-13 * direct, "{l} vs {direct}");
        }
        let mut bp = Backprop::new(2);
        let flat = mlp.flat_params();
        let mut scratch = vec![0.0; flat.len()];
        let h = 1e-6;
        for i in (0..flat.len()).step_by(5) {
            let mut p = flat.clone();
            p[i] += h;
            mlp.set_flat_params(&p).unwrap();
            let lp = loss(&mlp, &mut bp, &mut scratch);
            p[i] -= 2.0 * h;
            mlp.set_flat_params(&p).unwrap();
            let lm = loss(&mlp, &mut bp, &mut scratch);
            let fd = (lp - lm) / (2.0 * h);
            assert!(
                (fd - g[i]).abs() < 1e-7 * (1.0 + g[i].abs()),
                "param {i}: {fd} vs {}",
                g[i]
            );
        }
        // a shift reading past the grid is refused
        let mut bad = shifts.clone();
        bad[0].first = n_wide - n_values - 2;
        let layout = ShiftedOutputs {
            shifts: &bad,
            ..layout
        };
        assert!(bp
            .loss_and_grad_rows(&mlp, &x, &y, &w, &rows, Some(layout), &mut scratch)
            .is_err());
    }

    #[test]
    fn bad_shapes_are_errors() {
        let (mlp, x, y, w) = problem(Activation::Tanh, 3);
        let mut bp = Backprop::new(2);
        let mut g = vec![0.0; mlp.n_params()];
        assert!(bp.loss_and_grad(&mlp, &x, &y, &w, 4, &mut g).is_err());
        assert!(bp.loss_and_grad(&mlp, &x, &y[1..], &w, 3, &mut g).is_err());
        assert!(bp.loss_and_grad(&mlp, &x, &y, &w, 3, &mut g[1..]).is_err());
    }
}
