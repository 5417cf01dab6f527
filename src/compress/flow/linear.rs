//! The flow's fixed linear map `y = L u + shift` between the mapped
//! parameters `y` and the coupling layers' coordinates `u`: set from the
//! samples' mean and Cholesky factor before the fit, and recalibrated after
//! it so that the draws have the samples' mean and covariance.

use super::SplineFlow;
use crate::compress::CompressError;
use crate::samplers::targets::lower_inverse;

impl SplineFlow {
    /// Sets the standardisation to the mean and Cholesky factor of the
    /// sample covariance of `y` (`[n, dim]`).
    pub fn standardise_to(&mut self, y: &[f64]) -> Result<(), CompressError> {
        let (mean, chol) = mean_and_cholesky(y, self.dim)?;
        self.chol_inv = lower_inverse(&chol, self.dim);
        self.shift = mean;
        self.chol = chol;
        Ok(())
    }

    /// Moment calibration of the fitted flow: replaces the standardisation
    /// by the affine map `y = A u + b` (`A` lower triangular) under which the
    /// flow's draws have exactly the sample mean and covariance of `y`
    /// (`[n, dim]`, mapped coordinates), up to the Monte Carlo error of
    /// `n_draws` draws (≈ `1/√n_draws` in a correlation). With `m`, `C` the
    /// mean and covariance of `n_draws` coupling outputs `u` of base draws and
    /// `L_C`, `L_y` the Cholesky factors of `C` and of the sample covariance,
    /// `A = L_y L_C⁻¹`, `b = ȳ − A m`. The coupling layers are unchanged;
    /// the map stays exactly invertible, and its log-determinant
    /// `Σ_j ln A_jj` enters [`SplineFlow::log_prob`] through
    /// [`SplineFlow::log_scale`]. Maximum likelihood matches the moments only
    /// approximately; this makes correlations and scales of the mapped
    /// parameters exact by construction, leaving the coupling layers the
    /// non-Gaussian rest.
    pub fn calibrate(&mut self, y: &[f64], n_draws: usize, seed: u64) -> Result<(), CompressError> {
        use rand::{Rng, SeedableRng};
        let d = self.dim;
        if n_draws < 2 * d + 2 {
            return Err(CompressError::Invalid {
                name: "calibration draws".into(),
                msg: format!("{n_draws} draws are too few for {d} parameters"),
            });
        }
        let (mean_y, chol_y) = mean_and_cholesky(y, d)?;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let mut u: Vec<f64> = (0..n_draws * d)
            .map(|_| rng.sample(rand_distr::StandardNormal))
            .collect();
        let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).max(1);
        let per = n_draws.div_ceil(threads) * d;
        let this = &*self;
        std::thread::scope(|s| {
            for part in u.chunks_mut(per) {
                s.spawn(move || this.inverse_u(part));
            }
        });
        let (mean_u, chol_u) = mean_and_cholesky(&u, d)?;
        let inv_u = lower_inverse(&chol_u, d);
        let mut a = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..=i {
                a[i * d + j] = (j..=i).map(|k| chol_y[i * d + k] * inv_u[k * d + j]).sum();
            }
        }
        self.shift = (0..d)
            .map(|i| mean_y[i] - (0..=i).map(|k| a[i * d + k] * mean_u[k]).sum::<f64>())
            .collect();
        self.chol_inv = lower_inverse(&a, d);
        self.chol = a;
        Ok(())
    }

    /// `u = L⁻¹ (y − shift)` for rows of `y`.
    pub fn standardise(&self, y: &[f64]) -> Vec<f64> {
        let d = self.dim;
        let mut u = vec![0.0; y.len()];
        for (row, out) in y.chunks_exact(d).zip(u.chunks_exact_mut(d)) {
            for i in 0..d {
                let mut s = 0.0;
                for k in 0..=i {
                    s += self.chol_inv[i * d + k] * (row[k] - self.shift[k]);
                }
                out[i] = s;
            }
        }
        u
    }

    /// `Σ_j ln L_jj`.
    pub fn log_scale(&self) -> f64 {
        (0..self.dim).map(|i| self.chol[i * (self.dim + 1)].ln()).sum()
    }

    /// `y = L u + shift` in place.
    pub fn unstandardise(&self, u: &mut [f64]) {
        let d = self.dim;
        let mut tmp = vec![0.0; d];
        for row in u.chunks_exact_mut(d) {
            for i in 0..d {
                let mut s = self.shift[i];
                for k in 0..=i {
                    s += self.chol[i * d + k] * row[k];
                }
                tmp[i] = s;
            }
            row.copy_from_slice(&tmp);
        }
    }
}

/// Mean and lower Cholesky factor of the sample covariance of rows `y`
/// (`[n, d]`).
fn mean_and_cholesky(y: &[f64], d: usize) -> Result<(Vec<f64>, Vec<f64>), CompressError> {
    let n = y.len() / d;
    let mean: Vec<f64> = (0..d)
        .map(|j| y.iter().skip(j).step_by(d).sum::<f64>() / n as f64)
        .collect();
    let mut cov = vec![0.0; d * d];
    for row in y.chunks_exact(d) {
        for i in 0..d {
            let ri = row[i] - mean[i];
            for j in 0..=i {
                cov[i * d + j] += ri * (row[j] - mean[j]);
            }
        }
    }
    for i in 0..d {
        for j in 0..=i {
            cov[i * d + j] /= (n - 1) as f64;
            cov[j * d + i] = cov[i * d + j];
        }
    }
    let chol = crate::samplers::targets::cholesky(&cov, d).ok_or_else(|| CompressError::Invalid {
        name: "samples".into(),
        msg: "the sample covariance is singular (a constant or linearly dependent parameter)".into(),
    })?;
    Ok((mean, chol))
}

pub(super) fn identity(d: usize) -> Vec<f64> {
    (0..d * d)
        .map(|i| if i % (d + 1) == 0 { 1.0 } else { 0.0 })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::random_flow;
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Moment calibration: draws of the calibrated flow have the target
    /// sample mean and covariance (within Monte Carlo error), the map stays
    /// an exact inverse of the density direction, and `log_scale` is the
    /// log-determinant of the linear map (finite-difference Jacobian).
    #[test]
    fn calibration_matches_moments_and_stays_invertible() {
        let mut f = random_flow(3);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
        // correlated, skewed target in mapped coordinates
        let y: Vec<f64> = (0..20_000)
            .flat_map(|_| {
                let (a, b, c): (f64, f64, f64) = (
                    rng.sample(rand_distr::StandardNormal),
                    rng.sample(rand_distr::StandardNormal),
                    rng.sample(rand_distr::StandardNormal),
                );
                [2.0 + a, 0.5 * a + 0.3 * b * b, -1.0 + 0.2 * c - 0.4 * a]
            })
            .collect();
        f.standardise_to(&y).unwrap();
        f.calibrate(&y, 100_000, 4).unwrap();
        let (mean_y, chol_y) = mean_and_cholesky(&y, 3).unwrap();
        let mut z: Vec<f64> = (0..100_000 * 3)
            .map(|_| rng.sample::<f64, _>(rand_distr::StandardNormal))
            .collect();
        f.inverse_u(&mut z);
        f.unstandardise(&mut z);
        let (md, ld) = mean_and_cholesky(&z, 3).unwrap();
        for i in 0..3 {
            assert!(
                (md[i] - mean_y[i]).abs() < 0.02,
                "mean {i}: {} vs {}",
                md[i],
                mean_y[i]
            );
            for j in 0..=i {
                let (a, b) = (ld[i * 3 + j], chol_y[i * 3 + j]);
                assert!((a - b).abs() < 0.02 * (1.0 + b.abs()), "chol {i}{j}: {a} vs {b}");
            }
        }
        // exact inverse: u -> y -> u
        let u0 = vec![0.3, -1.2, 0.7];
        let mut y1 = u0.clone();
        f.unstandardise(&mut y1);
        let u1 = f.standardise(&y1);
        for (a, b) in u0.iter().zip(&u1) {
            assert!((a - b).abs() < 1e-12, "{a} {b}");
        }
        // log-determinant of y(u) against a central-difference Jacobian
        let h = 1e-6;
        let mut jac = [[0.0; 3]; 3];
        for k in 0..3 {
            let (mut a, mut b) = (u0.clone(), u0.clone());
            a[k] += h;
            b[k] -= h;
            f.unstandardise(&mut a);
            f.unstandardise(&mut b);
            for i in 0..3 {
                jac[i][k] = (a[i] - b[i]) / (2.0 * h);
            }
        }
        let det = jac[0][0] * (jac[1][1] * jac[2][2] - jac[1][2] * jac[2][1])
            - jac[0][1] * (jac[1][0] * jac[2][2] - jac[1][2] * jac[2][0])
            + jac[0][2] * (jac[1][0] * jac[2][1] - jac[1][1] * jac[2][0]);
        assert!(
            (det.abs().ln() - f.log_scale()).abs() < 1e-8,
            "{} {}",
            det.ln(),
            f.log_scale()
        );
        assert!(f.calibrate(&y, 3, 0).is_err());
    }
}
