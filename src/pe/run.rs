//! One parameter-estimation run: data and likelihood from a [`PeConfig`],
//! reference parameters, the flow-enhanced sampler (with checkpoint and
//! resume), the evidence, and the outputs.

// `!(a < b)` deliberately rejects NaN.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use super::config::PeConfig;
use super::density::{PeDensity, PeLikelihood};
use super::outputs;
use crate::gw::detector::Detector;
use crate::gw::likelihood::{AnalysisGrid, DetectorData, GwLikelihood, N_PARAMS};
use crate::gw::psd::Psd;
use crate::gw::relative_binning::{find_reference_parameters, RelativeBinning, RelativeBinningOptions};
use crate::prior::{chirp_mass_and_ratio, to_likelihood_order, BbhPrior, Prior1D};
use crate::samplers::flowmc::{run_flowmc, FlowMcConfig, FlowMcState};
use crate::samplers::job::process_cpu_seconds;
use crate::samplers::run::SampleSet;
use crate::samplers::KernelKind;
use crate::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use std::path::{Path, PathBuf};

/// How a run treats its output directory.
#[derive(Debug, Clone)]
pub struct PeOptions {
    /// Output directory (created if missing).
    pub outdir: PathBuf,
    /// Continue from the checkpoint in `outdir`.
    pub resume: bool,
    /// Overwrite an earlier run's outputs.
    pub force: bool,
    /// Show the sampler's progress bar.
    pub progress: bool,
}

/// Data, likelihood and prior of a run, before sampling.
#[derive(Debug, Clone)]
pub struct PeSetup {
    /// The posterior in unconstrained coordinates.
    pub density: PeDensity,
    /// Injected parameters (likelihood order, absolute GPS time), when the
    /// data are simulated.
    pub injection: Option<[f64; N_PARAMS]>,
    /// Optimal network signal-to-noise ratio of the injection, or √⟨h|h⟩ at
    /// the reference point on real data.
    pub optimal_snr: f64,
    /// Network matched-filter SNR ⟨d|h⟩/√⟨h|h⟩ at the reference point.
    pub matched_filter_snr: f64,
    /// Reference (maximum-likelihood) parameters of the relative binning.
    pub reference: [f64; N_PARAMS],
    /// Full ln Λ at the reference parameters.
    pub reference_log_likelihood_ratio: f64,
    /// Full ln Λ at the injection (simulated data).
    pub injection_log_likelihood_ratio: Option<f64>,
    /// The strain files read (empty for simulated data).
    pub strain: Vec<super::data::StrainInput>,
    /// The matched-filter scan that seeded the reference search (real data).
    pub scan: Option<super::search::ScanResult>,
}

/// The analysed frequencies k/T, f_min ≤ k/T ≤ f_max [Hz].
pub fn frequency_grid(duration: f64, f_min: f64, f_max: f64) -> Vec<f64> {
    let k0 = (f_min * duration - 1e-9).ceil() as usize;
    let k1 = (f_max * duration + 1e-9).floor() as usize;
    (k0..=k1).map(|k| k as f64 / duration).collect()
}

/// The prior of a configuration; time is relative to the trigger.
pub fn prior_of(cfg: &PeConfig) -> Result<BbhPrior> {
    let p = &cfg.prior;
    let mut prior = BbhPrior::standard(
        (p.chirp_mass[0], p.chirp_mass[1]),
        p.mass_ratio[0],
        p.chi_max,
        (p.luminosity_distance[0], p.luminosity_distance[1]),
        0.0,
        p.time_half_width_s,
    );
    prior.priors[1] = Prior1D::Uniform {
        a: p.mass_ratio[0],
        b: p.mass_ratio[1],
    };
    if p.fold_phase_polarization {
        use std::f64::consts::{FRAC_PI_2, PI};
        prior.priors[I_PHASE] = Prior1D::Uniform { a: 0.0, b: PI };
        prior.priors[I_PSI] = Prior1D::Uniform { a: 0.0, b: FRAC_PI_2 };
    }
    prior.validate()?;
    Ok(prior)
}

/// Builds the data (an injection plus noise, or strain files), the
/// likelihood and the prior, and finds the reference parameters by gradient
/// ascent of the full likelihood: started at the injection, or on real data
/// from a matched-filter scan ([`super::search`]).
pub fn build_setup(cfg: &PeConfig) -> Result<PeSetup> {
    cfg.validate()?;
    let d = &cfg.data;
    let freqs = frequency_grid(d.duration_s, d.f_min_hz, d.f_max_hz);
    let grid = AnalysisGrid {
        frequencies: freqs.clone(),
        delta_f: 1.0 / d.duration_s,
        duration: d.duration_s,
        start_time: d.trigger_time + d.post_trigger_s - d.duration_s,
        f_ref: d.f_ref_hz,
        f_max: d.f_max_hz,
    };
    let threads = match cfg.sampler.threads {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    };
    let (detectors, strain) = if cfg.uses_strain_files() {
        super::data::load_strain_data(cfg, &freqs)?
    } else {
        (simulated_detectors(cfg, &freqs)?, Vec::new())
    };
    let mut lik = GwLikelihood::new(grid, detectors, false)?;
    let mut prior = prior_of(cfg)?;
    let l = &cfg.likelihood;
    let (
        injection,
        optimal_snr,
        injection_log_likelihood_ratio,
        reference,
        reference_log_likelihood_ratio,
        scan,
    ) = match cfg.injection_params() {
        Some(injection) => {
            // optimal SNR: in zero noise ln Λ(injection) = ⟨h|h⟩/2
            lik.inject::<ChaCha8Rng>(&injection, None)?;
            let optimal_snr = (2.0 * lik.log_likelihood_ratio(&injection)?).sqrt();
            if d.noise == "gaussian" {
                let mut rng = ChaCha8Rng::seed_from_u64(d.noise_seed);
                lik.inject(&injection, Some(&mut rng))?;
            }
            let at_injection = lik.log_likelihood_ratio(&injection)?;
            let (reference, at_ref) = find_reference_parameters(
                &lik,
                &injection,
                l.reference_iterations,
                l.reference_learning_rate,
            )?;
            (
                Some(injection),
                optimal_snr,
                Some(at_injection),
                reference,
                at_ref,
                None,
            )
        }
        None => {
            let (mut reference, _, scan) = super::search::find_reference_on_data(&lik, cfg, threads)?;
            clamp_into_prior(&mut reference, cfg, &prior);
            let at_ref = lik.log_likelihood_ratio(&reference)?;
            let hh = lik.inner_products(&reference).h_inner_h;
            (None, hh.sqrt(), None, reference, at_ref, Some(scan))
        }
    };
    let ip = lik.inner_products(&reference);
    let matched_filter_snr = ip.d_inner_h_re / ip.h_inner_h.sqrt();
    let (mc, q) = chirp_mass_and_ratio(reference[0], reference[1]);
    let mut sampled_ref = sampled_of(&reference, d.trigger_time, mc, q);
    if cfg.prior.fold_phase_polarization {
        sampled_ref = fold_phase_polarization(&sampled_ref);
        centre_fundamental_domain(&mut prior, &sampled_ref);
    }
    let unclamped = sampled_ref;
    // The search may step over a prior edge (q > 1 when m2 overtakes m1, a
    // spin or distance at its bound, ra past 2π): the relative binning only
    // needs a point near the likelihood peak, so move it just inside.
    sampled_ref[I_RA] = sampled_ref[I_RA].rem_euclid(2.0 * std::f64::consts::PI);
    for (v, p) in sampled_ref.iter_mut().zip(&prior.priors) {
        let (a, b) = p.bounds();
        let margin = 1e-6 * (b - a);
        if v.is_finite() {
            *v = v.clamp(a + margin, b - margin);
        }
    }
    let (reference, reference_log_likelihood_ratio) = if sampled_ref == unclamped {
        (reference, reference_log_likelihood_ratio)
    } else {
        let mut p = to_likelihood_order(&sampled_ref);
        p[10] += d.trigger_time;
        (p, lik.log_likelihood_ratio(&p)?)
    };
    for (i, (v, p)) in sampled_ref.iter().zip(&prior.priors).enumerate() {
        let (a, b) = p.bounds();
        if !(*v > a && *v < b) {
            return Err(Error::invalid(
                format!("prior.{}", crate::prior::BBH_SAMPLED_NAMES[i]),
                format!("the reference point {v} lies outside the prior [{a}, {b}]"),
            ));
        }
    }
    let likelihood = if l.kind == "full" {
        PeLikelihood::Full(lik)
    } else {
        let opts = RelativeBinningOptions {
            n_bins: l.n_bins,
            order: l.order,
            ..Default::default()
        };
        PeLikelihood::RelativeBinning(RelativeBinning::new(&lik, &reference, &opts)?)
    };
    Ok(PeSetup {
        density: PeDensity {
            likelihood,
            prior,
            trigger_time: d.trigger_time,
            threads,
        },
        injection,
        optimal_snr,
        matched_filter_snr,
        reference,
        reference_log_likelihood_ratio,
        injection_log_likelihood_ratio,
        strain,
        scan,
    })
}

/// Detectors of simulated data: zero data, PSDs from the configuration.
fn simulated_detectors(cfg: &PeConfig, freqs: &[f64]) -> Result<Vec<DetectorData>> {
    let d = &cfg.data;
    let mut detectors = Vec::new();
    for (i, det) in cfg.detectors.iter().enumerate() {
        let psd = if det.psd == "aligo_design" {
            Psd::aligo_design()
        } else {
            Psd::from_file(Path::new(&det.psd), det.psd_is_asd)
                .map_err(|e| Error::invalid(format!("detectors[{i}].psd"), e.to_string()))?
        };
        let on_grid = psd.on_grid(freqs);
        if on_grid.iter().all(|s| !s.is_finite()) {
            return Err(Error::invalid(
                format!("detectors[{i}].psd"),
                format!("'{}' does not cover {}–{} Hz", det.psd, d.f_min_hz, d.f_max_hz),
            ));
        }
        detectors.push(DetectorData {
            detector: Detector::by_name(&det.name)?,
            data_re: vec![0.0; freqs.len()],
            data_im: vec![0.0; freqs.len()],
            psd: on_grid,
        });
    }
    Ok(detectors)
}

/// Moves a likelihood-order point just inside the prior's bounds (chirp
/// mass, ratio, spins, distance, time), so that the sampler can start there.
fn clamp_into_prior(p: &mut [f64; N_PARAMS], cfg: &PeConfig, prior: &BbhPrior) {
    let (mut mc, mut q) = chirp_mass_and_ratio(p[0], p[1]);
    let inside = |v: f64, (a, b): (f64, f64)| {
        let m = 1e-3 * (b - a);
        v.clamp(a + m, b - m)
    };
    mc = inside(mc, prior.priors[0].bounds());
    q = inside(q, prior.priors[1].bounds());
    let (m1, m2) = crate::prior::component_masses(mc, q);
    p[0] = m1;
    p[1] = m2;
    p[2] = inside(p[2], prior.priors[2].bounds());
    p[3] = inside(p[3], prior.priors[3].bounds());
    p[4] = inside(p[4], prior.priors[4].bounds());
    let (a, b) = prior.priors[5].bounds();
    let t = cfg.data.trigger_time;
    p[10] = t + inside(p[10] - t, (a, b));
}

/// Sampled-order parameters (time relative to `trigger`) of a
/// likelihood-order point with chirp mass `mc` and ratio `q`.
fn sampled_of(p: &[f64; N_PARAMS], trigger: f64, mc: f64, q: f64) -> [f64; N_PARAMS] {
    [
        mc,
        q,
        p[2],
        p[3],
        p[4],
        p[10] - trigger,
        p[6],
        p[5],
        p[7],
        p[8],
        p[9],
    ]
}

/// The images of a sampled-order point `x` under the exact degeneracy of a
/// dominant-mode (ℓ = |m| = 2) waveform, h ∝ e^{−2iφ} and
/// (F+, F×)(ψ + π/2) = −(F+, F×)(ψ): (φ + kπ/2, ψ + kπ/2), k = 0..3,
/// reduced into [0, 2π) × [0, π).
pub fn degenerate_images(x: &[f64; N_PARAMS]) -> [[f64; N_PARAMS]; 4] {
    std::array::from_fn(|k| shift_phase_polarization(x, k))
}

/// `x` with (φ, ψ) → (φ + kπ/2 mod 2π, ψ + kπ/2 mod π).
pub fn shift_phase_polarization(x: &[f64; N_PARAMS], k: usize) -> [f64; N_PARAMS] {
    use std::f64::consts::{FRAC_PI_2, PI};
    let mut y = *x;
    y[I_PHASE] = (x[I_PHASE] + k as f64 * FRAC_PI_2).rem_euclid(2.0 * PI);
    y[I_PSI] = (x[I_PSI] + k as f64 * FRAC_PI_2).rem_euclid(PI);
    y
}

/// The image of `x` (see [`degenerate_images`]) in the fundamental domain
/// φ ∈ [0, π), ψ ∈ [0, π/2) sampled when
/// `prior.fold_phase_polarization` is set.
pub fn fold_phase_polarization(x: &[f64; N_PARAMS]) -> [f64; N_PARAMS] {
    use std::f64::consts::{FRAC_PI_2, PI};
    degenerate_images(x)
        .into_iter()
        .find(|y| y[I_PHASE] < PI && y[I_PSI] < FRAC_PI_2)
        .unwrap_or(*x)
}

/// Moves the sampled (φ, ψ) domain of a folded prior to the fundamental
/// domain of the exact degeneracy (see [`degenerate_images`]) centred on
/// `x`: φ ∈ [φ_x − π/2, φ_x + π/2), ψ ∈ [ψ_x − π/4, ψ_x + π/4). The
/// uniform prior is the same on every fundamental domain; centring it on
/// the likelihood peak keeps the posterior away from the domain's edges,
/// which the sampler's unconstrained coordinates turn into walls (a peak
/// near a corner of [0, π) × [0, π/2) is cut into four pieces that local
/// moves cannot join).
pub fn centre_fundamental_domain(prior: &mut BbhPrior, x: &[f64; N_PARAMS]) {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4};
    prior.priors[I_PHASE] = Prior1D::Uniform {
        a: x[I_PHASE] - FRAC_PI_2,
        b: x[I_PHASE] + FRAC_PI_2,
    };
    prior.priors[I_PSI] = Prior1D::Uniform {
        a: x[I_PSI] - FRAC_PI_4,
        b: x[I_PSI] + FRAC_PI_4,
    };
}

/// The image of `x` under the exact degeneracy of a dominant-mode waveform
/// (φ → φ + π, ψ → ψ + π and (φ, ψ) → (φ + π/2, ψ + π/2)) inside the (φ, ψ)
/// bounds of `prior`, a fundamental domain of width π × π/2.
pub fn fold_into_prior(x: &[f64; N_PARAMS], prior: &BbhPrior) -> [f64; N_PARAMS] {
    use std::f64::consts::{FRAC_PI_2, PI};
    let (a_phi, _) = prior.priors[I_PHASE].bounds();
    let (a_psi, _) = prior.priors[I_PSI].bounds();
    let mut y = *x;
    let k = ((x[I_PSI] - a_psi).rem_euclid(PI) >= FRAC_PI_2) as usize;
    let shift = k as f64 * FRAC_PI_2;
    y[I_PHASE] = a_phi + (x[I_PHASE] + shift - a_phi).rem_euclid(PI);
    y[I_PSI] = a_psi + (x[I_PSI] + shift - a_psi).rem_euclid(PI);
    y
}

/// Index of the phase in the sampled order.
const I_PHASE: usize = 6;
/// Index of the polarisation angle in the sampled order.
const I_PSI: usize = 8;
/// Index of the right ascension in the sampled order.
const I_RA: usize = 9;
/// Index of the declination in the sampled order.
const I_DEC: usize = 10;
/// Index of the inclination θ_JN in the sampled order.
const I_THETA_JN: usize = 7;
/// Index of the coalescence-time offset in the sampled order.
const I_TIME: usize = 5;

/// The sampler settings of a configuration.
pub fn flowmc_config(cfg: &PeConfig, checkpoint: &Path, progress: bool) -> FlowMcConfig {
    let s = &cfg.sampler;
    let mut c = FlowMcConfig::for_dim(N_PARAMS);
    c.n_chains = s.n_chains;
    c.kernel = KernelKind::Mala;
    c.dense_mass = s.mass_matrix.as_deref() != Some("diagonal");
    c.step_size = s.step_size;
    c.n_local_steps = s.n_local_steps;
    c.n_local_steps_production = s.n_local_steps_production;
    c.n_global_steps = s.n_global_steps;
    c.n_training_loops = s.n_training_loops;
    c.n_production_loops = s.n_production_loops;
    c.thin = s.thin.unwrap_or(1);
    c.flow.n_layers = s.flow_layers;
    c.flow.hidden = s.flow_hidden.clone();
    c.train.epochs = s.train_epochs;
    c.train.batch_size = s.train_batch_size;
    c.max_buffer = s.max_buffer;
    c.checkpoint_every = s.checkpoint_every;
    c.checkpoint_path = Some(checkpoint.to_path_buf());
    c.progress = progress;
    c
}

/// The sampler's starting state, seeded from `cfg.seed`: chains around the
/// reference parameters and their approximate images ([`start_points`]),
/// spread over the exact [`degenerate_images`] when (φ, ψ) are not folded.
pub fn initial_state(cfg: &PeConfig, setup: &PeSetup, fcfg: FlowMcConfig) -> Result<FlowMcState> {
    let density = &setup.density;
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let (mc, q) = chirp_mass_and_ratio(setup.reference[0], setup.reference[1]);
    let x_ref = sampled_of(&setup.reference, cfg.data.trigger_time, mc, q);
    let mut detectors = Vec::new();
    for d in &cfg.detectors {
        detectors.push(Detector::by_name(&d.name)?);
    }
    let candidates: Vec<[f64; N_PARAMS]> = start_points(&x_ref, &detectors, cfg.data.trigger_time)
        .iter()
        .flat_map(|x| {
            if cfg.prior.fold_phase_polarization {
                vec![fold_into_prior(x, &density.prior)]
            } else {
                degenerate_images(x).to_vec()
            }
        })
        .collect();
    let inside = |y: &[f64; N_PARAMS]| {
        y.iter().zip(&density.prior.priors).all(|(v, p)| {
            let (a, b) = p.bounds();
            *v > a && *v < b
        })
    };
    let starts: Vec<[f64; N_PARAMS]> = candidates
        .iter()
        .filter(|y| inside(y))
        .map(|y| density.prior.to_real(y))
        .collect();
    if starts.is_empty() {
        return Err(Error::invalid(
            "prior",
            "the reference point lies outside the prior",
        ));
    }
    // Climb each start to its local posterior peak and give it a share of
    // the chains ∝ its peak density (a Laplace-free mode weight): an image
    // the data rule out gets none, a competitive one its share.
    let relaxed: Vec<([f64; N_PARAMS], f64)> = starts.iter().map(|z| climb(density, z, 100)).collect();
    let best = relaxed.iter().map(|r| r.1).fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = relaxed.iter().map(|r| (r.1 - best).exp()).collect();
    let total: f64 = weights.iter().sum();
    let pick = |c: usize| {
        let u = (c as f64 + 0.5) / fcfg.n_chains as f64 * total;
        let mut acc = 0.0;
        for (k, w) in weights.iter().enumerate() {
            acc += w;
            if u < acc {
                return k;
            }
        }
        weights.len() - 1
    };
    let spread = cfg.sampler.init_spread;
    let laplace = if cfg.sampler.init_laplace.unwrap_or(false) {
        Some(
            relaxed
                .iter()
                .map(|r| laplace_factor(density, &r.0))
                .collect::<Vec<_>>(),
        )
    } else {
        None
    };
    let x0: Vec<f64> = (0..fcfg.n_chains)
        .flat_map(|c| {
            let eps: [f64; N_PARAMS] = std::array::from_fn(|_| rng.sample::<f64, _>(StandardNormal));
            let k = pick(c);
            let start = relaxed[k].0;
            match &laplace {
                // z = z_k + 2 L⁻ᵀ ε: twice the Laplace width (over-dispersed
                // starts, as R̂ assumes; Gelman & Rubin 1992, Stat. Sci. 7,
                // 457), steps capped at 3
                Some(ls) => {
                    let l = &ls[k];
                    let mut dz = [0.0; N_PARAMS];
                    for i in (0..N_PARAMS).rev() {
                        let s: f64 = (i + 1..N_PARAMS).map(|m| l[m * N_PARAMS + i] * dz[m]).sum();
                        dz[i] = (eps[i] - s) / l[i * N_PARAMS + i];
                    }
                    std::array::from_fn::<f64, N_PARAMS, _>(|i| start[i] + (2.0 * dz[i]).clamp(-3.0, 3.0))
                }
                None => std::array::from_fn(|i| start[i] + spread * eps[i]),
            }
        })
        .collect();
    Ok(FlowMcState::new(density, fcfg, x0, cfg.seed.wrapping_add(1))?)
}

/// Where the chains start (sampled order, time relative to `trigger` [s]):
/// the reference point `x`, its inclination mirror θ_JN → π − θ_JN (the
/// face-on/face-off ambiguity of the distance–inclination degeneracy), and,
/// with three or more detectors, the reflection of both through the plane
/// of the first three detector vertices, which keeps every arrival-time
/// difference between those detectors: n̂' = n̂ − 2(n̂·m̂)m̂ with
/// m̂ ∝ (r₂ − r₁) × (r₃ − r₁), and the geocentre time shifted so that the
/// arrival time at the first detector is unchanged. These are approximate
/// images only (the antenna patterns differ); starting chains in each lets
/// the sampler's flow learn every mode that the data support, and the
/// Metropolis–Hastings acceptance weighs them.
pub fn start_points(x: &[f64; N_PARAMS], detectors: &[Detector], trigger: f64) -> Vec<[f64; N_PARAMS]> {
    use std::f64::consts::PI;
    let mut mirror = *x;
    mirror[I_THETA_JN] = PI - x[I_THETA_JN];
    let mut out = vec![*x, mirror];
    if detectors.len() >= 3 {
        let sub = |a: [f64; 3], b: [f64; 3]| [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
        let (r1, r2, r3) = (detectors[0].vertex, detectors[1].vertex, detectors[2].vertex);
        let (a, b) = (sub(r2, r1), sub(r3, r1));
        let m = [
            a[1] * b[2] - a[2] * b[1],
            a[2] * b[0] - a[0] * b[2],
            a[0] * b[1] - a[1] * b[0],
        ];
        let norm = (m[0] * m[0] + m[1] * m[1] + m[2] * m[2]).sqrt();
        if norm > 0.0 {
            let m = [m[0] / norm, m[1] / norm, m[2] / norm];
            for y in [*x, mirror] {
                let gps = trigger + y[I_TIME];
                let gmst = crate::gw::time::gmst_f64(gps);
                let (ra, dec) = (y[I_RA], y[I_DEC]);
                let lon = ra - gmst;
                let n = [dec.cos() * lon.cos(), dec.cos() * lon.sin(), dec.sin()];
                let dot = n[0] * m[0] + n[1] * m[1] + n[2] * m[2];
                let r = [
                    n[0] - 2.0 * dot * m[0],
                    n[1] - 2.0 * dot * m[1],
                    n[2] - 2.0 * dot * m[2],
                ];
                let mut z = y;
                z[I_DEC] = r[2].clamp(-1.0, 1.0).asin();
                z[I_RA] = (r[1].atan2(r[0]) + gmst).rem_euclid(2.0 * PI);
                z[I_TIME] = y[I_TIME] + detectors[0].time_delay_from_geocenter(ra, dec, gps)
                    - detectors[0].time_delay_from_geocenter(z[I_RA], z[I_DEC], gps);
                out.push(z);
            }
        }
    }
    out
}

/// `iterations` Adam steps (learning rate 0.02 in the unconstrained
/// coordinates) up the posterior from `z`; the best point and its log
/// density (−∞ where the posterior is not finite).
fn climb(density: &PeDensity, z: &[f64; N_PARAMS], iterations: usize) -> ([f64; N_PARAMS], f64) {
    use ferrax_solvers::optim::{Adam, Optimizer};
    let mut adam = Adam::new(0.02);
    let mut y = *z;
    let mut best = (*z, density.value_and_grad(z).0);
    for _ in 0..iterations {
        let (v, g) = density.value_and_grad(&y);
        if !v.is_finite() {
            break;
        }
        if v > best.1 {
            best = (y, v);
        }
        let neg: Vec<f64> = g.iter().map(|x| -x).collect();
        if adam.step_slice(&mut y, &neg).is_err() {
            break;
        }
    }
    best
}

/// Cholesky factor L (lower, row-major) of the precision −∇²log p(z) + λI
/// at `z` (central differences of the exact gradient, step 10⁻⁴,
/// symmetrised), with λ = 0.1 raised tenfold until the matrix is positive
/// definite.
fn laplace_factor(density: &PeDensity, z: &[f64; N_PARAMS]) -> Vec<f64> {
    let n = N_PARAMS;
    let h = 1e-4;
    let mut hess = vec![0.0; n * n];
    for j in 0..n {
        let (mut zp, mut zm) = (*z, *z);
        zp[j] += h;
        zm[j] -= h;
        let (_, gp) = density.value_and_grad(&zp);
        let (_, gm) = density.value_and_grad(&zm);
        for i in 0..n {
            hess[i * n + j] = (gp[i] - gm[i]) / (2.0 * h);
        }
    }
    let mut lambda = 0.1;
    loop {
        let prec: Vec<f64> = (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                let v = -0.5 * (hess[i * n + j] + hess[j * n + i]);
                let v = if v.is_finite() { v } else { 0.0 };
                v + if i == j { lambda } else { 0.0 }
            })
            .collect();
        if let Some(l) = crate::samplers::targets::cholesky(&prec, n) {
            return l;
        }
        lambda *= 10.0;
        if lambda > 1e12 {
            // a diagonal unit precision: the plain spread
            return (0..n * n)
                .map(|k| if k / n == k % n { 1.0 } else { 0.0 })
                .collect();
        }
    }
}

/// What a finished run returns (besides the files it wrote).
#[derive(Debug, Clone)]
pub struct PeResult {
    /// Data, likelihood and prior.
    pub setup: PeSetup,
    /// Production draws in the unconstrained coordinates.
    pub draws: SampleSet,
    /// The summary written to `summary.json`.
    pub summary: serde_json::Value,
}

/// Runs `cfg` into `opts.outdir` (see [`outputs`] for the files).
pub fn run_pe(cfg: &PeConfig, opts: &PeOptions) -> Result<PeResult> {
    let cpu0 = process_cpu_seconds();
    let wall0 = std::time::Instant::now();
    cfg.validate()?;
    let paths = outputs::OutputPaths::new(&opts.outdir);
    outputs::prepare_outdir(&paths, cfg, opts)?;
    let setup = build_setup(cfg)?;
    if !setup.strain.is_empty() {
        super::data::write_data_plots(cfg, &setup.strain, &opts.outdir)?;
    }
    let density = &setup.density;
    let fcfg = flowmc_config(cfg, &paths.checkpoint, opts.progress);
    let state = if opts.resume && paths.checkpoint.exists() {
        let mut s = FlowMcState::load(&paths.checkpoint)?;
        let mut expect = fcfg.clone();
        expect.progress = s.config.progress;
        if s.config != expect || s.chains.dim != N_PARAMS {
            return Err(Error::Input {
                path: paths.checkpoint.display().to_string(),
                msg: "checkpoint was written with other sampler settings".into(),
            });
        }
        s.config.progress = opts.progress;
        s
    } else {
        initial_state(cfg, &setup, fcfg)?
    };
    let res = run_flowmc(density, state, None)?;
    crate::io::write_atomic(&paths.checkpoint, &res.state.to_bytes()?)?;
    let draws = res.samples;
    let evidence = if cfg.sampler.evidence {
        let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed.wrapping_add(2));
        Some(crate::evidence::learned_harmonic_mean(
            &draws,
            &crate::evidence::EvidenceConfig::default(),
            &mut rng,
        )?)
    } else {
        None
    };
    let (a, p) = res.state.global_accept_production;
    let timing = outputs::Timing {
        wall_seconds: wall0.elapsed().as_secs_f64(),
        cpu_seconds: process_cpu_seconds() - cpu0,
        global_acceptance: a as f64 / p.max(1) as f64,
    };
    let summary = outputs::write_outputs(&paths, cfg, &setup, &draws, evidence.as_ref(), &timing)?;
    Ok(PeResult {
        setup,
        draws,
        summary,
    })
}
