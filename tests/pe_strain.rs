//! `ferrax pe` on strain files: GW150914 from the GWOSC HDF5 files (data
//! conditioning and the matched-filter scan against the published network
//! SNR and chirp mass), frequency-domain strain files (`.npy`, three-column
//! text), and one-line errors naming the file for corrupt or unexpected input.

use ferrax::pe::config::PeConfig;
use ferrax::pe::data::load_strain_data;
use ferrax::pe::run::{build_setup, frequency_grid};
use std::path::{Path, PathBuf};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gw150914")
        .join(name)
        .display()
        .to_string()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ferrax-pe-strain-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

/// The experiment's configuration with the test data paths.
fn gw150914() -> PeConfig {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("experiments/gw150914/config.toml"),
    )
    .unwrap();
    let mut c = PeConfig::from_toml(&text, "config.toml").unwrap();
    c.detectors[0].strain = Some(data("H-H1_LOSC_4_V2-1126259446-32.hdf5"));
    c.detectors[1].strain = Some(data("L-L1_LOSC_4_V2-1126259446-32.hdf5"));
    c
}

#[test]
fn gw150914_data_scan_finds_the_event() {
    let mut c = gw150914();
    // the experiment's 4 coherent searches (seeded: the same sky mode as the
    // full run); fewer Adam steps
    c.likelihood.reference_iterations = 40;
    let s = build_setup(&c).unwrap();
    let scan = s.scan.unwrap();
    // published: network matched-filter SNR 24 (Abbott et al. 2016, PRL 116,
    // 061102; here ~10 % higher with a PSD from only 28 s of off-source
    // data), detector-frame chirp mass ≈ 30 M☉ (PRD 93, 122004), merger at
    // GPS ≈ 1126259462.41 (geocentre)
    assert!(scan.network_snr > 20.0 && scan.network_snr < 30.0, "{scan:?}");
    assert!(scan.chirp_mass > 27.0 && scan.chirp_mass < 34.0, "{scan:?}");
    assert!((scan.geocent_time - 1126259462.42).abs() < 0.02, "{scan:?}");
    assert!(s.matched_filter_snr > 20.0, "{}", s.matched_filter_snr);
    assert!(
        (s.reference[10] - 1126259462.41).abs() < 0.01,
        "{:?}",
        s.reference
    );
    assert_eq!(s.strain.len(), 2);
    for st in &s.strain {
        assert!(st
            .quality
            .as_deref()
            .unwrap()
            .starts_with("all 7 data-quality flags set"));
        assert!(st.psd_method.contains("median"));
        // the Welch PSD near the LIGO O1 sensitivity: ASD ~ 1e-23 /√Hz at 100–300 Hz
        let asd = st.psd.at(200.0).sqrt();
        assert!(asd > 3e-24 && asd < 3e-23, "{} {asd}", st.detector);
    }
}

fn err_of(c: &PeConfig) -> String {
    let e = build_setup(c).unwrap_err().to_string();
    assert!(!e.contains('\n'), "{e}");
    e
}

#[test]
fn corrupt_or_unexpected_strain_gives_one_line_errors_naming_the_file() {
    // truncated HDF5
    let bytes = std::fs::read(data("H-H1_LOSC_4_V2-1126259446-32.hdf5")).unwrap();
    let p = tmp("H1_truncated.hdf5");
    std::fs::write(&p, &bytes[..bytes.len() * 3 / 4]).unwrap();
    let mut c = gw150914();
    c.detectors[0].strain = Some(p.display().to_string());
    let e = err_of(&c);
    assert!(e.contains("H1_truncated.hdf5") && e.contains("truncated"), "{e}");
    // wrong sample rate
    let mut c = gw150914();
    c.data.sampling_frequency_hz = 2048.0;
    let e = err_of(&c);
    assert!(
        e.contains("H-H1_LOSC") && e.contains("sample rate 4096 Hz"),
        "{e}"
    );
    // trigger outside the file
    let mut c = gw150914();
    c.data.trigger_time = 1126259600.0;
    let e = err_of(&c);
    assert!(
        e.contains("H-H1_LOSC") && e.contains("not inside the file"),
        "{e}"
    );
    // a NaN in the strain (gzipped text)
    let text = {
        use std::io::Read;
        let mut s = String::new();
        flate2::read::GzDecoder::new(
            &std::fs::read(data("H-H1_LOSC_4_V2-1126259446-32_first8s.txt.gz")).unwrap()[..],
        )
        .read_to_string(&mut s)
        .unwrap();
        s
    };
    let mut lines: Vec<&str> = text.lines().collect();
    lines[3 + 5000] = "NaN";
    let p = tmp("H1_nan.txt");
    std::fs::write(&p, lines.join("\n")).unwrap();
    let mut c = gw150914();
    c.detectors[0].strain = Some(p.display().to_string());
    let e = err_of(&c);
    assert!(
        e.contains("H1_nan.txt") && e.contains("sample 5000") && e.contains("NaN"),
        "{e}"
    );
    // H1's file given for L1
    let mut c = gw150914();
    c.detectors[1].strain = c.detectors[0].strain.clone();
    let e = err_of(&c);
    assert!(e.contains("holds H1 data") && e.contains("L1"), "{e}");
    // welch PSD with too little off-source data
    let mut c = gw150914();
    c.data.psd_segment_s = Some(16.0);
    c.data.psd_overlap_s = Some(8.0);
    let e = err_of(&c);
    assert!(e.contains("off-source"), "{e}");
}

#[test]
fn frequency_domain_strain_files_npy_and_text() {
    let mut c = PeConfig::default();
    c.detectors.truncate(2);
    c.data.noise = "zero".into();
    c.likelihood.kind = "full".into();
    c.likelihood.reference_iterations = 1;
    let s = build_setup(&c).unwrap();
    let ferrax::pe::density::PeLikelihood::Full(lik) = &s.density.likelihood else {
        panic!("full likelihood expected")
    };
    let freqs = frequency_grid(c.data.duration_s, c.data.f_min_hz, c.data.f_max_hz);
    // full band 0..f_max as files usually hold it; the analysis picks its bins
    let df = 1.0 / c.data.duration_s;
    let n_all = (c.data.f_max_hz / df) as usize + 1;
    let k0 = (freqs[0] / df).round() as usize;
    let mut files = Vec::new();
    for (j, d) in lik.detectors.iter().enumerate() {
        let mut rows = vec![0.0; n_all * 3];
        let mut text = String::from("# f re im\n");
        for k in 0..n_all {
            let (re, im) = if k >= k0 && k - k0 < freqs.len() {
                (d.data_re[k - k0], d.data_im[k - k0])
            } else {
                (0.0, 0.0)
            };
            rows[3 * k..3 * k + 3].copy_from_slice(&[k as f64 * df, re, im]);
            text.push_str(&format!("{:e} {:e} {:e}\n", k as f64 * df, re, im));
        }
        let npy = tmp(&format!("d{j}.npy"));
        ferrax::io::write_npy(&npy, &[n_all, 3], &rows).unwrap();
        let txt = tmp(&format!("d{j}.fd.txt"));
        std::fs::write(&txt, text).unwrap();
        files.push((npy, txt));
    }
    let mut f = c.clone();
    f.injection = None;
    for (j, (npy, txt)) in files.iter().enumerate() {
        f.detectors[j].strain = Some(if j == 0 { npy } else { txt }.display().to_string());
    }
    f.validate().unwrap();
    let (dets, inputs) = load_strain_data(&f, &freqs).unwrap();
    assert!(inputs.iter().all(|i| i.series.is_none()));
    for (a, b) in dets.iter().zip(&lik.detectors) {
        assert_eq!(a.data_re, b.data_re[..]); // .npy is exact, text via {:e} too
        assert_eq!(a.data_im, b.data_im[..]);
        assert_eq!(a.psd, b.psd);
    }
    // a file too short for the band: one-line error naming it
    let short = tmp("short.npy");
    let rows: Vec<f64> = (0..100).flat_map(|k| [k as f64 * df, 0.0, 0.0]).collect();
    ferrax::io::write_npy(&short, &[100, 3], &rows).unwrap();
    let mut g = f.clone();
    g.detectors[0].strain = Some(short.display().to_string());
    let e = load_strain_data(&g, &freqs).unwrap_err().to_string();
    assert!(
        e.contains("short.npy") && e.contains("wrong length") && !e.contains('\n'),
        "{e}"
    );
    // welch needs time-domain data
    let mut g = f.clone();
    g.detectors[0].psd = "welch".into();
    let e = g.validate().unwrap_err().to_string();
    assert!(e.contains("detectors[0].psd"), "{e}");
    // strain files and an injection together are refused
    let mut g = f.clone();
    g.injection = c.injection.clone();
    assert!(g.validate().unwrap_err().to_string().contains("injection"));
}
