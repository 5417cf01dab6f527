//! The radius loss and its gradient (forward-mode duals through the EOS
//! construction, the adaptive TOV solves and the family post-processing)
//! against jester 0.1.1 (`jax.grad` through diffrax) and central finite
//! differences, at the three perturbed points of the reference case.

use ferrax::tov::radius_loss::RadiusLoss;
use ferrax::tov::TovOptions;
use serde_json::Value;

fn case() -> (Value, RadiusLoss) {
    let doc: Value = serde_json::from_str(include_str!("data/tov/radius_loss.json")).unwrap();
    let p = RadiusLoss::from_json(&doc).unwrap();
    (doc, p)
}

fn l2_rel(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>().sqrt();
    let den: f64 = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    num / den
}

/// jester's tight setting (rtol = atol = 1e-10, same start); with
/// `split`, restarted at every table node so that the loss is a smooth
/// function of θ for finite differences (no step-selection noise from
/// crossing kinks).
fn tight(p: &RadiusLoss, split: bool) -> RadiusLoss {
    let mut q = p.clone();
    q.family.tov = TovOptions {
        rtol: 1e-10,
        atol: 1e-10,
        split_at_kinks: split,
        ..TovOptions::jester_default()
    };
    q
}

#[test]
fn loss_matches_jester_at_truth_and_perturbed_points() {
    let (doc, p) = case();
    let truth = p.theta_from_json(&doc["theta_true"]).unwrap();
    let l0: f64 = p.loss(&truth).unwrap();
    println!("L(truth) = {l0:.3e} (jester: 0 by construction; exact radii give 3.4e-5)");
    assert!(l0 < 5e-5);
    for pt in doc["perturbed_points"].as_array().unwrap() {
        let theta = p.theta_from_json(&pt["theta"]).unwrap();
        let l: f64 = p.loss(&theta).unwrap();
        let lj = pt["loss"].as_f64().unwrap();
        println!("scale {}: L = {l:.6e}, jester {lj:.6e}", pt["scale"]);
        assert!((l - lj).abs() < 5e-5, "{l} vs {lj}");
    }
}

#[test]
fn gradient_matches_jester_and_finite_differences() {
    let (doc, p) = case();
    let pt_tight = tight(&p, false);
    let pt_split = tight(&p, true);
    let names = p.free.clone();
    for pt in doc["perturbed_points"].as_array().unwrap() {
        let theta = p.theta_from_json(&pt["theta"]).unwrap();
        let g_jester: Vec<f64> = names.iter().map(|n| pt["grad"][n].as_f64().unwrap()).collect();
        let g_jester_tight: Vec<f64> = names
            .iter()
            .map(|n| pt["tight"]["grad"][n].as_f64().unwrap())
            .collect();
        let (_, g_default) = p.value_and_grad(&theta).unwrap();
        let (_, g_tight) = pt_tight.value_and_grad(&theta).unwrap();
        let (_, g_split) = pt_split.value_and_grad(&theta).unwrap();
        // Central differences of the tight loss, step 2e-4 of the prior width.
        let mut g_fd = vec![0.0; theta.len()];
        for (i, name) in names.iter().enumerate() {
            let w = doc["prior_box"][name][1].as_f64().unwrap() - doc["prior_box"][name][0].as_f64().unwrap();
            let h = 2e-4 * w;
            let (mut a, mut b) = (theta.clone(), theta.clone());
            a[i] += h;
            b[i] -= h;
            let (la, lb): (f64, f64) = (pt_split.loss(&a).unwrap(), pt_split.loss(&b).unwrap());
            g_fd[i] = (la - lb) / (2.0 * h);
        }
        let e_fd = l2_rel(&g_split, &g_fd);
        let e_jt = l2_rel(&g_tight, &g_jester_tight);
        let e_jd = l2_rel(&g_default, &g_jester);
        println!("scale {}: |g_split - g_FD|/|g_FD| = {e_fd:.2e}, |g_tight - g_jester_tight| = {e_jt:.2e}, |g_default - g_jester_default| = {e_jd:.2e}", pt["scale"]);
        assert!(e_fd < 1e-3, "FD: {e_fd:e}");
        assert!(e_jt < 2e-3, "jester tight: {e_jt:e}");
        assert!(e_jd < 5e-3, "jester default: {e_jd:e}");
    }
}

#[test]
fn reverse_mode_gradient_equals_forward_mode() {
    let (doc, p) = case();
    let theta = p.theta_from_json(&doc["perturbed_points"][0]["theta"]).unwrap();
    let (lf, gf) = p.value_and_grad(&theta).unwrap();
    let (lr, gr) = p.value_and_grad_reverse(&theta).unwrap();
    let l64: f64 = p.loss(&theta).unwrap();
    // Step control reads plain values, and dual and tape arithmetic round
    // their values exactly as f64 does: all three take the same steps.
    assert_eq!(l64, lf);
    assert_eq!(l64, lr);
    let e = l2_rel(&gr, &gf);
    println!("|g_reverse - g_forward|/|g_forward| = {e:.2e}");
    assert!(e < 1e-10, "{e:e}");
}
