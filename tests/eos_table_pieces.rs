//! The piecewise Taylor polynomials that evaluate the log–log table
//! interpolant (`ferrax::eos::piecewise`) against the exp/ln formula itself,
//! on jester's metamodel+CSE tables: values of e, p, de/dp and de/dh to 1e-13
//! relative over every table interval, and first derivatives (dual numbers
//! seeded in the table columns and in h) to 1e-12.

use ferrax::eos::piecewise::PowerLawPieces;
use ferrax::eos::{EosTable, TableLookup};
use ferrax_autodiff::Dual;
use serde_json::Value;

fn col(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn tables() -> Vec<EosTable<f64>> {
    let d: Value = serde_json::from_str(include_str!("data/tov/jester_mmcse_subset.json")).unwrap();
    d["eos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|eos| {
            let t = &eos["eos_table"];
            EosTable::from_geometric(
                col(t, "ns_m3"),
                col(t, "ps_m2"),
                col(t, "hs"),
                col(t, "es_m2"),
                col(t, "dloge_dlogps"),
                Some(col(t, "cs2")),
            )
            .unwrap()
        })
        .collect()
}

fn rel(a: f64, b: f64) -> f64 {
    ((a - b) / b).abs()
}

/// Sample points: 37 per table interval plus the nodes, and a few outside.
fn samples(h: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0, 0.5 * h[0], h[h.len() - 1] * 1.01];
    for i in 1..h.len() {
        for k in 0..=37 {
            out.push(h[i - 1] + (h[i] - h[i - 1]) * k as f64 / 37.0);
        }
    }
    out
}

#[test]
fn values_match_the_log_log_formula() {
    for table in tables() {
        let lk = TableLookup::new(&table);
        let hs = samples(&table.h);
        let mut worst = [0.0f64; 4];
        for &h in &hs {
            let a = lk.at_enthalpy(h);
            let b = lk.at_enthalpy_exact(h);
            worst[0] = worst[0].max(rel(a.e, b.e));
            worst[1] = worst[1].max(rel(a.p, b.p));
            worst[2] = worst[2].max(rel(a.dedp, b.dedp));
            worst[3] = worst[3].max(rel(a.dedh, b.dedh));
        }
        println!("max rel (e, p, de/dp, de/dh) over {} points: {worst:?}", hs.len());
        assert!(worst.iter().all(|&w| w < 1e-13), "{worst:?}");
        // The pieces cover everything above the first table interval.
        let re = |v: &[f64]| v.to_vec();
        let ln = |v: &[f64]| v.iter().map(|x| x.ln()).collect::<Vec<f64>>();
        let n = table.h.len();
        let slope = |y: &[f64]| {
            let (lh, ly) = (ln(&table.h), ln(y));
            let mut s = vec![0.0];
            s.extend((1..n).map(|i| (ly[i] - ly[i - 1]) / (lh[i] - lh[i - 1])));
            s
        };
        let pieces = PowerLawPieces::new(
            &re(&table.h),
            &ln(&table.h),
            &ln(&table.e),
            &ln(&table.p),
            &slope(&table.e),
            &slope(&table.p),
        )
        .expect("pieces");
        assert_eq!(pieces.range(), (table.h[1], table.h[n - 1]));
        let covered = hs
            .iter()
            .filter(|&&h| h >= table.h[1] && h <= table.h[n - 1])
            .all(|&h| pieces.eval(h).is_some());
        assert!(covered, "a piece fell back to the exact formula");
        println!("{} pieces for {} nodes", pieces.len(), n);
    }
}

#[test]
fn derivatives_match_the_log_log_formula() {
    let table = &tables()[0];
    // Seed direction 0 in e, 1 in p (node-dependent weights), 2 in h.
    let n = table.len();
    let seed = |v: &[f64], k: usize| -> Vec<Dual<3>> {
        (0..n)
            .map(|i| {
                let mut d = Dual::constant(v[i]);
                d.eps[k] = v[i] * (0.3 + (i as f64).sin());
                d
            })
            .collect()
    };
    let cst = |v: &[f64]| v.iter().map(|&x| Dual::constant(x)).collect::<Vec<Dual<3>>>();
    let dt = EosTable::from_geometric(
        cst(&table.n),
        seed(&table.p, 1),
        cst(&table.h),
        seed(&table.e, 0),
        cst(&table.dloge_dlogp),
        None,
    )
    .unwrap();
    let lk = TableLookup::new(&dt);
    let flat = TableLookup::new(table);
    let mut worst = [0.0f64; 2];
    for &h in &samples(&table.h) {
        let hd = Dual::<3>::variable(h, 2);
        let a = lk.at_enthalpy(hd);
        let b = lk.at_enthalpy_exact(hd);
        // Dual values are the plain ones: plain and dual runs step alike.
        assert_eq!(a.e.re, flat.at_enthalpy(h).e);
        assert_eq!(a.p.re, flat.at_enthalpy(h).p);
        assert_eq!(a.dedh.re, flat.at_enthalpy(h).dedh);
        for (x, y) in [(a.e, b.e), (a.p, b.p), (a.dedp, b.dedp), (a.dedh, b.dedh)] {
            worst[0] = worst[0].max(rel(x.re, y.re));
            for k in 0..3 {
                let scale = y.eps.iter().map(|v| v.abs()).fold(0.0, f64::max).max(1e-300);
                worst[1] = worst[1].max((x.eps[k] - y.eps[k]).abs() / scale);
            }
        }
    }
    println!(
        "dual: max rel value {:.1e}, derivative {:.1e}",
        worst[0], worst[1]
    );
    assert!(worst[0] < 1e-13 && worst[1] < 1e-12, "{worst:?}");
}
