//! Marginal densities of `ferrax sample` draws on the 10-D funnel and the
//! 10-D Rosenbrock target against the exact marginals (one PNG each):
//! funnel `v ~ N(0, σ_v²)` and `x₁ | v ~ N(0, e^v)`; Rosenbrock
//! `x₀ ~ N(μ, 1/(2a))` and `x₁ | x₀ ~ N(x₀², 1/(2b))` (the star form of
//! `src/samplers/targets.rs`), the `x₁` marginals by quadrature over the
//! conditioning coordinate.
//!
//! ```text
//! ferrax sample --spec tests/data/samplers/specs/funnel_10d.json --output f.json \
//!     --config tests/data/samplers/configs/funnel_10d.json
//! ferrax sample --spec tests/data/samplers/specs/rosenbrock_10d.json --output r.json \
//!     --config tests/data/samplers/configs/rosenbrock_10d.json
//! cargo run --release --example sampler_marginals -- f_samples.npy r_samples.npy OUTDIR
//! ```

use ferrax::io::read_npy;
use ferrax::plot::line::line_plot_with_references;
use ferrax::plot::Series;
use std::f64::consts::PI;
use std::path::{Path, PathBuf};

fn normal_pdf(x: f64, mean: f64, var: f64) -> f64 {
    (-(x - mean).powi(2) / (2.0 * var)).exp() / (2.0 * PI * var).sqrt()
}

/// `∫ f(u) du` over `[lo, hi]` by the midpoint rule with `n` cells.
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64, n: usize) -> f64 {
    let h = (hi - lo) / n as f64;
    (0..n).map(|i| f(lo + (i as f64 + 0.5) * h)).sum::<f64>() * h
}

/// Column `j` of draws `[chains, draws, dim]`.
fn column(path: &Path, j: usize) -> Result<Vec<f64>, Box<dyn std::error::Error>> {
    let a = read_npy(path)?;
    let dim = *a.shape.last().ok_or("empty shape")?;
    Ok(a.data.iter().skip(j).step_by(dim).copied().collect())
}

/// Density histogram of `x` on `[lo, hi]` as a step curve.
fn histogram(x: &[f64], lo: f64, hi: f64, bins: usize, label: &str) -> Series {
    let w = (hi - lo) / bins as f64;
    let mut counts = vec![0.0; bins];
    for v in x {
        let k = ((v - lo) / w).floor();
        if k >= 0.0 && (k as usize) < bins {
            counts[k as usize] += 1.0;
        }
    }
    let norm = 1.0 / (x.len() as f64 * w);
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (k, c) in counts.iter().enumerate() {
        xs.extend([lo + k as f64 * w, lo + (k + 1) as f64 * w]);
        ys.extend([c * norm, c * norm]);
    }
    Series {
        label: label.into(),
        x: xs,
        y: ys,
    }
}

fn curve(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> Series {
    let n = 400;
    let x: Vec<f64> = (0..=n).map(|i| lo + (hi - lo) * i as f64 / n as f64).collect();
    Series {
        label: "exact".into(),
        y: x.iter().map(|&v| f(v)).collect(),
        x,
    }
}

#[allow(clippy::too_many_arguments)]
fn panel(
    out: &Path,
    name: &str,
    title: &str,
    x_label: &str,
    draws: &[f64],
    range: (f64, f64),
    exact: impl Fn(f64) -> f64,
    log_y: bool,
) -> Result<(), Box<dyn std::error::Error>> {
    let path = out.join(name);
    let series = [
        curve(range.0, range.1, exact),
        histogram(draws, range.0, range.1, 120, "ferrax sample"),
    ];
    line_plot_with_references(&path, title, x_label, "density", &series, 1, log_y, (800, 500))?;
    println!("{}", path.display());
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        return Err("usage: sampler_marginals FUNNEL_samples.npy ROSENBROCK_samples.npy OUTDIR".into());
    }
    let (funnel, rosen, out) = (
        PathBuf::from(&args[1]),
        PathBuf::from(&args[2]),
        PathBuf::from(&args[3]),
    );
    std::fs::create_dir_all(&out)?;
    // funnel_10d: σ_v = 3
    let sv2 = 9.0;
    panel(
        &out,
        "funnel_v.png",
        "funnel_10d: v",
        "v",
        &column(&funnel, 0)?,
        (-12.0, 12.0),
        |v| normal_pdf(v, 0.0, sv2),
        false,
    )?;
    panel(
        &out,
        "funnel_x1.png",
        "funnel_10d: x1 (log density)",
        "x1",
        &column(&funnel, 1)?,
        (-30.0, 30.0),
        |x| {
            integrate(
                |v| normal_pdf(x, 0.0, v.exp()) * normal_pdf(v, 0.0, sv2),
                -27.0,
                27.0,
                20_000,
            )
        },
        true,
    )?;
    // rosenbrock_10d: a = 0.5, b = 5, μ = 1
    let (a, b, mu) = (0.5, 5.0, 1.0);
    let (var0, var1) = (1.0 / (2.0 * a), 1.0 / (2.0 * b));
    panel(
        &out,
        "rosenbrock_x0.png",
        "rosenbrock_10d: x0",
        "x0",
        &column(&rosen, 0)?,
        (-3.5, 5.5),
        |x| normal_pdf(x, mu, var0),
        false,
    )?;
    panel(
        &out,
        "rosenbrock_x1.png",
        "rosenbrock_10d: x1 (log density)",
        "x1",
        &column(&rosen, 1)?,
        (-1.5, 25.0),
        |x| {
            integrate(
                |u| normal_pdf(x, u * u, var1) * normal_pdf(u, mu, var0),
                mu - 10.0,
                mu + 10.0,
                20_000,
            )
        },
        true,
    )?;
    Ok(())
}
