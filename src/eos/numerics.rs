//! Array numerics shared by the EOS constructions, generic over the number
//! type: NumPy/JAX-style linear interpolation, cumulative trapezoids,
//! gradients, grids and a local C¹ cubic Hermite interpolant.

use ferrax_autodiff::Scalar;

/// Linear interpolation with `jnp.interp` semantics: `xp` increasing,
/// clamped to `fp[0]` / `fp[last]` outside, the left value on a zero-width
/// interval. Derivatives flow through `x`, `xp` and `fp`.
pub fn interp<T: Scalar>(x: T, xp: &[T], fp: &[T]) -> T {
    let n = xp.len();
    let xr = x.re();
    if xr < xp[0].re() {
        return fp[0];
    }
    if xr > xp[n - 1].re() {
        return fp[n - 1];
    }
    // i = clip(searchsorted(xp, x, side='right'), 1, n-1)
    let i = xp.partition_point(|v| v.re() <= xr).clamp(1, n - 1);
    interp_in_interval(x, xp, fp, i)
}

/// The linear interpolant on interval `[xp[i-1], xp[i]]` at `x`.
#[inline]
pub fn interp_in_interval<T: Scalar>(x: T, xp: &[T], fp: &[T], i: usize) -> T {
    let dx = xp[i] - xp[i - 1];
    if dx.re().abs() <= 10.0 * f64::EPSILON {
        return fp[i - 1];
    }
    fp[i - 1] + (x - xp[i - 1]) / dx * (fp[i] - fp[i - 1])
}

/// `exp(interp(ln x, ln xs, ln ys))`: log–log interpolation.
pub fn interp_log<T: Scalar>(x: T, xs: &[T], ys: &[T]) -> T {
    let lx: Vec<T> = xs.iter().map(|v| v.ln()).collect();
    let ly: Vec<T> = ys.iter().map(|v| v.ln()).collect();
    interp(x.ln(), &lx, &ly).exp()
}

/// Cumulative trapezoid rule with jester's convention: the first element is
/// `1e-30` (not 0), element i the integral from `x[0]` to `x[i]` (+ 1e-30 is
/// not added to the others).
pub fn cumtrapz<T: Scalar>(y: &[T], x: &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(y.len());
    out.push(T::cst(1e-30));
    let mut acc = T::cst(0.0);
    for i in 1..y.len() {
        acc = acc + (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0;
        out.push(acc);
    }
    out
}

/// `numpy.gradient(f, x)` on a non-uniform grid: second-order centred
/// differences inside, first-order one-sided at the ends.
pub fn gradient(f: &[f64], x: &[f64]) -> Vec<f64> {
    let n = f.len();
    let mut g = vec![0.0; n];
    if n < 2 {
        return g;
    }
    g[0] = (f[1] - f[0]) / (x[1] - x[0]);
    g[n - 1] = (f[n - 1] - f[n - 2]) / (x[n - 1] - x[n - 2]);
    for i in 1..n - 1 {
        let hs = x[i] - x[i - 1];
        let hd = x[i + 1] - x[i];
        g[i] = (hs * hs * f[i + 1] + (hd * hd - hs * hs) * f[i] - hd * hd * f[i - 1]) / (hs * hd * (hd + hs));
    }
    g
}

/// `linspace(start, stop, num, endpoint)`: `start + i·step`, with the last
/// point equal to `stop` when `endpoint` is true.
pub fn linspace<T: Scalar>(start: T, stop: T, num: usize, endpoint: bool) -> Vec<T> {
    let div = if endpoint {
        num.saturating_sub(1).max(1)
    } else {
        num
    } as f64;
    let step = (stop - start) / div;
    (0..num)
        .map(|i| {
            if endpoint && i + 1 == num && num > 1 {
                stop
            } else {
                start + step * i as f64
            }
        })
        .collect()
}

/// `logspace(log10 a, log10 b, num)` = 10^linspace(log10 a, log10 b, num).
pub fn logspace_between<T: Scalar>(a: T, b: T, num: usize) -> Vec<T> {
    let ln10 = std::f64::consts::LN_10;
    linspace(a.ln() / ln10, b.ln() / ln10, num, true)
        .into_iter()
        .map(|v| (v * ln10).exp())
        .collect()
}

/// Local C¹ cubic Hermite interpolation (interpax `method="cubic"`): node
/// slopes are the mean of the two adjacent secants (one-sided at the ends).
/// Queries outside `[xp[0], xp[last]]` extrapolate with the end cubic.
pub fn cubic_hermite<T: Scalar>(xq: &[T], xp: &[T], fp: &[T]) -> Vec<T> {
    let n = xp.len();
    let secant = |k: usize| (fp[k + 1] - fp[k]) / (xp[k + 1] - xp[k]);
    let slope = |k: usize| {
        if k == 0 {
            secant(0)
        } else if k == n - 1 {
            secant(n - 2)
        } else {
            (secant(k - 1) + secant(k)) / 2.0
        }
    };
    xq.iter()
        .map(|&x| {
            let i = xp.partition_point(|v| v.re() <= x.re()).clamp(1, n - 1);
            let (x0, x1) = (xp[i - 1], xp[i]);
            let dx = x1 - x0;
            let t = (x - x0) / dx;
            let t2 = t * t;
            let t3 = t2 * t;
            let h00 = t3 * 2.0 - t2 * 3.0 + 1.0;
            let h10 = t3 - t2 * 2.0 + t;
            let h01 = t2 * 3.0 - t3 * 2.0;
            let h11 = t3 - t2;
            h00 * fp[i - 1] + h10 * dx * slope(i - 1) + h01 * fp[i] + h11 * dx * slope(i)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interp_clamps_and_interpolates() {
        let xp = [0.0, 1.0, 2.0];
        let fp = [0.0, 10.0, 30.0];
        assert_eq!(interp(-1.0, &xp, &fp), 0.0);
        assert_eq!(interp(3.0, &xp, &fp), 30.0);
        assert_eq!(interp(1.5, &xp, &fp), 20.0);
        assert_eq!(interp(2.0, &xp, &fp), 30.0);
        // Duplicate node: the left value.
        assert_eq!(interp(1.0, &[0.0, 1.0, 1.0], &[0.0, 5.0, 7.0]), 5.0);
    }

    #[test]
    fn cumtrapz_and_gradient_are_exact_for_lines() {
        let x = [0.0, 0.5, 2.0, 3.0];
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
        let c = cumtrapz(&y, &x);
        assert_eq!(c[0], 1e-30);
        assert!((c[3] - 12.0).abs() < 1e-14);
        let q: Vec<f64> = x.iter().map(|v| v * v).collect();
        let g = gradient(&q, &x);
        assert!((g[1] - 1.0).abs() < 1e-14 && (g[2] - 4.0).abs() < 1e-14);
    }

    #[test]
    fn hermite_reproduces_a_line_and_grids_end_right() {
        let xp = [0.0, 1.0, 3.0, 4.0];
        let fp: Vec<f64> = xp.iter().map(|v| 3.0 * v - 1.0).collect();
        let q = cubic_hermite(&[0.5, 2.0, 3.9], &xp, &fp);
        for (v, x) in q.iter().zip([0.5, 2.0, 3.9]) {
            assert!((v - (3.0 * x - 1.0)).abs() < 1e-14);
        }
        let l = linspace(0.0, 1.0, 4, false);
        assert_eq!(l, vec![0.0, 0.25, 0.5, 0.75]);
        let g = logspace_between(1.0, 100.0, 3);
        assert!((g[1] - 10.0).abs() < 1e-12);
    }
}
