//! Bad calls give errors that name the op and the shapes; nothing panics.

use ferrax_autodiff::{grad, set_check_finite, value_and_grad, value_and_grads, AdError, Tensor};

#[test]
fn shape_mismatch_names_op_and_shapes() {
    let a = Tensor::zeros(&[2, 3]);
    let b = Tensor::zeros(&[4]);
    let c = &a + &b; // no panic: an error tensor
    let e = c.to_vec().unwrap_err();
    assert!(matches!(e, AdError::ShapeMismatch { op: "add", .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("add") && msg.contains("[2, 3]") && msg.contains("[4]"),
        "{msg}"
    );
    // the error propagates through later ops and out of grad
    let e = grad(|x| (x * &b).exp().sum_all(), &a).unwrap_err();
    assert!(e.to_string().contains("mul"), "{e}");
    assert!(a.try_mul(&b).is_err());
    let e = a.matmul(&Tensor::zeros(&[2, 3])).item().unwrap_err();
    assert!(
        e.to_string().contains("matmul") && e.to_string().contains("[2, 3]"),
        "{e}"
    );
}

#[test]
fn gradient_of_non_scalar_is_an_error() {
    let x = Tensor::ones(&[3]);
    let e = value_and_grad(|x| x.sin(), &x).unwrap_err();
    assert!(matches!(e, AdError::NotScalar { .. }), "{e}");
    assert!(e.to_string().contains("[3]"), "{e}");
}

#[test]
fn nan_in_checked_mode_names_the_op() {
    set_check_finite(true);
    let x = Tensor::from_slice(&[1.0, -1.0]);
    let r = grad(|x| x.sqrt().ln().sum_all(), &x);
    set_check_finite(false);
    let e = r.unwrap_err();
    match &e {
        AdError::NonFinite { op, index, shapes } => {
            assert_eq!(*op, "sqrt");
            assert_eq!(*index, 1);
            assert_eq!(shapes[0].as_slice(), &[2]);
        }
        other => panic!("unexpected {other}"),
    }
    // unchecked: NaN flows silently, as in plain f64 arithmetic
    assert!(x.sqrt().to_vec().unwrap()[1].is_nan());
}

#[test]
fn bad_axes_indices_and_lengths() {
    let x = Tensor::ones(&[2, 3]);
    assert!(x
        .sum(&[2], false)
        .check()
        .unwrap_err()
        .to_string()
        .contains("axis 2"));
    assert!(x
        .index_select(1, &[3])
        .check()
        .unwrap_err()
        .to_string()
        .contains("index 3"));
    assert!(x.slice(1, 2, 5).check().is_err());
    assert!(x.reshape(&[4]).check().is_err());
    assert!(x.permute(&[0, 0]).check().is_err());
    assert!(Tensor::from_vec(vec![1.0; 5], &[2, 3]).is_err());
    assert!(Tensor::concat(&[], 0).check().is_err());
    assert!(Tensor::concat(&[x.clone(), Tensor::ones(&[3, 2])], 0)
        .check()
        .is_err());
    assert!(Tensor::arange(0.0, 1.0, 0.0).is_err());
    assert!(x.item().is_err());
}

#[test]
fn nested_differentiation_is_an_error_not_a_panic() {
    let x = Tensor::scalar(2.0);
    let r = value_and_grad(
        |x| {
            let inner = grad(|y| y * y, x);
            assert!(matches!(inner, Err(AdError::NestedTape { .. })));
            x * x
        },
        &x,
    )
    .unwrap();
    assert_eq!(r.0, 4.0);
    // and the tape is usable afterwards
    assert_eq!(grad(|y| y * y, &x).unwrap().item().unwrap(), 4.0);
}

#[test]
fn constants_and_unused_inputs_get_zero_gradients() {
    let a = Tensor::from_slice(&[1.0, 2.0]);
    let b = Tensor::from_slice(&[3.0, 4.0]);
    let c = Tensor::from_slice(&[5.0, 6.0]); // captured constant: no tape entry
    let (v, g) = value_and_grads(|p| (&p[0] * &c).sum_all(), &[a, b]).unwrap();
    assert_eq!(v, 17.0);
    assert_eq!(g[0].to_vec().unwrap(), vec![5.0, 6.0]);
    assert_eq!(g[1].to_vec().unwrap(), vec![0.0, 0.0]);
    assert!(!c.is_tracked());
}
