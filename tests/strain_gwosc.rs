//! GWOSC strain files: the pure-Rust HDF5 reader against h5py, the gzipped
//! text format against the HDF5 file (bit for bit), the Welch PSD against
//! `scipy.signal.welch`, and one-line typed errors for corrupt input.
//! References: tests/data/gw150914/make_reference.py.

use ferrax::io::hdf5::Hdf5File;
use ferrax::strain::conditioning::{average_periodograms, welch_periodograms, Averaging, WelchWindow};
use ferrax::strain::{StrainError, StrainSeries};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gw150914")
        .join(name)
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ferrax-strain-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}

fn reference() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data("h5py_reference.json")).unwrap()).unwrap()
}

const FILES: [(&str, &str); 2] = [
    ("H1", "H-H1_LOSC_4_V2-1126259446-32.hdf5"),
    ("L1", "L-L1_LOSC_4_V2-1126259446-32.hdf5"),
];

#[test]
fn hdf5_reader_matches_h5py_bit_for_bit() {
    let r = reference();
    for (ifo, file) in FILES {
        let want = &r[ifo];
        let s = StrainSeries::read(data(file)).unwrap();
        assert_eq!(s.detector.as_deref(), Some(want["detector"].as_str().unwrap()));
        assert_eq!(s.gps_start, want["xstart"].as_f64().unwrap());
        assert_eq!(1.0 / s.sample_rate, want["xspacing"].as_f64().unwrap());
        assert_eq!(s.data.len() as u64, want["npoints"].as_u64().unwrap());
        assert_eq!(s.duration(), want["duration"].as_f64().unwrap());
        for (i, v) in want["sample_index"]
            .as_array()
            .unwrap()
            .iter()
            .zip(want["sample_value"].as_array().unwrap())
        {
            assert_eq!(s.data[i.as_u64().unwrap() as usize], v.as_f64().unwrap());
        }
        let sum = s.data.iter().fold(0u64, |a, v| a.wrapping_add(v.to_bits()));
        let xor = s.data.iter().fold(0u64, |a, v| a ^ v.to_bits());
        assert_eq!(sum, want["bits_wrapping_sum"].as_u64().unwrap(), "{ifo}");
        assert_eq!(xor, want["bits_xor"].as_u64().unwrap(), "{ifo}");
        let dq = s.quality.as_ref().unwrap();
        let mask: Vec<u64> = want["dq_mask"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        assert_eq!(dq.mask.iter().map(|&m| m as u64).collect::<Vec<_>>(), mask);
        let names: Vec<&str> = want["dq_names"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(dq.names, names);
        assert!(dq.missing_flags(s.gps_start, s.gps_end()).is_empty());
        assert!(dq
            .report(1126259460.4, 1126259464.4)
            .starts_with("all 7 data-quality flags set"));
        // meta/GPSstart read through the same reader
        let f = Hdf5File::open(data(file)).unwrap();
        let gps = f.dataset("meta/GPSstart").unwrap().read_f64(&f).unwrap();
        assert_eq!(gps, vec![want["gps_start"].as_f64().unwrap()]);
        let members = f.members("/").unwrap();
        for m in ["meta", "quality", "strain"] {
            assert!(members.iter().any(|x| x == m), "{members:?}");
        }
    }
}

#[test]
fn gzipped_text_is_bit_identical_to_hdf5() {
    let h = StrainSeries::read(data(FILES[0].1)).unwrap();
    let t = StrainSeries::read(data("H-H1_LOSC_4_V2-1126259446-32_first8s.txt.gz")).unwrap();
    assert_eq!(t.detector.as_deref(), Some("H1"));
    assert_eq!(t.gps_start, h.gps_start);
    assert_eq!(t.sample_rate, h.sample_rate);
    assert_eq!(t.data.len(), 8 * 4096);
    for (i, (a, b)) in t.data.iter().zip(&h.data).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "sample {i}");
    }
}

#[test]
fn welch_psd_matches_scipy_median_mean_hann_and_tukey() {
    let h = StrainSeries::read(data(FILES[0].1)).unwrap();
    let fs = h.sample_rate;
    let seg = &h.data[..14 * 4096];
    let p = welch_periodograms(seg, fs, 4 * 4096, 2 * 4096, WelchWindow::Hann);
    assert_eq!(p.len(), 6);
    let med = average_periodograms(&p, Averaging::Median);
    let mean = average_periodograms(&p, Averaging::Mean);
    let pt = welch_periodograms(seg, fs, 4 * 4096, 2 * 4096, WelchWindow::Tukey(0.2));
    let med_tukey = average_periodograms(&pt, Averaging::Median);
    let r = ferrax::io::read_npy(data("welch_scipy_H1.npy")).unwrap();
    let rows = r.shape[0];
    let mut worst: f64 = 0.0;
    for j in 0..rows {
        let row = &r.data[4 * j..4 * j + 4];
        let (f, m, a, mt) = (row[0], row[1], row[2], row[3]);
        let k = (f * 4.0).round() as usize;
        assert_eq!(k as f64 / 4.0, f);
        for (ours, theirs) in [(med[k], m), (mean[k], a), (med_tukey[k], mt)] {
            let rel = (ours - theirs).abs() / theirs.abs().max(1e-300);
            worst = worst.max(rel);
        }
    }
    // identical algorithm; differences are float summation order
    assert!(worst < 1e-9, "worst relative difference {worst}");
}

fn one_line(e: &StrainError, file: &Path) -> String {
    let s = e.to_string();
    assert!(!s.contains('\n'), "{s}");
    assert!(s.contains(&file.display().to_string()), "{s}");
    s
}

#[test]
fn truncated_hdf5_is_a_one_line_error() {
    let bytes = std::fs::read(data(FILES[0].1)).unwrap();
    for cut in [100, 2000, bytes.len() / 2, bytes.len() - 100] {
        let p = tmp(&format!("trunc{cut}.hdf5"));
        std::fs::write(&p, &bytes[..cut]).unwrap();
        let e = StrainSeries::read(&p).unwrap_err();
        let s = one_line(&e, &p);
        assert!(s.contains("truncated") || s.contains("malformed"), "{s}");
    }
}

#[test]
fn corrupt_chunk_fails_its_checksum() {
    let mut bytes = std::fs::read(data(FILES[0].1)).unwrap();
    // flip bits inside the compressed strain (the middle of the file)
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 8] {
        *b ^= 0x5a;
    }
    let p = tmp("corrupt.hdf5");
    std::fs::write(&p, &bytes).unwrap();
    let e = StrainSeries::read(&p).unwrap_err();
    let s = one_line(&e, &p);
    assert!(s.contains("checksum") || s.contains("deflate"), "{s}");
}

#[test]
fn wrong_sample_rate_nan_and_outside_trigger_are_typed_errors() {
    // a 2048 Hz text file
    let p = tmp("rate.txt");
    let mut text = String::from(
        "# strain for H1\n# This file has 2048 samples per second\n# starting GPS 1126259446 duration 1\n",
    );
    for i in 0..2048 {
        text.push_str(&format!("{}\n", (i as f64 * 0.1).sin() * 1e-21));
    }
    std::fs::write(&p, &text).unwrap();
    let s = StrainSeries::read(&p).unwrap();
    let e = s.check_sample_rate(4096.0).unwrap_err();
    assert!(matches!(e, StrainError::SampleRate { .. }));
    assert!(one_line(&e, &p).contains("sample rate 2048 Hz"));
    // trigger outside the file
    let e = s.segment(1126259500.0, 4.0, "analysis segment").unwrap_err();
    assert!(matches!(e, StrainError::OutsideFile { .. }));
    assert!(one_line(&e, &p).contains("not inside the file"));
    // a NaN sample
    let p2 = tmp("nan.txt");
    std::fs::write(&p2, text.replacen("\n0\n", "\nnan\n", 1)).unwrap();
    let e = StrainSeries::read(&p2).unwrap_err();
    assert!(matches!(e, StrainError::NonFinite { index: 0, .. }), "{e}");
    assert!(one_line(&e, &p2).contains("NaN"));
    // not a number
    let p3 = tmp("bad.txt");
    std::fs::write(&p3, text.replacen("\n0\n", "\nzero\n", 1)).unwrap();
    let e = StrainSeries::read(&p3).unwrap_err();
    assert!(one_line(&e, &p3).contains("line 4"));
}
