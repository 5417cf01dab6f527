//! The nuclear metamodel EOS (Margueron, Hoffmann Casali & Gulminelli,
//! Phys. Rev. C 97, 025805 (2018), "ELFc" with κ = 0) on a Douchin–Haensel
//! crust, assembled from the speed of sound as jester 0.1.1 does.
//!
//! Energy per nucleon (Margueron et al. 2018, eqs. 11–13, 22–31 with all
//! κ = 0, v_nq = 0, N = 4):
//! e = t_sat/2 (1+3x)^{2/3} f₁(δ) + Σ_{α=0}^{4} v_α(δ) x^α u_α(x)/α!,
//! x = (n − n_sat)/(3 n_sat), u_α = 1 − (−3x)^{N+1−α} e^{−b(1+3x)},
//! b = b_sat + b_sym δ², v_α = v_sat,α + v_sym2,α δ².
//! The proton fraction follows from β-equilibrium with electrons; the
//! squared sound speed from the incompressibility (nucleons + electrons);
//! p and e of the table are re-integrated from cs² and the chemical
//! potential (μ = e + p per baryon).
//!
//! [`Variant::Jester011`] reproduces jester 0.1.1, which evaluates the
//! symmetry-energy polynomial of the proton-fraction equation at the density
//! n [fm⁻³] instead of at x; [`Variant::Corrected`] (the default) evaluates
//! it at x.

use super::crust::douchin_haensel;
use super::numerics::{cubic_hermite, cumtrapz, gradient, linspace};
use super::table::EosTable;
use super::units::{HBARC_MEV_FM, M_ELECTRON_MEV, M_NEUTRON_MEV, M_NUCLEON_MEV, M_PROTON_MEV, NSAT_FM3};
use super::EosError;
use ferrax_autodiff::Scalar;
use std::f64::consts::PI;

/// Which convention for the symmetry energy in the proton-fraction equation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variant {
    /// E_sym(x) with x = (n − n_sat)/(3 n_sat) (physically correct).
    #[default]
    Corrected,
    /// jester 0.1.1: E_sym evaluated at the density n in fm⁻³.
    Jester011,
}

/// Nuclear empirical parameters [MeV].
#[derive(Debug, Clone, Copy)]
pub struct NuclearParams<T> {
    /// Saturation energy E_sat.
    pub e_sat: T,
    /// Incompressibility K_sat.
    pub k_sat: T,
    /// Skewness Q_sat.
    pub q_sat: T,
    /// Kurtosis Z_sat.
    pub z_sat: T,
    /// Symmetry energy E_sym.
    pub e_sym: T,
    /// Slope L_sym.
    pub l_sym: T,
    /// Curvature K_sym.
    pub k_sym: T,
    /// Skewness Q_sym.
    pub q_sym: T,
    /// Kurtosis Z_sym.
    pub z_sym: T,
}

impl<T: Scalar> NuclearParams<T> {
    /// Checks every parameter is finite.
    pub fn validate(&self) -> Result<(), EosError> {
        let all = [
            ("E_sat", self.e_sat),
            ("K_sat", self.k_sat),
            ("Q_sat", self.q_sat),
            ("Z_sat", self.z_sat),
            ("E_sym", self.e_sym),
            ("L_sym", self.l_sym),
            ("K_sym", self.k_sym),
            ("Q_sym", self.q_sym),
            ("Z_sym", self.z_sym),
        ];
        for (name, v) in all {
            if !v.re().is_finite() {
                return Err(EosError::param(name, "must be finite"));
            }
        }
        Ok(())
    }
}

/// Settings of the metamodel construction (jester defaults).
#[derive(Debug, Clone, Copy)]
pub struct MetamodelSettings {
    /// Lowest metamodel density / n_sat.
    pub nmin_nsat: f64,
    /// Number of metamodel grid points (grid excludes its end point).
    pub ndat: usize,
    /// Crust kept up to this density / n_sat.
    pub max_n_crust_nsat: f64,
    /// Crust kept from this density / n_sat.
    pub min_n_crust_nsat: f64,
    /// Points of the crust–core connection.
    pub ndat_spline: usize,
    /// b_sat of the cut-off function.
    pub b_sat: f64,
    /// b_sym of the cut-off function.
    pub b_sym: f64,
    /// Symmetry-energy convention of the proton fraction.
    pub variant: Variant,
}

impl Default for MetamodelSettings {
    fn default() -> Self {
        MetamodelSettings {
            nmin_nsat: 0.75,
            ndat: 200,
            max_n_crust_nsat: 0.5,
            min_n_crust_nsat: 2e-13,
            ndat_spline: 10,
            b_sat: 17.0,
            b_sym: 25.0,
            variant: Variant::Corrected,
        }
    }
}

/// The metamodel table in nuclear units before geometric conversion.
#[derive(Debug, Clone)]
pub struct NuclearTable<T> {
    /// n [fm⁻³].
    pub n: Vec<T>,
    /// p [MeV fm⁻³].
    pub p: Vec<T>,
    /// e [MeV fm⁻³].
    pub e: Vec<T>,
    /// μ [MeV].
    pub mu: Vec<T>,
    /// cs² of the construction.
    pub cs2: Vec<T>,
}

const N_EXP: i32 = 4;
const FACTORIAL: [f64; 5] = [1.0, 1.0, 2.0, 6.0, 24.0];

/// t_sat = 3ħ²/(10m) (3π² n_sat/2)^{2/3} [MeV] (ħ ≡ ħc, MeV fm).
pub fn t_sat() -> f64 {
    3.0 * HBARC_MEV_FM * HBARC_MEV_FM / (10.0 * M_NUCLEON_MEV)
        * (3.0 * PI * PI * NSAT_FM3 / 2.0).powf(2.0 / 3.0)
}

/// Real cube root of any sign.
#[inline]
fn cbrt_signed<T: Scalar>(x: T) -> T {
    x.cbrt()
}

/// Proton fraction of β-equilibrated matter: solves
/// 8E_sym y³ + ħc(3π²n)^{1/3} y − 4E_sym − (m_n − m_p) = 0, y = x_p^{1/3}
/// with Cardano's formula (the real root).
fn proton_fraction<T: Scalar>(esym: T, n: T) -> T {
    let a = esym * 8.0;
    let c = (n * (3.0 * PI * PI)).cbrt() * HBARC_MEV_FM;
    let d = esym * (-4.0) - (M_NEUTRON_MEV - M_PROTON_MEV);
    let f = (c * 3.0 / a) / 3.0;
    let g = (d * 27.0 / a) / 27.0;
    let h = g * g / 4.0 + f * f * f / 27.0;
    let sq = h.sqrt();
    let s = cbrt_signed(-(g / 2.0) + sq);
    let u = cbrt_signed(-(g / 2.0) - sq);
    let y = s + u;
    if y.re() >= 0.0 && y.re() <= 1.0 && h.re() >= 0.0 {
        y * y * y
    } else {
        T::cst(0.0)
    }
}

/// Metamodel energy per nucleon e [MeV], pressure p [MeV fm⁻³] and cs² at
/// density n [fm⁻³] with asymmetry δ.
#[allow(clippy::too_many_arguments)]
fn metamodel_point<T: Scalar>(
    n: T,
    delta: T,
    v_sat: &[T; 5],
    v_sym2: &[T; 5],
    b_sat: f64,
    b_sym: f64,
) -> (T, T, T) {
    let ts = t_sat();
    let nsat = NSAT_FM3;
    let x = (n - nsat) / (3.0 * nsat);
    let f1 = (delta + 1.0).powf(5.0 / 3.0) + delta.rsub(1.0).powf(5.0 / 3.0);
    let d2 = delta * delta;
    let v: [T; 5] = std::array::from_fn(|a| v_sat[a] + v_sym2[a] * d2);
    let b = d2 * b_sym + b_sat;
    let one3x = x * 3.0 + 1.0;
    let ex = (-(b * one3x)).exp();
    let u = |alpha: i32| ((x * -3.0).powi(N_EXP + 1 - alpha) * ex).rsub(1.0);
    // Energy per nucleon.
    let mut e_pot = T::cst(0.0);
    for alpha in 0..5 {
        e_pot = e_pot + v[alpha as usize] / FACTORIAL[alpha as usize] * x.powi(alpha) * u(alpha);
    }
    let e = one3x.powf(2.0 / 3.0) * (ts / 2.0) * f1 + e_pot;
    // Pressure.
    let p_kin = one3x.powf(5.0 / 3.0) * (nsat * ts / 3.0) * f1;
    let mut p_pot = T::cst(0.0);
    for alpha in 1..5 {
        let ua = u(alpha);
        let fac1 = ua * alpha as f64;
        let fac2 = (x * b * (-3.0) + (N_EXP + 1 - alpha) as f64) * (ua - 1.0);
        p_pot = p_pot + v[alpha as usize] / FACTORIAL[alpha as usize] * x.powi(alpha - 1) * (fac1 + fac2);
    }
    p_pot =
        p_pot - v[0] * (-3f64).powi(N_EXP + 1) * x.powi(N_EXP) * (x * b * (-3.0) + (N_EXP + 1) as f64) * ex;
    p_pot = p_pot * (nsat / 3.0) * one3x * one3x;
    let p = p_pot + p_kin;
    // Incompressibility.
    let k_kin = one3x.powf(2.0 / 3.0) * ts * (-f1);
    let mut k_pot = T::cst(0.0);
    let bx = b * x;
    let b2x2 = bx * bx;
    for alpha in 2..=N_EXP {
        let ua = u(alpha);
        let na = (N_EXP + 1 - alpha) as f64;
        let x_up = (bx * (-3.0) + na) * (ua - 1.0);
        let x2_upp = (bx * (6.0 * na) - b2x2 * 9.0 - na * (N_EXP - alpha) as f64) * ua.rsub(1.0);
        k_pot = k_pot
            + v[alpha as usize] / FACTORIAL[alpha as usize]
                * x.powi(alpha - 2)
                * (ua * (alpha * (alpha - 1)) as f64 + x_up * (2 * alpha) as f64 + x2_upp);
    }
    let nn = N_EXP as f64;
    let xn1 = x.powi(N_EXP - 1) * ex;
    k_pot = k_pot
        + v[0] * (bx * (6.0 * (nn + 1.0)) - b2x2 * 9.0 - (nn + 1.0) * nn) * (xn1 * (-3f64).powi(N_EXP + 1));
    k_pot = k_pot + v[1] * 2.0 * (bx * (-3.0) + nn) * (xn1 * (-((-3f64).powi(N_EXP))));
    k_pot = k_pot + v[1] * (bx * (6.0 * nn) - b2x2 * 9.0 - nn * (nn - 1.0)) * (xn1 * (-3f64).powi(N_EXP));
    k_pot = k_pot * one3x * one3x;
    let k = k_kin + k_pot + p * 18.0 / n;
    // Electrons.
    let kfb = (n * (3.0 * PI * PI / 2.0)).cbrt() * HBARC_MEV_FM;
    let kfe = kfb * delta.rsub(1.0).cbrt();
    let ce = M_ELECTRON_MEV.powi(4) / (8.0 * PI * PI) / HBARC_MEV_FM.powi(3);
    let xe = kfe / M_ELECTRON_MEV;
    let sq = (xe * xe + 1.0).sqrt();
    let asinh = (xe + sq).ln();
    let fe = xe * (xe * xe * 2.0 + 1.0) * sq - asinh;
    let e_el = fe * ce;
    let p_el = -e_el + xe * xe * xe * sq * (8.0 / 3.0 * ce);
    let k_el = xe * xe * xe * (xe * xe * 4.0 + 3.0) / sq * (8.0 * ce) / n - (e_el + p_el) * 9.0 / n;
    let chi = (k + k_el) / 9.0;
    let h_tot = ((e + M_NUCLEON_MEV) * n + e_el + p + p_el) / n;
    (e, p, chi / h_tot)
}

/// Builds the crust + connection + metamodel table from n_min up to (not
/// including) `nmax_fm3` (jester's `MetaModel_EOS_model.construct_eos`).
pub fn build_nuclear<T: Scalar>(
    params: &NuclearParams<T>,
    nmax_fm3: T,
    settings: &MetamodelSettings,
) -> Result<NuclearTable<T>, EosError> {
    params.validate()?;
    let nsat = NSAT_FM3;
    if nmax_fm3.re().is_nan() || nmax_fm3.re() <= settings.nmin_nsat * nsat {
        return Err(EosError::param(
            "nmax",
            format!("must exceed {} fm^-3", settings.nmin_nsat * nsat),
        ));
    }
    let ts = t_sat();
    let two23 = 2f64.powf(2.0 / 3.0);
    let v_sat = [
        params.e_sat + (-ts),
        T::cst(-ts * 2.0),
        params.k_sat + 2.0 * ts,
        params.q_sat + (-2.0 * ts * 4.0),
        params.z_sat + 56.0 * ts,
    ];
    let v_sym2 = [
        params.e_sym + (-ts * (two23 - 1.0)),
        params.l_sym + (-ts * (two23 * 2.0 - 2.0)),
        params.k_sym + (-2.0 * ts * (1.0 - two23)),
        params.q_sym + (-2.0 * ts * (two23 * 4.0 - 4.0)),
        params.z_sym + (-8.0 * ts * (two23 * -7.0 + 7.0)),
    ];
    // Crust.
    let crust = douchin_haensel();
    let (max_nc, min_nc) = (settings.max_n_crust_nsat * nsat, settings.min_n_crust_nsat * nsat);
    let keep: Vec<usize> = (0..crust.n.len())
        .filter(|&i| crust.n[i] <= max_nc && crust.n[i] >= min_nc)
        .collect();
    let nc: Vec<f64> = keep.iter().map(|&i| crust.n[i]).collect();
    let pc: Vec<f64> = keep.iter().map(|&i| crust.p[i]).collect();
    let ec: Vec<f64> = keep.iter().map(|&i| crust.e[i]).collect();
    let mu_lowest = (crust.e[0] + crust.p[0]) / crust.n[0];
    let cs2_crust = gradient(&pc, &ec);
    let max_n_crust = *nc
        .last()
        .ok_or_else(|| EosError::param("max_n_crust_nsat", "keeps no crust point"))?;
    // Grids.
    let nmin = T::cst(settings.nmin_nsat * nsat);
    let nmax = nmax_fm3 / nsat * nsat;
    let n_mm = linspace(nmin, nmax, settings.ndat, false);
    let n_conn = linspace(
        max_n_crust + 1e-5,
        settings.nmin_nsat * nsat,
        settings.ndat_spline,
        false,
    );
    // Metamodel on its grid.
    let coef = [
        params.e_sym,
        params.l_sym,
        params.k_sym / 2.0,
        params.q_sym / 6.0,
        params.z_sym / 24.0,
    ];
    let mut cs2_mm = Vec::with_capacity(n_mm.len());
    for &n in &n_mm {
        let at = match settings.variant {
            Variant::Jester011 => n,
            Variant::Corrected => (n - nsat) / (3.0 * nsat),
        };
        let esym = (((coef[4] * at + coef[3]) * at + coef[2]) * at + coef[1]) * at + coef[0];
        let xp = proton_fraction(esym, n);
        let delta = (xp * 2.0).rsub(1.0);
        let (_e, _p, cs2) = metamodel_point(n, delta, &v_sat, &v_sym2, settings.b_sat, settings.b_sym);
        cs2_mm.push(cs2);
    }
    // Connection: local cubic through crust ∪ metamodel cs2, clipped.
    let xp: Vec<T> = nc
        .iter()
        .map(|&v| T::cst(v))
        .chain(n_mm.iter().copied())
        .collect();
    let fp: Vec<T> = cs2_crust
        .iter()
        .map(|&v| T::cst(v))
        .chain(cs2_mm.iter().copied())
        .collect();
    let n_conn_t: Vec<T> = n_conn.iter().map(|&v| T::cst(v)).collect();
    let cs2_conn: Vec<T> = cubic_hermite(&n_conn_t, &xp, &fp)
        .into_iter()
        .map(|v| {
            if v.re() < 1e-5 {
                T::cst(1e-5)
            } else if v.re() > 1.0 {
                T::cst(1.0)
            } else {
                v
            }
        })
        .collect();
    let n: Vec<T> = xp[..nc.len()]
        .iter()
        .copied()
        .chain(n_conn_t)
        .chain(n_mm.iter().copied())
        .collect();
    let cs2: Vec<T> = cs2_crust
        .iter()
        .map(|&v| T::cst(v))
        .chain(cs2_conn)
        .chain(cs2_mm)
        .collect();
    if let Some(i) = cs2.iter().position(|v| !v.re().is_finite()) {
        return Err(EosError::NonFinite {
            name: "cs2 (metamodel)".into(),
            index: i,
        });
    }
    let ln_n: Vec<T> = n.iter().map(|v| v.ln()).collect();
    let mu: Vec<T> = cumtrapz(&cs2, &ln_n)
        .into_iter()
        .map(|v| (v + mu_lowest.ln()).exp())
        .collect();
    let cs2mu: Vec<T> = cs2.iter().zip(&mu).map(|(&a, &b)| a * b).collect();
    let p: Vec<T> = cumtrapz(&cs2mu, &n).into_iter().map(|v| v + pc[0]).collect();
    let e: Vec<T> = mu
        .iter()
        .zip(&n)
        .zip(&p)
        .map(|((&m, &nn), &pp)| m * nn - pp)
        .collect();
    Ok(NuclearTable { n, p, e, mu, cs2 })
}

/// The metamodel EOS as a geometric table (crust + connection + metamodel
/// up to `nmax_nsat`·n_sat), μ and cs² attached.
pub fn metamodel_table<T: Scalar>(
    params: &NuclearParams<T>,
    nmax_nsat: f64,
    settings: &MetamodelSettings,
) -> Result<EosTable<T>, EosError> {
    let nt = build_nuclear(params, T::cst(nmax_nsat * NSAT_FM3), settings)?;
    let mut t = EosTable::from_nuclear_units(&nt.n, &nt.p, &nt.e)?;
    t.mu_mev = Some(nt.mu);
    t.cs2 = Some(nt.cs2);
    Ok(t)
}
