//! Four-lane forms of [`super::exp_nonpos`], the derivative softplus and
//! [`super::inverse`]: every operation of the scalar code, in its order
//! (the polynomial steps `a · x + b` fused).
use super::{estrin14, estrin18, Arith, ATANH_SERIES, DERIV_OFFSET, INV_FACT, MAX_BINS, MIN_BIN, MIN_DERIV};
use std::arch::x86_64::*;

// SAFETY (all three): this module's code runs only inside
// `inverse_columns`, which is compiled for and dispatched to AVX2 + FMA.
impl Arith for __m256d {
    #[inline(always)]
    fn splat(v: f64) -> Self {
        unsafe { _mm256_set1_pd(v) }
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        unsafe { _mm256_mul_pd(self, o) }
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        unsafe { _mm256_fmadd_pd(self, a, b) }
    }
}

#[inline(always)]
unsafe fn splat(v: f64) -> __m256d {
    _mm256_set1_pd(v)
}

/// [`super::exp_nonpos`] on four lanes. `max(−708, x)` and `min(0, x)`
/// in this operand order return `x` for NaN, as `clamp` does.
#[inline(always)]
unsafe fn exp_nonpos(x: __m256d) -> __m256d {
    const MAGIC: f64 = 6_755_399_441_055_744.0;
    const LN2_HI: f64 = 0.693_147_180_369_123_8;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    let x = _mm256_min_pd(splat(0.0), _mm256_max_pd(splat(-708.0), x));
    let t = _mm256_add_pd(_mm256_mul_pd(x, splat(std::f64::consts::LOG2_E)), splat(MAGIC));
    let kf = _mm256_sub_pd(t, splat(MAGIC));
    let r = _mm256_sub_pd(
        _mm256_sub_pd(x, _mm256_mul_pd(kf, splat(LN2_HI))),
        _mm256_mul_pd(kf, splat(LN2_LO)),
    );
    let p = estrin14(r, &INV_FACT);
    let k = _mm256_sub_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(MAGIC.to_bits() as i64));
    let two_k = _mm256_slli_epi64::<52>(_mm256_add_epi64(k, _mm256_set1_epi64x(1023)));
    _mm256_mul_pd(p, _mm256_castsi256_pd(two_k))
}

/// `MIN_DERIV + softplus(r + DERIV_OFFSET)` ([`super::deriv`]).
#[inline(always)]
unsafe fn deriv(r: __m256d) -> __m256d {
    let x = _mm256_add_pd(r, splat(DERIV_OFFSET));
    let t = exp_nonpos(_mm256_or_pd(x, splat(-0.0)));
    let s = _mm256_div_pd(t, _mm256_add_pd(splat(2.0), t));
    let p = estrin18(_mm256_mul_pd(s, s), &ATANH_SERIES);
    let sp = _mm256_add_pd(
        _mm256_max_pd(x, splat(0.0)),
        _mm256_mul_pd(_mm256_mul_pd(splat(2.0), s), p),
    );
    _mm256_add_pd(splat(MIN_DERIV), sp)
}

/// The unnormalised softmax terms `e^{r_i − max r}` of raw columns
/// `first..first + k` into `ex[..k]` (per group of four elements), and the
/// reciprocal of their sum.
#[inline(always)]
unsafe fn softmax_terms<const G: usize>(
    col: &impl Fn(usize) -> [__m256d; G],
    first: usize,
    k: usize,
    ex: &mut [[__m256d; G]; MAX_BINS],
) -> [__m256d; G] {
    let mut mx = [splat(f64::NEG_INFINITY); G];
    for i in 0..k {
        let v = col(first + i);
        for g in 0..G {
            mx[g] = _mm256_max_pd(v[g], mx[g]);
        }
    }
    for i in 0..k {
        let v = col(first + i);
        for g in 0..G {
            ex[i][g] = exp_nonpos(_mm256_sub_pd(v[g], mx[g]));
        }
    }
    let mut sum = [splat(0.0); G];
    for e in ex.iter().take(k) {
        for g in 0..G {
            sum[g] = _mm256_add_pd(sum[g], e[g]);
        }
    }
    std::array::from_fn(|g| _mm256_div_pd(splat(1.0), sum[g]))
}

/// Inverts `G` groups of four elements (at `y`, and at `raw` in columns
/// of `stride`), interleaved so that their independent dependency chains
/// (exponential polynomials, knot sums, softplus series, root) overlap.
#[inline(always)]
unsafe fn groups<const G: usize, const K: usize>(
    y: *mut f64,
    raw: *const f64,
    stride: usize,
    bins: usize,
    bound: f64,
) {
    // a bin count known at compile time lets the loops over bins unroll
    let k = if K == 0 { bins } else { K };
    let scale = splat((1.0 - MIN_BIN * k as f64) * 2.0 * bound);
    let step = splat(MIN_BIN * 2.0 * bound);
    let (lo, hi, one, zero) = (splat(-bound), splat(bound), splat(1.0), splat(0.0));
    let last = splat((k - 1) as f64);
    let yv: [__m256d; G] = std::array::from_fn(|g| _mm256_loadu_pd(y.add(4 * g)));
    let mut ex = [[zero; G]; MAX_BINS];
    let col =
        |i: usize| -> [__m256d; G] { std::array::from_fn(|g| _mm256_loadu_pd(raw.add(i * stride + 4 * g))) };
    // heights: knots y_1..y_{K−1}; the bin b is the number of them at or
    // below y (they increase), y_b the last of those, y_{b+1} the first
    // above (y_K = B)
    let inv_sh = softmax_terms(&col, k, k, &mut ex);
    let (mut cnt, mut yb, mut y1, mut acc) = ([zero; G], [lo; G], [hi; G], [lo; G]);
    for e in ex.iter().take(k - 1) {
        for g in 0..G {
            acc[g] = _mm256_add_pd(
                acc[g],
                _mm256_add_pd(step, _mm256_mul_pd(scale, _mm256_mul_pd(e[g], inv_sh[g]))),
            );
            let le = _mm256_cmp_pd::<_CMP_LE_OQ>(acc[g], yv[g]);
            cnt[g] = _mm256_add_pd(cnt[g], _mm256_and_pd(le, one));
            yb[g] = _mm256_blendv_pd(yb[g], acc[g], le);
            y1[g] = _mm256_blendv_pd(_mm256_min_pd(acc[g], y1[g]), y1[g], le);
        }
    }
    // widths: knots x_b and x_{b+1} (x_K = B)
    let inv_sw = softmax_terms(&col, 0, k, &mut ex);
    let (mut xb, mut x1, mut acc) = ([lo; G], [hi; G], [lo; G]);
    for (i, e) in ex.iter().take(k - 1).enumerate() {
        let fi = splat(i as f64);
        for g in 0..G {
            acc[g] = _mm256_add_pd(
                acc[g],
                _mm256_add_pd(step, _mm256_mul_pd(scale, _mm256_mul_pd(e[g], inv_sw[g]))),
            );
            xb[g] = _mm256_blendv_pd(xb[g], acc[g], _mm256_cmp_pd::<_CMP_LT_OQ>(fi, cnt[g]));
            x1[g] = _mm256_blendv_pd(x1[g], acc[g], _mm256_cmp_pd::<_CMP_EQ_OQ>(fi, cnt[g]));
        }
    }
    // raw interior derivatives at the bin's edges (1 at the ends)
    let (mut r0, mut r1) = ([zero; G], [zero; G]);
    for i in 0..k - 1 {
        let v = col(2 * k + i);
        let fi = splat(i as f64);
        for g in 0..G {
            r0[g] = _mm256_blendv_pd(
                r0[g],
                v[g],
                _mm256_cmp_pd::<_CMP_EQ_OQ>(_mm256_add_pd(fi, one), cnt[g]),
            );
            r1[g] = _mm256_blendv_pd(r1[g], v[g], _mm256_cmp_pd::<_CMP_EQ_OQ>(fi, cnt[g]));
        }
    }
    let mut d0 = [zero; G];
    let mut d1 = [zero; G];
    for g in 0..G {
        d0[g] = deriv(r0[g]);
        d1[g] = deriv(r1[g]);
    }
    // the root of the quadratic, as in `inverse`
    let neg = splat(-0.0);
    for g in 0..G {
        let d0 = _mm256_blendv_pd(d0[g], one, _mm256_cmp_pd::<_CMP_EQ_OQ>(cnt[g], zero));
        let d1 = _mm256_blendv_pd(d1[g], one, _mm256_cmp_pd::<_CMP_EQ_OQ>(cnt[g], last));
        let w = _mm256_sub_pd(x1[g], xb[g]);
        let h = _mm256_sub_pd(y1[g], yb[g]);
        let s = _mm256_div_pd(h, w);
        let dy = _mm256_sub_pd(yv[g], yb[g]);
        let c2 = _mm256_sub_pd(_mm256_add_pd(d1, d0), _mm256_mul_pd(splat(2.0), s));
        let a = _mm256_add_pd(_mm256_mul_pd(h, _mm256_sub_pd(s, d0)), _mm256_mul_pd(dy, c2));
        let bb = _mm256_sub_pd(_mm256_mul_pd(h, d0), _mm256_mul_pd(dy, c2));
        let cc = _mm256_mul_pd(_mm256_xor_pd(s, neg), dy);
        let disc = _mm256_sub_pd(
            _mm256_mul_pd(bb, bb),
            _mm256_mul_pd(_mm256_mul_pd(splat(4.0), a), cc),
        );
        let disc = _mm256_max_pd(disc, zero);
        let den = _mm256_sub_pd(_mm256_xor_pd(bb, neg), _mm256_sqrt_pd(disc));
        let xi = _mm256_div_pd(_mm256_mul_pd(splat(2.0), cc), den);
        let xi = _mm256_min_pd(one, _mm256_max_pd(zero, xi));
        let x = _mm256_add_pd(xb[g], _mm256_mul_pd(xi, w));
        let inside = _mm256_and_pd(
            _mm256_cmp_pd::<_CMP_GT_OQ>(yv[g], lo),
            _mm256_cmp_pd::<_CMP_LT_OQ>(yv[g], hi),
        );
        _mm256_storeu_pd(y.add(4 * g), _mm256_blendv_pd(yv[g], x, inside));
    }
}

/// Inverts the elements of `y` in groups of four and returns how many
/// were done (a multiple of four; the caller does the rest).
///
/// # Safety
/// The CPU must have AVX2, and `raw` must hold `3k − 1` columns of
/// `stride ≥ y.len()` values (`raw.len() ≥ (3k − 2) stride + y.len()`).
#[target_feature(enable = "avx2,fma")]
pub(super) unsafe fn inverse_columns(
    y: &mut [f64],
    raw: &[f64],
    stride: usize,
    k: usize,
    bound: f64,
) -> usize {
    match k {
        8 => columns::<8>(y, raw, stride, k, bound),
        _ => columns::<0>(y, raw, stride, k, bound),
    }
}

/// The body of [`inverse_columns`] for `K` bins (`K = 0`: any, from `k`).
#[inline(always)]
unsafe fn columns<const K: usize>(y: &mut [f64], raw: &[f64], stride: usize, k: usize, bound: f64) -> usize {
    let n8 = y.len() / 8 * 8;
    for e0 in (0..n8).step_by(8) {
        groups::<2, K>(y.as_mut_ptr().add(e0), raw.as_ptr().add(e0), stride, k, bound);
    }
    let n4 = y.len() / 4 * 4;
    if n4 > n8 {
        groups::<1, K>(y.as_mut_ptr().add(n8), raw.as_ptr().add(n8), stride, k, bound);
    }
    n4
}
