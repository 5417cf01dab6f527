//! Custom fused ops, and one generic formula on f64, duals and tensors.

use ferrax_autodiff::{
    apply_custom, check_gradients, jvp, value_and_grad, CustomOp, Dual, GradCheckOptions, Real, Result,
    Tensor,
};
use std::rc::Rc;

/// y = a·sin(x) with a hand-written VJP and JVP (a stand-in for a fused
/// waveform phase or RK stage).
struct ScaledSin;

impl CustomOp for ScaledSin {
    fn name(&self) -> &str {
        "scaled_sin"
    }
    fn forward(&self, inputs: &[Tensor]) -> Result<Tensor> {
        let (x, a) = (inputs[0].as_slice()?, inputs[1].item()?);
        Tensor::from_vec(x.iter().map(|v| a * v.sin()).collect(), inputs[0].shape())
    }
    fn vjp(&self, inputs: &[Tensor], _out: &Tensor, g: &Tensor) -> Result<Vec<Option<Tensor>>> {
        let (x, a, g) = (inputs[0].as_slice()?, inputs[1].item()?, g.as_slice()?);
        let gx: Vec<f64> = x.iter().zip(g).map(|(x, g)| g * a * x.cos()).collect();
        let ga: f64 = x.iter().zip(g).map(|(x, g)| g * x.sin()).sum();
        Ok(vec![
            Some(Tensor::from_vec(gx, inputs[0].shape())?),
            Some(Tensor::from_vec(vec![ga], inputs[1].shape())?),
        ])
    }
    fn jvp(&self, inputs: &[Tensor], _out: &Tensor, t: &[Option<Tensor>]) -> Result<Tensor> {
        let (x, a) = (inputs[0].as_slice()?, inputs[1].item()?);
        let tx = t[0].as_ref().map(|t| t.to_vec()).transpose()?;
        let ta = t[1].as_ref().map(|t| t.item()).transpose()?.unwrap_or(0.0);
        let v: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, x)| a * x.cos() * tx.as_ref().map_or(0.0, |t| t[i]) + ta * x.sin())
            .collect();
        Tensor::from_vec(v, inputs[0].shape())
    }
}

#[test]
fn custom_op_gradients_match_finite_differences() {
    let op: Rc<dyn CustomOp> = Rc::new(ScaledSin);
    let x = Tensor::from_slice(&[0.1, 0.7, -1.3]);
    let a = Tensor::scalar(2.5);
    let rep = check_gradients(
        |p| apply_custom(op.clone(), &[p[0].clone(), p[1].clone()]).square(),
        &[x.clone(), a.clone()],
        &GradCheckOptions::default(),
    )
    .unwrap();
    assert!(rep.max_rel_error < 1e-8, "{rep:?}");
    // forward mode through the custom op
    let (_, t) = jvp(
        |p| apply_custom(op.clone(), &[p[0].clone(), p[1].clone()]),
        &[x.clone(), a.clone()],
        &[Tensor::ones(&[3]), Tensor::scalar(0.0)],
    )
    .unwrap();
    let expect: Vec<f64> = [0.1f64, 0.7, -1.3].iter().map(|x| 2.5 * x.cos()).collect();
    for (u, v) in t.to_vec().unwrap().iter().zip(expect) {
        assert!((u - v).abs() < 1e-14);
    }
}

/// A physics-flavoured formula written once: the Newtonian chirp phase
/// Ψ(f) = 3/128 (π M f)^(-5/3) for chirp mass M (seconds) at frequency f.
fn chirp_phase<T: Real>(chirp_mass_s: &T, f: f64) -> T {
    (chirp_mass_s.clone() * (std::f64::consts::PI * f)).powf(-5.0 / 3.0) * (3.0 / 128.0)
}

#[test]
fn one_formula_on_f64_duals_and_tensors() {
    let m = 1.2e-4;
    let f = 50.0;
    let plain = chirp_phase(&m, f);
    let dual = chirp_phase(&Dual::<1>::variable(m, 0), f);
    let (val, g) = value_and_grad(|t| chirp_phase(t, f), &Tensor::scalar(m)).unwrap();
    assert_eq!(plain, dual.re);
    assert!((val - plain).abs() <= 1e-15 * plain.abs());
    let exact = -5.0 / 3.0 * plain / m;
    assert!((dual.eps[0] - exact).abs() <= 1e-13 * exact.abs());
    assert!((g.item().unwrap() - exact).abs() <= 1e-13 * exact.abs());
}
