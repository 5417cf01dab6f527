//! Built-in detectors: geometry sanity checks (no reference file needed).

use ferrax::gw::detector::Detector;

#[test]
fn built_in_detectors_have_orthonormal_or_triangular_arms() {
    for name in ["H1", "L1", "V1", "K1", "CE"] {
        let d = Detector::by_name(name).unwrap();
        let dot: f64 = (0..3).map(|i| d.x_arm[i] * d.y_arm[i]).sum();
        assert!(dot.abs() < 1e-2, "{name}: arms not perpendicular ({dot})");
        let r = d.vertex.iter().map(|v| v * v).sum::<f64>().sqrt();
        assert!((r - 6.37e6).abs() < 3e4, "{name}: vertex radius {r}");
    }
    let et: Vec<Detector> = ["ET1", "ET2", "ET3"]
        .iter()
        .map(|n| Detector::by_name(n).unwrap())
        .collect();
    for d in &et {
        let dot: f64 = (0..3).map(|i| d.x_arm[i] * d.y_arm[i]).sum();
        assert!((dot - 0.5).abs() < 1e-2, "{}: 60° opening ({dot})", d.name);
    }
    // vertices roughly an arm length apart (bilby's small-angle steps)
    for (a, b) in [(0, 1), (1, 2), (2, 0)] {
        let dist = (0..3)
            .map(|i| (et[a].vertex[i] - et[b].vertex[i]).powi(2))
            .sum::<f64>()
            .sqrt();
        println!("ET{}-ET{}: {dist:.0} m", a + 1, b + 1);
        assert!(dist > 7e3 && dist < 1.1e4, "ET{}-ET{}: {dist} m", a + 1, b + 1);
    }
    // null stream: the three antenna patterns of a closed triangle sum to ~0
    for (ra, dec, psi) in [(0.3, 0.2, 0.1), (2.0, -1.0, 1.3), (4.5, 0.7, 2.9)] {
        let (mut sp, mut sc) = (0.0, 0.0);
        for d in &et {
            let (fp, fc) = d.antenna_pattern(ra, dec, psi, 1.234);
            sp += fp;
            sc += fc;
        }
        assert!(sp.abs() < 1e-2 && sc.abs() < 1e-2, "null stream: {sp} {sc}");
    }
    assert!(Detector::by_name("X9").is_err());
}
