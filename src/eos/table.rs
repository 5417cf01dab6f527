//! Tabulated EOS: jester's table post-processing (`interpolate_eos`) and the
//! interpolation the TOV solver reads (log–log for p(h), e(h); lin–lin for
//! d ln e / d ln p), generic over the number type.

use super::numerics::{cumtrapz, interp_in_interval};
use super::piecewise::{PieceValue, PowerLawPieces};

use super::units::{FM3_TO_GEOMETRIC, MEV_FM3_TO_GEOMETRIC};
use super::EosError;
use ferrax_autodiff::Scalar;

/// An EOS table in geometric units (G = c = 1, SI lengths): what the TOV
/// solver consumes.
#[derive(Debug, Clone)]
pub struct EosTable<T> {
    /// Number density [m⁻³].
    pub n: Vec<T>,
    /// Pressure [m⁻²].
    pub p: Vec<T>,
    /// Pseudo-enthalpy h = ∫ dp/(e+p) (dimensionless; first node 1e-30).
    pub h: Vec<T>,
    /// Total energy density incl. rest mass [m⁻²].
    pub e: Vec<T>,
    /// d ln e / d ln p (forward differences, first node copied).
    pub dloge_dlogp: Vec<T>,
    /// Chemical potential [MeV] where the construction provides it.
    pub mu_mev: Option<Vec<T>>,
    /// Squared sound speed of the construction (dimensionless), if provided.
    pub cs2: Option<Vec<T>>,
}

impl<T: Scalar> EosTable<T> {
    /// jester's `interpolate_eos`: converts n [fm⁻³], p, e [MeV fm⁻³] to
    /// geometric units, h = cumtrapz(p/(e+p), ln p) with first element 1e-30,
    /// d ln e/d ln p by forward differences (first element copied).
    ///
    /// Errors name the offending array: empty or length mismatch, NaN/Inf,
    /// non-positive or non-increasing pressure, non-positive energy density.
    pub fn from_nuclear_units(n_fm3: &[T], p_mev_fm3: &[T], e_mev_fm3: &[T]) -> Result<Self, EosError> {
        validate_columns(n_fm3, p_mev_fm3, e_mev_fm3)?;
        let n: Vec<T> = n_fm3.iter().map(|&v| v * FM3_TO_GEOMETRIC).collect();
        let p: Vec<T> = p_mev_fm3.iter().map(|&v| v * MEV_FM3_TO_GEOMETRIC).collect();
        let e: Vec<T> = e_mev_fm3.iter().map(|&v| v * MEV_FM3_TO_GEOMETRIC).collect();
        let integrand: Vec<T> = p.iter().zip(&e).map(|(&pi, &ei)| pi / (ei + pi)).collect();
        let lnp: Vec<T> = p.iter().map(|v| v.ln()).collect();
        let h = cumtrapz(&integrand, &lnp);
        let m = n.len();
        let mut d = Vec::with_capacity(m);
        for i in 1..m {
            d.push((e_mev_fm3[i].ln() - e_mev_fm3[i - 1].ln()) / (p_mev_fm3[i].ln() - p_mev_fm3[i - 1].ln()));
        }
        d.insert(0, d[0]);
        let t = EosTable {
            n,
            p,
            h,
            e,
            dloge_dlogp: d,
            mu_mev: None,
            cs2: None,
        };
        t.validate()?;
        Ok(t)
    }

    /// A table from geometric columns as stored (n [m⁻³], p, e [m⁻²], h,
    /// d ln e/d ln p), e.g. one produced elsewhere; validated.
    pub fn from_geometric(
        n: Vec<T>,
        p: Vec<T>,
        h: Vec<T>,
        e: Vec<T>,
        dloge_dlogp: Vec<T>,
        cs2: Option<Vec<T>>,
    ) -> Result<Self, EosError> {
        let m = p.len();
        if [n.len(), h.len(), e.len(), dloge_dlogp.len()]
            .iter()
            .any(|&l| l != m)
            || cs2.as_ref().is_some_and(|c| c.len() != m)
        {
            return Err(EosError::LengthMismatch {
                n: n.len(),
                p: m,
                e: e.len(),
            });
        }
        let t = EosTable {
            n,
            p,
            h,
            e,
            dloge_dlogp,
            mu_mev: None,
            cs2,
        };
        t.validate()?;
        Ok(t)
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.p.len()
    }
    /// True for a table without nodes (never produced by the constructors).
    pub fn is_empty(&self) -> bool {
        self.p.is_empty()
    }

    /// Checks the geometric table: finite, p and h strictly increasing, e > 0.
    pub fn validate(&self) -> Result<(), EosError> {
        if self.p.len() < 2 {
            return Err(EosError::EmptyTable);
        }
        for (name, col) in [
            ("p", &self.p),
            ("h", &self.h),
            ("e", &self.e),
            ("dloge_dlogp", &self.dloge_dlogp),
        ] {
            if let Some(i) = col.iter().position(|v| !v.re().is_finite()) {
                return Err(EosError::NonFinite {
                    name: name.into(),
                    index: i,
                });
            }
        }
        for (name, col) in [("p", &self.p), ("h", &self.h)] {
            if let Some(i) = (1..col.len()).find(|&i| col[i].re() <= col[i - 1].re()) {
                return Err(EosError::NotIncreasing {
                    name: name.into(),
                    index: i,
                });
            }
        }
        if let Some(i) = self.e.iter().position(|v| v.re() <= 0.0) {
            return Err(EosError::NonPositive {
                name: "e".into(),
                index: i,
            });
        }
        Ok(())
    }

    /// The same table with plain values (derivatives dropped).
    pub fn to_f64(&self) -> EosTable<f64> {
        let c = |v: &Vec<T>| v.iter().map(|x| x.re()).collect::<Vec<f64>>();
        EosTable {
            n: c(&self.n),
            p: c(&self.p),
            h: c(&self.h),
            e: c(&self.e),
            dloge_dlogp: c(&self.dloge_dlogp),
            mu_mev: self.mu_mev.as_ref().map(c),
            cs2: self.cs2.as_ref().map(c),
        }
    }
}

/// Checks raw EOS columns (any units): same non-zero length, finite,
/// p, e > 0, p strictly increasing.
pub fn validate_columns<T: Scalar>(n: &[T], p: &[T], e: &[T]) -> Result<(), EosError> {
    if n.is_empty() || p.is_empty() || e.is_empty() {
        return Err(EosError::EmptyTable);
    }
    if n.len() != p.len() || n.len() != e.len() {
        return Err(EosError::LengthMismatch {
            n: n.len(),
            p: p.len(),
            e: e.len(),
        });
    }
    if n.len() < 2 {
        return Err(EosError::EmptyTable);
    }
    for (name, col) in [("n", n), ("p", p), ("e", e)] {
        if let Some(i) = col.iter().position(|v| !v.re().is_finite()) {
            return Err(EosError::NonFinite {
                name: name.into(),
                index: i,
            });
        }
        if let Some(i) = col.iter().position(|v| v.re() <= 0.0) {
            return Err(EosError::NonPositive {
                name: name.into(),
                index: i,
            });
        }
    }
    if let Some(i) = (1..p.len()).find(|&i| p[i].re() <= p[i - 1].re()) {
        return Err(EosError::NotIncreasing {
            name: "p".into(),
            index: i,
        });
    }
    Ok(())
}

/// The table prepared for fast lookups at a pseudo-enthalpy: logarithms
/// and per-interval slopes precomputed, one bracket search (started from
/// the previous bracket: the integration moves monotonically) serving all
/// three quantities. The values of e(h) and p(h) come from local Taylor
/// polynomials of the log–log interpolant ([`PowerLawPieces`], ≈ 1e-14
/// relative, O(1) index, no exp/ln) wherever they cover h; derivatives
/// (dual and tape numbers) are the exact ones of the log–log formula.
#[derive(Debug, Clone)]
pub struct TableLookup<T> {
    h: Vec<T>,
    ln_h: Vec<T>,
    ln_p: Vec<T>,
    ln_e: Vec<T>,
    dloge_dlogp: Vec<T>,
    /// Per interval i (nodes i−1, i): d ln e/d ln h, d ln p/d ln h, d(dloge)/dh.
    slope_e: Vec<T>,
    slope_p: Vec<T>,
    slope_d: Vec<T>,
    h_re: Vec<f64>,
    ln_p_re: Vec<f64>,
    hint: std::cell::Cell<usize>,
    pieces: Option<PowerLawPieces>,
}

/// (e, p, de/dp, de/dh) at one pseudo-enthalpy.
#[derive(Debug, Clone, Copy)]
pub struct EosPoint<T> {
    /// Energy density.
    pub e: T,
    /// Pressure.
    pub p: T,
    /// de/dp (dimensionless).
    pub dedp: T,
    /// de/dh = (e + p) de/dp (energy-density units; finite at the surface
    /// where de/dp may diverge).
    pub dedh: T,
}

impl<T: Scalar> TableLookup<T> {
    /// Prepares `table` for lookups.
    pub fn new(table: &EosTable<T>) -> Self {
        let ln = |v: &Vec<T>| v.iter().map(|x| x.ln()).collect::<Vec<T>>();
        let ln_h = ln(&table.h);
        let ln_p = ln(&table.p);
        let ln_e = ln(&table.e);
        let n = table.h.len();
        let slope = |y: &[T], x: &[T]| {
            let mut s = vec![T::cst(0.0)];
            for i in 1..n {
                let dx = x[i] - x[i - 1];
                // jnp.interp: a zero-width interval takes the left value.
                s.push(if dx.re().abs() <= 10.0 * f64::EPSILON {
                    T::cst(0.0)
                } else {
                    (y[i] - y[i - 1]) / dx
                });
            }
            s
        };
        let slope_e = slope(&ln_e, &ln_h);
        let slope_p = slope(&ln_p, &ln_h);
        let re = |v: &[T]| v.iter().map(|x| x.re()).collect::<Vec<f64>>();
        let pieces = PowerLawPieces::new(
            &re(&table.h),
            &re(&ln_h),
            &re(&ln_e),
            &re(&ln_p),
            &re(&slope_e),
            &re(&slope_p),
        );
        TableLookup {
            slope_e,
            slope_p,
            slope_d: slope(&table.dloge_dlogp, &table.h),
            h: table.h.clone(),
            h_re: table.h.iter().map(|v| v.re()).collect(),
            ln_p_re: ln_p.iter().map(|v| v.re()).collect(),
            pieces,
            ln_h,
            ln_p,
            ln_e,
            dloge_dlogp: table.dloge_dlogp.clone(),
            hint: std::cell::Cell::new(1),
        }
    }

    /// The node enthalpies.
    pub fn enthalpies(&self) -> &[T] {
        &self.h
    }

    /// The interval i (nodes i−1, i) with h_{i−1} ≤ h < h_i, i in 1..n
    /// (`searchsorted(side="right")` clipped), searched from the last one.
    #[inline]
    fn bracket(&self, hr: f64) -> usize {
        let hs = &self.h_re;
        let n = hs.len();
        let mut i = self.hint.get();
        if hs[i - 1] <= hr && (hr < hs[i] || i == n - 1) {
            return i;
        }
        // Walk a few nodes, then fall back to bisection.
        for _ in 0..4 {
            if hr < hs[i - 1] && i > 1 {
                i -= 1;
            } else if hr >= hs[i] && i < n - 1 {
                i += 1;
            } else {
                break;
            }
            if hs[i - 1] <= hr && (hr < hs[i] || i == n - 1) {
                self.hint.set(i);
                return i;
            }
        }
        let i = hs.partition_point(|v| *v <= hr).clamp(1, n - 1);
        self.hint.set(i);
        i
    }

    /// e(h), p(h) by log–log interpolation and de/dp = e/p · interp(h, hs,
    /// d ln e/d ln p), all clamped outside the table (jester's `tov_ode`).
    /// Values of e, p and de/dh = (e + p) e/p · d ln e/d ln p from the
    /// piecewise polynomials where they apply (the same for every number
    /// type, so plain, dual and tape runs take identical steps), de/dp =
    /// (de/dh)/(e + p); first derivatives with respect to the table and to h
    /// exactly those of the log–log formula.
    #[inline(always)]
    pub fn at_enthalpy(&self, h: T) -> EosPoint<T> {
        let hr = h.re();
        if let Some(v) = self.pieces.as_ref().and_then(|pp| pp.eval(hr)) {
            let i = v.interval;
            let d = self.dloge_dlogp[i - 1] + self.slope_d[i] * (h - self.h[i - 1]);
            if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f64>() {
                let (e, p) = (T::cst(v.e), T::cst(v.p));
                let dedh = d * v.q;
                return EosPoint {
                    e,
                    p,
                    dedp: dedh / (v.e + v.p),
                    dedh,
                };
            }
            return self.piece_with_derivatives(h, d, v);
        }
        self.at_enthalpy_exact(h)
    }

    /// The point of [`TableLookup::at_enthalpy`] for dual and tape numbers:
    /// the values of the piece `v` with the first derivatives of the exact
    /// log–log formula (`d` = d ln e/d ln p at h).
    #[inline(never)]
    fn piece_with_derivatives(&self, h: T, d: T, v: PieceValue) -> EosPoint<T> {
        let i = v.interval;
        // Value v, derivative v · d(ln v) of the exact formula.
        let carry = |ln_v: T, v: f64| (ln_v - ln_v.re()) * v + v;
        // The value of x replaced by v (x − x.re() is exactly 0 + x's
        // derivative).
        let with_value = |x: T, v: f64| (x - x.re()) + v;
        let dl = h.ln() - self.ln_h[i - 1];
        let ln_e = self.ln_e[i - 1] + self.slope_e[i] * dl;
        let ln_p = self.ln_p[i - 1] + self.slope_p[i] * dl;
        let (e, p) = (carry(ln_e, v.e), carry(ln_p, v.p));
        let q = with_value((e + p) * (e / p), v.q);
        let dedh = d * q;
        EosPoint {
            e,
            p,
            dedp: dedh / (e + p),
            dedh,
        }
    }

    /// [`TableLookup::at_enthalpy`] with e(h), p(h) always from the exp/ln
    /// log–log formula (the reference for the piecewise polynomials).
    #[inline(never)]
    pub fn at_enthalpy_exact(&self, h: T) -> EosPoint<T> {
        let n = self.h.len();
        let hr = h.re();
        let (e, p, d) = if hr.is_nan() || hr < self.h_re[0] {
            (self.ln_e[0].exp(), self.ln_p[0].exp(), self.dloge_dlogp[0])
        } else if hr > self.h_re[n - 1] {
            (
                self.ln_e[n - 1].exp(),
                self.ln_p[n - 1].exp(),
                self.dloge_dlogp[n - 1],
            )
        } else {
            let i = self.bracket(hr);
            let dl = h.ln() - self.ln_h[i - 1];
            (
                (self.ln_e[i - 1] + self.slope_e[i] * dl).exp(),
                (self.ln_p[i - 1] + self.slope_p[i] * dl).exp(),
                self.dloge_dlogp[i - 1] + self.slope_d[i] * (h - self.h[i - 1]),
            )
        };
        let dedp = e / p * d;
        EosPoint {
            e,
            p,
            dedp,
            dedh: (e + p) * dedp,
        }
    }

    /// h(p) = exp(interp(ln p, ln ps, ln hs)) (clamped).
    pub fn enthalpy_at_pressure(&self, p: T) -> T {
        let n = self.ln_p.len();
        let lp = p.ln();
        let lpr = lp.re();
        if lpr < self.ln_p_re[0] {
            return self.ln_h[0].exp();
        }
        if lpr > self.ln_p_re[n - 1] {
            return self.ln_h[n - 1].exp();
        }
        let i = self.ln_p_re.partition_point(|v| *v <= lpr).clamp(1, n - 1);
        interp_in_interval(lp, &self.ln_p, &self.ln_h, i).exp()
    }
}
