//! Natural cubic spline (the GSL `cspline` convention), evaluated on any
//! [`Scalar`] so that derivatives flow through the abscissa.

use ferrax_autodiff::Scalar;

/// A natural cubic spline through `(x_i, y_i)` with strictly increasing `x`.
#[derive(Debug, Clone)]
pub struct NaturalSpline {
    x: Vec<f64>,
    y: Vec<f64>,
    /// Half the second derivative at each knot (GSL's `c`).
    c: Vec<f64>,
}

impl NaturalSpline {
    /// Builds the spline (tridiagonal solve for the second derivatives with
    /// zero curvature at both ends). `x` must be strictly increasing and
    /// have the same length as `y` (at least 3 points).
    pub fn new(x: &[f64], y: &[f64]) -> Self {
        let n = x.len();
        assert!(n >= 3 && y.len() == n, "spline needs >= 3 matching knots");
        // Unknowns c_1..c_{n-2}; c_0 = c_{n-1} = 0.
        let m = n - 2;
        let mut diag = vec![0.0; m];
        let mut off = vec![0.0; m];
        let mut rhs = vec![0.0; m];
        for i in 0..m {
            let h_i = x[i + 1] - x[i];
            let h_ip1 = x[i + 2] - x[i + 1];
            let ydiff_i = y[i + 1] - y[i];
            let ydiff_ip1 = y[i + 2] - y[i + 1];
            let g_i = if h_i != 0.0 { 1.0 / h_i } else { 0.0 };
            let g_ip1 = if h_ip1 != 0.0 { 1.0 / h_ip1 } else { 0.0 };
            off[i] = h_ip1;
            diag[i] = 2.0 * (h_ip1 + h_i);
            rhs[i] = 3.0 * (ydiff_ip1 * g_ip1 - ydiff_i * g_i);
        }
        // Symmetric tridiagonal solve (Thomas algorithm).
        let mut c_inner = vec![0.0; m];
        let mut cp = vec![0.0; m];
        let mut dp = vec![0.0; m];
        for i in 0..m {
            let a = if i > 0 { off[i - 1] } else { 0.0 };
            let denom = diag[i] - if i > 0 { a * cp[i - 1] } else { 0.0 };
            cp[i] = off[i] / denom;
            dp[i] = (rhs[i] - if i > 0 { a * dp[i - 1] } else { 0.0 }) / denom;
        }
        for i in (0..m).rev() {
            c_inner[i] = dp[i] - if i + 1 < m { cp[i] * c_inner[i + 1] } else { 0.0 };
        }
        let mut c = vec![0.0; n];
        c[1..n - 1].copy_from_slice(&c_inner);
        Self {
            x: x.to_vec(),
            y: y.to_vec(),
            c,
        }
    }

    /// The spline at `xq` (clamped to the first/last interval outside the
    /// knots, i.e. the end cubics are extrapolated).
    pub fn eval<T: Scalar>(&self, xq: T) -> T {
        let n = self.x.len();
        let v = xq.re();
        // Binary search for x_i <= v < x_{i+1}.
        let mut lo = 0usize;
        let mut hi = n - 1;
        while hi - lo > 1 {
            let mid = (lo + hi) / 2;
            if self.x[mid] > v {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        let i = lo;
        let h = self.x[i + 1] - self.x[i];
        let dx = xq - self.x[i];
        let c_i = self.c[i];
        let c_ip1 = self.c[i + 1];
        let b = (self.y[i + 1] - self.y[i]) / h - h * (c_ip1 + 2.0 * c_i) / 3.0;
        let d = (c_ip1 - c_i) / (3.0 * h);
        (((dx * d) + c_i) * dx + b) * dx + self.y[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_knots_and_linear_data_exactly() {
        let x = [0.0, 0.5, 1.5, 2.0, 3.0];
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v - 1.0).collect();
        let s = NaturalSpline::new(&x, &y);
        for (xi, yi) in x.iter().zip(&y) {
            assert!((s.eval(*xi) - yi).abs() < 1e-14);
        }
        assert!((s.eval(1.2) - 1.4).abs() < 1e-14);
    }
}
