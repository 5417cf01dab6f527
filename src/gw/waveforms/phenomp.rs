//! IMRPhenomPv2: precessing inspiral-merger-ringdown model of the l = 2
//! modes, built by "twisting up" the aligned-spin IMRPhenomD (2,2) mode with
//! post-Newtonian precession angles (Hannam et al. 2014, Phys. Rev. Lett.
//! 113, 151101, arXiv:1308.3271; Schmidt, Ohme & Hannam 2015, Phys. Rev. D 91,
//! 024043, arXiv:1408.1810; the v2 implementation notes LIGO-T1500602 and
//! the source-frame conventions of LIGO-T1500606), with LALSimulation's
//! conventions
//! (`XLALSimIMRPhenomPCalculateModelParametersFromSourceFrame` followed by
//! `XLALSimIMRPhenomPFrequencySequence` and the polarisation rotation by 2ζ
//! in `XLALSimInspiralChooseFDWaveformSequence`, `IMRPhenomPv2_V`).
//!
//! Ingredients, in the order the model uses them:
//! * Spins are Cartesian in the L̂₀ frame at f_ref (z along the Newtonian
//!   orbital angular momentum, x along the separation). The aligned spins
//!   χ₁ₗ = χ₁z, χ₂ₗ = χ₂z drive IMRPhenomD; the in-plane spins enter through
//!   the single effective precession spin χ_p (Schmidt et al. 2015, Sec. III).
//! * J₀ = L₀ + S₁ + S₂ with the 2PN non-spinning L (Bohé et al. 2013,
//!   arXiv:1212.5520, Eq. 4.7, first line) fixes the J frame; from it come
//!   θ_JN, the initial precession angle α₀, the aligned-model phase
//!   φ_aligned = −φ_J and the polarisation angle ζ between the J-frame (P, Q,
//!   N) triad of Arun et al. (arXiv:0810.5336) and LAL's wave frame.
//! * IMRPhenomD with the remnant spin
//!   a_f = sign(a_∥) √(a_∥² + (χ_p m₁²/M²)²) (all in-plane spin on the larger
//!   body) for the ringdown frequencies, no PhenomD time alignment, and the
//!   phase Φ_D − 2 φ_aligned.
//! * NNLO PN precession angles α(f), ε(f) (Bohé et al. 2013; coefficients of
//!   LAL's `ComputeNNLOanglecoeffs`), referenced to f_ref; opening angle
//!   cos β = (L + S_L)/√((L + S_L)² + S_⊥²).
//! * Twisting up: h₊,ₓ = e^{−2iε} h_D/2 Σ_m [e^{−imα} d²_{−2,m}(β) ₋₂Y₂ₘ(θ_JN, 0)
//!   ± e^{imα} d²_{2,m}(β) ₋₂Y₂ₘ*(θ_JN, 0)] (Hannam et al. 2014, Eq. 1 in the
//!   frequency domain), zero above Mf = 0.2.
//! * A time shift putting the peak near t = 0: t_c = (1/2π) dφ/df at the
//!   ringdown frequency, from a natural cubic spline of the aligned phase on
//!   10 points in [0.8, 1.2] f_RD (as LAL does with GSL's `cspline`).
//!
//! Written once, generic over [`Scalar`], so derivatives with respect to
//! every parameter come from dual numbers through the same code.

use super::phenomd::{final_spin, AlignedInputs, PhenomD, F_CUT};
use super::FrequencyGrid;
use crate::gw::constants::{MTSUN_SI, PI};
use ferrax_autodiff::Scalar;

/// Tolerance below which LAL treats both arguments of an `atan2` as zero
/// (`MAX_TOL_ATAN` in LALSimIMRPhenomP.h).
pub const MAX_TOL_ATAN: f64 = 1.0e-15;
/// Number of points of the spline that fixes the time shift (LAL's `n_fixed`).
pub const N_TIME_SHIFT_POINTS: usize = 10;

/// The parameters of a precessing binary as LAL takes them (L̂₀ frame at
/// f_ref).
#[derive(Debug, Clone, Copy)]
pub struct PrecessingInputs<T> {
    /// Mass of body 1 [M☉].
    pub m1: T,
    /// Mass of body 2 [M☉].
    pub m2: T,
    /// Dimensionless spin of body 1, Cartesian components (x, y, z).
    pub chi1: [T; 3],
    /// Dimensionless spin of body 2, Cartesian components (x, y, z).
    pub chi2: [T; 3],
    /// Luminosity distance [Mpc].
    pub distance_mpc: T,
    /// Inclination ι [rad]: angle between L̂₀ and the line of sight.
    pub inclination: T,
    /// Reference orbital phase φ_ref [rad].
    pub phi_ref: T,
}

/// The IMRPhenomP model parameters derived from the source-frame inputs
/// (LAL's `XLALSimIMRPhenomPCalculateModelParametersFromSourceFrame`).
#[derive(Debug, Clone, Copy)]
pub struct ModelParameters<T> {
    /// Aligned spin of body 1 (input labelling).
    pub chi1_l: T,
    /// Aligned spin of body 2 (input labelling).
    pub chi2_l: T,
    /// Effective precession spin χ_p (Schmidt et al. 2015, Sec. III).
    pub chip: T,
    /// Angle between J₀ and the line of sight [rad].
    pub theta_jn: T,
    /// Initial azimuthal precession angle α₀ [rad].
    pub alpha0: T,
    /// Orbital phase passed to the aligned-spin model [rad].
    pub phi_aligned: T,
    /// Polarisation rotation angle ζ [rad].
    pub zeta_polariz: T,
}

/// Orbital angular momentum at 2PN without spin terms, in units of M²
/// (LAL's `L2PNR`; Bohé et al. 2013, Eq. 4.7, first line):
/// `L = η (1 + (3/2 + η/6) x + (27/8 − 19η/8 − η²/24) x²)/√x`, x = v²,
/// v = (π M f)^(1/3).
pub fn l_2pn<T: Scalar>(v: T, eta: T) -> T {
    let x = v * v;
    let eta2 = eta * eta;
    eta * (x * (eta / 6.0 + 1.5) + x * x * (eta * (-19.0 / 8.0) - eta2 / 24.0 + 3.375) + 1.0) / v
}

/// √(a² + b²) with a zero derivative where both vanish (the in-plane spin
/// magnitude is not differentiable at zero; this keeps the other
/// derivatives finite).
#[inline]
fn safe_hypot<T: Scalar>(a: T, b: T) -> T {
    let r2 = a * a + b * b;
    if r2.re() == 0.0 {
        T::cst(0.0)
    } else {
        r2.sqrt()
    }
}

/// `atan2(a, b)`, or 0 when both are below `tol` (LAL's `atan2tol`).
#[inline]
fn atan2tol<T: Scalar>(a: T, b: T, tol: f64) -> T {
    if a.re().abs() < tol && b.re().abs() < tol {
        T::cst(0.0)
    } else {
        a.atan2(&b)
    }
}

/// Rotation about z by `(c, s) = (cos, sin)` of the angle (LAL's `ROTATEZ`).
#[inline]
fn rot_z<T: Scalar>(v: [T; 3], c: T, s: T) -> [T; 3] {
    [v[0] * c - v[1] * s, v[0] * s + v[1] * c, v[2]]
}

/// Rotation about y by `(c, s) = (cos, sin)` of the angle (LAL's `ROTATEY`).
#[inline]
fn rot_y<T: Scalar>(v: [T; 3], c: T, s: T) -> [T; 3] {
    [v[0] * c + v[2] * s, v[1], -(v[0] * s) + v[2] * c]
}

/// Maps source-frame masses [M☉], spins, φ_ref and ι at `f_ref` [Hz] to the
/// IMRPhenomPv2 model parameters (LAL's
/// `XLALSimIMRPhenomPCalculateModelParametersFromSourceFrame`; see Fig. 1 of
/// arXiv:1408.1810 for the angles). Inputs must be validated.
pub fn model_parameters<T: Scalar>(p: &PrecessingInputs<T>, f_ref: f64) -> ModelParameters<T> {
    let (m1, m2) = (p.m1, p.m2);
    let [s1x, s1y, s1z] = p.chi1;
    let [s2x, s2y, s2z] = p.chi2;
    let m = m1 + m2;
    let m1_2 = m1 * m1;
    let m2_2 = m2 * m2;
    let eta = m1 * m2 / (m * m);

    // χ_p = max(A₁ S₁⊥, A₂ S₂⊥)/(A_i m_i²), i the larger body.
    let s1_perp = m1_2 * safe_hypot(s1x, s1y);
    let s2_perp = m2_2 * safe_hypot(s2x, s2y);
    let a1 = m2 * 1.5 / m1 + 2.0;
    let a2 = m1 * 1.5 / m2 + 2.0;
    let (asp1, asp2) = (a1 * s1_perp, a2 * s2_perp);
    let num = if asp2.re() > asp1.re() { asp2 } else { asp1 };
    let den = if m2.re() > m1.re() { a2 * m2_2 } else { a1 * m1_2 };
    let chip = num / den;

    // J₀ in the source frame (units of M☉²).
    let v_ref = (m * (MTSUN_SI * PI * f_ref)).cbrt();
    let l0 = m * m * l_2pn(v_ref, eta);
    let jx = m1_2 * s1x + m2_2 * s2x;
    let jy = m1_2 * s1y + m2_2 * s2y;
    let jz = l0 + m1_2 * s1z + m2_2 * s2z;
    let j_perp = safe_hypot(jx, jy);
    let j0 = (jx * jx + jy * jy + jz * jz).sqrt();
    // θ_J = acos(J_z/|J|), written as an atan2 (same value, finite derivative
    // in the aligned limit).
    let theta_j = if j0.re() < 1e-10 {
        T::cst(0.0)
    } else {
        j_perp.atan2(&jz)
    };
    let phi_j = if jx.re().abs() < MAX_TOL_ATAN && jy.re().abs() < MAX_TOL_ATAN {
        p.phi_ref.rsub(PI / 2.0) // aligned-spin limit
    } else {
        jy.atan2(&jx)
    };
    let phi_aligned = -phi_j;

    // Rotation to the J frame: RZ[κ]·RY[−θ_J]·RZ[−φ_J].
    let (s_pj, c_pj) = (-phi_j).sin_cos();
    let (s_tj, c_tj) = (-theta_j).sin_cos();
    let to_j_partial = |v: [T; 3]| rot_y(rot_z(v, c_pj, s_pj), c_tj, s_tj);
    let (sin_i, cos_i) = p.inclination.sin_cos();
    let azim = p.phi_ref.rsub(PI / 2.0);
    let (s_az, c_az) = azim.sin_cos();
    let n_sf = [sin_i * c_az, sin_i * s_az, cos_i];
    let n_tmp = to_j_partial(n_sf);
    let kappa = -atan2tol(n_tmp[1], n_tmp[0], MAX_TOL_ATAN);
    let (s_k, c_k) = kappa.sin_cos();
    let to_j = |v: [T; 3]| rot_z(to_j_partial(v), c_k, s_k);

    let zero = T::cst(0.0);
    let l_j = to_j([zero, zero, T::cst(1.0)]);
    let alpha0 = if l_j[0].re().abs() < MAX_TOL_ATAN && l_j[1].re().abs() < MAX_TOL_ATAN {
        T::cst(PI) // aligned-spin case
    } else {
        l_j[1].atan2(&l_j[0])
    };

    let n_j = rot_z(n_tmp, c_k, s_k);
    // θ_JN = acos(N_z) in the J frame, as an atan2 of the same unit vector.
    let theta_jn = safe_hypot(n_j[0], n_j[1]).atan2(&n_j[2]);

    // ζ: polar angle of LAL's X axis in the (P, Q) basis, P = (0,−1,0),
    // Q = N × P = (N_z, 0, −N_x) in the J frame.
    let (sin_phi, cos_phi) = p.phi_ref.sin_cos();
    let x_sf = [-(cos_i * sin_phi), -(cos_i * cos_phi), sin_i];
    let x_j = to_j(x_sf);
    let x_dot_p = -x_j[1];
    let x_dot_q = x_j[0] * n_j[2] - x_j[2] * n_j[0];
    let zeta_polariz = x_dot_q.atan2(&x_dot_p);

    ModelParameters {
        chi1_l: s1z,
        chi2_l: s2z,
        chip,
        theta_jn,
        alpha0,
        phi_aligned,
        zeta_polariz,
    }
}

/// Coefficients of the NNLO precession angles
/// `α(ω) = c₁/ω + c₂/ω^{2/3} + c₃/ω^{1/3} + c₄ ln ω + c₅ ω^{1/3}` (same
/// form for ε), ω = π M f (Bohé et al. 2013; LAL's `ComputeNNLOanglecoeffs`),
/// for mass ratio q = m_large/m_small ≥ 1, aligned spin `chil` of the larger
/// body and in-plane spin `chip`.
pub fn nnlo_angle_coeffs<T: Scalar>(q: T, chil: T, chip: T) -> ([T; 5], [T; 5]) {
    let m2 = q / (q + 1.0);
    let m1 = (q + 1.0).recip();
    let dm = m1 - m2;
    let eta = m1 * m2;
    let eta2 = eta * eta;
    let eta3 = eta2 * eta;
    let eta4 = eta3 * eta;
    let chil2 = chil * chil;
    let chip2 = chip * chip;
    let chip4 = chip2 * chip2;
    let dm2 = dm * dm;
    let dm3 = dm2 * dm;
    let m2_2 = m2 * m2;
    let m2_3 = m2_2 * m2;
    let m2_4 = m2_3 * m2;
    let m2_5 = m2_4 * m2;
    let m2_6 = m2_5 * m2;
    let m2_7 = m2_6 * m2;
    let m2_8 = m2_7 * m2;
    let pi = PI;

    let c1 = dm * (-5.0) / (m2 * 64.0) - 0.18229166666666666;
    let c2 = dm * m2 * chil * (-15.0) / (eta * 128.0) - m2_2 * chil * 35.0 / (eta * 128.0);
    let c3_common = dm * (-4555.0) / (m2 * 7168.0)
        - eta * (515.0 / 384.0)
        - dm2 * eta * 15.0 / (m2_2 * 256.0)
        - dm * eta * 175.0 / (m2 * 256.0)
        - 1.7952473958333333;
    let c3_alpha =
        c3_common - chip2 * dm * m2_3 * 15.0 / (eta2 * 128.0) - chip2 * m2_4 * 35.0 / (eta2 * 128.0);
    let c4_common = dm * (-5.0 * pi) / (m2 * 16.0)
        + dm2 * chil * (5.0 / 16.0)
        + dm * m2 * chil * (5.0 / 3.0)
        + m2_2 * chil * (2545.0 / 1152.0)
        + dm * m2 * chil * 2035.0 / (eta * 21504.0)
        + m2_2 * chil * 2995.0 / (eta * 9216.0)
        - 35.0 * pi / 48.0;
    let c4_alpha = c4_common
        - chip2 * dm * m2_5 * chil * 5.0 / (eta3 * 128.0)
        - chip2 * m2_6 * chil * 35.0 / (eta3 * 384.0);
    let c5_common = dm * 27895885.0 / (m2 * 2.1676032e7)
        + eta * (39695.0 / 86016.0)
        + dm2 * eta * 1615.0 / (m2_2 * 28672.0)
        - dm * eta * 265.0 / (m2 * 14336.0)
        + eta2 * (955.0 / 576.0)
        + dm3 * eta2 * 15.0 / (m2_3 * 1024.0)
        + dm2 * eta2 * 35.0 / (m2_2 * 256.0)
        + dm * eta2 * 2725.0 / (m2 * 3072.0)
        - dm * m2 * chil * (15.0 * pi) / (eta * 16.0)
        - m2_2 * chil * (35.0 * pi) / (eta * 16.0)
        + dm2 * m2_2 * chil2 * 375.0 / (eta * 256.0)
        + dm * m2_3 * chil2 * 1815.0 / (eta * 256.0)
        + m2_4 * chil2 * 1645.0 / (eta * 192.0)
        + 4.318908476114694;
    let c5_alpha = c5_common
        - chip4 * dm * m2_7 * 15.0 / (eta4 * 512.0)
        - chip4 * m2_8 * 35.0 / (eta4 * 512.0)
        - chip2 * dm * m2_3 * 485.0 / (eta2 * 14336.0)
        + chip2 * m2_4 * 475.0 / (eta2 * 6144.0)
        + chip2 * dm2 * m2_2 * 15.0 / (eta * 256.0)
        + chip2 * dm * m2_3 * 145.0 / (eta * 512.0)
        + chip2 * m2_4 * 575.0 / (eta * 1536.0)
        + chip2 * dm * m2_7 * chil2 * 15.0 / (eta4 * 128.0)
        + chip2 * m2_8 * chil2 * 35.0 / (eta4 * 128.0);
    (
        [c1, c2, c3_alpha, c4_alpha, c5_alpha],
        [c1, c2, c3_common, c4_common, c5_common],
    )
}

/// The NNLO angle series at ω^{1/3} = `w3`, ln ω = `ln_w`.
#[inline]
fn angle_series<T: Scalar>(c: &[T; 5], w3: T, ln_w: T) -> T {
    let inv3 = w3.recip();
    let inv23 = inv3 * inv3;
    c[0] * inv23 * inv3 + c[1] * inv23 + c[2] * inv3 + c[3] * ln_w + c[4] * w3
}

/// Derivative at `x` of the natural cubic spline through `(xs, ys)` (GSL's
/// `cspline`, natural boundary conditions), knots strictly increasing.
pub fn natural_spline_derivative<T: Scalar>(xs: &[T], ys: &[T], x: T) -> T {
    let n = xs.len();
    let h: Vec<T> = (0..n - 1).map(|i| xs[i + 1] - xs[i]).collect();
    // Second derivatives M_i with M_0 = M_{n-1} = 0 (Thomas algorithm).
    let mut m = vec![T::cst(0.0); n];
    if n > 2 {
        let k = n - 2;
        let mut diag = vec![T::cst(0.0); k];
        let mut rhs = vec![T::cst(0.0); k];
        for j in 0..k {
            let i = j + 1;
            diag[j] = (h[i - 1] + h[i]) * 2.0;
            rhs[j] = ((ys[i + 1] - ys[i]) / h[i] - (ys[i] - ys[i - 1]) / h[i - 1]) * 6.0;
        }
        for j in 1..k {
            let w = h[j] / diag[j - 1];
            diag[j] = diag[j] - w * h[j];
            rhs[j] = rhs[j] - w * rhs[j - 1];
        }
        m[k] = rhs[k - 1] / diag[k - 1];
        for j in (0..k - 1).rev() {
            m[j + 1] = (rhs[j] - h[j + 1] * m[j + 2]) / diag[j];
        }
    }
    // Interval i with xs[i] <= x < xs[i+1] (clamped to the ends).
    let xr = x.re();
    let mut i = 0;
    while i + 2 < n && xr >= xs[i + 1].re() {
        i += 1;
    }
    let hi = h[i];
    let a = xs[i + 1] - x;
    let b = x - xs[i];
    -(m[i] * a * a) / (hi * 2.0) + m[i + 1] * b * b / (hi * 2.0) + (ys[i + 1] - ys[i]) / hi
        - (m[i + 1] - m[i]) * hi / 6.0
}

/// IMRPhenomPv2 prepared for one parameter set.
#[derive(Debug, Clone)]
pub struct PhenomPv2<T> {
    /// The underlying IMRPhenomD (2,2) model (precessing-core conventions).
    core: PhenomD<T>,
    /// The derived model parameters.
    pub model: ModelParameters<T>,
    alpha_c: [T; 5],
    eps_c: [T; 5],
    /// α offset (NNLO value at f_ref minus α₀), subtracted from α(f).
    alpha_offset: T,
    /// ε offset (NNLO value at f_ref), subtracted from ε(f).
    eps_offset: T,
    /// ₋₂Y₂ₘ(θ_JN, 0) for m = −2..2 (real).
    ylm: [T; 5],
    eta: T,
    /// Aligned spin angular momentum S_L in units of M².
    s_l: T,
    /// In-plane spin S_⊥ = χ_p m_large² in units of M².
    s_perp: T,
    /// (π M)^(1/3) and ln(π M), M in s.
    pi_m_third: T,
    ln_pi_m: T,
    /// Time shift t_c [s] applied as e^{−2πi f t_c}.
    pub t_corr: T,
    cos_2zeta: T,
    sin_2zeta: T,
    /// Frequency [Hz] above which the model is zero (Mf = 0.2).
    pub f_cut: f64,
}

impl<T: Scalar> PhenomPv2<T> {
    /// Prepares the model at reference frequency `f_ref` [Hz] (inputs must be
    /// validated: positive masses, |χ_i| < 1).
    pub fn new(p: &PrecessingInputs<T>, f_ref: f64) -> Self {
        let model = model_parameters(p, f_ref);
        // LAL's PhenomPCore convention: body 2 is the heavier one.
        let (m_light, m_heavy, chi_light, chi_heavy) = if p.m2.re() >= p.m1.re() {
            (p.m1, p.m2, model.chi1_l, model.chi2_l)
        } else {
            (p.m2, p.m1, model.chi2_l, model.chi1_l)
        };
        let m = m_light + m_heavy;
        let q = m_heavy / m_light;
        let mut eta = m_light * m_heavy / (m * m);
        if eta.re() > 0.25 {
            eta = eta - (eta.re() - 0.25);
        }
        let m_sec = m * MTSUN_SI;
        let chip = model.chip;

        // Remnant spin with all in-plane spin on the larger body
        // (LAL's FinalSpinIMRPhenomD_all_in_plane_spin_on_larger_BH).
        let af_par = final_spin(eta, chi_heavy, chi_light);
        let q_factor = m_heavy / m;
        let s_perp_f = chip * q_factor * q_factor;
        let mut af = (s_perp_f * s_perp_f + af_par * af_par).sqrt();
        if af_par.re() < 0.0 {
            af = -af;
        }
        if af.re().abs() > 1.0 {
            af = T::cst(af.re().signum());
        }
        let core = PhenomD::prepare_with_final_spin(
            &AlignedInputs {
                m1: m_heavy,
                m2: m_light,
                chi1: chi_heavy,
                chi2: chi_light,
                distance_mpc: p.distance_mpc,
                phi_ref: T::cst(0.0),
            },
            f_ref,
            T::cst(1.0),
            T::cst(1.0),
            Some(af),
        )
        .into_precessing_core(model.phi_aligned);

        // NNLO angles and their values at f_ref.
        let chi_eff = (m_light * chi_light + m_heavy * chi_heavy) / m;
        let chil = (q + 1.0) / q * chi_eff;
        let (alpha_c, eps_c) = nnlo_angle_coeffs(q, chil, chip);
        let pi_m = m_sec * PI;
        let w_ref = pi_m * f_ref;
        let (w3_ref, ln_w_ref) = (w_ref.cbrt(), w_ref.ln());
        let alpha_offset = angle_series(&alpha_c, w3_ref, ln_w_ref) - model.alpha0;
        let eps_offset = angle_series(&eps_c, w3_ref, ln_w_ref);

        // ₋₂Y₂ₘ(θ_JN, φ = 0), m = −2..2.
        let (st, ct) = model.theta_jn.sin_cos();
        let k2 = (5.0 / (64.0 * PI)).sqrt();
        let k1 = (5.0 / (16.0 * PI)).sqrt();
        let k0 = (15.0 / (32.0 * PI)).sqrt();
        let omc = ct.rsub(1.0);
        let opc = ct + 1.0;
        let ylm = [
            omc * omc * k2,
            st * omc * k1,
            st * st * k0,
            st * opc * k1,
            opc * opc * k2,
        ];

        // Spins in units of M² for the opening angle.
        let (x_light, x_heavy) = (m_light / m, m_heavy / m);
        let s_l = chi_light * x_light * x_light + chi_heavy * x_heavy * x_heavy;
        let s_perp = chip * x_heavy * x_heavy;

        // Time shift from the aligned phase near the ringdown frequency.
        let f_final_mf = core.f_rd;
        let start = f_final_mf * 0.8;
        let mut stop = f_final_mf * 1.2;
        if stop.re() > F_CUT {
            stop = T::cst(F_CUT);
        }
        let step = (stop - start) / (N_TIME_SHIFT_POINTS - 1) as f64;
        let xs: Vec<T> = (0..N_TIME_SHIFT_POINTS)
            .map(|i| start + step * i as f64)
            .collect();
        // LAL's `phasing` is −Ψ (Ψ including −2φ_c).
        let ys: Vec<T> = xs
            .iter()
            .map(|&mf| -(core.phase_mf(mf) - model.phi_aligned * 2.0))
            .collect();
        let t_corr = natural_spline_derivative(&xs, &ys, f_final_mf) * m_sec / (2.0 * PI);

        let (s2z, c2z) = (model.zeta_polariz * 2.0).sin_cos();
        Self {
            core,
            model,
            alpha_c,
            eps_c,
            alpha_offset,
            eps_offset,
            ylm,
            eta,
            s_l,
            s_perp,
            pi_m_third: pi_m.cbrt(),
            ln_pi_m: pi_m.ln(),
            t_corr,
            cos_2zeta: c2z,
            sin_2zeta: s2z,
            f_cut: F_CUT / m_sec.re(),
        }
    }

    /// `[Re h+, Im h+, Re h×, Im h×]` at `f` [Hz] given f^(1/3) and ln f
    /// (zero for f ≤ 0 and above Mf = 0.2, [`PhenomPv2::f_cut`]; where the
    /// cut lies below the lowest requested frequency LAL refuses to generate,
    /// while this returns zeros).
    #[inline]
    pub fn polarizations_at(&self, f: f64, f_third: f64, ln_f: f64) -> [T; 4] {
        if f <= 0.0 || f > self.f_cut {
            return [T::cst(0.0); 4];
        }
        let (amp, psi) = self.core.amp_phase_grid(f, f_third, ln_f);
        // Precession angles at ω = π M f.
        let w3 = self.pi_m_third * f_third;
        let ln_w = self.ln_pi_m + ln_f;
        let alpha = angle_series(&self.alpha_c, w3, ln_w) - self.alpha_offset;
        let eps = angle_series(&self.eps_c, w3, ln_w) - self.eps_offset;
        // Opening angle: s = S_⊥/(L + S_L), cos β = 1/√(1 + s²);
        // cos(β/2), sin(β/2) in a form without cancellation at small s.
        let s = self.s_perp / (l_2pn(w3, self.eta) + self.s_l);
        let r = (s * s + 1.0).sqrt();
        let c_half = ((r.recip() + 1.0) * 0.5).sqrt();
        let s_half = s.abs() / ((r + 1.0) * r * 2.0).sqrt();
        let (c2, s2) = (c_half * c_half, s_half * s_half);
        // d²_{2,m}(−β), m = −2..2, and d²_{−2,m} = (−1)^m d²_{2,−m}.
        let d2 = [
            s2 * s2,
            c_half * s2 * s_half * 2.0,
            s2 * c2 * 6f64.sqrt(),
            c2 * c_half * s_half * 2.0,
            c2 * c2,
        ];
        let dm2 = [d2[4], -d2[3], d2[2], -d2[1], d2[0]];
        let (sa, ca) = alpha.sin_cos();
        let (sa2, ca2) = (sa * ca * 2.0, ca * ca - sa * sa);
        // cos(mα), sin(mα) for m = −2..2.
        let cm = [ca2, ca, T::cst(1.0), ca, ca2];
        let sm = [-sa2, -sa, T::cst(0.0), sa, sa2];
        let (mut hp_re, mut hp_im, mut hc_re, mut hc_im) =
            (T::cst(0.0), T::cst(0.0), T::cst(0.0), T::cst(0.0));
        for k in 0..5 {
            let y = self.ylm[k];
            let sum = (dm2[k] + d2[k]) * y;
            let diff = (d2[k] - dm2[k]) * y;
            // Σ e^{−imα} d_{−2,m} Y + e^{imα} d_{2,m} Y and i(… − …).
            hp_re = hp_re + cm[k] * sum;
            hp_im = hp_im + sm[k] * diff;
            hc_re = hc_re + sm[k] * sum;
            hc_im = hc_im - cm[k] * diff;
        }
        // e^{−2iε} h_D/2 e^{−2πi f t_c}, h_D = A e^{−iΨ}.
        let phase = -(eps * 2.0 + psi + self.t_corr * (2.0 * PI * f));
        let (sp, cp) = phase.sin_cos();
        let (fr, fi) = (amp * 0.5 * cp, amp * 0.5 * sp);
        let (p_re, p_im) = (fr * hp_re - fi * hp_im, fr * hp_im + fi * hp_re);
        let (c_re, c_im) = (fr * hc_re - fi * hc_im, fr * hc_im + fi * hc_re);
        // Rotation from the (P, Q) triad to LAL's wave frame.
        let (cz, sz) = (self.cos_2zeta, self.sin_2zeta);
        [
            cz * p_re + sz * c_re,
            cz * p_im + sz * c_im,
            cz * c_re - sz * p_re,
            cz * c_im - sz * p_im,
        ]
    }

    /// Polarisations at the given frequencies [Hz].
    pub fn polarizations(&self, freqs: &[f64]) -> Vec<[T; 4]> {
        freqs
            .iter()
            .map(|&f| self.polarizations_at(f, f.cbrt(), f.ln()))
            .collect()
    }

    /// Polarisations on a cached [`FrequencyGrid`], written into `out`.
    pub fn polarizations_grid(&self, grid: &FrequencyGrid, out: &mut Vec<[T; 4]>) {
        out.clear();
        out.extend(
            (0..grid.f.len()).map(|k| self.polarizations_at(grid.f[k], grid.f_third[k], grid.ln_f[k])),
        );
    }
}
