//! Batched IMRPhenomD waveforms and a likelihood's value and gradient for
//! many parameter sets: the CPU fast paths next to the tensor path on the
//! CPU and on CUDA device 0.
//!
//! ```sh
//! cargo run --release --features cuda --example gpu_waveforms             # 1000 × 4017
//! cargo run --release --example gpu_waveforms -- --batch 100 --reps 3     # CPU only
//! cargo run --release --example gpu_waveforms -- --cpu-tensors 0          # CPU fast paths only
//! ```
//!
//! The set-up mirrors experiments/benchmarks/ripple_gpu.py so the figures
//! compare with ripple on the same GPU: B parameter sets (m1 ∈ [20, 40] M☉,
//! m2 ∈ [10, 20] M☉, χ1z, χ2z ∈ [−0.5, 0.5], 440 Mpc, ι = 0.4, t_c = 0,
//! φ_ref = 0, f_ref = 20 Hz) on 4017 frequencies from 20 to 1024 Hz; the
//! likelihood is `ln L = −2 Δf Σ_f (|h+ − d+|² + |h× − d×|²) / S(f)` with
//! d = the waveform of the first set and the toy PSD
//! `S = 1e−46 (1 + (f/100)^−4 + (f/100)²)`, differentiated with respect to
//! all eight inputs (m1, m2, χ1z, χ2z, distance, φ_ref, ι, t_c).
//!
//! * CPU f64 / Dual: the point-by-point model ([`generate_on_grid`] for the
//!   waveforms; one `Dual<8>` pass per set for value and gradient), on all
//!   threads of the machine.
//! * tensors: [`PhenomDBatch`] (coefficients and their Jacobian per set on
//!   the CPU threads, then `[B, F]` tensor ops recorded on the tape of the
//!   device, reverse sweep there, chain rule through the coefficient
//!   Jacobian on the host). Timings include the coefficient preparation and
//!   its upload; the waveforms stay on the device (as the input of further
//!   device work), the likelihood's values and gradients come back to the
//!   host. Each figure is the median of `--reps` runs after a warm-up.
//!
//! Checks printed: the tensor path against the f64 path (waveforms) and
//! against the Dual path (value and gradient), and CUDA against CPU.

use std::f64::consts::PI;
use std::time::Instant;

use ferrax::gw::waveforms::batched::{PhenomDBatch, TensorGrid, N_INTRINSIC};
use ferrax::gw::waveforms::phenomd::{AlignedInputs, PhenomD};
use ferrax::gw::waveforms::{generate_on_grid, project, Approximant, FrequencyGrid, WaveformParams};
use ferrax_autodiff::{value_and_grads, Device, Dual, Real, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const N_BINS: usize = 4017;
const N_PARAMS: usize = N_INTRINSIC + 2;

struct Setup {
    params: Vec<WaveformParams>,
    t_c: Vec<f64>,
    grid: FrequencyGrid,
    df: f64,
    psd: Vec<f64>,
    /// Data: [Re d+, Im d+, Re d×, Im d×].
    data: [Vec<f64>; 4],
    threads: usize,
}

fn setup(batch: usize) -> Setup {
    let freqs: Vec<f64> = (0..N_BINS)
        .map(|i| 20.0 + (1024.0 - 20.0) * i as f64 / (N_BINS - 1) as f64)
        .collect();
    let df = freqs[1] - freqs[0];
    let grid = FrequencyGrid::new(&freqs).expect("valid grid");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let params: Vec<WaveformParams> = (0..batch)
        .map(|_| WaveformParams {
            m1: rng.gen_range(20.0..40.0),
            m2: rng.gen_range(10.0..20.0),
            chi1z: rng.gen_range(-0.5..0.5),
            chi2z: rng.gen_range(-0.5..0.5),
            distance_mpc: 440.0,
            inclination: 0.4,
            phi_ref: 0.0,
            f_ref: 20.0,
            ..WaveformParams::default()
        })
        .collect();
    let psd = freqs
        .iter()
        .map(|f| 1e-46 * (1.0 + (f / 100.0).powi(-4) + (f / 100.0).powi(2)))
        .collect();
    let d = generate_on_grid(Approximant::IMRPhenomD, &params[0], &grid).expect("valid parameters");
    Setup {
        t_c: vec![0.0; batch],
        params,
        grid,
        df,
        psd,
        data: [d.hp_re, d.hp_im, d.hc_re, d.hc_im],
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// Runs `f` on each parameter set, spread over the machine's threads.
fn par_map<R: Send>(s: &Setup, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    let n = s.params.len();
    let chunk = n.div_ceil(s.threads);
    std::thread::scope(|sc| {
        let hs: Vec<_> = (0..n)
            .step_by(chunk)
            .map(|start| {
                let f = &f;
                sc.spawn(move || (start..(start + chunk).min(n)).map(f).collect::<Vec<R>>())
            })
            .collect();
        hs.into_iter().flat_map(|h| h.join().expect("worker")).collect()
    })
}

/// Value and gradient (m1, m2, χ1z, χ2z, D, φ_ref, ι, t_c) of ln L for one
/// set, point by point in `Dual<8>`.
fn loglike_dual(s: &Setup, i: usize) -> Dual<N_PARAMS> {
    let p = &s.params[i];
    let x = Dual::<N_PARAMS>::variables(&[
        p.m1,
        p.m2,
        p.chi1z,
        p.chi2z,
        p.distance_mpc,
        p.phi_ref,
        p.inclination,
        s.t_c[i],
    ]);
    let intrinsic = [x[0], x[1], x[2], x[3], x[4], x[5]];
    let model = PhenomD::new(&AlignedInputs::from_array(intrinsic), p.f_ref);
    let cfac = x[6].cos();
    let pfac = (cfac * cfac + 1.0) * 0.5;
    let mut acc = Dual::constant(0.0);
    for k in 0..s.grid.f.len() {
        let f = s.grid.f[k];
        let (a, phi) = model.amp_phase_grid(f, s.grid.f_third[k], s.grid.ln_f[k]);
        let h = project(a, phi + x[7] * (2.0 * PI * f), pfac, cfac);
        let mut r = Dual::constant(0.0);
        for c in 0..4 {
            let d = h[c] - s.data[c][k];
            r += d * d;
        }
        acc += r / s.psd[k];
    }
    acc * (-2.0 * s.df)
}

fn sync(dev: &Device) {
    match dev {
        Device::Cpu => {}
        #[cfg(feature = "cuda")]
        Device::Cuda(i) => {
            if let Err(e) = ferrax_autodiff::cuda::synchronize(*i) {
                eprintln!("synchronize failed: {e}");
            }
        }
    }
}

/// Median seconds of `reps` runs after one warm-up; returns the last result.
fn time<R>(dev: &Device, reps: usize, mut f: impl FnMut() -> R) -> (f64, R) {
    let mut out = f();
    sync(dev);
    let mut t = Vec::new();
    for _ in 0..reps.max(1) {
        let s = Instant::now();
        out = f();
        sync(dev);
        t.push(s.elapsed().as_secs_f64());
    }
    t.sort_by(|a, b| a.total_cmp(b));
    (t[t.len() / 2], out)
}

fn column(v: &[f64], dev: &Device) -> Tensor {
    Tensor::from_vec(v.to_vec(), &[v.len(), 1])
        .expect("shape")
        .to_device(dev)
}

/// Waveforms on the tensor path: `[Re h+, Im h+, Re h×, Im h×]`, each `[B, F]`,
/// left on the device (as a GPU pipeline would consume them).
fn tensor_waveforms(s: &Setup, dev: &Device, grid: &TensorGrid) -> [Tensor; 4] {
    let batch = PhenomDBatch::new(&s.params, false, s.threads).expect("valid parameters");
    let incl: Vec<f64> = s.params.iter().map(|p| p.inclination).collect();
    batch.polarizations(
        &batch.coefficient_tensor(dev),
        &column(&incl, dev),
        &column(&s.t_c, dev),
        grid,
    )
}

/// ln L and its gradient for every set on the tensor path: (values B, gradients B × 8).
fn tensor_loglike(
    s: &Setup,
    dev: &Device,
    grid: &TensorGrid,
    data: &[Tensor; 4],
    inv_psd: &Tensor,
) -> (Vec<f64>, Vec<f64>) {
    let batch = PhenomDBatch::new(&s.params, true, s.threads).expect("valid parameters");
    let incl: Vec<f64> = s.params.iter().map(|p| p.inclination).collect();
    let inputs = [
        batch.coefficient_tensor(dev),
        column(&incl, dev),
        column(&s.t_c, dev),
    ];
    let mut per_set = None;
    let (_, grads) = value_and_grads(
        |x| {
            let h = batch.polarizations(&x[0], &x[1], &x[2], grid);
            let mut r = (&h[0] - &data[0]).square();
            for c in 1..4 {
                r = r + (&h[c] - &data[c]).square();
            }
            let ll = (r * inv_psd).sum(&[1], false) * (-2.0 * s.df);
            per_set = Some(ll.detach());
            ll.sum_all()
        },
        &inputs,
    )
    .expect("likelihood gradient");
    let values = per_set.expect("recorded").to_vec().expect("values");
    let g_coeffs = grads[0].to_vec().expect("gradient");
    let g_intrinsic = batch.chain_to_inputs(&g_coeffs).expect("jacobian");
    let g_incl = grads[1].to_vec().expect("gradient");
    let g_tc = grads[2].to_vec().expect("gradient");
    let mut g = Vec::with_capacity(values.len() * N_PARAMS);
    for i in 0..values.len() {
        g.extend_from_slice(&g_intrinsic[i * N_INTRINSIC..(i + 1) * N_INTRINSIC]);
        g.push(g_incl[i]);
        g.push(g_tc[i]);
    }
    (values, g)
}

/// max |a − b| / max |b|.
fn rel_diff(a: &[f64], b: &[f64]) -> f64 {
    let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    a.iter().zip(b).fold(0.0f64, |m, (x, y)| m.max((x - y).abs())) / scale
}

/// Largest relative difference of gradients, per set and parameter, scaled by
/// that parameter's largest |gradient| over the batch.
fn grad_diff(a: &[f64], b: &[f64]) -> f64 {
    (0..N_PARAMS)
        .map(|j| {
            let col = |v: &[f64]| v.iter().skip(j).step_by(N_PARAMS).copied().collect::<Vec<_>>();
            rel_diff(&col(a), &col(b))
        })
        .fold(0.0, f64::max)
}

fn devices() -> Vec<(Device, String)> {
    let v = vec![(Device::Cpu, "CPU tensors (1 thread)".to_string())];
    #[cfg(feature = "cuda")]
    {
        let mut v = v;
        match ferrax_autodiff::cuda::device_name(0) {
            Ok(name) => v.push((Device::Cuda(0), format!("CUDA 0: {name}"))),
            Err(e) => eprintln!("skipping CUDA: {e}"),
        }
        v
    }
    #[cfg(not(feature = "cuda"))]
    {
        eprintln!("skipping CUDA: built without the `cuda` feature");
        v
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().unwrap_or_else(|_| panic!("{name} takes a number")))
        .unwrap_or(default)
}

fn main() {
    let batch = arg("--batch", 1000);
    let reps = arg("--reps", 5);
    let cpu_tensors = arg("--cpu-tensors", 1) != 0;
    let s = setup(batch);
    let cpu_label = format!("CPU f64/Dual ({} threads)", s.threads);
    println!("B = {batch} parameter sets × F = {N_BINS} frequencies; median of {reps} runs\n");
    println!("| benchmark | device | time (ms) | check |");
    println!("|---|---|---|---|");

    let (t, ref_h) = time(&Device::Cpu, reps, || {
        par_map(&s, |i| {
            generate_on_grid(Approximant::IMRPhenomD, &s.params[i], &s.grid).expect("valid")
        })
    });
    let ref_h: Vec<Vec<f64>> = {
        let mut out: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(batch * N_BINS)).collect();
        for h in &ref_h {
            out[0].extend(&h.hp_re);
            out[1].extend(&h.hp_im);
            out[2].extend(&h.hc_re);
            out[3].extend(&h.hc_im);
        }
        out
    };
    println!("| IMRPhenomD h+, h× | {cpu_label} | {:.3} | reference |", t * 1e3);
    let (t, ref_ll) = time(&Device::Cpu, reps.min(3), || par_map(&s, |i| loglike_dual(&s, i)));
    let ref_v: Vec<f64> = ref_ll.iter().map(|d| d.re).collect();
    let ref_g: Vec<f64> = ref_ll.iter().flat_map(|d| d.eps).collect();
    println!(
        "| ln L value + gradient (8 inputs) | {cpu_label} | {:.3} | reference |",
        t * 1e3
    );

    // CPU tensor results: (waveforms, ln L values, gradients).
    type Results = (Vec<Vec<f64>>, Vec<f64>, Vec<f64>);
    let mut cpu_tensor: Option<Results> = None;
    for (dev, label) in devices() {
        if dev == Device::Cpu && !cpu_tensors {
            continue;
        }
        let grid = TensorGrid::new(&s.grid, &dev).expect("grid");
        let reps_dev = if dev == Device::Cpu { reps.min(2) } else { reps };
        let (t, h) = time(&dev, reps_dev, || tensor_waveforms(&s, &dev, &grid));
        let h: Vec<Vec<f64>> = h.iter().map(|t| t.to_vec().expect("waveform")).collect();
        let diff_ref = (0..4).map(|c| rel_diff(&h[c], &ref_h[c])).fold(0.0, f64::max);
        let mut check = format!("vs f64 path {diff_ref:.1e}");
        if let Some((hc, _, _)) = &cpu_tensor {
            let d = (0..4).map(|c| rel_diff(&h[c], &hc[c])).fold(0.0, f64::max);
            check += &format!(", vs CPU tensors {d:.1e}");
        }
        println!("| IMRPhenomD h+, h× | {label} | {:.3} | {check} |", t * 1e3);

        let data: [Tensor; 4] = std::array::from_fn(|c| {
            Tensor::from_vec(s.data[c].clone(), &[1, N_BINS])
                .expect("shape")
                .to_device(&dev)
        });
        let inv_psd = Tensor::from_vec(s.psd.iter().map(|x| 1.0 / x).collect(), &[1, N_BINS])
            .expect("shape")
            .to_device(&dev);
        let (t, (v, g)) = time(&dev, reps_dev, || {
            tensor_loglike(&s, &dev, &grid, &data, &inv_psd)
        });
        let mut check = format!(
            "value vs Dual {:.1e}, gradient vs Dual {:.1e}",
            rel_diff(&v, &ref_v),
            grad_diff(&g, &ref_g)
        );
        if let Some((_, vc, gc)) = &cpu_tensor {
            check += &format!(
                ", vs CPU tensors {:.1e} / {:.1e}",
                rel_diff(&v, vc),
                grad_diff(&g, gc)
            );
        }
        println!(
            "| ln L value + gradient (8 inputs) | {label} | {:.3} | {check} |",
            t * 1e3
        );
        if dev == Device::Cpu {
            cpu_tensor = Some((h, v, g));
        }
    }

    // Where the time goes: the per-set coefficient preparation on the CPU.
    let (t0, _) = time(&Device::Cpu, reps, || {
        PhenomDBatch::new(&s.params, false, s.threads)
    });
    let (t1, _) = time(&Device::Cpu, reps, || {
        PhenomDBatch::new(&s.params, true, s.threads)
    });
    println!(
        "| coefficients (of which, in every tensor row above) | CPU ({} threads) | {:.3} / {:.3} with Jacobian | |",
        s.threads,
        t0 * 1e3,
        t1 * 1e3
    );
}
