//! Invertible compression of the faint tail of the surrogate's targets.

use ferrax_autodiff::Tensor;
use serde::{Deserialize, Serialize};

/// Invertible compression of the faint tail of the targets:
/// `C(y) = y` for `y ≥ knee`, `knee + width · asinh((y − knee)/width)` below.
/// Points far below any detection limit (the grids reach log10 F ≈ −50,
/// AB ≈ 140) then take a smaller share of the fit; `C` is smooth (C¹) and
/// its inverse `knee + width · sinh((y' − knee)/width)` is exact.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compression {
    /// Log10 flux [mJy] below which the compression starts.
    pub knee: f64,
    /// Width [dex] of the asinh compression.
    pub width: f64,
}

impl Compression {
    /// `C(y)`.
    pub fn forward(&self, y: f64) -> f64 {
        if y >= self.knee {
            y
        } else {
            self.knee + self.width * ((y - self.knee) / self.width).asinh()
        }
    }

    /// `C⁻¹(y')`.
    pub fn inverse(&self, yc: f64) -> f64 {
        if yc >= self.knee {
            yc
        } else {
            self.knee + self.width * ((yc - self.knee) / self.width).sinh()
        }
    }

    /// `C⁻¹` on the tape.
    pub fn inverse_tensor(&self, yc: &Tensor) -> Tensor {
        let u = (&(yc - self.knee)) * (1.0 / self.width);
        // clamp the argument of the unused branch so it cannot overflow
        let uc = u.clamp(-700.0, 0.0);
        let sinh = &(&uc.exp() - &(&uc * -1.0).exp()) * 0.5;
        let below = &(&sinh * self.width) + self.knee;
        let mask = yc.ge(&yc.constant_like(self.knee));
        Tensor::select(&mask, yc, &below)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compression_round_trips_and_matches_the_tape() {
        let c = Compression {
            knee: -8.0,
            width: 4.0,
        };
        let ys = [-50.0, -20.0, -8.5, -8.0, -3.0, 5.0];
        for y in ys {
            assert!((c.inverse(c.forward(y)) - y).abs() < 1e-10 * y.abs().max(1.0));
        }
        let yc: Vec<f64> = ys.iter().map(|&y| c.forward(y)).collect();
        let t = c
            .inverse_tensor(&Tensor::from_vec(yc, &[6]).unwrap())
            .to_vec()
            .unwrap();
        for (a, b) in t.iter().zip(ys) {
            assert!((a - b).abs() < 1e-9 * b.abs().max(1.0));
        }
    }
}
