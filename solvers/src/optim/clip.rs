//! Gradient clipping by global norm.

/// Euclidean norm of a gradient vector.
pub fn global_norm(grads: &[f64]) -> f64 {
    grads.iter().map(|g| g * g).sum::<f64>().sqrt()
}

/// Rescales `grads` so that their global norm is at most `max_norm`;
/// returns the norm before clipping.
pub fn clip_grad_norm(grads: &mut [f64], max_norm: f64) -> f64 {
    let n = global_norm(grads);
    if n > max_norm && n > 0.0 {
        let s = max_norm / n;
        for g in grads.iter_mut() {
            *g *= s;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn clipping_preserves_direction_and_caps_norm() {
        let mut g = vec![3.0, 4.0];
        assert_eq!(clip_grad_norm(&mut g, 1.0), 5.0);
        assert!((g[0] - 0.6).abs() < 1e-15 && (g[1] - 0.8).abs() < 1e-15);
        let mut h = vec![0.3, 0.4];
        clip_grad_norm(&mut h, 1.0);
        assert_eq!(h, vec![0.3, 0.4]);
    }
}
