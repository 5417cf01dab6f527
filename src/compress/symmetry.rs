//! Exact discrete symmetries folded out before compression.
//!
//! Some posteriors are exactly invariant under a cyclic group acting on
//! periodic parameters; for a dominant-mode (ℓ = |m| = 2) waveform the
//! likelihood is unchanged by `(φ, ψ) → (φ + π/2, ψ + π/2)`, so a GW
//! posterior has four copies of every mode (see
//! [`crate::pe::run::degenerate_images`]). A flow spends most of its capacity
//! and gets the mode weights only approximately right; folding each sample
//! into one fundamental domain leaves one copy to fit, and drawing the copy
//! uniformly on decompression restores the others with exactly equal weights.
//! This loses nothing if and only if the posterior is invariant, which
//! [`Symmetry::fold`] tests: the copy index of the samples must be uniform
//! (a χ² test at p = 1e-3).
//!
//! The generator `g` adds `shift_i` to each listed parameter `i`, modulo the
//! width `P_i` of its bounds `[a_i, a_i + P_i)`; `g^order` is the identity.
//! The first listed parameter (the anchor) must have `order · shift = P`, so
//! that its `order` images are evenly spaced and exactly one of them lies in
//! any window of width `shift`. The fundamental domain is the anchor's window
//! `[a + c, a + c + shift)`, with `c` placed where the samples are sparsest
//! (the middle of the longest run of the emptiest of 64 bins of the anchor
//! modulo `shift`), so that the folded samples are not cut in two.

use super::{BoundTransform, CompressError};
use serde::{Deserialize, Serialize};

/// A symmetry as given by a user: `{"order": 4, "parameters": ["phase",
/// "psi"], "shifts": [1.5707963267948966, 1.5707963267948966]}` (shifts in
/// parameter units, the first parameter the anchor).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SymmetrySpec {
    /// Order of the cyclic group (2 or more).
    pub order: usize,
    /// Names of the shifted parameters, the anchor first.
    pub parameters: Vec<String>,
    /// Shift of each by the generator, parameter units.
    pub shifts: Vec<f64>,
}

/// A validated symmetry with its fundamental domain, stored in the flow file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Symmetry {
    /// The user's specification.
    pub spec: SymmetrySpec,
    /// Column of each shifted parameter.
    pub columns: Vec<usize>,
    /// Lower bound `a_i` of each, parameter units.
    pub lower: Vec<f64>,
    /// Period `P_i` (width of the bounds) of each, parameter units.
    pub period: Vec<f64>,
    /// Start of the anchor's fundamental window, parameter units: folded
    /// samples have the anchor in `[window, window + shift_0)`.
    pub window: f64,
}

/// Outcome of folding samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldSummary {
    /// Samples in each copy (`order` counts).
    pub counts: Vec<usize>,
    /// χ² statistic of the counts against a uniform distribution.
    pub chi2: f64,
    /// The critical χ² at p = 1e-3 with `order − 1` degrees of freedom.
    pub chi2_critical: f64,
}

impl Symmetry {
    /// Checks a specification against the parameter names and support maps:
    /// every listed parameter must have finite bounds (its period), and
    /// `order · shift_i` must be a whole number of periods (the anchor's
    /// exactly one). The window is set by [`Symmetry::fold`].
    pub fn new(
        spec: &SymmetrySpec,
        names: &[String],
        transforms: &[BoundTransform],
    ) -> Result<Self, CompressError> {
        let bad = |msg: String| CompressError::Invalid {
            name: "symmetry".into(),
            msg,
        };
        if spec.order < 2 || spec.parameters.is_empty() || spec.parameters.len() != spec.shifts.len() {
            return Err(bad(
                "need order >= 2 and one shift per parameter (at least one)".into()
            ));
        }
        let mut columns = Vec::new();
        let (mut lower, mut period) = (Vec::new(), Vec::new());
        for (i, (p, &s)) in spec.parameters.iter().zip(&spec.shifts).enumerate() {
            let j = names
                .iter()
                .position(|n| n == p)
                .ok_or_else(|| bad(format!("unknown parameter '{p}'")))?;
            if columns.contains(&j) {
                return Err(bad(format!("parameter '{p}' listed twice")));
            }
            let (Some(a), Some(b)) = transforms[j].bounds() else {
                return Err(bad(format!(
                    "parameter '{p}' needs finite bounds (one period) to be shifted modulo them"
                )));
            };
            let turns = spec.order as f64 * s / (b - a);
            let whole = turns.round();
            if !(s > 0.0 && s.is_finite()) || (turns - whole).abs() > 1e-9 || (i == 0 && whole != 1.0) {
                return Err(bad(format!(
                    "parameter '{p}': order x shift = {} is not {} period(s) {}",
                    spec.order as f64 * s,
                    if i == 0 {
                        "exactly one"
                    } else {
                        "a whole number of"
                    },
                    b - a
                )));
            }
            columns.push(j);
            lower.push(a);
            period.push(b - a);
        }
        Ok(Symmetry {
            spec: spec.clone(),
            columns,
            window: lower[0],
            lower,
            period,
        })
    }

    /// Width of the anchor's fundamental window, parameter units.
    pub fn width(&self) -> f64 {
        self.spec.shifts[0]
    }

    /// Applies `g^k` to one row in place (values stay in `[a_i, a_i + P_i)`).
    pub fn shift_row(&self, row: &mut [f64], k: usize) {
        for (i, &j) in self.columns.iter().enumerate() {
            let (a, p) = (self.lower[i], self.period[i]);
            let mut v = a + (row[j] - a + k as f64 * self.spec.shifts[i]).rem_euclid(p);
            if !(v > a && v < a + p) {
                // rounding at the wrap: keep strictly inside the support
                v = if v <= a { a + 1e-12 * p } else { a + p - 1e-12 * p };
            }
            row[j] = v;
        }
    }

    /// The copy index `k` of a row: `g^{−k}` of the row is in the
    /// fundamental domain (`g^{order − k}` maps it there).
    fn copy_index(&self, row: &[f64]) -> usize {
        let (p, s) = (self.period[0], self.width());
        let t = (row[self.columns[0]] - self.window).rem_euclid(p);
        ((t / s).floor() as usize).min(self.spec.order - 1)
    }

    /// Places the window where the anchor (modulo the shift) is sparsest,
    /// folds every row of `samples` (`[n, d]`) into the fundamental domain,
    /// and tests that the copies are equally populated. Errors if they are
    /// not (the posterior is not invariant, so folding would lose
    /// information).
    pub fn fold(&mut self, samples: &mut [f64], d: usize) -> Result<FoldSummary, CompressError> {
        const BINS: usize = 64;
        let (a, s) = (self.lower[0], self.width());
        let j0 = self.columns[0];
        let mut hist = [0usize; BINS];
        for row in samples.chunks_exact(d) {
            let u = (row[j0] - a).rem_euclid(s) / s;
            hist[((u * BINS as f64) as usize).min(BINS - 1)] += 1;
        }
        // the middle of the longest circular run of the emptiest bins
        let least = hist.iter().copied().min().unwrap_or(0);
        let (mut best, mut best_len) = (0.0, 0usize);
        for start in (0..BINS).filter(|&b| hist[b] == least && hist[(b + BINS - 1) % BINS] != least) {
            let len = (0..BINS)
                .take_while(|&i| hist[(start + i) % BINS] == least)
                .count();
            if len > best_len {
                (best, best_len) = (start as f64 + 0.5 * len as f64, len);
            }
        }
        if best_len == 0 {
            // every bin equally full: any cut will do
            best = 0.0;
        }
        self.window = a + (best / BINS as f64).fract() * s;
        let n_order = self.spec.order;
        let mut counts = vec![0usize; n_order];
        for row in samples.chunks_exact_mut(d) {
            let k = self.copy_index(row);
            counts[k] += 1;
            self.shift_row(row, (n_order - k) % n_order);
            // rounding at the window edges: keep the anchor inside the window
            let lo = self.window;
            let v = &mut row[j0];
            let t = (*v - lo).rem_euclid(self.period[0]);
            if !(t > 0.0 && t < s) {
                *v = if t >= s && t < 0.5 * (s + self.period[0]) {
                    lo + s * (1.0 - 1e-12)
                } else {
                    lo + s * 1e-12
                };
            } else {
                *v = lo + t;
            }
        }
        let n = (samples.len() / d) as f64;
        let e = n / n_order as f64;
        let chi2 = counts.iter().map(|&c| (c as f64 - e).powi(2) / e).sum::<f64>();
        // Wilson–Hilferty: χ²_ν quantile ≈ ν (1 − 2/(9ν) + z √(2/(9ν)))³, z = 3.090 at p = 1e-3
        let nu = (n_order - 1) as f64;
        let q = 2.0 / (9.0 * nu);
        let chi2_critical = nu * (1.0 - q + 3.090 * q.sqrt()).powi(3);
        let summary = FoldSummary {
            counts,
            chi2,
            chi2_critical,
        };
        if chi2 > chi2_critical {
            return Err(CompressError::Invalid {
                name: "symmetry".into(),
                msg: format!(
                    "the samples are not invariant: copies hold {:?} samples (chi2 {chi2:.1} > {chi2_critical:.1} at p = 1e-3); folding would lose information",
                    summary.counts
                ),
            });
        }
        Ok(summary)
    }

    /// The support map of the folded anchor: logit on its window. Folded
    /// samples lie strictly inside it.
    pub fn anchor_transform(&self) -> BoundTransform {
        BoundTransform::from_bounds(Some(self.window), Some(self.window + self.width()))
            .unwrap_or(BoundTransform::Identity)
    }

    /// Folds one row in place (for densities); returns nothing about the copy.
    pub fn fold_row(&self, row: &mut [f64]) {
        let k = self.copy_index(row);
        let n = self.spec.order;
        self.shift_row(row, (n - k) % n);
        let (lo, s) = (self.window, self.width());
        let v = &mut row[self.columns[0]];
        let t = (*v - lo).rem_euclid(self.period[0]);
        *v = lo + t.clamp(s * 1e-12, s * (1.0 - 1e-12));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use std::f64::consts::{FRAC_PI_2, PI};

    fn phase_psi() -> (Vec<String>, Vec<BoundTransform>, SymmetrySpec) {
        let names = vec!["phase".to_string(), "psi".to_string(), "x".to_string()];
        let t = vec![
            BoundTransform::from_bounds(Some(0.0), Some(2.0 * PI)).unwrap(),
            BoundTransform::from_bounds(Some(0.0), Some(PI)).unwrap(),
            BoundTransform::Identity,
        ];
        let spec = SymmetrySpec {
            order: 4,
            parameters: vec!["phase".into(), "psi".into()],
            shifts: vec![FRAC_PI_2, FRAC_PI_2],
        };
        (names, t, spec)
    }

    /// Folding then shifting by a random copy reproduces a symmetric set:
    /// every folded row is an image of its original, and the folded anchor
    /// lies in the window, away from the mode.
    #[test]
    fn fold_of_symmetric_samples() {
        let (names, t, spec) = phase_psi();
        let mut sym = Symmetry::new(&spec, &names, &t).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
        let mut x = Vec::new();
        for _ in 0..4000 {
            // one mode at (phase, psi) = (1.5, 1.1), the anchor straddling π/2
            let mut row = [
                1.5 + 0.1 * rng.sample::<f64, _>(rand_distr::StandardNormal),
                1.1 + 0.05 * rng.sample::<f64, _>(rand_distr::StandardNormal),
                rng.sample::<f64, _>(rand_distr::StandardNormal),
            ];
            sym.shift_row(&mut row, rng.gen_range(0..4));
            x.extend_from_slice(&row);
        }
        let orig = x.clone();
        let s = sym.fold(&mut x, 3).unwrap();
        assert_eq!(s.counts.iter().sum::<usize>(), 4000);
        for (f, o) in x.chunks_exact(3).zip(orig.chunks_exact(3)) {
            assert!(f[0] > sym.window && f[0] < sym.window + FRAC_PI_2);
            assert!(
                (f[0] - 1.5).abs() < 0.6,
                "folded anchor {} far from the mode",
                f[0]
            );
            let images: Vec<[f64; 3]> = (0..4)
                .map(|k| {
                    let mut r = [f[0], f[1], f[2]];
                    sym.shift_row(&mut r, k);
                    r
                })
                .collect();
            assert!(images
                .iter()
                .any(|r| r.iter().zip(o).all(|(a, b)| (a - b).abs() < 1e-9)));
        }
    }

    #[test]
    fn asymmetric_samples_are_refused() {
        let (names, t, spec) = phase_psi();
        let mut sym = Symmetry::new(&spec, &names, &t).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        // one copy only
        let mut x: Vec<f64> = (0..3000)
            .flat_map(|_| [1.5 + 0.1 * rng.gen::<f64>(), 1.1, 0.0])
            .collect();
        let e = sym.fold(&mut x, 3).unwrap_err().to_string();
        assert!(e.contains("not invariant"), "{e}");
    }

    #[test]
    fn bad_specifications_are_refused() {
        let (names, t, mut spec) = phase_psi();
        spec.shifts[0] = 1.0;
        assert!(Symmetry::new(&spec, &names, &t).is_err());
        let (names, t, mut spec) = phase_psi();
        spec.parameters[1] = "x".into();
        let e = Symmetry::new(&spec, &names, &t).unwrap_err().to_string();
        assert!(e.contains("finite bounds"), "{e}");
        let (names, t, mut spec) = phase_psi();
        spec.parameters[1] = "nope".into();
        assert!(Symmetry::new(&spec, &names, &t).is_err());
    }
}
