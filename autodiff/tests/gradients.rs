//! Every differentiable op checked against fourth-order finite differences
//! over random shapes and values (seeded), including broadcasting and
//! repeated inputs. Tolerance: relative error ≤ 1e-6.

use ferrax_autodiff::{check_gradients, jvp, vjp, ComplexTensor, GradCheckOptions, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const TOL: f64 = 1e-6;

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

fn random_shape(r: &mut ChaCha8Rng) -> Vec<usize> {
    let rank = r.gen_range(0..=3);
    (0..rank).map(|_| r.gen_range(1..=4)).collect()
}

/// A shape that broadcasts against `s`: some axes set to 1, maybe fewer axes.
fn broadcastable(s: &[usize], r: &mut ChaCha8Rng) -> Vec<usize> {
    let drop = r.gen_range(0..=s.len());
    s[drop..]
        .iter()
        .map(|&d| if r.gen_bool(0.4) { 1 } else { d })
        .collect()
}

fn uniform(shape: &[usize], lo: f64, hi: f64, r: &mut ChaCha8Rng) -> Tensor {
    Tensor::rand_uniform(shape, lo, hi, r)
}

/// Values with |x| in [lo, hi] and random sign.
fn signed(shape: &[usize], lo: f64, hi: f64, r: &mut ChaCha8Rng) -> Tensor {
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| {
            let m = r.gen_range(lo..hi);
            if r.gen_bool(0.5) {
                m
            } else {
                -m
            }
        })
        .collect();
    Tensor::from_vec(v, shape).unwrap()
}

fn assert_grad<F>(name: &str, f: F, xs: &[Tensor])
where
    F: Fn(&[Tensor]) -> Tensor,
{
    let rep = check_gradients(|p| f(p), xs, &GradCheckOptions::default()).unwrap();
    assert!(
        rep.max_rel_error <= TOL,
        "{name}: rel error {:.3e} at {:?} (analytic {}, numeric {}) shapes {:?}",
        rep.max_rel_error,
        rep.worst,
        rep.analytic,
        rep.numeric,
        xs.iter().map(|x| x.shape().to_vec()).collect::<Vec<_>>()
    );
}

#[test]
fn unary_ops() {
    let mut r = rng(1);
    type U = fn(&Tensor) -> Tensor;
    // (name, op, domain lo, hi, signed)
    let cases: Vec<(&str, U, f64, f64, bool)> = vec![
        ("neg", |x| -x, -2.0, 2.0, false),
        ("exp", |x| x.exp(), -2.0, 2.0, false),
        ("ln", |x| x.ln(), 0.3, 3.0, false),
        ("log1p", |x| x.log1p(), -0.5, 2.0, false),
        ("expm1", |x| x.expm1(), -2.0, 2.0, false),
        ("sqrt", |x| x.sqrt(), 0.3, 3.0, false),
        ("sin", |x| x.sin(), -3.0, 3.0, false),
        ("cos", |x| x.cos(), -3.0, 3.0, false),
        ("tan", |x| x.tan(), -1.2, 1.2, false),
        ("atan", |x| x.atan(), -3.0, 3.0, false),
        ("tanh", |x| x.tanh(), -3.0, 3.0, false),
        ("sigmoid", |x| x.sigmoid(), -5.0, 5.0, false),
        ("softplus", |x| x.softplus(), -5.0, 5.0, false),
        ("abs", |x| x.abs(), 0.1, 2.0, true),
        ("recip", |x| x.recip(), 0.3, 2.0, true),
        ("square", |x| x.square(), -2.0, 2.0, false),
        ("powi3", |x| x.powi(3), -2.0, 2.0, false),
        ("powi-2", |x| x.powi(-2), 0.4, 2.0, true),
        ("powf", |x| x.powf(2.7), 0.3, 2.0, false),
        ("add_scalar", |x| x + 1.5, -2.0, 2.0, false),
        ("rsub_scalar", |x| 1.5 - x, -2.0, 2.0, false),
        ("mul_scalar", |x| x * 2.5, -2.0, 2.0, false),
        ("div_scalar", |x| x / 2.5, -2.0, 2.0, false),
        ("rdiv_scalar", |x| 2.5 / x, 0.4, 2.0, true),
        ("clamp", |x| x.clamp(-0.5, 0.5), 0.55, 2.0, true),
        ("clamp_inside", |x| x.clamp(-5.0, 5.0), -2.0, 2.0, false),
        ("relu", |x| x.relu(), 0.1, 2.0, true),
    ];
    for (name, op, lo, hi, sgn) in cases {
        for _ in 0..4 {
            let s = random_shape(&mut r);
            let x = if sgn {
                signed(&s, lo, hi, &mut r)
            } else {
                uniform(&s, lo, hi, &mut r)
            };
            assert_grad(name, |p| op(&p[0]), &[x]);
        }
    }
}

#[test]
fn binary_ops_with_broadcasting() {
    let mut r = rng(2);
    type B = fn(&Tensor, &Tensor) -> Tensor;
    type Case = (&'static str, B, (f64, f64), (f64, f64));
    let cases: Vec<Case> = vec![
        ("add", |a, b| a + b, (-2.0, 2.0), (-2.0, 2.0)),
        ("sub", |a, b| a - b, (-2.0, 2.0), (-2.0, 2.0)),
        ("mul", |a, b| a * b, (-2.0, 2.0), (-2.0, 2.0)),
        ("div", |a, b| a / b, (-2.0, 2.0), (0.5, 2.0)),
        ("pow", |a, b| a.pow(b), (0.3, 2.0), (-1.5, 2.5)),
        ("atan2", |a, b| a.atan2(b), (-2.0, 2.0), (0.3, 2.0)),
        ("minimum", |a, b| a.minimum(b), (-2.0, 2.0), (-2.0, 2.0)),
        ("maximum", |a, b| a.maximum(b), (-2.0, 2.0), (-2.0, 2.0)),
    ];
    for (name, op, da, db) in cases {
        for trial in 0..6 {
            let s = random_shape(&mut r);
            let t = broadcastable(&s, &mut r);
            // alternate which side is broadcast
            let (sa, sb) = if trial % 2 == 0 { (s, t) } else { (t, s) };
            let a = uniform(&sa, da.0, da.1, &mut r);
            let b = uniform(&sb, db.0, db.1, &mut r);
            assert_grad(name, |p| op(&p[0], &p[1]), &[a, b]);
        }
    }
}

#[test]
fn repeated_inputs() {
    // x * x (crashes some libraries in backward), x / x, sin(x) * x + x
    let mut r = rng(3);
    for _ in 0..5 {
        let s = random_shape(&mut r);
        let x = uniform(&s, 0.5, 2.0, &mut r);
        assert_grad("x*x", |p| &p[0] * &p[0], std::slice::from_ref(&x));
        assert_grad("x/x*x", |p| &p[0] / &p[0] * &p[0], std::slice::from_ref(&x));
        assert_grad(
            "sin(x)*x+x",
            |p| p[0].sin() * &p[0] + &p[0],
            std::slice::from_ref(&x),
        );
        assert_grad("atan2(x,x*x)", |p| p[0].atan2(&(&p[0] * &p[0])), &[x]);
    }
}

#[test]
fn select_and_masks() {
    let mut r = rng(4);
    for _ in 0..6 {
        let s = random_shape(&mut r);
        let a = signed(&s, 0.1, 2.0, &mut r);
        let b = uniform(&broadcastable(&s, &mut r), -2.0, 2.0, &mut r);
        assert_grad(
            "select",
            |p| {
                let m = p[0].gt(&p[0].constant_like(0.0));
                Tensor::select(&m, &p[0].square(), &(&p[1] * 3.0))
            },
            &[a, b],
        );
    }
}

#[test]
fn reductions() {
    let mut r = rng(5);
    for _ in 0..6 {
        let s: Vec<usize> = (0..3).map(|_| r.gen_range(1..=4)).collect();
        let x = uniform(&s, -2.0, 2.0, &mut r);
        let ax = r.gen_range(0..3);
        let keep = r.gen_bool(0.5);
        assert_grad("sum_all", |p| p[0].sum_all(), std::slice::from_ref(&x));
        assert_grad("sum_axes", |p| p[0].sum(&[ax], keep), std::slice::from_ref(&x));
        assert_grad(
            "sum_two_axes",
            |p| p[0].sum(&[0, 2], keep),
            std::slice::from_ref(&x),
        );
        assert_grad("mean", |p| p[0].mean(&[ax], keep), std::slice::from_ref(&x));
        assert_grad("mean_all", |p| p[0].mean_all(), std::slice::from_ref(&x));
        assert_grad(
            "logsumexp",
            |p| p[0].logsumexp(ax, keep),
            std::slice::from_ref(&x),
        );
        assert_grad("cumsum", |p| p[0].cumsum(ax), std::slice::from_ref(&x));
        // distinct values so the arg-max is unique under the FD step
        let n: usize = s.iter().product();
        let mut v: Vec<f64> = (0..n).map(|i| i as f64 * 0.37).collect();
        for i in (1..n).rev() {
            v.swap(i, r.gen_range(0..=i));
        }
        let y = Tensor::from_vec(v, &s).unwrap();
        assert_grad("max", |p| p[0].max(ax, keep), &[y]);
    }
}

#[test]
fn indexing_and_shapes() {
    let mut r = rng(6);
    for _ in 0..5 {
        let s: Vec<usize> = (0..3).map(|_| r.gen_range(2..=4)).collect();
        let x = uniform(&s, -2.0, 2.0, &mut r);
        let ax = r.gen_range(0..3);
        let len = s[ax];
        let idx: Vec<usize> = (0..5).map(|_| r.gen_range(0..len)).collect(); // with repeats
        assert_grad(
            "index_select",
            |p| p[0].index_select(ax, &idx),
            std::slice::from_ref(&x),
        );
        let mut is = s.clone();
        is[ax] = 3;
        let gidx: Vec<usize> = (0..is.iter().product::<usize>())
            .map(|_| r.gen_range(0..len))
            .collect();
        assert_grad(
            "gather",
            |p| p[0].gather(ax, &gidx, &is),
            std::slice::from_ref(&x),
        );
        assert_grad("slice", |p| p[0].slice(ax, 1, len), std::slice::from_ref(&x));
        assert_grad(
            "reshape",
            |p| p[0].reshape(&[s[0] * s[1], s[2]]),
            std::slice::from_ref(&x),
        );
        assert_grad(
            "transpose",
            |p| p[0].transpose(0, 2).sin(),
            std::slice::from_ref(&x),
        );
        assert_grad(
            "permute",
            |p| p[0].permute(&[1, 2, 0]) * 2.0,
            std::slice::from_ref(&x),
        );
        assert_grad(
            "unsqueeze+broadcast_to",
            |p| p[0].unsqueeze(0).broadcast_to(&[2, s[0], s[1], s[2]]),
            std::slice::from_ref(&x),
        );
        let y = uniform(&s, -2.0, 2.0, &mut r);
        assert_grad(
            "concat",
            |p| Tensor::concat(&[p[0].clone(), p[1].exp()], ax),
            &[x.clone(), y.clone()],
        );
        assert_grad(
            "stack",
            |p| Tensor::stack(&[p[0].clone(), p[1].square()], ax),
            &[x, y],
        );
    }
}

#[test]
fn matmul_plain_and_batched() {
    let mut r = rng(7);
    for _ in 0..4 {
        let (b, m, k, n) = (
            r.gen_range(1..=3),
            r.gen_range(1..=4),
            r.gen_range(1..=4),
            r.gen_range(1..=4),
        );
        let a2 = uniform(&[m, k], -1.0, 1.0, &mut r);
        let b2 = uniform(&[k, n], -1.0, 1.0, &mut r);
        let a3 = uniform(&[b, m, k], -1.0, 1.0, &mut r);
        let b3 = uniform(&[b, k, n], -1.0, 1.0, &mut r);
        assert_grad("matmul", |p| p[0].matmul(&p[1]), &[a2.clone(), b2.clone()]);
        assert_grad("bmm", |p| p[0].matmul(&p[1]), &[a3.clone(), b3.clone()]);
        assert_grad(
            "bmm shared rhs",
            |p| p[0].matmul(&p[1]),
            &[a3.clone(), b2.clone()],
        );
        assert_grad(
            "bmm shared lhs",
            |p| p[0].matmul(&p[1]),
            &[a2.clone(), b3.clone()],
        );
        // x·xᵀ: the same tensor on both sides
        assert_grad("x xT", |p| p[0].matmul(&p[0].transpose(0, 1)), &[a2]);
    }
}

#[test]
fn complex_ops() {
    let mut r = rng(8);
    for _ in 0..4 {
        let s = vec![r.gen_range(1..=6)];
        let xs: Vec<Tensor> = (0..4).map(|_| uniform(&s, 0.2, 2.0, &mut r)).collect();
        assert_grad(
            "complex product, conj, abs2",
            |p| {
                let a = ComplexTensor::new(p[0].clone(), p[1].clone());
                let b = ComplexTensor::from_polar(&p[2], &p[3]);
                let c = a.mul(&b.conj()).add(&a).sub(&b.mul_scalar(0.3, -0.7));
                c.abs2()
                    + c.arg()
                    + a.re_mul_conj(&b) * a.im_mul_conj(&b)
                    + ComplexTensor::exp_i(&p[3]).scale(&p[0]).abs()
            },
            &xs,
        );
    }
}

#[test]
fn forward_mode_agrees_with_reverse_mode_and_differences() {
    // jvp(f, x, t)·u == vjp(f, x)(u)·t for random t, u (dot-product test)
    let mut r = rng(9);
    let f = |p: &[Tensor]| -> Tensor {
        let y = (&p[0] * &p[1].sin())
            .matmul(&p[1].transpose(0, 1))
            .exp()
            .cumsum(1);
        Tensor::concat(&[y.logsumexp(0, true), y.slice(0, 0, 1).sqrt()], 0)
    };
    for _ in 0..3 {
        let xs = vec![
            uniform(&[3, 4], 0.1, 1.0, &mut r),
            uniform(&[3, 4], 0.1, 1.0, &mut r),
        ];
        let ts = vec![
            uniform(&[3, 4], -1.0, 1.0, &mut r),
            uniform(&[3, 4], -1.0, 1.0, &mut r),
        ];
        let (y, jt) = jvp(f, &xs, &ts).unwrap();
        let u = uniform(y.shape(), -1.0, 1.0, &mut r);
        let (_, pb) = vjp(f, &xs).unwrap();
        let ut = pb.call(&u).unwrap();
        let lhs: f64 = jt
            .to_vec()
            .unwrap()
            .iter()
            .zip(u.to_vec().unwrap())
            .map(|(a, b)| a * b)
            .sum();
        let rhs: f64 = (0..2)
            .map(|i| {
                ut[i]
                    .to_vec()
                    .unwrap()
                    .iter()
                    .zip(ts[i].to_vec().unwrap())
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
            })
            .sum();
        assert!((lhs - rhs).abs() <= 1e-12 * lhs.abs().max(1.0), "{lhs} vs {rhs}");
        // and against a central difference along t
        let h = 1e-6;
        let shift = |s: f64| -> Vec<f64> {
            let p: Vec<Tensor> = xs.iter().zip(&ts).map(|(x, t)| x + &(t * s)).collect();
            f(&p).to_vec().unwrap()
        };
        let (yp, ym) = (shift(h), shift(-h));
        for (k, j) in jt.to_vec().unwrap().iter().enumerate() {
            let fd = (yp[k] - ym[k]) / (2.0 * h);
            assert!((j - fd).abs() <= 1e-6 * fd.abs().max(1.0), "{j} vs {fd}");
        }
    }
}
