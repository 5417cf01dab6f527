//! Transcendental-free evaluation of the log–log table interpolant
//! e(h) = e_{i−1} (h/h_{i−1})^{s_e}, p(h) = p_{i−1} (h/h_{i−1})^{s_p}
//! (s = d ln e/d ln h, d ln p/d ln h of table interval i), and of
//! q(h) = (e + p) e/p = e + e²/p (a sum of the power laws of exponents s_e
//! and 2s_e − s_p, so that de/dh = q · d ln e/d ln p is one product), by
//! local Taylor polynomials, with an O(1) piece index.
//!
//! The enthalpy axis [h_lo, h_max] is cut into cells of 2^[`CELL_BITS`]
//! per octave (four per octave), then at every table node (so no piece
//! contains a kink), then uniformly until the truncation bound holds.
//! On a piece of centre c and relative half-width x = Δh/c,
//! (1 + u)^s = Σ_k C(s, k) u^k, u = (h − c)/c, |u| ≤ x, is truncated after
//! degree [`DEGREE`]; for |s| x ≤ 1/2 the remainder is at most
//! 2 |C(s, K+1)| x^(K+1), kept below [`REL_TOL`] (relative to the value)
//! for all three exponents (both terms of q are positive, so its relative
//! error is bounded by theirs), e.g. x ≤ 0.0071 for s = 12.5.
//! Coefficients a_k = v(c) C(s, k) c^−k turn the sum into a polynomial in
//! (h − c), evaluated with Estrin's
//! scheme. The piece of a given h is found from an index addressed directly
//! by the exponent and leading mantissa bits of h (2^[`INDEX_BITS`] entries
//! per octave). The values v(c) come from the same exp/ln formula as the exact
//! interpolant, so the pieces reproduce it to ≈ 1e-14 relative (tested in
//! `tests/eos_table_pieces.rs`). Pieces that would need more than
//! [`MAX_SUBDIVISIONS`] subdivisions, and h below h_lo (the first table
//! interval, which usually reaches down to h = 1e-30), are left to the
//! exact formula.

/// Polynomial degree K of every piece (8 coefficients: a full Estrin
/// tree).
pub const DEGREE: usize = 7;
/// Cells per octave of h: 2^CELL_BITS (coarse: the truncation bound, not
/// the cells, sets the piece widths where the table is steep).
pub const CELL_BITS: u32 = 2;
/// Entries per octave of the piece index: 2^INDEX_BITS (finer than the
/// cells, so that an entry rarely holds more than one piece boundary).
pub const INDEX_BITS: u32 = 7;
/// Bound on the relative truncation error of e, p and e/p.
pub const REL_TOL: f64 = 1e-14;
/// Most uniform subdivisions of one cell ∩ table interval.
pub const MAX_SUBDIVISIONS: usize = 64;
/// Most octaves covered below the largest enthalpy (the rest is exact).
const MAX_OCTAVES: i32 = 64;
const SHIFT: u32 = 52 - CELL_BITS;
const INDEX_SHIFT: u32 = 52 - INDEX_BITS;
// Estrin's scheme in `eval` and the eighth root in `max_half_width` are
// written out for degree 7.
const _: () = assert!(DEGREE == 7);
/// 1/k for k = 1..=DEGREE + 1 (index k; entry 0 unused).
const INV_K: [f64; DEGREE + 2] = {
    let mut t = [0.0; DEGREE + 2];
    let mut k = 1;
    while k <= DEGREE + 1 {
        t[k] = 1.0 / k as f64;
        k += 1;
    }
    t
};

/// One piece: centre, the coefficients of e, p and q = (e + p) e/p in
/// powers of (h − c) (lowest first), table interval.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct Piece {
    c: f64,
    e: [f64; DEGREE + 1],
    p: [f64; DEGREE + 1],
    q: [f64; DEGREE + 1],
    interval: u32,
    exact: bool,
}

/// The values of one piece at an enthalpy (table units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PieceValue {
    /// Table interval i (nodes i−1, i) of the piece.
    pub interval: usize,
    /// Energy density e(h).
    pub e: f64,
    /// Pressure p(h).
    pub p: f64,
    /// q(h) = (e + p) e/p (energy-density units): de/dh = q · d ln e/d ln p.
    pub q: f64,
}

/// The piecewise polynomials of one table (plain values, dimensionless h).
#[derive(Debug, Clone)]
pub struct PowerLawPieces {
    lo: f64,
    hi: f64,
    index_base: u64,
    /// The piece containing the start of every index entry.
    index: Vec<u32>,
    /// Start of the next piece (+∞ after the last).
    next_start: Vec<f64>,
    pieces: Vec<Piece>,
}

/// |C(s, k)|, k ≤ K + 1.
fn binom_abs(s: f64, k: usize) -> f64 {
    let mut b = 1.0;
    for j in 0..k {
        b *= (s - j as f64) * INV_K[j + 1];
    }
    b.abs()
}

/// Largest relative half-width x of a piece for exponent s (see the module
/// documentation).
fn max_half_width(s: f64) -> f64 {
    let a = s.abs();
    if a < 1e-300 {
        return f64::INFINITY;
    }
    let b = binom_abs(s, DEGREE + 1);
    let trunc = if b > 0.0 {
        // (·)^(1/(K+1)) = (·)^(1/8): three square roots.
        (REL_TOL / (2.0 * b)).sqrt().sqrt().sqrt()
    } else {
        f64::INFINITY
    };
    trunc.min(0.5 / a)
}

/// Coefficients v(c) C(s, k) c^−k, k = 0..=K (`inv_c` = 1/c).
fn coefficients(v: f64, s: f64, inv_c: f64) -> [f64; DEGREE + 1] {
    let mut out = [0.0; DEGREE + 1];
    let (mut b, mut ic) = (v, 1.0);
    for (k, o) in out.iter_mut().enumerate() {
        *o = b * ic;
        if k < DEGREE {
            b *= (s - k as f64) * INV_K[k + 1];
        }
        ic *= inv_c;
    }
    out
}

impl PowerLawPieces {
    /// Builds the pieces from the table columns (plain values): node
    /// enthalpies `h` (strictly increasing), their logarithms, ln e, ln p at
    /// the nodes, and the per-interval slopes `s_e`, `s_p` (entry i for
    /// nodes i−1, i). `None` when the table is too short or its enthalpy
    /// range is unusable (the exact formula is then used everywhere).
    pub fn new(
        h: &[f64],
        ln_h: &[f64],
        ln_e: &[f64],
        ln_p: &[f64],
        s_e: &[f64],
        s_p: &[f64],
    ) -> Option<Self> {
        let n = h.len();
        if n < 3 || [ln_h.len(), ln_e.len(), ln_p.len(), s_e.len(), s_p.len()] != [n; 5] {
            return None;
        }
        let hi = h[n - 1];
        let lo = h[1].max(hi * 2f64.powi(-MAX_OCTAVES));
        if !(lo.is_normal() && hi.is_finite() && lo > 0.0 && hi > lo) {
            return None;
        }
        let base = lo.to_bits() >> SHIFT;
        let xmax: Vec<f64> = (0..n)
            .map(|i| {
                max_half_width(s_e[i])
                    .min(max_half_width(s_p[i]))
                    .min(max_half_width(2.0 * s_e[i] - s_p[i]))
            })
            .collect();
        // Segments (cell ∩ table interval): start, end, interval, number of
        // pieces (0: left to the exact formula, one piece).
        let mut segments: Vec<(f64, f64, usize, usize)> = Vec::new();
        // Table interval i: h[i-1] <= a < h[i] (searchsorted right, clipped).
        let mut i = h.partition_point(|v| *v <= lo).clamp(1, n - 1);
        let mut a = lo;
        let mut npieces = 0;
        while a < hi {
            let j = (a.to_bits() >> SHIFT) - base;
            let cell_end = f64::from_bits((base + j + 1) << SHIFT);
            while i < n - 1 && h[i] <= a {
                i += 1;
            }
            let b = cell_end.min(h[i]).min(hi);
            let x = 0.5 * (b - a) / (0.5 * (a + b));
            let nsub = (x / xmax[i]).ceil().max(1.0);
            let nsub = if nsub > MAX_SUBDIVISIONS as f64 {
                0
            } else {
                nsub as usize
            };
            segments.push((a, b, i, nsub));
            npieces += nsub.max(1);
            a = b;
        }
        if npieces == 0 {
            return None;
        }
        let mut pieces: Vec<Piece> = Vec::with_capacity(npieces);
        // Start of the next piece (+∞ after the last).
        let mut next_start: Vec<f64> = Vec::with_capacity(npieces);
        for &(a, b, i, nsub) in &segments {
            let exact = nsub == 0;
            let nsub = nsub.max(1);
            let w = (b - a) / nsub as f64;
            for k in 0..nsub {
                let s0 = if k == 0 { a } else { a + w * k as f64 };
                let s1 = if k + 1 == nsub { b } else { a + w * (k + 1) as f64 };
                let c = 0.5 * (s0 + s1);
                let dl = c.ln() - ln_h[i - 1];
                let ec = (ln_e[i - 1] + s_e[i] * dl).exp();
                let pc = (ln_p[i - 1] + s_p[i] * dl).exp();
                let inv_c = 1.0 / c;
                let e = coefficients(ec, s_e[i], inv_c);
                let e2p = coefficients(ec * ec / pc, 2.0 * s_e[i] - s_p[i], inv_c);
                let mut q = [0.0; DEGREE + 1];
                for k in 0..=DEGREE {
                    q[k] = e[k] + e2p[k];
                }
                next_start.push(s1);
                pieces.push(Piece {
                    c,
                    e,
                    p: coefficients(pc, s_p[i], inv_c),
                    q,
                    interval: i as u32,
                    exact,
                });
            }
        }
        *next_start.last_mut().expect("at least one piece") = f64::INFINITY;
        let index_base = lo.to_bits() >> INDEX_SHIFT;
        let nindex = ((hi.to_bits() >> INDEX_SHIFT) - index_base + 1) as usize;
        let mut index = Vec::with_capacity(nindex);
        let mut k = 0usize;
        for q in 0..nindex {
            let x = f64::from_bits((index_base + q as u64) << INDEX_SHIFT).max(lo);
            while x >= next_start[k] {
                k += 1;
            }
            index.push(k as u32);
        }
        Some(PowerLawPieces {
            lo,
            hi,
            index_base,
            index,
            next_start,
            pieces,
        })
    }

    /// Number of pieces.
    pub fn len(&self) -> usize {
        self.pieces.len()
    }
    /// True without pieces (never returned by [`PowerLawPieces::new`]).
    pub fn is_empty(&self) -> bool {
        self.pieces.is_empty()
    }
    /// The enthalpy range [h_lo, h_max] the pieces cover.
    pub fn range(&self) -> (f64, f64) {
        (self.lo, self.hi)
    }

    /// Table interval, e(h), p(h) and q(h) for h inside the covered range,
    /// in the units of the table; `None` outside it or on a piece left to
    /// the exact formula.
    #[inline(always)]
    pub fn eval(&self, h: f64) -> Option<PieceValue> {
        if !(h >= self.lo && h <= self.hi) {
            return None;
        }
        let q = ((h.to_bits() >> INDEX_SHIFT) - self.index_base) as usize;
        let mut k = *self.index.get(q)? as usize;
        // Usually at most one boundary inside an index entry: one branchless
        // step, then a rarely taken loop.
        k += (h >= self.next_start[k]) as usize;
        while h >= self.next_start[k] {
            k += 1;
        }
        let pc = &self.pieces[k];
        if pc.exact {
            return None;
        }
        let x = h - pc.c;
        let x2 = x * x;
        let x4 = x2 * x2;
        let est = |a: &[f64; DEGREE + 1]| {
            (a[0] + a[1] * x) + x2 * (a[2] + a[3] * x) + x4 * ((a[4] + a[5] * x) + x2 * (a[6] + a[7] * x))
        };
        Some(PieceValue {
            interval: pc.interval as usize,
            e: est(&pc.e),
            p: est(&pc.p),
            q: est(&pc.q),
        })
    }
}
