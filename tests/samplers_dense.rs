//! The dense-mass-matrix kernels sample a strongly correlated Gaussian with
//! the right covariance: the exact covariance is the reference, and the
//! tolerance of every entry follows from the effective sample size,
//! sd(Ĉ_ij) ≈ sqrt((C_ii C_jj + C_ij²) / ESS) for Gaussian draws.

use ferrax::samplers::adapt::pooled_covariance;
use ferrax::samplers::diagnostics::ess_mean;
use ferrax::samplers::{Chains, KernelKind, LocalKernel, SampleSet, Target};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Σ_ij = s_i s_j ρ^{|i−j|} with scales s_i from 0.1 to 10.
fn covariance(dim: usize, rho: f64) -> Vec<Vec<f64>> {
    let s: Vec<f64> = (0..dim)
        .map(|i| {
            10f64.powf(if dim > 1 {
                -1.0 + 2.0 * i as f64 / (dim - 1) as f64
            } else {
                0.0
            })
        })
        .collect();
    (0..dim)
        .map(|i| {
            (0..dim)
                .map(|j| s[i] * s[j] * rho.powi((i as i32 - j as i32).abs()))
                .collect()
        })
        .collect()
}

fn target(mean: &[f64], cov: &[Vec<f64>]) -> Target {
    let spec = serde_json::json!({"kind": "gaussian", "mean": mean, "cov": cov});
    Target::from_json(&spec.to_string()).unwrap()
}

/// Runs `kind` with an adapted inverse mass matrix (dense or diagonal):
/// three warm-up windows of `n_warm` steps with dual averaging of the step
/// size, each ending with the pooled covariance (or within-chain variances)
/// of its second half, then `n_draws` kept steps.
fn run_dense(
    target: &Target,
    kind: KernelKind,
    dense: bool,
    n_warm: usize,
    n_draws: usize,
    seed: u64,
) -> SampleSet {
    use ferrax::samplers::adapt::{within_chain_variance, DualAveraging};
    use ferrax::samplers::LogDensity;
    let (n, d) = (100, target.dim());
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x0: Vec<f64> = (0..n * d)
        .map(|_| 0.5 * Distribution::<f64>::sample(&StandardNormal, &mut rng))
        .collect();
    let mut chains = Chains::new(target, x0).unwrap();
    let mut kernel = LocalKernel::new(kind, 0.1, d);
    let mut da = DualAveraging::new(kernel.step_size, kind.target_acceptance());
    for _window in 0..3 {
        let mut hist = Vec::new();
        for t in 0..n_warm {
            let st = kernel.step(target, &mut chains, &mut rng).unwrap();
            kernel.step_size = da.update(st.mean_accept_prob);
            if t >= n_warm / 2 {
                hist.extend_from_slice(&chains.x);
            }
        }
        let steps = hist.len() / (n * d);
        if dense {
            let cov = pooled_covariance(&hist, steps, n, d).unwrap();
            kernel.set_dense_inv_mass(&cov).unwrap();
        } else {
            kernel.set_diagonal_inv_mass(within_chain_variance(&hist, steps, n, d));
        }
        da = DualAveraging::new(kernel.step_size, kind.target_acceptance());
    }
    for _ in 0..n_warm {
        let st = kernel.step(target, &mut chains, &mut rng).unwrap();
        kernel.step_size = da.update(st.mean_accept_prob);
    }
    kernel.step_size = da.final_step_size();
    let (mut xs, mut lps) = (Vec::new(), Vec::new());
    for _ in 0..n_draws {
        kernel.step(target, &mut chains, &mut rng).unwrap();
        xs.extend_from_slice(&chains.x);
        lps.extend_from_slice(&chains.logp);
    }
    SampleSet::from_step_major(&xs, &lps, n_draws, n, d)
}

/// Minimum ESS of the mean over the parameters, and the largest
/// standardised error of the sample mean, |x̄_i − μ_i| / sqrt(C_ii / ESS_i),
/// and of the sample covariance, |Ĉ_ij − C_ij| / sqrt((C_ii C_jj + C_ij²) /
/// ESS_ij), with ESS_ij that of the series (x_i − x̄_i)(x_j − x̄_j).
fn check(set: &SampleSet, mean: &[f64], cov: &[Vec<f64>]) -> (f64, f64) {
    let (d, nc, nd) = (set.dim, set.n_chains, set.n_draws);
    let ess_of = |s: &[f64]| ess_mean(s, nc, nd);
    let ess = (0..d)
        .map(|j| ess_of(&set.param(j)))
        .fold(f64::INFINITY, f64::min);
    let m = (nc * nd) as f64;
    let xbar: Vec<f64> = (0..d).map(|j| set.param(j).iter().sum::<f64>() / m).collect();
    let mut worst: f64 = 0.0;
    for i in 0..d {
        let ess_i = ess_of(&set.param(i));
        worst = worst.max((xbar[i] - mean[i]).abs() / (cov[i][i] / ess_i).sqrt());
        for j in 0..=i {
            let prod: Vec<f64> = set
                .samples
                .chunks(d)
                .map(|r| (r[i] - xbar[i]) * (r[j] - xbar[j]))
                .collect();
            let c = prod.iter().sum::<f64>() / (m - 1.0);
            let sd = ((cov[i][i] * cov[j][j] + cov[i][j].powi(2)) / ess_of(&prod)).sqrt();
            worst = worst.max((c - cov[i][j]).abs() / sd);
        }
    }
    (ess, worst)
}

#[test]
fn dense_mala_samples_a_correlated_10d_gaussian() {
    let d = 10;
    let cov = covariance(d, 0.95);
    let mean: Vec<f64> = (0..d).map(|i| i as f64 - 4.5).collect();
    let t = target(&mean, &cov);
    let dense = run_dense(&t, KernelKind::Mala, true, 400, 1000, 1);
    let (ess, worst) = check(&dense, &mean, &cov);
    println!("dense MALA: ESS {ess}, largest standardised error {worst}");
    // 55 covariance entries and 10 means: 4.5 sd is a < 1e-3 chance per run
    assert!(ess > 1000.0, "dense MALA ESS {ess}");
    assert!(worst < 4.5, "largest standardised error {worst} (ESS {ess})");
    // the diagonal kernel at the same cost mixes far more slowly along the
    // correlated directions
    let diag = run_dense(&t, KernelKind::Mala, false, 400, 1000, 1);
    let (ess_diag, _) = check(&diag, &mean, &cov);
    println!("diagonal MALA: ESS {ess_diag}");
    assert!(ess > 3.0 * ess_diag, "dense ESS {ess}, diagonal ESS {ess_diag}");
}

#[test]
fn dense_kernels_sample_a_correlated_2d_gaussian() {
    let cov = vec![vec![4.0, 0.99 * 2.0 * 0.05], vec![0.99 * 2.0 * 0.05, 0.0025]];
    let mean = [1.0, -2.0];
    let t = target(&mean, &cov);
    for (k, kind) in [
        KernelKind::Mala,
        KernelKind::Hmc { n_leapfrog: 5 },
        KernelKind::RandomWalk,
    ]
    .into_iter()
    .enumerate()
    {
        let set = run_dense(&t, kind, true, 300, 500, 10 + k as u64);
        let (ess, worst) = check(&set, &mean, &cov);
        println!("{kind:?}: ESS {ess}, largest standardised error {worst}");
        assert!(ess > 1000.0, "{kind:?}: ESS {ess}");
        assert!(
            worst < 4.5,
            "{kind:?}: largest standardised error {worst} (ESS {ess})"
        );
    }
}

#[test]
fn dense_inverse_mass_is_validated() {
    let mut k = LocalKernel::new(KernelKind::Mala, 0.1, 2);
    assert!(k.set_dense_inv_mass(&[1.0, 0.0, 0.0]).is_err());
    assert!(k.set_dense_inv_mass(&[1.0, 2.0, 2.0, 1.0]).is_err());
    assert!(k.inv_mass_chol.is_empty());
    k.set_dense_inv_mass(&[4.0, 2.0, 2.0, 2.0]).unwrap();
    assert_eq!(k.inv_mass_chol, vec![2.0, 0.0, 1.0, 1.0]);
    assert_eq!(k.inv_mass, vec![4.0, 2.0]);
}
