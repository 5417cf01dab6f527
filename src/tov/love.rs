//! The tidal Love number k₂ and the dimensionless tidal deformability.
//!
//! k₂ = (8/5) C⁵ (1−2C)² [2 + 2C(y−1) − y] / D(C, y) with
//! D = 2C[6 − 3y + 3C(5y − 8)] + 4C³[13 − 11y + C(3y − 2) + 2C²(1 + y)] +
//! 3(1 − 2C)²[2 − y + 2C(y − 1)] ln(1 − 2C)
//! (Hinderer, Astrophys. J. 677, 1216 (2008), eq. 23; Postnikov, Prakash &
//! Lattimer, Phys. Rev. D 82, 024016 (2010), eq. 8). D is O(C⁵): the closed
//! form cancels catastrophically (float64 keeps ≈ 16 + 5 log₁₀ C digits), so
//! for C < 0.4 D/C⁵ is summed from its power series ([`super::love_series`],
//! at most 240 terms, truncation < 1e-20 relative; checked against 80-digit values
//! to 2e-15). Above, the closed form keeps ≳ 14 digits. Λ = (2/3) k₂ C⁻⁵.

use super::love_series::DENOMINATOR_SERIES;
use ferrax_autodiff::Scalar;

/// Compactness below which the series is used.
pub const SERIES_BELOW_COMPACTNESS: f64 = 0.4;

/// D(C, y)/C⁵.
fn reduced_denominator<T: Scalar>(c: T, y: T) -> T {
    if c.re() < SERIES_BELOW_COMPACTNESS {
        // Terms fall off as (2C)^j: the first ⌈46/|ln 2C|⌉ + 8 leave a tail
        // below 1e-20 of the sum (checked against all 240 for C < 0.4).
        let n_terms = (-46.0 / (2.0 * c.re()).ln()).ceil() + 8.0;
        let n = if n_terms.is_finite() {
            n_terms.clamp(8.0, 240.0) as usize
        } else {
            240
        };
        let mut s = T::cst(0.0);
        for &(a, b) in DENOMINATOR_SERIES[..n].iter().rev() {
            s = s * c + y * b + a;
        }
        s
    } else {
        let one2c = (c * 2.0).rsub(1.0);
        let d = c * 2.0 * (y * (-3.0) + 6.0 + c * 3.0 * (y * 5.0 - 8.0))
            + c * c * c * 4.0 * (y * (-11.0) + 13.0 + c * (y * 3.0 - 2.0) + c * c * 2.0 * (y + 1.0))
            + one2c * one2c * 3.0 * (y.rsub(2.0) + c * 2.0 * (y - 1.0)) * one2c.ln();
        d / c.powi(5)
    }
}

/// k₂ from the compactness C = M/R and y = R H'(R)/H(R).
pub fn love_number_k2<T: Scalar>(compactness: T, y: T) -> T {
    let c = compactness;
    let one2c = (c * 2.0).rsub(1.0);
    one2c * one2c * 1.6 * (c * 2.0 * (y - 1.0) + y.rsub(2.0)) / reduced_denominator(c, y)
}

/// Λ = (2/3) k₂ C⁻⁵, computed as (2/3)·(8/5)(1−2C)²[…]/D(C,y) without
/// forming k₂ C⁻⁵ separately (no C⁵ underflow at small compactness).
pub fn tidal_deformability<T: Scalar>(compactness: T, y: T) -> T {
    tidal_deformability_from_k2(compactness, love_number_k2(compactness, y))
}

/// Λ = (2/3) k₂ C⁻⁵ from a k₂ already computed by [`love_number_k2`].
pub fn tidal_deformability_from_k2<T: Scalar>(compactness: T, k2: T) -> T {
    k2 / compactness.powi(5) * (2.0 / 3.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 80-digit references (closed form in decimal arithmetic).
    const CASES: [(f64, f64, f64); 12] = [
        (0.35, 1.0, 0.01327163125028781),
        (0.39, 2.5, 0.004237114314619052),
        (0.45, 1.0, 0.0016949357146567934),
        (1e-6, 0.3, 0.25757453856930346),
        (1e-6, 2.5, -0.04545411157134351),
        (0.01, 1.0, 0.12035436818164895),
        (0.1, 0.3, 0.1529600626347768),
        (0.1, 2.5, -0.012254395653859029),
        (0.2, 1.0, 0.048146365795456475),
        (0.25, 0.3, 0.05322817446151788),
        (0.3, 1.0, 0.022653672078956688),
        (0.3, 2.5, 0.00725200216861373),
    ];

    #[test]
    fn k2_matches_high_precision_values() {
        for (c, y, k2) in CASES {
            let v = love_number_k2(c, y);
            assert!((v / k2 - 1.0).abs() < 5e-15, "C {c} y {y}: {v} vs {k2}");
        }
        // Newtonian limit: k2 -> (2 - y)/(2(y + 3)).
        let y = 0.29;
        assert!((love_number_k2(1e-12, y) - (2.0 - y) / (2.0 * (y + 3.0))).abs() < 1e-11);
        // Series and closed form agree at the switch.
        let c = SERIES_BELOW_COMPACTNESS;
        let a = love_number_k2(c * (1.0 - 1e-12), 1.3);
        let b = love_number_k2(c * (1.0 + 1e-12), 1.3);
        assert!((a / b - 1.0).abs() < 1e-10, "{a} {b}");
    }
}
