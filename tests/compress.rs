//! Posterior compression: the flow file (round trip; truncated, corrupted,
//! foreign and newer-version files), support maps, and the fidelity of a
//! compressed NICER posterior against its original samples.
//!
//! Data: `tests/data/compress/nicer_J0030_riley2019_4000.npy`, 4000 rows
//! drawn without replacement (NumPy seed 1) from the PSR J0030+0451 M–R
//! samples of Riley et al. (2019, ApJL 887, L21; X-PSI ST+PST).

use ferrax::compress::{
    compress, BoundTransform, CompressError, FlowArchitecture, PosteriorFlow, TrainSettings, FORMAT_VERSION,
};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/compress")
        .join(name)
}

fn nicer() -> (Vec<f64>, Vec<String>, Vec<BoundTransform>) {
    let arr = ferrax::io::read_npy(data("nicer_J0030_riley2019_4000.npy")).unwrap();
    assert_eq!(arr.shape, vec![4000, 2]);
    let names = vec!["mass".to_string(), "radius".to_string()];
    let tr = vec![
        BoundTransform::LogLower { lower: 0.0 },
        BoundTransform::Logit {
            lower: 0.0,
            upper: 16.0,
        },
    ];
    (arr.data, names, tr)
}

/// A small, quickly trained flow for the file-format tests.
fn small_flow() -> PosteriorFlow {
    let (x, names, tr) = nicer();
    let arch = FlowArchitecture {
        n_layers: 2,
        hidden: vec![8],
        bins: 4,
        bound: 5.0,
    };
    let s = TrainSettings {
        max_epochs: 2,
        ..Default::default()
    };
    compress(&x[..2000], &names, &tr, &arch, &s, 2000).unwrap()
}

#[test]
fn file_round_trip_is_exact() {
    let f = small_flow();
    let p = std::env::temp_dir().join(format!("ferrax-compress-{}.flow", std::process::id()));
    let size = f.save(&p).unwrap();
    assert_eq!(size, std::fs::metadata(&p).unwrap().len());
    let g = PosteriorFlow::load(&p).unwrap();
    assert_eq!(f, g);
    assert_eq!(f.sample(5000, 3), g.sample(5000, 3));
    assert_eq!(g.header().format_version, FORMAT_VERSION);
    assert_eq!(g.names, vec!["mass", "radius"]);
    std::fs::remove_file(&p).unwrap();
}

/// Draws do not depend on the number of threads: the first rows of a
/// large draw equal a small draw with the same seed.
#[test]
fn sampling_is_reproducible_by_blocks() {
    let f = small_flow();
    let a = f.sample(10_000, 9);
    let b = f.sample(5_000, 9);
    assert_eq!(&a[..4096 * 2], &b[..4096 * 2]);
    assert_ne!(f.sample(100, 9), f.sample(100, 10));
}

/// Streaming the draws block by block gives the in-memory draws, in order,
/// and a failing sink stops the draw with its error.
#[test]
fn streamed_draws_equal_the_in_memory_draws() {
    let f = small_flow();
    let n = 3 * ferrax::compress::SAMPLE_BLOCK + 17;
    let mut streamed = Vec::new();
    let r: Result<(), ()> = f.sample_with(n, 4, |b| {
        streamed.extend_from_slice(b);
        Ok(())
    });
    r.unwrap();
    assert_eq!(streamed, f.sample(n, 4));
    let mut calls = 0;
    let r = f.sample_with(n, 4, |_| {
        calls += 1;
        if calls == 2 {
            Err("disk full")
        } else {
            Ok(())
        }
    });
    assert_eq!((r, calls), (Err("disk full"), 2));
}

#[test]
fn damaged_files_give_typed_errors() {
    let bytes = small_flow().to_bytes().unwrap();
    let load = |b: &[u8]| PosteriorFlow::from_bytes(b, "test.flow").unwrap_err();
    // truncated anywhere: in the preamble, the header, the payload
    for cut in [0, 5, 20, 40, bytes.len() / 2, bytes.len() - 1] {
        let e = load(&bytes[..cut]);
        assert!(matches!(e, CompressError::Truncated { .. }), "cut {cut}: {e}");
        assert!(e.to_string().contains("test.flow") && e.to_string().contains("truncated"));
    }
    // one flipped bit in the header and in the payload
    for pos in [40, bytes.len() - 10] {
        let mut b = bytes.clone();
        b[pos] ^= 0x10;
        let e = load(&b);
        assert!(matches!(e, CompressError::Checksum { .. }), "pos {pos}: {e}");
        assert!(e.to_string().contains("corrupted"));
    }
    // a newer format version is refused before anything else
    let mut b = bytes.clone();
    b[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    b.truncate(30);
    let e = load(&b);
    assert!(
        matches!(e, CompressError::NewerVersion { found, .. } if found == FORMAT_VERSION + 1),
        "{e}"
    );
    assert!(e.to_string().contains("newer"));
    // not a flow file at all
    let e = load(b"\x93NUMPY\x01\x00 not a flow");
    assert!(matches!(e, CompressError::NotAFlowFile { .. }), "{e}");
    // trailing bytes
    let mut b = bytes.clone();
    b.extend_from_slice(b"xyz");
    assert!(matches!(load(&b), CompressError::Malformed { .. }));
    // a consistent checksum over a header that is not valid JSON
    let mut b = bytes.clone();
    b[28] = b'#';
    let crc = ferrax::compress::format::crc32(&b[28..]);
    b[24..28].copy_from_slice(&crc.to_le_bytes());
    let e = load(&b);
    assert!(
        matches!(e, CompressError::Malformed { .. }) && e.to_string().contains("header"),
        "{e}"
    );
    // a missing file names the path
    let e = PosteriorFlow::load(std::path::Path::new("/nonexistent/x.flow")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/x.flow"));
}

#[test]
fn samples_outside_the_bounds_are_rejected() {
    let (mut x, names, tr) = nicer();
    x[2 * 17 + 1] = 16.5; // radius above its upper bound 16 km
    let e = compress(
        &x,
        &names,
        &tr,
        &FlowArchitecture::default(),
        &TrainSettings::default(),
        0,
    )
    .unwrap_err();
    match e {
        CompressError::OutOfSupport { name, row, value, .. } => {
            assert_eq!((name.as_str(), row, value), ("radius", 17, 16.5));
        }
        other => panic!("{other}"),
    }
    x[2 * 17 + 1] = f64::NAN;
    assert!(compress(
        &x,
        &names,
        &tr,
        &FlowArchitecture::default(),
        &TrainSettings::default(),
        0
    )
    .is_err());
}

/// Fidelity of a compressed NICER J0030 posterior (4000 samples) against
/// the ORIGINAL samples, at the required thresholds (JS ≤ 0.01 nat per
/// marginal, 5/50/95 % quantiles within 2 % of the range, correlation within
/// 0.02), measured on 40000 fresh draws; every draw inside the support.
#[test]
fn nicer_posterior_fidelity() {
    let (x, names, tr) = nicer();
    let s = TrainSettings {
        max_epochs: 30,
        ..Default::default()
    };
    let f = compress(&x, &names, &tr, &FlowArchitecture::default(), &s, 0).unwrap();
    let draws = f.sample(40_000, 12345);
    assert!(draws
        .chunks_exact(2)
        .all(|r| r[0] > 0.0 && r[1] > 0.0 && r[1] < 16.0));
    let fid = ferrax::compress::fidelity(&x, &draws, &names);
    for p in &fid.params {
        println!(
            "{}: JS {:.5} quantile errors {:?}",
            p.name, p.js_nats, p.quantile_errors
        );
    }
    println!("max correlation error {:.4}", fid.max_correlation_error);
    assert!(fid.passes(), "{fid:?}");
    // the header carries the fidelity measured at compression
    assert!(f.fidelity.as_ref().is_some_and(|h| h.passes()));
    // and the density is normalised over the support (mass × radius grid)
    let (n, (m0, m1), (r0, r1)) = (300, (0.6, 2.6), (6.0, 16.0));
    let (hm, hr) = ((m1 - m0) / n as f64, (r1 - r0) / n as f64);
    let grid: Vec<f64> = (0..n * n)
        .flat_map(|k| [m0 + ((k / n) as f64 + 0.5) * hm, r0 + ((k % n) as f64 + 0.5) * hr])
        .collect();
    let total: f64 = f.log_prob(&grid).iter().map(|l| l.exp()).sum::<f64>() * hm * hr;
    assert!((total - 1.0).abs() < 0.01, "∫ q = {total}");
}

/// `ferrax compress`, `inspect` and `decompress` end to end.
#[test]
fn command_line_round_trip() {
    use std::process::Command;
    let dir = std::env::temp_dir().join(format!("ferrax-cli-compress-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (flow, out) = (dir.join("p.flow"), dir.join("d.npy"));
    let bin = env!("CARGO_BIN_EXE_ferrax");
    let o = Command::new(bin)
        .args([
            "compress",
            "--quiet",
            "--max-epochs",
            "2",
            "--layers",
            "2",
            "--hidden",
            "8",
            "--input",
        ])
        .arg(data("nicer_J0030_riley2019_4000.npy"))
        .arg("--names")
        .arg(data("nicer_names.json"))
        .arg("--bounds")
        .arg(data("nicer_bounds.json"))
        .arg("--output")
        .arg(&flow)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new(bin).arg("inspect").arg(&flow).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success()
            && text.contains(&format!("format version {FORMAT_VERSION}"))
            && text.contains("radius"),
        "{text}"
    );
    let o = Command::new(bin)
        .args(["decompress", "--n", "1000", "--seed", "4", "--input"])
        .arg(&flow)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(ferrax::io::read_npy(&out).unwrap().shape, vec![1000, 2]);
    // a damaged file is a clear error, not a panic
    let mut b = std::fs::read(&flow).unwrap();
    b.truncate(b.len() - 7);
    std::fs::write(&flow, &b).unwrap();
    let o = Command::new(bin).arg("inspect").arg(&flow).output().unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("truncated"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A posterior with the four-fold (φ, ψ) → (φ + π/2, ψ + π/2) symmetry of a
/// dominant-mode GW signal, one mode per copy: compressed with the symmetry
/// folded out, the draws fill the four copies equally, stay inside the
/// bounds, and reproduce the samples' marginals; the symmetry survives the
/// file round trip, and a density integrates over a copy to 1/4.
#[test]
fn folded_symmetry_round_trip() {
    use ferrax::compress::{compress_with_symmetry, SymmetrySpec};
    use rand::{Rng, SeedableRng};
    use std::f64::consts::{FRAC_PI_2, PI};
    let names: Vec<String> = ["phase", "psi", "m"].iter().map(|s| s.to_string()).collect();
    let tr = vec![
        BoundTransform::from_bounds(Some(0.0), Some(2.0 * PI)).unwrap(),
        BoundTransform::from_bounds(Some(0.0), Some(PI)).unwrap(),
        BoundTransform::Identity,
    ];
    let spec = SymmetrySpec {
        order: 4,
        parameters: vec!["phase".into(), "psi".into()],
        shifts: vec![FRAC_PI_2, FRAC_PI_2],
    };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(21);
    let n = 4000;
    let mut x = Vec::with_capacity(3 * n);
    for _ in 0..n {
        let m: f64 = rng.sample(rand_distr::StandardNormal);
        let k = rng.gen_range(0..4) as f64;
        // the mode straddles φ = π/2, and ψ correlates with m
        let phase = 1.5 + 0.08 * rng.sample::<f64, _>(rand_distr::StandardNormal) + k * FRAC_PI_2;
        let psi = 1.1 + 0.05 * m + 0.03 * rng.sample::<f64, _>(rand_distr::StandardNormal) + k * FRAC_PI_2;
        x.extend_from_slice(&[phase.rem_euclid(2.0 * PI), psi.rem_euclid(PI), m]);
    }
    let arch = FlowArchitecture {
        n_layers: 2,
        hidden: vec![16],
        bins: 6,
        bound: 5.0,
    };
    let s = TrainSettings {
        max_epochs: 25,
        ..Default::default()
    };
    let f = compress_with_symmetry(&x, &names, &tr, Some(&spec), &arch, &s, 20_000).unwrap();
    let fid = f.fidelity.clone().unwrap();
    assert!(fid.max_js_nats < 0.02, "{fid:?}");
    let draws = f.sample(20_000, 5);
    let mut copies = [0usize; 4];
    for row in draws.chunks_exact(3) {
        assert!(row[0] > 0.0 && row[0] < 2.0 * PI && row[1] > 0.0 && row[1] < PI);
        copies[(((row[0] - 1.5 + FRAC_PI_2 / 2.0).rem_euclid(2.0 * PI)) / FRAC_PI_2) as usize % 4] += 1;
        // ψ − φ is the same in every copy (mod π)
        let dev = (row[1] - row[0] - (1.1 - 1.5)).rem_euclid(PI);
        assert!(dev.min(PI - dev) < 0.6, "{row:?}");
    }
    for c in copies {
        assert!((c as f64 - 5000.0).abs() < 250.0, "{copies:?}"); // 4 binomial sd
    }
    let p = std::env::temp_dir().join(format!("ferrax-compress-sym-{}.flow", std::process::id()));
    f.save(&p).unwrap();
    let g = PosteriorFlow::load(&p).unwrap();
    std::fs::remove_file(&p).unwrap();
    assert_eq!(f, g);
    assert_eq!(f.sample(1000, 8), g.sample(1000, 8));
    // midpoint rule: the density over one copy's (φ, ψ) cell and all m holds 1/4
    let (nphi, npsi, nm) = (60, 60, 40);
    let (hphi, hpsi, hm) = (0.8 / nphi as f64, 0.6 / npsi as f64, 12.0 / nm as f64);
    let mut pts = Vec::new();
    for i in 0..nphi {
        for j in 0..npsi {
            for k in 0..nm {
                pts.extend_from_slice(&[
                    1.1 + (i as f64 + 0.5) * hphi,
                    0.8 + (j as f64 + 0.5) * hpsi,
                    -6.0 + (k as f64 + 0.5) * hm,
                ]);
            }
        }
    }
    let mass: f64 = f.log_prob(&pts).iter().map(|l| l.exp()).sum::<f64>() * hphi * hpsi * hm;
    assert!((mass - 0.25).abs() < 0.02, "{mass}");
}

/// Samples without the symmetry are refused, naming it.
#[test]
fn asymmetric_samples_cannot_be_folded() {
    use ferrax::compress::{compress_with_symmetry, SymmetrySpec};
    use std::f64::consts::{FRAC_PI_2, PI};
    let names: Vec<String> = ["phase", "psi"].iter().map(|s| s.to_string()).collect();
    let tr = vec![
        BoundTransform::from_bounds(Some(0.0), Some(2.0 * PI)).unwrap(),
        BoundTransform::from_bounds(Some(0.0), Some(PI)).unwrap(),
    ];
    let x: Vec<f64> = (0..2000).flat_map(|i| [1.5 + 1e-4 * i as f64, 1.1]).collect();
    let spec = SymmetrySpec {
        order: 4,
        parameters: vec!["phase".into(), "psi".into()],
        shifts: vec![FRAC_PI_2, FRAC_PI_2],
    };
    let e = compress_with_symmetry(
        &x,
        &names,
        &tr,
        Some(&spec),
        &FlowArchitecture::default(),
        &TrainSettings::default(),
        0,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("symmetry") && e.contains("not invariant"), "{e}");
}

/// Files of format version 1 (no symmetry field) are still read.
#[test]
fn version_1_files_are_read() {
    let f = small_flow();
    let mut b = f.to_bytes().unwrap();
    b[8..12].copy_from_slice(&1u32.to_le_bytes());
    let g = PosteriorFlow::from_bytes(&b, "v1.flow").unwrap();
    assert_eq!(g.symmetry, None);
    assert_eq!(f.sample(100, 1), g.sample(100, 1));
}
