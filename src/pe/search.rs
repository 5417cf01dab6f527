//! The reference (fiducial) point of relative binning on real data, found
//! without published values, in three steps:
//!
//! 1. a matched-filter scan over non-spinning IMRPhenomD templates on a
//!    chirp-mass × mass-ratio grid: for each detector the complex filter
//!    output Z(τ) = Σ_k w_k h̃₀*(f_k) d̃(f_k) e^{2πif_kτ}, w_k = 4Δf/S_k, by one
//!    inverse FFT (Allen et al. 2012, PRD 85, 122006, Eq. 4.2), and the
//!    statistic Σ_det max_τ |Z|²/σ², σ² = Σ_k w_k |h̃₀|²;
//! 2. a coherent search over sky position, polarisation, inclination and
//!    coalescence time with the best template: a detector sees
//!    h = a h₀ e^{−2πif(t_c + Δt_det)}, a = F₊(1 + cos²ι)/2 − iF×cos ι, so
//!    ⟨h|d⟩ = Σ_det a* Z(t_c + Δt_det − t_ref) and ⟨h|h⟩ = Σ_det |a|²σ²
//!    without recomputing a waveform; the phase- and distance-maximised
//!    ln Λ = |⟨h|d⟩|²/(2⟨h|h⟩) is maximised by random search with shrinking
//!    steps; phase and distance then follow (φ by a scan of the full
//!    likelihood, d* = d ⟨h|h⟩/Re⟨h|d⟩);
//! 3. preconditioned Adam ascent of the full likelihood in all 11
//!    parameters ([`find_reference_parameters`]) from that point.

use super::config::PeConfig;
use crate::gw::likelihood::{GwLikelihood, N_PARAMS};
use crate::gw::relative_binning::find_reference_parameters;
use crate::gw::waveforms::phenomd::{AlignedInputs, PhenomD};
use crate::prior::component_masses;
use crate::Result;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

/// Result of the matched-filter scan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScanResult {
    /// Best template's detector-frame chirp mass [M☉].
    pub chirp_mass: f64,
    /// Its mass ratio m2/m1.
    pub mass_ratio: f64,
    /// Coalescence time estimate [GPS s] (SNR²-weighted over detectors).
    pub geocent_time: f64,
    /// Network SNR √(Σ_det max |z|²).
    pub network_snr: f64,
}

/// Matched-filter scan of `lik`'s data over chirp masses in `mc_range`
/// (log-spaced, 0.4 % steps) and mass ratios `q_values`, for coalescence
/// times within `t_window` (GPS s).
pub fn matched_filter_scan(
    lik: &GwLikelihood,
    mc_range: (f64, f64),
    q_values: &[f64],
    t_window: (f64, f64),
) -> Result<ScanResult> {
    let g = &lik.grid;
    let n_fft = ((g.frequencies.last().copied().unwrap_or(1.0) / g.delta_f).ceil() as usize + 1)
        .next_power_of_two()
        * 2;
    let mut planner = FftPlanner::<f64>::new();
    let ifft = planner.plan_fft_inverse(n_fft);
    let dtau = 1.0 / (n_fft as f64 * g.delta_f);
    let n_mc = ((mc_range.1 / mc_range.0).ln() / 0.004).ceil().max(1.0) as usize;
    let t_ref = 0.5 * (t_window.0 + t_window.1);
    let mut best = ScanResult {
        chirp_mass: mc_range.0,
        mass_ratio: q_values.first().copied().unwrap_or(1.0),
        geocent_time: t_ref,
        network_snr: 0.0,
    };
    let mut buf = vec![Complex::new(0.0, 0.0); n_fft];
    for i in 0..=n_mc {
        let mc = mc_range.0 * (mc_range.1 / mc_range.0).powf(i as f64 / n_mc as f64);
        for &q in q_values {
            let (m1, m2) = component_masses(mc, q);
            // template placed at t_ref, overhead (any sky: constants and
            // shifts are absorbed by the maximisation over phase and τ)
            let p = [m1, m2, 0.0, 0.0, 400.0, 0.0, 0.0, 0.0, 0.0, 0.0, t_ref];
            let tpl = lik.detector_templates(&p)?;
            let (mut net, mut t_sum, mut w_sum) = (0.0, 0.0, 0.0);
            for (d, (h_re, h_im)) in lik.detectors.iter().zip(&tpl) {
                buf.iter_mut().for_each(|c| *c = Complex::new(0.0, 0.0));
                let mut hh = 0.0;
                for (k, &f) in g.frequencies.iter().enumerate() {
                    let w = 4.0 * g.delta_f / d.psd[k];
                    let h = Complex::new(h_re[k], h_im[k]);
                    let dd = Complex::new(d.data_re[k], d.data_im[k]);
                    hh += w * h.norm_sqr();
                    let bin = (f / g.delta_f).round() as usize;
                    buf[bin] = dd * h.conj() * w;
                }
                if hh <= 0.0 {
                    continue;
                }
                ifft.process(&mut buf);
                // z(τ) at τ = m Δτ, the template shifted by τ (cyclic)
                let (mut zmax, mut tbest) = (0.0, t_ref);
                for (m, z) in buf.iter().enumerate() {
                    let tau = if m < n_fft / 2 {
                        m as f64 * dtau
                    } else {
                        (m as f64 - n_fft as f64) * dtau
                    };
                    let t = t_ref + tau;
                    if t < t_window.0 - 0.02 || t > t_window.1 + 0.02 {
                        continue;
                    }
                    let a = z.norm_sqr() / hh;
                    if a > zmax {
                        zmax = a;
                        tbest = t;
                    }
                }
                net += zmax;
                t_sum += zmax * tbest;
                w_sum += zmax;
            }
            if net > best.network_snr * best.network_snr {
                best = ScanResult {
                    chirp_mass: mc,
                    mass_ratio: q,
                    geocent_time: if w_sum > 0.0 { t_sum / w_sum } else { t_ref },
                    network_snr: net.sqrt(),
                };
            }
        }
    }
    Ok(best)
}

/// Filter outputs of one template: per detector Z(τ) on τ = m Δτ (cyclic)
/// and σ².
struct FilterOutput {
    z: Vec<Vec<Complex<f64>>>,
    sigma2: Vec<f64>,
    dtau: f64,
    t_ref: f64,
}

impl FilterOutput {
    /// Z_j(τ) by linear interpolation (τ in s, cyclic).
    fn at(&self, j: usize, tau: f64) -> Complex<f64> {
        let n = self.z[j].len();
        let x = (tau / self.dtau).rem_euclid(n as f64);
        let i = x.floor() as usize % n;
        let u = x - x.floor();
        self.z[j][i] * (1.0 - u) + self.z[j][(i + 1) % n] * u
    }
}

/// Per-detector filter outputs of the template (mc, q, non-spinning)
/// placed at `t_ref`, oversampled to Δτ ≈ 1/(16 f_max).
fn filter_outputs(lik: &GwLikelihood, mc: f64, q: f64, t_ref: f64) -> FilterOutput {
    let g = &lik.grid;
    let k_max = (g.frequencies.last().copied().unwrap_or(1.0) / g.delta_f).ceil() as usize + 1;
    let n_fft = (k_max * 8).next_power_of_two();
    let mut planner = FftPlanner::<f64>::new();
    let ifft = planner.plan_fft_inverse(n_fft);
    let (m1, m2) = component_masses(mc, q);
    let model = PhenomD::new(
        &AlignedInputs {
            m1,
            m2,
            chi1: 0.0,
            chi2: 0.0,
            distance_mpc: 400.0,
            phi_ref: 0.0,
        },
        g.f_ref,
    );
    let i_stop = (model.f_cut_hz().min(g.f_max) / g.delta_f).floor();
    let shift = t_ref - g.start_time;
    let h0: Vec<Complex<f64>> = g
        .frequencies
        .iter()
        .map(|&f| {
            if (f / g.delta_f).round() >= i_stop {
                return Complex::new(0.0, 0.0);
            }
            let (a, psi) = model.amp_phase(f);
            Complex::from_polar(a, -(psi + 2.0 * std::f64::consts::PI * f * shift))
        })
        .collect();
    let mut z = Vec::new();
    let mut sigma2 = Vec::new();
    for d in &lik.detectors {
        let mut buf = vec![Complex::new(0.0, 0.0); n_fft];
        let mut s2 = 0.0;
        for (k, &f) in g.frequencies.iter().enumerate() {
            let w = 4.0 * g.delta_f / d.psd[k];
            s2 += w * h0[k].norm_sqr();
            buf[(f / g.delta_f).round() as usize] =
                h0[k].conj() * Complex::new(d.data_re[k], d.data_im[k]) * w;
        }
        ifft.process(&mut buf);
        z.push(buf);
        sigma2.push(s2);
    }
    FilterOutput {
        z,
        sigma2,
        dtau: 1.0 / (n_fft as f64 * g.delta_f),
        t_ref,
    }
}

/// Sky, orientation and time: (ra, dec, ψ, cos ι, t_c).
type Extrinsic = [f64; 5];

/// Phase- and distance-maximised 2 ln Λ of the template at `e`.
fn coherent_statistic(lik: &GwLikelihood, fo: &FilterOutput, gmst: f64, e: &Extrinsic) -> f64 {
    let [ra, dec, psi, c, tc] = *e;
    let pfac = 0.5 * (1.0 + c * c);
    let (mut num, mut den) = (Complex::new(0.0, 0.0), 0.0);
    for (j, d) in lik.detectors.iter().enumerate() {
        let (fp, fc) = d.detector.antenna_pattern(ra, dec, psi, gmst);
        let a = Complex::new(fp * pfac, -fc * c);
        let delay = d.detector.time_delay_from_geocenter(ra, dec, tc);
        num += a.conj() * fo.at(j, tc + delay - fo.t_ref);
        den += a.norm_sqr() * fo.sigma2[j];
    }
    if den > 0.0 {
        num.norm_sqr() / den
    } else {
        0.0
    }
}

/// Random search with shrinking Gaussian steps for the extrinsic point of
/// largest [`coherent_statistic`]; times within `t_window`.
fn coherent_search(
    lik: &GwLikelihood,
    fo: &FilterOutput,
    t_window: (f64, f64),
    rng: &mut ChaCha8Rng,
) -> (Extrinsic, f64) {
    use std::f64::consts::PI;
    let gmst = crate::gw::time::gmst_f64(0.5 * (t_window.0 + t_window.1));
    let wrap = |mut e: Extrinsic| {
        e[0] = e[0].rem_euclid(2.0 * PI);
        e[1] = e[1].clamp(-0.5 * PI, 0.5 * PI);
        e[2] = e[2].rem_euclid(PI);
        e[3] = e[3].clamp(-1.0, 1.0);
        e[4] = e[4].clamp(t_window.0, t_window.1);
        e
    };
    let mut best = ([0.0, 0.0, 0.0, 1.0, 0.5 * (t_window.0 + t_window.1)], 0.0);
    for _ in 0..40_000 {
        let e = [
            rng.gen_range(0.0..2.0 * PI),
            rng.gen_range(-1.0f64..1.0).asin(),
            rng.gen_range(0.0..PI),
            rng.gen_range(-1.0..1.0),
            rng.gen_range(t_window.0..t_window.1),
        ];
        let v = coherent_statistic(lik, fo, gmst, &e);
        if v > best.1 {
            best = (e, v);
        }
    }
    let mut scale = [0.3, 0.3, 0.3, 0.3, 2e-3];
    for _ in 0..6 {
        for _ in 0..4_000 {
            let mut e = best.0;
            for (x, s) in e.iter_mut().zip(&scale) {
                *x += s * rng.sample::<f64, _>(rand_distr::StandardNormal);
            }
            let e = wrap(e);
            let v = coherent_statistic(lik, fo, gmst, &e);
            if v > best.1 {
                best = (e, v);
            }
        }
        scale.iter_mut().for_each(|s| *s *= 0.4);
    }
    best
}

/// The reference point on real data (likelihood order, absolute GPS time),
/// its ln Λ and the scan that seeded it. `likelihood.reference_starts`
/// independent coherent searches run on `threads` threads; the best one is
/// refined by Adam.
pub fn find_reference_on_data(
    lik: &GwLikelihood,
    cfg: &PeConfig,
    threads: usize,
) -> Result<([f64; N_PARAMS], f64, ScanResult)> {
    use std::f64::consts::PI;
    let p = &cfg.prior;
    let t = cfg.data.trigger_time;
    let t_window = (t - p.time_half_width_s, t + p.time_half_width_s);
    let scan = matched_filter_scan(
        lik,
        (p.chirp_mass[0], p.chirp_mass[1]),
        &[0.5, 0.65, 0.8, 0.95],
        t_window,
    )?;
    let fo = filter_outputs(lik, scan.chirp_mass, scan.mass_ratio, t);
    let n_starts = cfg.likelihood.reference_starts.unwrap_or(4).max(1);
    let per = n_starts.div_ceil(threads.max(1));
    let seeds: Vec<u64> = (0..n_starts as u64)
        .map(|k| cfg.seed.wrapping_add(100 + k))
        .collect();
    let fo_ref = &fo;
    let found: Vec<(Extrinsic, f64)> = std::thread::scope(|s| {
        let handles: Vec<_> = seeds
            .chunks(per)
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|&seed| {
                            coherent_search(lik, fo_ref, t_window, &mut ChaCha8Rng::seed_from_u64(seed))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let (e, _) = found
        .into_iter()
        .fold(([0.0, 0.0, 0.0, 1.0, t], f64::NEG_INFINITY), |a, b| {
            if b.1 > a.1 {
                b
            } else {
                a
            }
        });
    let (m1, m2) = component_masses(scan.chirp_mass, scan.mass_ratio);
    let mut x = [
        m1,
        m2,
        0.0,
        0.0,
        400.0,
        e[3].clamp(-1.0, 1.0).acos(),
        0.0,
        e[2],
        e[0],
        e[1],
        e[4],
    ];
    // the phase by a scan of the full likelihood, then the distance
    let mut best = (0.0, f64::NEG_INFINITY, 1.0, 1.0);
    for k in 0..64 {
        x[6] = k as f64 * PI / 32.0;
        let ip = lik.inner_products(&x);
        if ip.d_inner_h_re > best.1 {
            best = (x[6], ip.d_inner_h_re, ip.h_inner_h, 0.0);
        }
    }
    x[6] = best.0;
    if best.1 > 0.0 {
        x[4] = (x[4] * best.2 / best.1).clamp(p.luminosity_distance[0], p.luminosity_distance[1]);
    }
    let l = &cfg.likelihood;
    let (x, v) = find_reference_parameters(lik, &x, l.reference_iterations, l.reference_learning_rate)?;
    let (x, v) = find_reference_parameters(lik, &x, l.reference_iterations, 0.3 * l.reference_learning_rate)
        .unwrap_or((x, v));
    Ok((x, v, scan))
}
