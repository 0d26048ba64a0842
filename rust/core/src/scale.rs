//! Power-of-two rescaling of data whose squared distances would overflow or
//! underflow float64.
//!
//! Every distance in the engine is computed from squared differences, so finite
//! values beyond about `1e154` (or below about `1e-154`) give infinite (or zero)
//! squared distances, and nearest neighbours, k-means++ potentials and Lloyd
//! assignments become meaningless; the float32 screens overflow far sooner
//! (squared norms past `3.4e38`, products below `1e-38`). Multiplying by a power of two is exact (barring
//! underflow), so a search or clustering run on `x * 2^-e` ranks, chooses and
//! assigns exactly as on `x`, and its distances scale back by `2^e`. Data whose
//! largest magnitude lies in `[SAFE_MIN, SAFE_MAX]` (all ordinary data) is never
//! rescaled, so its results are bit-identical to the unscaled computation.
//!
//! What rescaling cannot mend is float64 itself: in data whose largest value is
//! near `1e308`, a difference smaller than about `1e154` has a square below the
//! smallest float64, so distances that small come out as zero.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::Real;

/// Largest magnitude used unscaled: `2^50` (about `1.1e15`). Beyond it the
/// float32 screens' squared norms can overflow (at `2^63` in 12 dimensions), and
/// far beyond it (`1e154`) float64's squared distances do. Rescaling is exact,
/// so this bound costs nothing but a copy of such data.
pub const SAFE_MAX: f64 = 1_125_899_906_842_624.0;
/// Smallest nonzero magnitude used unscaled: `2^-50` (about `8.9e-16`). Below
/// it the float32 screens' products underflow (at about `1e-19`) and every row
/// must be checked exactly, or (near `1e-154`) float64's squares do.
pub const SAFE_MIN: f64 = 8.881_784_197_001_252e-16;

/// The largest `|v|` in `x` (NaN counts as infinity; callers reject non-finite
/// data before rescaling anyway).
pub fn max_abs<T: Real>(x: ArrayView2<'_, T>) -> f64 {
    let one = |m: f64, v: &T| {
        let a = v.to_f64().abs();
        if a.is_nan() {
            f64::INFINITY
        } else {
            m.max(a)
        }
    };
    match x.as_slice() {
        Some(s) => s
            .par_chunks(1 << 14)
            .map(|c| c.iter().fold(0.0f64, one))
            .reduce(|| 0.0, f64::max),
        None => x.iter().fold(0.0f64, one),
    }
}

/// `Some(e)` when data whose largest magnitude is `m` must be rescaled: then
/// `m * 2^-e` lies in `[0.5, 2]`. `None` for ordinary (or all-zero, or
/// non-finite) data.
pub fn exponent(m: f64) -> Option<i32> {
    if !m.is_finite() || m == 0.0 || (SAFE_MIN..=SAFE_MAX).contains(&m) {
        return None;
    }
    Some(m.log2().floor() as i32)
}

/// `v * 2^k`, exact unless the result overflows or underflows, for any `k` in
/// `[-2200, 2200]` (applied in steps whose factors are normal numbers).
pub fn mul_pow2(mut v: f64, mut k: i32) -> f64 {
    const STEP: i32 = 1000;
    while k > STEP {
        v *= 2f64.powi(STEP);
        k -= STEP;
    }
    while k < -STEP {
        v *= 2f64.powi(-STEP);
        k += STEP;
    }
    v * 2f64.powi(k)
}

/// `x * 2^k` as a new standard-layout array.
pub fn scaled<T: Real>(x: ArrayView2<'_, T>, k: i32) -> Array2<T> {
    let mut out = x.as_standard_layout().into_owned();
    if let Some(s) = out.as_slice_mut() {
        s.par_iter_mut()
            .for_each(|v| *v = T::from_f64(mul_pow2(v.to_f64(), k)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_powers_of_two_they_name() {
        assert_eq!(SAFE_MAX, 2f64.powi(50));
        assert_eq!(SAFE_MIN, 2f64.powi(-50));
    }

    #[test]
    fn exponent_brings_the_largest_value_near_one() {
        for m in [1e300, f64::MAX, 1e-300, 5e-324, 1e16, 1e-16] {
            let e = exponent(m).unwrap();
            let s = mul_pow2(m, -e);
            assert!((0.5..=2.0).contains(&s), "{m}: {s}");
        }
        for m in [0.0, 1.0, 1e15, 1e-15, f64::INFINITY, f64::NAN] {
            assert_eq!(exponent(m), None);
        }
    }

    #[test]
    fn scaling_is_exact_and_reversible() {
        for v in [1.234_567_e300, -f64::MAX, 5e-324, 3.3e-310, 7.0] {
            for k in [-1100, -1023, -5, 0, 5, 1023, 1100] {
                let s = mul_pow2(v, k);
                if s.is_normal() && s.is_finite() {
                    assert_eq!(mul_pow2(s, -k), v, "{v} {k}");
                }
            }
        }
        assert_eq!(mul_pow2(5e-324, 1074), 1.0);
        assert_eq!(mul_pow2(1.0, -1074), 5e-324);
    }
}
