//! Convergence diagnostics over several chains of one scalar quantity,
//! `draws[chain][t]` stored `[n_chains, n_draws]` row-major.
//!
//! * [`ess_mean`]: split-chain multi-chain effective sample size with
//!   Geyer's initial monotone sequence, without rank normalisation
//!   (Vehtari et al. 2021, Bayesian Analysis 16, eqs. 10–11 on the raw
//!   draws), identical to `arviz.ess(method="mean")`.
//! * [`split_rhat`]: the split potential scale reduction factor
//!   (Gelman et al., BDA3 eq. 11.4 on split chains), without ranks.

// `!(x > 0.0)` deliberately rejects NaN; index loops mirror the formulas.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

/// Splits each of `n_chains` chains of `n_draws` in two halves (dropping the
/// middle draw of odd lengths, as the reference implementation keeps the
/// first ⌊n/2⌋ and the last ⌊n/2⌋), giving `2 n_chains` chains.
fn split(draws: &[f64], n_chains: usize, n_draws: usize) -> (Vec<Vec<f64>>, usize) {
    let half = n_draws / 2;
    let mut out = Vec::with_capacity(2 * n_chains);
    for c in 0..n_chains {
        let row = &draws[c * n_draws..(c + 1) * n_draws];
        out.push(row[..half].to_vec());
        out.push(row[n_draws - half..].to_vec());
    }
    (out, half)
}

/// Chains centred on their own means.
fn centred(chains: &[Vec<f64>]) -> Vec<Vec<f64>> {
    chains
        .iter()
        .map(|c| {
            let mu = c.iter().sum::<f64>() / c.len() as f64;
            c.iter().map(|v| v - mu).collect()
        })
        .collect()
}

/// Mean over chains of the biased autocovariance at lag `t`,
/// `Σ_i (x_i − x̄)(x_{i+t} − x̄) / N`, computed only for the lags the Geyer
/// sequence needs.
fn mean_autocov(centred: &[Vec<f64>], t: usize) -> f64 {
    let m = centred.len() as f64;
    centred
        .iter()
        .map(|c| {
            let n = c.len();
            c[..n - t].iter().zip(&c[t..]).map(|(a, b)| a * b).sum::<f64>() / n as f64
        })
        .sum::<f64>()
        / m
}

/// Effective sample size of the mean, as `arviz.ess(method="mean")`.
/// Returns `NaN` for fewer than 4 draws per chain or a constant input.
pub fn ess_mean(draws: &[f64], n_chains: usize, n_draws: usize) -> f64 {
    if n_chains == 0 || n_draws < 4 || draws.len() != n_chains * n_draws {
        return f64::NAN;
    }
    let (chains, n) = split(draws, n_chains, n_draws);
    let m = chains.len();
    let nf = n as f64;
    if chains.iter().flatten().all(|v| *v == chains[0][0]) {
        return (m * n) as f64;
    }
    let cc = centred(&chains);
    let means: Vec<f64> = chains.iter().map(|c| c.iter().sum::<f64>() / nf).collect();
    let mean_acov = |t: usize| mean_autocov(&cc, t);
    let w = mean_acov(0) * nf / (nf - 1.0);
    let grand = means.iter().sum::<f64>() / m as f64;
    let b_over_n = if m > 1 {
        means.iter().map(|v| (v - grand).powi(2)).sum::<f64>() / (m as f64 - 1.0)
    } else {
        0.0
    };
    let var_plus = (nf - 1.0) / nf * w + b_over_n;
    if !(var_plus > 0.0) || !var_plus.is_finite() {
        return f64::NAN;
    }
    let rho = |t: usize| 1.0 - (w - mean_acov(t)) / var_plus;
    // Geyer's initial positive sequence on pairs (ρ(t+1), ρ(t+2)), stopping
    // at the first pair with a non-positive sum.
    let mut r = vec![0.0; n];
    r[0] = 1.0;
    let mut rho_even = 1.0;
    let mut rho_odd = rho(1);
    r[1] = rho_odd;
    let mut t = 1;
    while t + 3 < n && rho_even + rho_odd > 0.0 {
        rho_even = rho(t + 1);
        rho_odd = rho(t + 2);
        if rho_even + rho_odd >= 0.0 {
            r[t + 1] = rho_even;
            r[t + 2] = rho_odd;
        }
        t += 2;
    }
    // `max_t` is the last lag of the kept sequence; -1 when none was kept.
    let max_t = t as isize - 2;
    let next = (max_t + 1) as usize;
    // the last even autocorrelation improves the estimate when positive
    if rho_even > 0.0 {
        r[next] = rho_even;
    }
    // Geyer's initial monotone sequence: pair sums non-increasing
    let mut t = 1;
    while (t as isize) <= max_t - 2 {
        if r[t + 1] + r[t + 2] > r[t - 1] + r[t] {
            r[t + 1] = (r[t - 1] + r[t]) / 2.0;
            r[t + 2] = r[t + 1];
        }
        t += 2;
    }
    let total = (m * n) as f64;
    let tail = if next < n { r[next] } else { 0.0 };
    let tau = -1.0 + 2.0 * r[..next].iter().sum::<f64>() + tail;
    let tau = tau.max(1.0 / total.log10());
    total / tau
}

/// Split-R̂ (no rank normalisation): `sqrt(var⁺ / W)` over the split chains.
pub fn split_rhat(draws: &[f64], n_chains: usize, n_draws: usize) -> f64 {
    if n_chains == 0 || n_draws < 4 || draws.len() != n_chains * n_draws {
        return f64::NAN;
    }
    let (chains, n) = split(draws, n_chains, n_draws);
    let m = chains.len() as f64;
    let nf = n as f64;
    let means: Vec<f64> = chains.iter().map(|c| c.iter().sum::<f64>() / nf).collect();
    let vars: Vec<f64> = chains
        .iter()
        .zip(&means)
        .map(|(c, mu)| c.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (nf - 1.0))
        .collect();
    let w = vars.iter().sum::<f64>() / m;
    let grand = means.iter().sum::<f64>() / m;
    let b_over_n = means.iter().map(|v| (v - grand).powi(2)).sum::<f64>() / (m - 1.0);
    ((nf - 1.0) / nf * w + b_over_n).max(0.0).sqrt() / w.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    /// An AR(1) chain with coefficient phi has integrated autocorrelation
    /// time (1 + phi)/(1 - phi).
    #[test]
    fn ess_of_ar1_chains_matches_theory() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let (m, n, phi) = (8, 4000, 0.8);
        let mut draws = vec![0.0; m * n];
        for c in 0..m {
            let mut x: f64 = StandardNormal.sample(&mut rng);
            for t in 0..n {
                let z: f64 = StandardNormal.sample(&mut rng);
                x = phi * x + (1.0f64 - phi * phi).sqrt() * z;
                draws[c * n + t] = x;
            }
        }
        let ess = ess_mean(&draws, m, n);
        let expect = (m * n) as f64 * (1.0 - phi) / (1.0 + phi);
        assert!((ess / expect - 1.0).abs() < 0.15, "ess {ess} vs {expect}");
        let r = split_rhat(&draws, m, n);
        assert!((r - 1.0).abs() < 0.01, "rhat {r}");
        // chains stuck at different values give a large R-hat
        let shifted: Vec<f64> = draws
            .iter()
            .enumerate()
            .map(|(i, v)| v + (i / n) as f64)
            .collect();
        assert!(split_rhat(&shifted, m, n) > 1.5);
    }
}
