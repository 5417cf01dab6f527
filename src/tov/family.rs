//! Mass–radius–Λ families from a tabulated EOS, built as jester's
//! `construct_family` does, plus root-found summaries (M_max, the 1.4 M☉
//! star) for any EOS.
//!
//! Family: `ndat` central pressures log-spaced from p(n = 0.75 n_sat)
//! (log–log interpolation in the table) to p_c,max; one TOV solve each;
//! M → M☉, R → km, Λ = (2/3) k₂ C⁻⁵; the branch past the first maximum is
//! replaced by the maximum-mass star and sorted by mass (jester's
//! `limit_by_MTOV`); R, Λ, p_c re-interpolated linearly onto
//! linspace(min M, max M, ndat). Summary: M_max = max M; R_1.4, Λ_1.4 =
//! linear interpolation at 1.4 M☉.

use super::lanes::{solve_stars_lanes, LANES};
use super::solver::{solve_star, EnthalpyEos, Star, TovOptions};
use super::TovError;
use crate::eos::numerics::{interp, interp_log, linspace, logspace_between};
use crate::eos::units::{FM3_TO_GEOMETRIC, NSAT_FM3, SOLAR_MASS_IN_METER};
use crate::eos::{EosTable, TableLookup};
use ferrax_autodiff::Scalar;
use std::any::Any;

/// How the largest central pressure of a family is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PcMaxRule {
    /// First table node whose construction cs² ≥ 1, else the last node
    /// (jester ≥ 0.2; the default). Tables without a construction cs² use
    /// p/e/(d ln e/d ln p).
    #[default]
    ConstructionCs2,
    /// jester 0.1.1: first node with p/e/(d ln e/d ln p) ≥ 1, else the last.
    Jester011,
}

/// Options of a family.
#[derive(Debug, Clone, Copy)]
pub struct FamilyOptions {
    /// Number of central pressures (and of the output mass grid).
    pub ndat: usize,
    /// Lowest central density / n_sat.
    pub min_nsat: f64,
    /// p_c,max rule.
    pub pc_max_rule: PcMaxRule,
    /// Per-star solver options.
    pub tov: TovOptions,
}

impl Default for FamilyOptions {
    fn default() -> Self {
        FamilyOptions {
            ndat: 100,
            min_nsat: 0.75,
            pc_max_rule: PcMaxRule::ConstructionCs2,
            tov: TovOptions::jester_default(),
        }
    }
}

/// Raw stars and the post-processed family (M☉, km).
#[derive(Debug, Clone)]
pub struct Family<T> {
    /// Central pressures solved [m⁻²].
    pub pc_raw: Vec<T>,
    /// Raw masses [M☉], per central pressure.
    pub mass_raw: Vec<T>,
    /// Raw radii [km].
    pub radius_raw_km: Vec<T>,
    /// Raw Love numbers.
    pub k2_raw: Vec<T>,
    /// Raw Λ.
    pub lambda_raw: Vec<T>,
    /// ln p_c on the mass grid.
    pub log_pc: Vec<T>,
    /// The mass grid [M☉], linspace(min M, max M, ndat).
    pub mass: Vec<T>,
    /// Radii on the mass grid [km].
    pub radius_km: Vec<T>,
    /// Λ on the mass grid.
    pub lambda: Vec<T>,
}

impl<T: Scalar> Family<T> {
    /// M_max = max of the mass grid [M☉].
    pub fn m_max(&self) -> T {
        *self.mass.last().expect("families are non-empty")
    }
    /// R(M) by linear interpolation on the family [km] (clamped).
    pub fn radius_at(&self, m: T) -> T {
        interp(m, &self.mass, &self.radius_km)
    }
    /// Λ(M) by linear interpolation on the family (clamped).
    pub fn lambda_at(&self, m: T) -> T {
        interp(m, &self.mass, &self.lambda)
    }
}

/// The central pressures of a family from a geometric table [m⁻²].
pub fn central_pressures<T: Scalar>(table: &EosTable<T>, opts: &FamilyOptions) -> Result<Vec<T>, TovError> {
    if opts.ndat < 2 {
        return Err(TovError::Invalid {
            name: "ndat".into(),
            msg: "need at least 2 stars".into(),
        });
    }
    let n_min = T::cst(opts.min_nsat * NSAT_FM3 * FM3_TO_GEOMETRIC);
    let pc_min = interp_log(n_min, &table.n, &table.p);
    let proxy: Vec<f64> = table
        .p
        .iter()
        .zip(&table.e)
        .zip(&table.dloge_dlogp)
        .map(|((p, e), d)| p.re() / e.re() / d.re())
        .collect();
    let cs2: Vec<f64> = match (opts.pc_max_rule, &table.cs2) {
        (PcMaxRule::ConstructionCs2, Some(c)) => c.iter().map(|v| v.re()).collect(),
        _ => proxy,
    };
    let idx = cs2.iter().position(|&c| c >= 1.0).unwrap_or(table.p.len() - 1);
    let pc_max = table.p[idx];
    if pc_min.re().is_nan() || pc_max.re() <= pc_min.re() {
        return Err(TovError::Invalid {
            name: "pc_max".into(),
            msg: format!(
                "p_c,max {:e} <= p_c,min {:e} (acausal below the lowest central density)",
                pc_max.re(),
                pc_min.re()
            ),
        });
    }
    Ok(logspace_between(pc_min, pc_max, opts.ndat))
}

/// jester's `limit_by_MTOV`: keeps the increasing part up to the maximum,
/// replaces the rest by the maximum-mass values, sorts by mass (stable).
fn limit_by_mtov<T: Scalar>(pc: &[T], m: &[T], r: &[T], l: &[T]) -> [Vec<T>; 4] {
    let n = m.len();
    let mut idx = 0;
    for i in 1..n {
        if m[i].re() > m[idx].re() {
            idx = i;
        }
    }
    let keep: Vec<bool> = (0..n)
        .map(|i| {
            if i > idx {
                false
            } else if i == idx {
                true
            } else {
                m[i + 1].re() - m[i].re() > 0.0
            }
        })
        .collect();
    let pick = |v: &[T]| {
        (0..n)
            .map(|i| if keep[i] { v[i] } else { v[idx] })
            .collect::<Vec<T>>()
    };
    let (pc2, m2, r2, l2) = (pick(pc), pick(m), pick(r), pick(l));
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| m2[a].re().total_cmp(&m2[b].re()));
    let re = |v: &[T]| order.iter().map(|&i| v[i]).collect::<Vec<T>>();
    [re(&pc2), re(&m2), re(&r2), re(&l2)]
}

/// Solves the family of a geometric table (lengths in m).
pub fn construct_family<T: Scalar>(table: &EosTable<T>, opts: &FamilyOptions) -> Result<Family<T>, TovError> {
    table.validate()?;
    let pcs = central_pressures(table, opts)?;
    let lookup = TableLookup::new(table);
    let stars = solve_stars(&lookup, &pcs, &opts.tov)?;
    Ok(postprocess(pcs, &stars, opts.ndat))
}

/// The stars of central pressures `pcs` of one tabulated EOS, in order; the
/// first failure (lowest index) as [`TovError::Star`]. Plain f64 tables
/// without restarts at kinks go through the lane-batched solver
/// ([`solve_stars_lanes`], [`LANES`] stars at a time, results identical to
/// [`solve_star`]); other number types and the accurate mode star by star.
pub fn solve_stars<T: Scalar>(
    lookup: &TableLookup<T>,
    pcs: &[T],
    opts: &TovOptions,
) -> Result<Vec<Star<T>>, TovError> {
    if let Some(lk) = (lookup as &dyn Any).downcast_ref::<TableLookup<f64>>() {
        // T is f64 here: re() is the value itself.
        let p: Vec<f64> = pcs.iter().map(|v| v.re()).collect();
        let stars: Vec<Star<f64>> = solve_stars_lanes::<LANES, _>(lk, &p, opts)
            .into_iter()
            .collect::<Result<_, _>>()?;
        let boxed: Box<dyn Any> = Box::new(stars);
        return Ok(*boxed.downcast::<Vec<Star<T>>>().expect("T is f64 here"));
    }
    pcs.iter()
        .enumerate()
        .map(|(i, &pc)| {
            solve_star(lookup, pc, opts).map_err(|e| TovError::Star {
                index: i,
                p_c: pc.re(),
                source: Box::new(e),
            })
        })
        .collect()
}

/// The post-processing of raw stars (geometric units) into a family.
pub fn postprocess<T: Scalar>(pcs: Vec<T>, stars: &[Star<T>], ndat: usize) -> Family<T> {
    let m: Vec<T> = stars.iter().map(|s| s.mass / SOLAR_MASS_IN_METER).collect();
    let r: Vec<T> = stars.iter().map(|s| s.radius / 1e3).collect();
    let k2: Vec<T> = stars.iter().map(|s| s.k2).collect();
    let lam: Vec<T> = stars.iter().map(|s| s.lambda).collect();
    let [pc2, m2, r2, l2] = limit_by_mtov(&pcs, &m, &r, &lam);
    let grid = linspace(m2[0], m2[m2.len() - 1], ndat, true);
    let rs = grid.iter().map(|&x| interp(x, &m2, &r2)).collect();
    let ls = grid.iter().map(|&x| interp(x, &m2, &l2)).collect();
    let ps: Vec<T> = grid.iter().map(|&x| interp(x, &m2, &pc2)).collect();
    Family {
        pc_raw: pcs,
        mass_raw: m,
        radius_raw_km: r,
        k2_raw: k2,
        lambda_raw: lam,
        log_pc: ps.iter().map(|p| p.ln()).collect(),
        mass: grid,
        radius_km: rs,
        lambda: ls,
    }
}

/// Root-found family summary (no grid interpolation), in EOS units.
#[derive(Debug, Clone, Copy)]
pub struct ExactSummary {
    /// Maximum mass.
    pub m_max: f64,
    /// Central pressure at the maximum (accurate only to ~1e-5: flat).
    pub pc_at_m_max: f64,
    /// Radius of the 1.4 M☉ star (EOS length units), if M_max > 1.4.
    pub r_1p4: Option<f64>,
    /// Λ of that star.
    pub lambda_1p4: Option<f64>,
    /// Its central pressure.
    pub pc_1p4: Option<f64>,
}

/// M_max by golden-section search in ln p_c on [pc_lo, pc_hi] (M must be
/// unimodal there), then the star of mass `m_target` (in EOS mass units) on
/// the stable branch by bisection + secant (Illinois) in ln p_c.
pub fn exact_summary<E: EnthalpyEos<f64>>(
    eos: &E,
    pc_lo: f64,
    pc_hi: f64,
    m_target: f64,
    opts: &TovOptions,
) -> Result<ExactSummary, TovError> {
    let mass = |lp: f64| solve_star(eos, lp.exp(), opts).map(|s| s.mass);
    // Bracket the maximum on a coarse grid first.
    let (a0, b0) = (pc_lo.ln(), pc_hi.ln());
    let ngrid = 24;
    let grid: Vec<f64> = (0..=ngrid)
        .map(|i| a0 + (b0 - a0) * i as f64 / ngrid as f64)
        .collect();
    let ms: Vec<f64> = grid.iter().map(|&g| mass(g)).collect::<Result<_, _>>()?;
    let imax = ms
        .iter()
        .enumerate()
        .fold(0, |b, (i, &m)| if m > ms[b] { i } else { b });
    let (mut a, mut b) = (grid[imax.saturating_sub(1)], grid[(imax + 1).min(ngrid)]);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let (mut fc, mut fd) = (mass(c)?, mass(d)?);
    while (b - a).abs() > 1e-9 {
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = mass(c)?;
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = mass(d)?;
        }
    }
    let lp_max = if fc > fd { c } else { d };
    let m_max = fc.max(fd).max(ms[imax]);
    let mut out = ExactSummary {
        m_max,
        pc_at_m_max: lp_max.exp(),
        r_1p4: None,
        lambda_1p4: None,
        pc_1p4: None,
    };
    if m_max > m_target && ms[0] < m_target {
        // Illinois false position on the stable branch [grid[0], lp_max].
        let (mut x0, mut x1) = (grid[0], lp_max);
        let (mut f0, mut f1) = (ms[0] - m_target, m_max - m_target);
        let mut side = 0;
        for _ in 0..200 {
            let x = (x0 * f1 - x1 * f0) / (f1 - f0);
            let f = mass(x)? - m_target;
            if f.abs() < 1e-15 || (x1 - x0).abs() < 1e-15 {
                x0 = x;
                f0 = f;
                break;
            }
            if f * f1 > 0.0 {
                x1 = x;
                f1 = f;
                if side == -1 {
                    f0 /= 2.0;
                }
                side = -1;
            } else {
                x0 = x;
                f0 = f;
                if side == 1 {
                    f1 /= 2.0;
                }
                side = 1;
            }
        }
        let x = if f0.abs() < f1.abs() { x0 } else { x1 };
        let s = solve_star(eos, x.exp(), opts)?;
        out.r_1p4 = Some(s.radius);
        out.lambda_1p4 = Some(s.lambda);
        out.pc_1p4 = Some(x.exp());
    }
    Ok(out)
}
