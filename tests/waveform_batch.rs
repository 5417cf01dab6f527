//! IMRPhenomD batched as tape tensors (`ferrax::gw::waveforms::batched`):
//!
//! * against LALSimulation on the reference cases of tests/data/waveforms
//!   (unmaximised mismatch ≤ 1e-9, as the point-by-point model);
//! * the gradient of a likelihood through the tensor path and the
//!   coefficient Jacobian, against central finite differences of the
//!   point-by-point f64 model (relative 1e-6), for all eight inputs;
//! * on CUDA device 0 when present (feature `cuda`): waveforms, likelihood
//!   and gradient equal the CPU tensor results to 1e-12 (skipped with the
//!   reason otherwise).

mod common;

use std::f64::consts::PI;

use ferrax::gw::waveforms::batched::{PhenomDBatch, TensorGrid, N_INTRINSIC};
use ferrax::gw::waveforms::{generate_on_grid, Approximant, FrequencyGrid, Polarizations, WaveformParams};
use ferrax_autodiff::{value_and_grads, Device, Tensor};

/// Polarisations of one parameter set through the batched tensor path on
/// `dev` (zero where f = 0, as the point-by-point model).
fn batched(p: &WaveformParams, freqs: &[f64], dev: &Device) -> Polarizations {
    let start = freqs.iter().position(|&f| f > 0.0).unwrap_or(freqs.len());
    let grid = FrequencyGrid::new(&freqs[start..]).unwrap();
    let batch = PhenomDBatch::new(std::slice::from_ref(p), false, 1).unwrap();
    let tg = TensorGrid::new(&grid, dev).unwrap();
    let incl = Tensor::full(&[1, 1], p.inclination).to_device(dev);
    let tc = Tensor::zeros(&[1, 1]).to_device(dev);
    let h = batch.polarizations(&batch.coefficient_tensor(dev), &incl, &tc, &tg);
    let pad = |t: &Tensor| [vec![0.0; start], t.to_vec().unwrap()].concat();
    Polarizations {
        hp_re: pad(&h[0]),
        hp_im: pad(&h[1]),
        hc_re: pad(&h[2]),
        hc_im: pad(&h[3]),
    }
}

#[test]
fn batched_imrphenomd_matches_lal() {
    let (worst, case) = common::worst_mismatch("IMRPhenomD", |p, f| batched(p, f, &Device::Cpu));
    assert!(worst <= 1e-9, "worst mismatch {worst:e} in {case}");
}

/// A small likelihood problem: three parameter sets (inspiral-dominated,
/// merger in band, unequal masses with large spins), 300 frequencies.
struct Problem {
    params: Vec<WaveformParams>,
    t_c: Vec<f64>,
    grid: FrequencyGrid,
    psd: Vec<f64>,
    data: [Vec<f64>; 4],
}

fn problem() -> Problem {
    let freqs: Vec<f64> = (0..300).map(|i| 20.0 + 3.0 * i as f64).collect();
    let grid = FrequencyGrid::new(&freqs).unwrap();
    let base = WaveformParams::example_bbh();
    let params = vec![
        WaveformParams {
            m1: 12.0,
            m2: 9.0,
            ..base
        },
        base,
        WaveformParams {
            m1: 60.0,
            m2: 12.0,
            chi1z: 0.8,
            chi2z: -0.6,
            inclination: 2.2,
            phi_ref: 1.1,
            ..base
        },
    ];
    let psd = freqs
        .iter()
        .map(|f| 1e-46 * (1.0 + (f / 100.0).powi(-4) + (f / 100.0).powi(2)))
        .collect();
    let d = generate_on_grid(
        Approximant::IMRPhenomD,
        &WaveformParams {
            m1: 37.0,
            m2: 28.0,
            ..base
        },
        &grid,
    )
    .unwrap();
    Problem {
        params,
        t_c: vec![0.002, -0.001, 0.0005],
        grid,
        psd,
        data: [d.hp_re, d.hp_im, d.hc_re, d.hc_im],
    }
}

/// ln L = −2 Δf Σ (|h+ − d+|² + |h× − d×|²)/S of one set from the f64 model.
fn loglike_f64(pr: &Problem, p: &WaveformParams, t_c: f64) -> f64 {
    let h = generate_on_grid(Approximant::IMRPhenomD, p, &pr.grid).unwrap();
    let df = pr.grid.f[1] - pr.grid.f[0];
    let mut acc = 0.0;
    for k in 0..pr.grid.f.len() {
        let (s, c) = (2.0 * PI * pr.grid.f[k] * t_c).sin_cos();
        // h · e^{-2πi f t_c}
        let rot = |re: f64, im: f64| (re * c + im * s, im * c - re * s);
        let (pr_, pi_) = rot(h.hp_re[k], h.hp_im[k]);
        let (cr, ci) = rot(h.hc_re[k], h.hc_im[k]);
        let r = (pr_ - pr.data[0][k]).powi(2)
            + (pi_ - pr.data[1][k]).powi(2)
            + (cr - pr.data[2][k]).powi(2)
            + (ci - pr.data[3][k]).powi(2);
        acc += r / pr.psd[k];
    }
    -2.0 * df * acc
}

/// Values and gradients (B × 8: m1, m2, χ1z, χ2z, D, φ_ref, ι, t_c) on `dev`.
fn loglike_tensor(pr: &Problem, dev: &Device) -> (Vec<f64>, Vec<f64>) {
    let b = pr.params.len();
    let batch = PhenomDBatch::new(&pr.params, true, 2).unwrap();
    let tg = TensorGrid::new(&pr.grid, dev).unwrap();
    let col = |v: Vec<f64>| Tensor::from_vec(v, &[b, 1]).unwrap().to_device(dev);
    let row = |v: &[f64]| {
        Tensor::from_vec(v.to_vec(), &[1, v.len()])
            .unwrap()
            .to_device(dev)
    };
    let data: Vec<Tensor> = pr.data.iter().map(|d| row(d)).collect();
    let inv_psd = row(&pr.psd.iter().map(|x| 1.0 / x).collect::<Vec<_>>());
    let df = pr.grid.f[1] - pr.grid.f[0];
    let inputs = [
        batch.coefficient_tensor(dev),
        col(pr.params.iter().map(|p| p.inclination).collect()),
        col(pr.t_c.clone()),
    ];
    let mut values = None;
    let (_, g) = value_and_grads(
        |x| {
            let h = batch.polarizations(&x[0], &x[1], &x[2], &tg);
            let mut r = (&h[0] - &data[0]).square();
            for c in 1..4 {
                r = r + (&h[c] - &data[c]).square();
            }
            let ll = (r * &inv_psd).sum(&[1], false) * (-2.0 * df);
            values = Some(ll.detach());
            ll.sum_all()
        },
        &inputs,
    )
    .unwrap();
    for t in &g {
        assert_eq!(&t.device(), dev, "gradients must stay on the device");
    }
    let gi = batch.chain_to_inputs(&g[0].to_vec().unwrap()).unwrap();
    let (g_incl, g_tc) = (g[1].to_vec().unwrap(), g[2].to_vec().unwrap());
    let mut out = Vec::new();
    for i in 0..b {
        out.extend_from_slice(&gi[i * N_INTRINSIC..(i + 1) * N_INTRINSIC]);
        out.push(g_incl[i]);
        out.push(g_tc[i]);
    }
    (values.unwrap().to_vec().unwrap(), out)
}

#[test]
fn batched_likelihood_gradient_matches_finite_differences() {
    let pr = problem();
    let (values, grads) = loglike_tensor(&pr, &Device::Cpu);
    for (i, p) in pr.params.iter().enumerate() {
        let v = loglike_f64(&pr, p, pr.t_c[i]);
        assert!(
            (values[i] - v).abs() <= 1e-10 * v.abs(),
            "set {i}: ln L {} vs {v}",
            values[i]
        );
        // (name, step, perturbed inputs)
        let shifted = |j: usize, h: f64| -> (WaveformParams, f64) {
            let mut q = *p;
            let mut tc = pr.t_c[i];
            match j {
                0 => q.m1 += h,
                1 => q.m2 += h,
                2 => q.chi1z += h,
                3 => q.chi2z += h,
                4 => q.distance_mpc += h,
                5 => q.phi_ref += h,
                6 => q.inclination += h,
                _ => tc += h,
            }
            (q, tc)
        };
        let steps = [1e-4, 1e-4, 1e-5, 1e-5, 1e-2, 1e-5, 1e-5, 1e-7];
        for (j, &h) in steps.iter().enumerate() {
            let l = |s: f64| {
                let (q, tc) = shifted(j, s);
                loglike_f64(&pr, &q, tc)
            };
            // fourth-order central difference
            let fd = (8.0 * (l(h) - l(-h)) - (l(2.0 * h) - l(-2.0 * h))) / (12.0 * h);
            let g = grads[i * 8 + j];
            let err = (g - fd).abs() / fd.abs().max(1e-8 * v.abs());
            assert!(
                err <= 1e-6,
                "set {i} input {j}: gradient {g:e} vs finite differences {fd:e} ({err:e})"
            );
        }
    }
}

#[test]
fn batched_on_cuda_matches_cpu() {
    #[cfg(feature = "cuda")]
    {
        let name = match ferrax_autodiff::cuda::device_name(0) {
            Ok(n) => n,
            Err(e) => {
                eprintln!("skipping CUDA: {e}");
                return;
            }
        };
        eprintln!("running on CUDA device 0: {name}");
        let dev = Device::Cuda(0);
        let close = |a: &[f64], b: &[f64], what: &str| {
            let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            for (k, (x, y)) in a.iter().zip(b).enumerate() {
                assert!(
                    (x - y).abs() <= 1e-12 * scale,
                    "{what}[{k}]: CUDA {x:e} vs CPU {y:e}"
                );
            }
        };
        let c = common::load_waveform_cases("IMRPhenomD").remove(0);
        let (hg, hc) = (
            batched(&c.params, &c.freqs, &dev),
            batched(&c.params, &c.freqs, &Device::Cpu),
        );
        close(&hg.hp_re, &hc.hp_re, "Re h+");
        close(&hg.hp_im, &hc.hp_im, "Im h+");
        close(&hg.hc_re, &hc.hc_re, "Re h×");
        close(&hg.hc_im, &hc.hc_im, "Im h×");
        let pr = problem();
        let (vg, gg) = loglike_tensor(&pr, &dev);
        let (vc, gc) = loglike_tensor(&pr, &Device::Cpu);
        close(&vg, &vc, "ln L");
        for j in 0..8 {
            let col = |g: &[f64]| g.iter().skip(j).step_by(8).copied().collect::<Vec<_>>();
            close(&col(&gg), &col(&gc), "gradient");
        }
    }
    #[cfg(not(feature = "cuda"))]
    eprintln!("skipping CUDA: built without the `cuda` feature");
}
