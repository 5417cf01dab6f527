//! Calibration of `ferrax pe`: injections drawn from the prior, the credible
//! level of each injected value in its posterior, and the statistics of a
//! probability–probability (P-P) test (Cook, Gelman & Rubin 2006; as in
//! bilby's `make_pp_plot`): a one-sample Kolmogorov–Smirnov test of the
//! credible levels against U(0, 1) per parameter, combined over parameters
//! with Fisher's method.

use super::config::{InjectionConfig, PeConfig};
use super::run::{prior_of, shift_phase_polarization};
use crate::prior::component_masses;
use crate::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// An injection drawn from the prior of `cfg` with `seed`: chirp mass, mass
/// ratio, spins, distance, time offset, inclination and sky position from
/// their priors, phase and polarisation uniform on their full ranges
/// [0, 2π) × [0, π) (the unfolded prior even when the sampler folds them).
pub fn injection_from_prior(cfg: &PeConfig, seed: u64) -> Result<InjectionConfig> {
    let prior = prior_of(cfg)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = [0.0; 11];
    for (xi, p) in x.iter_mut().zip(&prior.priors) {
        *xi = p.from_unit(rng.gen::<f64>());
    }
    if cfg.prior.fold_phase_polarization {
        x = shift_phase_polarization(&x, rng.gen_range(0..4));
    }
    let (m1, m2) = component_masses(x[0], x[1]);
    Ok(InjectionConfig {
        m1,
        m2,
        chi1z: x[2],
        chi2z: x[3],
        distance_mpc: x[4],
        geocent_time_offset_s: x[5],
        phase: x[6],
        theta_jn: x[7],
        psi: x[8],
        ra: x[9],
        dec: x[10],
    })
}

/// Credible level of `value` in the one-dimensional marginal sampled by
/// `samples`: the fraction of samples below it, in [0, 1].
pub fn credible_level(samples: &[f64], value: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    samples.iter().filter(|&&s| s < value).count() as f64 / samples.len() as f64
}

/// One-sample Kolmogorov–Smirnov test of `levels` against U(0, 1): the
/// statistic D = sup |F_n(x) − x| and its p-value from the Kolmogorov
/// distribution, Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²} with
/// λ = (√n + 0.12 + 0.11/√n) D (Stephens 1970; Press et al., Numerical
/// Recipes, 3rd ed., eqs. 14.3.12–14.3.13; accurate to a few per cent of p
/// for n ≥ 5). NaN for an empty input.
pub fn ks_uniform(levels: &[f64]) -> (f64, f64) {
    let n = levels.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mut v = levels.to_vec();
    v.sort_by(f64::total_cmp);
    let nf = n as f64;
    let d = v
        .iter()
        .enumerate()
        .map(|(i, &x)| ((i + 1) as f64 / nf - x).max(x - i as f64 / nf))
        .fold(0.0, f64::max);
    let sn = nf.sqrt();
    (d, kolmogorov_q((sn + 0.12 + 0.11 / sn) * d))
}

/// Q_KS(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}, the Kolmogorov survival
/// function; 1 for λ below 0.2 where the series converges slowly and
/// Q_KS > 0.999 999.
fn kolmogorov_q(lambda: f64) -> f64 {
    if lambda < 0.2 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let kf = k as f64;
        let term = (-2.0 * kf * kf * lambda * lambda).exp();
        sum += if k % 2 == 1 { term } else { -term };
        if term < 1e-16 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// Fisher's combined p-value of k independent p-values: X = −2 Σ ln p_i is
/// χ² with 2k degrees of freedom under the null, whose survival function
/// has the closed form e^{−X/2} Σ_{j<k} (X/2)^j / j! (Fisher 1925, §21.1).
pub fn fisher_combined(p_values: &[f64]) -> f64 {
    if p_values.is_empty() {
        return f64::NAN;
    }
    let half_x: f64 = -p_values.iter().map(|p| p.max(1e-300).ln()).sum::<f64>();
    let mut term = 1.0;
    let mut sum = 1.0;
    for j in 1..p_values.len() {
        term *= half_x / j as f64;
        sum += term;
    }
    ((-half_x).exp() * sum).min(1.0)
}

/// The central `width` band (e.g. 0.9) of the empirical CDF of n uniform
/// credible levels at `x` ∈ [0, 1]: the binomial(n, x) quantiles divided
/// by n, as (lower, upper).
pub fn binomial_band(n: usize, x: f64, width: f64) -> (f64, f64) {
    let (lo_q, hi_q) = ((1.0 - width) / 2.0, (1.0 + width) / 2.0);
    let x = x.clamp(0.0, 1.0);
    let mut cdf = 0.0;
    let (mut lo, mut hi) = (None, None);
    for k in 0..=n {
        cdf += binomial_pmf(n, k, x);
        if lo.is_none() && cdf >= lo_q {
            lo = Some(k);
        }
        if hi.is_none() && cdf >= hi_q {
            hi = Some(k);
        }
    }
    let nf = n.max(1) as f64;
    (lo.unwrap_or(n) as f64 / nf, hi.unwrap_or(n) as f64 / nf)
}

fn binomial_pmf(n: usize, k: usize, x: f64) -> f64 {
    if x <= 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if x >= 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    let ln_choose = ln_factorial(n) - ln_factorial(k) - ln_factorial(n - k);
    (ln_choose + k as f64 * x.ln() + (n - k) as f64 * (-x).ln_1p()).exp()
}

fn ln_factorial(n: usize) -> f64 {
    (2..=n).map(|i| (i as f64).ln()).sum()
}

/// Jensen–Shannon divergence [nat] between two weighted one-dimensional
/// sample sets, from histograms on `bins` common bins spanning both:
/// JS = ½ KL(P‖M) + ½ KL(Q‖M), M = (P + Q)/2; bounded by ln 2.
pub fn js_divergence_weighted(a: &[f64], wa: &[f64], b: &[f64], wb: &[f64], bins: usize) -> f64 {
    let lo = a.iter().chain(b).copied().fold(f64::INFINITY, f64::min);
    let hi = a.iter().chain(b).copied().fold(f64::NEG_INFINITY, f64::max);
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || bins == 0 {
        return 0.0;
    }
    let hist = |xs: &[f64], ws: &[f64]| {
        let mut h = vec![0.0; bins];
        for (&x, &w) in xs.iter().zip(ws) {
            let i = (((x - lo) / (hi - lo)) * bins as f64) as usize;
            h[i.min(bins - 1)] += w;
        }
        let s: f64 = h.iter().sum();
        h.iter_mut().for_each(|v| *v /= s);
        h
    };
    let (p, q) = (hist(a, wa), hist(b, wb));
    let kl = |u: &[f64], m: &[f64]| {
        u.iter()
            .zip(m)
            .filter(|(&ui, _)| ui > 0.0)
            .map(|(&ui, &mi)| ui * (ui / mi).ln())
            .sum::<f64>()
    };
    let m: Vec<f64> = p.iter().zip(&q).map(|(x, y)| 0.5 * (x + y)).collect();
    0.5 * kl(&p, &m) + 0.5 * kl(&q, &m)
}

#[cfg(test)]
mod tests {
    use super::*;

    // References from scipy 1.17: scipy.stats.kstest(x, "uniform",
    // method="exact"), scipy.stats.combine_pvalues(p, "fisher"),
    // scipy.stats.binom.ppf.
    #[test]
    fn ks_matches_scipy_exact() {
        let x: Vec<f64> = (0..40).map(|i| ((i as f64 + 0.5) / 40.0).powf(1.3)).collect();
        let (d, p) = ks_uniform(&x);
        assert!((d - 0.108_734_995_551_558_2).abs() < 1e-12, "D = {d}");
        // Stephens' small-n form tracks the exact p-value (0.6911; the plain
        // asymptotic one, 0.7316, is further off at n = 40).
        assert!((p - 0.6911).abs() < 0.02, "p = {p}");
    }

    #[test]
    fn fisher_matches_scipy() {
        let p = fisher_combined(&[0.2, 0.5, 0.03, 0.9]);
        assert!((p - 0.158_997_781_622_970_7).abs() < 1e-12, "{p}");
        assert!((fisher_combined(&[0.5]) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn binomial_band_matches_scipy_ppf() {
        // binom.ppf([0.05, 0.95], 50, 0.3) / 50 = (10/50, 20/50)
        let (lo, hi) = binomial_band(50, 0.3, 0.9);
        assert_eq!((lo * 50.0, hi * 50.0), (10.0, 20.0));
    }

    #[test]
    fn credible_level_and_js() {
        assert_eq!(credible_level(&[1.0, 2.0, 3.0, 4.0], 2.5), 0.5);
        let a: Vec<f64> = (0..1000).map(|i| i as f64 / 1000.0).collect();
        let w = vec![1.0; 1000];
        assert!(js_divergence_weighted(&a, &w, &a, &w, 50).abs() < 1e-15);
        let b: Vec<f64> = a.iter().map(|x| x + 10.0).collect();
        let js = js_divergence_weighted(&a, &w, &b, &w, 50);
        assert!((js - std::f64::consts::LN_2).abs() < 1e-12, "{js}");
    }
}
