//! The 4-parameter spectral EOS: a spectral expansion of the adiabatic index
//! above a fixed low-density SLy table.
//!
//! Lindblom, Phys. Rev. D 82, 103011 (2010): with x = ln(p/p₀),
//! Γ(x) = exp(Σₖ γₖ xᵏ) (the expansion of ln Γ in powers of x, Sec. III),
//! μ(x) = exp(−∫₀ˣ dx'/Γ(x')) (eq. 8) and
//! ε(x) = ε₀/μ(x) + (p₀/μ(x)) ∫₀ˣ μ(x') eˣ' /Γ(x') dx' (eq. 7).
//! The matching point p₀, ε₀ (SLy just below half nuclear density), the
//! upper end x_max and the SLy low-density table follow Carney, Wade & Irwin,
//! Phys. Rev. D 98, 063004 (2018), Sec. II D; the integrals use 10-point
//! Gauss–Legendre quadrature (nested for μ inside the ε integral), and the
//! core is tabulated on 500 log-spaced pressures p₀ e^{x_max k/500},
//! k = 0..499, above the 68 non-zero SLy nodes.
//!
//! Generic over the number type: `Dual<N>` γₖ give d(table)/d(γ) exactly.

use super::table::EosTable;
use super::units::{MEV_FM3_TO_GEOMETRIC, M_NUCLEON_MEV};
use super::EosError;
use ferrax_autodiff::Scalar;

/// Matching pressure p₀ [m⁻²] (5.3716e32 dyn cm⁻²).
pub const SPECTRAL_P0_GEOM: f64 = 4.43784199e-13;
/// Energy density ε₀ at p₀ [m⁻²] (1.1555e35 erg cm⁻³).
pub const SPECTRAL_E0_GEOM: f64 = 9.54629006e-11;
/// Upper end of the expansion, x_max = ln(p_max/p₀).
pub const SPECTRAL_X_MAX: f64 = 12.3081;
/// Number of core nodes.
pub const SPECTRAL_CORE_NODES: usize = 500;

/// SLy low-density pressures [m⁻²], increasing (the zero node left out).
pub const SLY_LOW_P_GEOM: [f64; 68] = [
    2.49730009e-31,
    1.59235347e-30,
    1.01533235e-29,
    6.47406376e-29,
    4.12805731e-28,
    2.63217321e-27,
    1.67835262e-26,
    1.07016799e-25,
    6.82371225e-25,
    4.35100369e-24,
    1.91523482e-23,
    8.06001537e-23,
    3.23144235e-22,
    4.34521997e-22,
    1.18566090e-21,
    3.16699528e-21,
    8.31201995e-21,
    2.15154075e-20,
    5.51600847e-20,
    7.21972469e-20,
    1.34595234e-19,
    2.50269468e-19,
    3.41156366e-19,
    4.16096744e-19,
    5.66803746e-19,
    1.05098304e-18,
    1.94663211e-18,
    3.60407863e-18,
    4.67819652e-18,
    6.36373536e-18,
    8.65904266e-18,
    1.17739845e-17,
    1.60126190e-17,
    2.06809005e-17,
    2.81253637e-17,
    3.82385968e-17,
    4.91532870e-17,
    6.68349199e-17,
    9.08868981e-17,
    1.19805457e-16,
    1.23523557e-16,
    1.67975513e-16,
    2.14575704e-16,
    2.38949918e-16,
    2.71834450e-16,
    3.69579177e-16,
    4.80543818e-16,
    6.22823125e-16,
    6.44883854e-16,
    6.51906933e-16,
    6.90079430e-16,
    7.51717272e-16,
    7.84188682e-16,
    8.12280996e-16,
    8.94822824e-16,
    1.78030908e-15,
    2.83170525e-15,
    4.35257355e-15,
    6.44272433e-15,
    9.21014776e-15,
    1.72635532e-14,
    2.96134301e-14,
    4.76007735e-14,
    7.28061891e-14,
    1.06973879e-13,
    1.78634067e-13,
    3.17897582e-13,
    4.16939514e-13,
];
/// SLy low-density energy densities [m⁻²] at [`SLY_LOW_P_GEOM`].
pub const SLY_LOW_E_GEOM: [f64; 68] = [
    9.76800363e-24,
    3.08891410e-23,
    9.76800489e-23,
    3.08891490e-22,
    9.76801000e-22,
    3.08891816e-21,
    9.76803078e-21,
    3.08893141e-20,
    9.76811525e-20,
    3.08898527e-19,
    7.75906672e-19,
    1.94909879e-18,
    4.89622085e-18,
    6.16357861e-18,
    1.22969164e-17,
    2.45420997e-17,
    4.89823567e-17,
    9.77310869e-17,
    1.95024387e-16,
    2.45531498e-16,
    3.89264229e-16,
    6.16926264e-16,
    7.76837038e-16,
    9.00642353e-16,
    1.19237569e-15,
    1.89037060e-15,
    3.09452823e-15,
    4.90635934e-15,
    5.96458915e-15,
    7.51061114e-15,
    9.79776989e-15,
    1.23353809e-14,
    1.55335650e-14,
    1.88188196e-14,
    2.46271194e-14,
    3.10096915e-14,
    3.74392368e-14,
    4.91814886e-14,
    6.19454280e-14,
    7.62224545e-14,
    8.11155415e-14,
    1.05200677e-13,
    1.26436151e-13,
    1.37076948e-13,
    1.55799897e-13,
    2.02900352e-13,
    2.47139208e-13,
    3.11281590e-13,
    3.19529901e-13,
    3.22140999e-13,
    3.36213572e-13,
    3.58537297e-13,
    3.70113877e-13,
    3.80033593e-13,
    4.24821517e-13,
    1.57119195e-12,
    2.36083738e-12,
    3.33152493e-12,
    4.49715211e-12,
    5.87555551e-12,
    9.35905600e-12,
    1.39898961e-11,
    2.00067862e-11,
    2.76245081e-11,
    3.69196076e-11,
    5.35224936e-11,
    7.81020115e-11,
    9.19476188e-11,
];

/// 10-point Gauss–Legendre abscissae on [−1, 1].
const GL_X: [f64; 10] = [
    -0.9739065285171717,
    -0.8650633666889845,
    -0.6794095682990244,
    -0.4333953941292472,
    -0.1488743389816312,
    0.1488743389816312,
    0.4333953941292472,
    0.6794095682990244,
    0.8650633666889845,
    0.9739065285171717,
];
/// 10-point Gauss–Legendre weights.
const GL_W: [f64; 10] = [
    0.0666713443086881,
    0.1494513491505806,
    0.219086362515982,
    0.2692667193099963,
    0.2955242247147529,
    0.2955242247147529,
    0.2692667193099963,
    0.219086362515982,
    0.1494513491505806,
    0.0666713443086881,
];

/// Adiabatic index Γ(x) = exp(Σₖ γₖ xᵏ) at x = ln(p/p₀) (dimensionless).
pub fn adiabatic_index<T: Scalar>(gamma: &[T; 4], x: f64) -> T {
    let mut log_gamma = gamma[3];
    for k in (0..3).rev() {
        log_gamma = log_gamma * x + gamma[k];
    }
    log_gamma.exp()
}

/// μ(x) = exp(−∫₀ˣ dx'/Γ(x')) (Lindblom 2010, eq. 8; dimensionless).
pub fn mu<T: Scalar>(gamma: &[T; 4], x: f64) -> T {
    let mut integral = T::cst(0.0);
    for (t, w) in GL_X.iter().zip(GL_W) {
        integral = integral + adiabatic_index(gamma, 0.5 * x * (t + 1.0)).recip() * w;
    }
    (integral * (-0.5 * x)).exp()
}

/// Energy density ε(x) [m⁻²] at x = ln(p/p₀) (Lindblom 2010, eq. 7).
pub fn energy_density<T: Scalar>(gamma: &[T; 4], x: f64) -> T {
    let mut integral = T::cst(0.0);
    for (t, w) in GL_X.iter().zip(GL_W) {
        let xp = 0.5 * x * (t + 1.0);
        integral = integral + mu(gamma, xp) * xp.exp() / adiabatic_index(gamma, xp) * w;
    }
    let m = mu(gamma, x);
    (integral * (0.5 * x * SPECTRAL_P0_GEOM) + SPECTRAL_E0_GEOM) / m
}

/// The EOS table of spectral parameters γ₀..γ₃: the SLy nodes, then the 500
/// core nodes; number densities from the first law d ln n = dε/(ε + p)
/// (trapezoidal in ln ε, with n = ε/m_N at the first node), then
/// [`EosTable::from_nuclear_units`].
///
/// Errors: non-finite γ (naming `gamma_k`), or a table that is not valid
/// (e.g. ε not positive), from the table checks.
pub fn spectral_table<T: Scalar>(gamma: &[T; 4]) -> Result<EosTable<T>, EosError> {
    for (k, g) in gamma.iter().enumerate() {
        if !g.re().is_finite() {
            return Err(EosError::param(format!("gamma_{k}"), "must be finite"));
        }
    }
    let to_nuc = 1.0 / MEV_FM3_TO_GEOMETRIC;
    let mut p: Vec<T> = SLY_LOW_P_GEOM.iter().map(|&v| T::cst(v * to_nuc)).collect();
    let mut e: Vec<T> = SLY_LOW_E_GEOM.iter().map(|&v| T::cst(v * to_nuc)).collect();
    let dx = SPECTRAL_X_MAX / SPECTRAL_CORE_NODES as f64;
    for k in 0..SPECTRAL_CORE_NODES {
        let x = dx * k as f64;
        p.push(T::cst(SPECTRAL_P0_GEOM * x.exp() * to_nuc));
        e.push(energy_density(gamma, x) * to_nuc);
    }
    let mut n = vec![e[0] / M_NUCLEON_MEV];
    for i in 1..p.len() {
        // d ln n = e/(e + p) d ln e, trapezoidal in ln e (exact where p ≪ e).
        let w = |j: usize| e[j] / (e[j] + p[j]);
        let dlnn = (w(i) + w(i - 1)) * 0.5 * (e[i].ln() - e[i - 1].ln());
        n.push(n[i - 1] * dlnn.exp());
    }
    EosTable::from_nuclear_units(&n, &p, &e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrax_autodiff::Dual;

    const SLY_LIKE: [f64; 4] = [0.8651, 0.1548, -0.0151, -0.0002];

    #[test]
    fn constant_index_is_a_polytrope_in_mu() {
        // Γ = e^{γ₀} constant: μ(x) = exp(−x/Γ) exactly.
        let g = [0.3f64, 0.0, 0.0, 0.0];
        let x = 7.5;
        let exact = (-x / 0.3f64.exp()).exp();
        assert!((mu(&g, x) - exact).abs() < 1e-12 * exact);
    }

    #[test]
    fn constant_index_energy_density_closed_form() {
        // Γ constant: eq. 7 with ∫₀ˣ e^{x'(1−1/Γ)}/Γ dx' = (e^{x(1−1/Γ)} − 1)/(Γ − 1).
        let g0 = 0.5f64;
        let gam = g0.exp();
        let x = 6.0;
        let m = (-x / gam).exp();
        let exact =
            SPECTRAL_E0_GEOM / m + SPECTRAL_P0_GEOM / m * ((x * (1.0 - 1.0 / gam)).exp() - 1.0) / (gam - 1.0);
        let got = energy_density(&[g0, 0.0, 0.0, 0.0], x);
        assert!((got - exact).abs() < 1e-10 * exact, "{got} vs {exact}");
    }

    #[test]
    fn table_is_continuous_at_matching_point() {
        let t = spectral_table(&SLY_LIKE).unwrap();
        assert_eq!(t.len(), 68 + SPECTRAL_CORE_NODES);
        assert!((t.p[68] - SPECTRAL_P0_GEOM).abs() < 1e-9 * SPECTRAL_P0_GEOM);
        assert!((t.e[68] - SPECTRAL_E0_GEOM).abs() < 1e-9 * SPECTRAL_E0_GEOM);
        assert!(t.e[67] < t.e[68] && t.p[67] < t.p[68]);
    }

    #[test]
    fn number_density_at_matching_point_is_near_half_saturation() {
        // p₀ lies just below half nuclear density (ρ_nuc = 2.8e14 g/cm³,
        // n ≈ 0.08 fm⁻³); the first-law integral must land there.
        let t = spectral_table(&SLY_LIKE).unwrap();
        let n_fm3 = t.n[68] / crate::eos::units::FM3_TO_GEOMETRIC;
        assert!(n_fm3 > 0.06 && n_fm3 < 0.09, "{n_fm3}");
    }

    #[test]
    fn rejects_non_finite_parameters() {
        let err = spectral_table(&[0.8, f64::NAN, 0.0, 0.0]).unwrap_err();
        assert!(err.to_string().contains("gamma_1"), "{err}");
    }

    #[test]
    fn energy_density_gradient_matches_finite_differences() {
        let x = 5.0;
        let g: [Dual<4>; 4] = Dual::variables(&SLY_LIKE);
        let e = energy_density(&g, x);
        for k in 0..4 {
            let h = 1e-6;
            let (mut gp, mut gm) = (SLY_LIKE, SLY_LIKE);
            gp[k] += h;
            gm[k] -= h;
            let fd = (energy_density(&gp, x) - energy_density(&gm, x)) / (2.0 * h);
            assert!(
                (e.eps[k] - fd).abs() < 1e-6 * fd.abs().max(1e-20),
                "k {k}: {} vs {fd}",
                e.eps[k]
            );
        }
    }
}
