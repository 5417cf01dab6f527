//! Interpolation of grid light curves to arbitrary observation points.
//!
//! In time: cubic Catmull–Rom (cubic Hermite with centred-difference slopes)
//! in `ln t` of `log10 F` on the log-uniform time grid, with
//! quadratically extrapolated ghost points at the two ends. In frequency: exact at a grid band, otherwise linear in
//! `ln ν` of `log10 F` between the two neighbouring bands (a broken power-law
//! spectrum is piecewise linear there). Both are linear in the grid values,
//! so each observation point is a fixed weighted sum of grid entries: the
//! whole map is one `[grid, points]` matrix, on the tape a single `matmul`.
//! Points outside the grids are errors, never extrapolated.

use super::SurrogateError;
use ferrax_autodiff::Real;

/// Weights of the four nodes `k−1, k, k+1, k+2` of the Catmull–Rom cubic
/// at the fraction `u ∈ [0, 1)` of the way from node `k` to node `k+1`
/// (cubic Hermite with centred-difference slopes; Catmull & Rom 1974).
/// They sum to 1; the interpolant is C¹ in the position. Written once for
/// `f64` and for tape tensors (where `u` may depend on the parameters).
pub fn catmull_rom_weights<T: Real>(u: &T) -> [T; 4] {
    let u2 = u.square();
    let u3 = u2.clone() * u.clone();
    [
        (u2.clone() * 2.0 - u3.clone() - u.clone()) * 0.5,
        (u3.clone() * 3.0 - u2.clone() * 5.0 + 2.0) * 0.5,
        (u2.clone() * 4.0 - u3.clone() * 3.0 + u.clone()) * 0.5,
        (u3 - u2) * 0.5,
    ]
}

/// A light curve on a uniform grid read at positions shifted by a
/// fractional number of grid steps: value `j` is
/// `Σ_m weights[m] · grid[first + j + m]` (Catmull–Rom, see
/// [`catmull_rom_weights`]). The time-stretch fold
/// ([`super::stretch::StretchFold`]) reads each curve this way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GridShift {
    /// Grid index of the first node of value 0.
    pub first: usize,
    /// Node weights.
    pub weights: [f64; 4],
}

impl GridShift {
    /// The shift to the fractional grid position `pos` (of value 0),
    /// clamped so that the `n_values` values stay inside a grid of `n_grid` nodes.
    pub fn at(pos: f64, n_values: usize, n_grid: usize) -> Self {
        let k_max = n_grid.saturating_sub(n_values + 2).max(1) as f64;
        let p = if pos.is_nan() { 1.0 } else { pos.clamp(1.0, k_max) };
        let k = p.floor();
        GridShift {
            first: k as usize - 1,
            weights: catmull_rom_weights(&(p - k)),
        }
    }

    /// `out[j] = Σ_m w_m grid[first + j + m]` for every `j < out.len()`.
    #[inline]
    pub fn read(&self, grid: &[f64], out: &mut [f64]) {
        let [w0, w1, w2, w3] = self.weights;
        let g = &grid[self.first..self.first + out.len() + 3];
        for (j, o) in out.iter_mut().enumerate() {
            *o = w0 * g[j] + w1 * g[j + 1] + w2 * g[j + 2] + w3 * g[j + 3];
        }
    }

    /// The transpose of [`GridShift::read`]: adds `Σ_j w_m v[j]` to `grid[first + j + m]`.
    #[inline]
    pub fn read_transpose_add(&self, v: &[f64], grid: &mut [f64]) {
        let g = &mut grid[self.first..self.first + v.len() + 3];
        for (m, &w) in self.weights.iter().enumerate() {
            for (gj, &vj) in g[m..].iter_mut().zip(v) {
                *gj += w * vj;
            }
        }
    }
}

/// Weights `(time index, weight)` of the time `t_days` on the log-uniform grid `times_days`.
pub fn time_weights(times_days: &[f64], t_days: f64) -> Result<Vec<(usize, f64)>, SurrogateError> {
    let n = times_days.len();
    if n < 4 {
        return Err(SurrogateError::invalid("time grid", "needs at least 4 times"));
    }
    if !t_days.is_finite() || t_days <= 0.0 {
        return Err(SurrogateError::invalid(
            "time",
            format!("{t_days} days (times must be positive and finite)"),
        ));
    }
    let (t0, t1) = (times_days[0], times_days[n - 1]);
    let rel = 1e-9;
    if t_days < t0 * (1.0 - rel) || t_days > t1 * (1.0 + rel) {
        return Err(SurrogateError::invalid(
            "time",
            format!("{t_days} days is outside the surrogate's grid [{t0}, {t1}] days"),
        ));
    }
    let h = (t1 / t0).ln() / (n - 1) as f64;
    let s = ((t_days / t0).ln() / h).clamp(0.0, (n - 1) as f64);
    let k = (s.floor() as usize).min(n - 2);
    let w = catmull_rom_weights(&(s - k as f64));
    // points k-1, k, k+1, k+2; quadratically extrapolated ghosts at -1
    // (3 p0 − 3 p1 + p2) and n (3 p_{n-1} − 3 p_{n-2} + p_{n-3})
    let mut out: Vec<(usize, f64)> = Vec::with_capacity(4);
    let mut add = |i: usize, v: f64| {
        if let Some(e) = out.iter_mut().find(|e| e.0 == i) {
            e.1 += v;
        } else {
            out.push((i, v));
        }
    };
    for (j, &wj) in w.iter().enumerate() {
        let idx = k as isize - 1 + j as isize;
        if idx < 0 {
            add(0, 3.0 * wj);
            add(1, -3.0 * wj);
            add(2, wj);
        } else if idx as usize >= n {
            add(n - 1, 3.0 * wj);
            add(n - 2, -3.0 * wj);
            add(n - 3, wj);
        } else {
            add(idx as usize, wj);
        }
    }
    Ok(out)
}

/// Weights `(band index, weight)` of the frequency `nu_hz` on the bands' frequencies `band_nu_hz`.
pub fn band_weights(band_nu_hz: &[f64], nu_hz: f64) -> Result<Vec<(usize, f64)>, SurrogateError> {
    if !nu_hz.is_finite() || nu_hz <= 0.0 {
        return Err(SurrogateError::invalid(
            "frequency",
            format!("{nu_hz} Hz (must be positive and finite)"),
        ));
    }
    if let Some(i) = band_nu_hz.iter().position(|&b| ((b - nu_hz) / b).abs() < 1e-6) {
        return Ok(vec![(i, 1.0)]);
    }
    let mut order: Vec<usize> = (0..band_nu_hz.len()).collect();
    order.sort_by(|&a, &b| band_nu_hz[a].total_cmp(&band_nu_hz[b]));
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        let (na, nb) = (band_nu_hz[a], band_nu_hz[b]);
        if nu_hz > na && nu_hz < nb {
            let f = (nu_hz / na).ln() / (nb / na).ln();
            return Ok(vec![(a, 1.0 - f), (b, f)]);
        }
    }
    Err(SurrogateError::invalid(
        "frequency",
        format!(
            "{nu_hz} Hz is outside the surrogate's bands [{:e}, {:e}] Hz",
            band_nu_hz.iter().cloned().fold(f64::INFINITY, f64::min),
            band_nu_hz.iter().cloned().fold(0.0, f64::max)
        ),
    ))
}

/// The linear map from a grid light curve (`bands × times`, band-major) to
/// the values at a list of (time, frequency) points.
#[derive(Clone, Debug)]
pub struct PointMap {
    /// Grid size (`bands · times`).
    pub n_grid: usize,
    /// Per point: (flat grid index, weight).
    pub weights: Vec<Vec<(usize, f64)>>,
}

impl PointMap {
    /// Builds the map for points `(t_days, nu_hz)` on the grid `times_days` × `band_nu_hz`.
    pub fn new(
        times_days: &[f64],
        band_nu_hz: &[f64],
        points: &[(f64, f64)],
    ) -> Result<Self, SurrogateError> {
        let nt = times_days.len();
        let weights = points
            .iter()
            .enumerate()
            .map(|(i, &(t, nu))| {
                let wt = time_weights(times_days, t)
                    .map_err(|e| SurrogateError::invalid(format!("point {i}"), e.to_string()))?;
                let wb = band_weights(band_nu_hz, nu)
                    .map_err(|e| SurrogateError::invalid(format!("point {i}"), e.to_string()))?;
                let mut w = Vec::with_capacity(wt.len() * wb.len());
                for &(b, fb) in &wb {
                    for &(k, fk) in &wt {
                        w.push((b * nt + k, fb * fk));
                    }
                }
                Ok(w)
            })
            .collect::<Result<Vec<_>, SurrogateError>>()?;
        Ok(PointMap {
            n_grid: band_nu_hz.len() * nt,
            weights,
        })
    }

    /// Number of points.
    pub fn n_points(&self) -> usize {
        self.weights.len()
    }

    /// Values at the points of one grid light curve.
    pub fn apply(&self, grid: &[f64]) -> Vec<f64> {
        self.weights
            .iter()
            .map(|w| w.iter().map(|&(i, f)| f * grid[i]).sum())
            .collect()
    }

    /// The map as a dense `[n_grid, n_points]` matrix (row-major), so that
    /// `points = grid · M`.
    pub fn dense(&self) -> Vec<f64> {
        let np = self.n_points();
        let mut m = vec![0.0; self.n_grid * np];
        for (p, w) in self.weights.iter().enumerate() {
            for &(i, f) in w {
                m[i * np + p] += f;
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid() -> Vec<f64> {
        (0..50).map(|i| 1e-2 * (2e5f64).powf(i as f64 / 49.0)).collect()
    }

    #[test]
    fn exact_on_nodes_and_for_quadratics_in_log_time() {
        let ts = grid();
        let f = |t: f64| 0.3 * t.ln() * t.ln() - 1.2 * t.ln() + 4.0;
        let vals: Vec<f64> = ts.iter().map(|&t| f(t)).collect();
        for &t in &[ts[0], ts[7], ts[49], 0.0123, 3.3, 1999.0, 0.37] {
            let w = time_weights(&ts, t).unwrap();
            let v: f64 = w.iter().map(|&(i, x)| x * vals[i]).sum();
            assert!((v - f(t)).abs() < 1e-9, "t {t}: {v} vs {}", f(t));
            assert!((w.iter().map(|e| e.1).sum::<f64>() - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn out_of_grid_points_are_errors() {
        let ts = grid();
        for t in [-1.0, 0.0, f64::NAN, 0.005, 2500.0] {
            assert!(time_weights(&ts, t).is_err(), "t = {t}");
        }
        let nus = [3e9, 6e9, 4.81e14];
        assert!(band_weights(&nus, 1e9).is_err());
        assert!(band_weights(&nus, f64::NAN).is_err());
        assert_eq!(band_weights(&nus, 6e9).unwrap(), vec![(1, 1.0)]);
        let w = band_weights(&nus, 1e12).unwrap();
        assert_eq!(w.len(), 2);
        assert!((w[0].1 + w[1].1 - 1.0).abs() < 1e-14);
    }
}
