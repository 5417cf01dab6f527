//! Metamodel + piecewise-linear speed-of-sound extension (CSE) above a break
//! density (Tews, Margueron & Reddy, Phys. Rev. C 98, 045804 (2018), sec. II
//! C; jester's `MetaModel_with_CSE_EOS_model`).
//!
//! Below n_break: the metamodel ([`super::metamodel`]), its grid ending one
//! step below n_break. Above: cs²(n) linear between nodes
//! (n_break, cs²_break), (n_i, cs2_CSE_i) for i < nb, (n_max, cs2_CSE_nb),
//! with n_i = n_break + sort(u)_i (n_max − n_break); on a log-spaced grid
//! μ = μ_break exp(∫ cs²/n dn) + 1e-6, p = p_break + ∫ cs² μ dn + 1e-6,
//! e = e_break + ∫ μ dn + 1e-6 [MeV fm⁻³] (trapezoids, jester's 1e-30 first
//! element and 1e-6 offsets included).

use super::metamodel::{build_nuclear, MetamodelSettings, NuclearParams};
use super::numerics::{cumtrapz, interp, logspace_between};
use super::table::EosTable;
use super::units::NSAT_FM3;
use super::EosError;
use ferrax_autodiff::Scalar;

/// Parameters of the metamodel + CSE EOS.
#[derive(Debug, Clone)]
pub struct CseParams<T> {
    /// The nuclear empirical parameters [MeV].
    pub nuclear: NuclearParams<T>,
    /// Break density n_break [fm⁻³].
    pub n_break: T,
    /// Node positions in [0, 1] (`n_CSE_i_u`), nb values.
    pub node_u: Vec<T>,
    /// Node cs² values (`cs2_CSE_i`), nb + 1 values (the last at n_max).
    pub node_cs2: Vec<T>,
}

/// Settings of the CSE construction (jester's inference defaults).
#[derive(Debug, Clone, Copy)]
pub struct CseSettings {
    /// Highest density / n_sat.
    pub nmax_nsat: f64,
    /// Metamodel grid points below n_break.
    pub ndat_metamodel: usize,
    /// Log-spaced CSE grid points.
    pub ndat_cse: usize,
    /// Metamodel and crust settings (`ndat` is replaced by `ndat_metamodel`).
    pub metamodel: MetamodelSettings,
}

impl Default for CseSettings {
    fn default() -> Self {
        CseSettings {
            nmax_nsat: 25.0,
            ndat_metamodel: 100,
            ndat_cse: 100,
            metamodel: MetamodelSettings::default(),
        }
    }
}

/// Builds the metamodel + CSE table (geometric units, μ [MeV] and the
/// construction's cs² attached).
pub fn metamodel_cse_table<T: Scalar>(
    params: &CseParams<T>,
    settings: &CseSettings,
) -> Result<EosTable<T>, EosError> {
    let nb = params.n_break;
    let nmax = settings.nmax_nsat * NSAT_FM3;
    if !(nb.re().is_finite() && nb.re() > settings.metamodel.nmin_nsat * NSAT_FM3 && nb.re() < nmax) {
        return Err(EosError::param(
            "nbreak",
            format!(
                "must lie in ({}, {nmax}) fm^-3",
                settings.metamodel.nmin_nsat * NSAT_FM3
            ),
        ));
    }
    if params.node_cs2.len() != params.node_u.len() + 1 {
        return Err(EosError::param(
            "cs2_CSE",
            format!(
                "need {} values (one more than n_CSE_u), got {}",
                params.node_u.len() + 1,
                params.node_cs2.len()
            ),
        ));
    }
    for (i, u) in params.node_u.iter().enumerate() {
        if !(u.re() >= 0.0 && u.re() <= 1.0) {
            return Err(EosError::param(format!("n_CSE_{i}_u"), "must lie in [0, 1]"));
        }
    }
    for (i, c) in params.node_cs2.iter().enumerate() {
        if !(c.re().is_finite() && c.re() >= 0.0) {
            return Err(EosError::param(format!("cs2_CSE_{i}"), "must be finite and >= 0"));
        }
    }
    let mm_settings = MetamodelSettings {
        ndat: settings.ndat_metamodel,
        ..settings.metamodel
    };
    let mm = build_nuclear(&params.nuclear, nb, &mm_settings)?;
    // jester converts the metamodel table to geometric units and back.
    let p_break = interp(nb, &mm.n, &mm.p);
    let e_break = interp(nb, &mm.n, &mm.e);
    let mu_break = interp(nb, &mm.n, &mm.mu);
    let cs2_break = interp(nb, &mm.n, &mm.cs2);
    // Nodes.
    let mut u = params.node_u.clone();
    u.sort_by(|a, b| a.re().total_cmp(&b.re()));
    let mut ngrid = vec![nb];
    ngrid.extend(u.iter().map(|&ui| nb + ui * (nb.rsub(nmax))));
    ngrid.push(T::cst(nmax));
    let mut cgrid = vec![cs2_break];
    cgrid.extend(params.node_cs2.iter().copied());
    let n_cse = logspace_between(nb, T::cst(nmax), settings.ndat_cse);
    let cs2_cse: Vec<T> = n_cse.iter().map(|&n| interp(n, &ngrid, &cgrid)).collect();
    let ratio: Vec<T> = cs2_cse.iter().zip(&n_cse).map(|(&c, &n)| c / n).collect();
    let mu_cse: Vec<T> = cumtrapz(&ratio, &n_cse)
        .into_iter()
        .map(|v| mu_break * v.exp() + 1e-6)
        .collect();
    let cmu: Vec<T> = cs2_cse.iter().zip(&mu_cse).map(|(&c, &m)| c * m).collect();
    let p_cse: Vec<T> = cumtrapz(&cmu, &n_cse)
        .into_iter()
        .map(|v| p_break + v + 1e-6)
        .collect();
    let e_cse: Vec<T> = cumtrapz(&mu_cse, &n_cse)
        .into_iter()
        .map(|v| e_break + v + 1e-6)
        .collect();
    let cat = |a: &[T], b: &[T]| a.iter().chain(b).copied().collect::<Vec<T>>();
    let n = cat(&mm.n, &n_cse);
    let p = cat(&mm.p, &p_cse);
    let e = cat(&mm.e, &e_cse);
    let mut t = EosTable::from_nuclear_units(&n, &p, &e)?;
    t.mu_mev = Some(cat(&mm.mu, &mu_cse));
    t.cs2 = Some(cat(&mm.cs2, &cs2_cse));
    Ok(t)
}

impl<T: Scalar> CseParams<T> {
    /// Parameters by jester's names (`E_sat`, `K_sat`, `Q_sat`, `Z_sat`,
    /// `E_sym`, `L_sym`, `K_sym`, `Q_sym`, `Z_sym`, `nbreak`, `n_CSE_i_u` for
    /// i = 0.., `cs2_CSE_i` for i = 0..=nb). `E_sat` defaults to −16 MeV; the
    /// number of nodes nb is the number of consecutive `n_CSE_i_u` found.
    pub fn from_named(get: impl Fn(&str) -> Option<T>) -> Result<Self, EosError> {
        let need = |name: &str| get(name).ok_or_else(|| EosError::param(name, "missing"));
        let nuclear = NuclearParams {
            e_sat: get("E_sat").unwrap_or(T::cst(-16.0)),
            k_sat: need("K_sat")?,
            q_sat: need("Q_sat")?,
            z_sat: need("Z_sat")?,
            e_sym: need("E_sym")?,
            l_sym: need("L_sym")?,
            k_sym: need("K_sym")?,
            q_sym: need("Q_sym")?,
            z_sym: need("Z_sym")?,
        };
        let mut node_u = Vec::new();
        while let Some(u) = get(&format!("n_CSE_{}_u", node_u.len())) {
            node_u.push(u);
        }
        let node_cs2 = (0..=node_u.len())
            .map(|i| need(&format!("cs2_CSE_{i}")))
            .collect::<Result<Vec<T>, _>>()?;
        Ok(CseParams {
            nuclear,
            n_break: need("nbreak")?,
            node_u,
            node_cs2,
        })
    }
}
