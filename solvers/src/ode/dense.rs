//! Dense output: Hairer's 4th-order continuous extension of Dopri5
//! (Hairer I, Sec. II.6, routine `CONTD5`), stored per accepted step.

use super::tableau::ButcherTableau;
use ferrax_autodiff::Scalar;

/// The interpolating polynomial of one accepted step.
#[derive(Debug, Clone)]
pub struct DenseSegment<T, const D: usize> {
    /// Start time of the step.
    pub t0: T,
    /// Signed step size.
    pub dt: T,
    /// Coefficients r1..r5 of Hairer's `CONTD5` per component.
    r: [[T; D]; 5],
}

impl<T: Scalar, const D: usize> DenseSegment<T, D> {
    /// Builds the extension from the stages `k` of a step `y → y_new`.
    pub fn new(tab: &ButcherTableau, t0: T, dt: T, y: &[T; D], y_new: &[T; D], k: &[[T; D]; 7]) -> Self {
        let z = T::cst(0.0);
        let mut r = [[z; D]; 5];
        for i in 0..D {
            let ydiff = y_new[i] - y[i];
            let bspl = dt * k[0][i] - ydiff;
            r[0][i] = y[i];
            r[1][i] = ydiff;
            r[2][i] = bspl;
            r[3][i] = ydiff - dt * k[6][i] - bspl;
            let mut acc = z;
            for (j, kj) in k.iter().enumerate() {
                if tab.d[j] != 0.0 {
                    acc = acc + kj[i] * tab.d[j];
                }
            }
            r[4][i] = acc * dt;
        }
        DenseSegment { t0, dt, r }
    }

    /// The interpolated state at time `t` (inside the step).
    pub fn eval(&self, t: T) -> [T; D] {
        let theta = (t - self.t0) / self.dt;
        let theta1 = theta.rsub(1.0);
        std::array::from_fn(|i| {
            let r = &self.r;
            r[0][i] + theta * (r[1][i] + theta1 * (r[2][i] + theta * (r[3][i] + theta1 * r[4][i])))
        })
    }
}

/// The continuous solution over all accepted steps.
#[derive(Debug, Clone)]
pub struct DenseOutput<T, const D: usize> {
    segments: Vec<DenseSegment<T, D>>,
}

impl<T: Scalar, const D: usize> Default for DenseOutput<T, D> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Scalar, const D: usize> DenseOutput<T, D> {
    /// An empty output.
    pub fn new() -> Self {
        DenseOutput { segments: Vec::new() }
    }
    /// Appends the extension of one accepted step.
    pub fn push(&mut self, s: DenseSegment<T, D>) {
        self.segments.push(s);
    }
    /// The accepted steps.
    pub fn segments(&self) -> &[DenseSegment<T, D>] {
        &self.segments
    }
    /// The state at time `t`; `None` outside the integrated interval.
    pub fn eval(&self, t: f64) -> Option<[T; D]> {
        let first = self.segments.first()?;
        let dir = first.dt.re().signum();
        // Binary search for the segment whose span contains t.
        let idx = self
            .segments
            .partition_point(|s| (s.t0.re() + s.dt.re() - t) * dir < 0.0);
        let s = self.segments.get(idx)?;
        let a = s.t0.re();
        let b = a + s.dt.re();
        let (lo, hi) = if a < b { (a, b) } else { (b, a) };
        let tol = 1e-12 * (lo.abs() + hi.abs()).max(1.0);
        if t < lo - tol || t > hi + tol {
            return None;
        }
        Some(s.eval(T::cst(t)))
    }
}
