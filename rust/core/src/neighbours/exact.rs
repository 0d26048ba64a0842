//! The exact squared distance both search paths rank by.
//!
//! Accumulated in f64 over four interleaved partial sums in a fixed order, so the
//! value is the same whichever path computes it, for float32 and float64 input alike.
//! [`box_sq_dist`] uses the same grouping with each term no larger than a point's,
//! so by the monotonicity of rounding it never exceeds the distance to any point in
//! the box: pruning with a strict `>` can never drop a true neighbour or a tie.

use crate::Real;

#[inline(always)]
fn combine(acc: [f64; 4]) -> f64 {
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

#[inline]
pub fn sq_dist<T: Real>(a: &[T], b: &[T]) -> f64 {
    let mut acc = [0.0f64; 4];
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for l in 0..4 {
            let t = x[l].to_f64() - y[l].to_f64();
            acc[l] += t * t;
        }
    }
    for (l, (x, y)) in ca.remainder().iter().zip(cb.remainder()).enumerate() {
        let t = x.to_f64() - y.to_f64();
        acc[l] += t * t;
    }
    combine(acc)
}

/// Squared distance from `q` to the box `[lo, hi]` (a lower bound of [`sq_dist`]).
#[inline]
pub fn box_sq_dist<T: Real>(q: &[T], lo: &[T], hi: &[T]) -> f64 {
    let mut acc = [0.0f64; 4];
    for (j, ((&x, &l), &h)) in q.iter().zip(lo).zip(hi).enumerate() {
        let x = x.to_f64();
        let t = if x < l.to_f64() {
            l.to_f64() - x
        } else if x > h.to_f64() {
            x - h.to_f64()
        } else {
            0.0
        };
        acc[j & 3] += t * t;
    }
    combine(acc)
}

/// [`sq_dist`] for a dimension known at compile time (the KD-tree's d <= 16): the
/// same terms added in the same order (term `j` into partial sum `j % 4`), so the
/// value is bit-identical, with the loop unrolled.
#[inline(always)]
pub fn sq_dist_fixed<T: Real, const D: usize>(a: &[T], b: &[T]) -> f64 {
    let (a, b) = (&a[..D], &b[..D]);
    let mut acc = [0.0f64; 4];
    for j in 0..D {
        let t = a[j].to_f64() - b[j].to_f64();
        acc[j & 3] += t * t;
    }
    combine(acc)
}

/// [`box_sq_dist`] for a dimension known at compile time; bit-identical to it.
/// Each term is `max(l - x, x - h, 0)`: at most one of the two differences is
/// positive, and it is the one `box_sq_dist` picks, so the value is the same,
/// computed without data-dependent branches.
#[inline(always)]
pub fn box_sq_dist_fixed<T: Real, const D: usize>(q: &[T], lo: &[T], hi: &[T]) -> f64 {
    let (q, lo, hi) = (&q[..D], &lo[..D], &hi[..D]);
    let mut acc = [0.0f64; 4];
    for j in 0..D {
        let x = q[j].to_f64();
        let (l, h) = (lo[j].to_f64(), hi[j].to_f64());
        let t = (l - x).max(x - h).max(0.0);
        acc[j & 3] += t * t;
    }
    combine(acc)
}

/// Squared distance between the boxes `[alo, ahi]` and `[blo, bhi]` (`D` the
/// dimension, or `0` for `dim`): per dimension the gap `max(blo - ahi, alo - bhi,
/// 0)`, which for any point `x` of the first box is at most the term
/// [`box_sq_dist`] forms for `x` and the second box (rounding is monotone), so the
/// sum is a lower bound of every point-to-box and point-to-point distance.
#[inline(always)]
pub fn box_box_sq_dist<T: Real, const D: usize>(
    alo: &[T],
    ahi: &[T],
    blo: &[T],
    bhi: &[T],
    dim: usize,
) -> f64 {
    let dim = if D == 0 { dim } else { D };
    let (alo, ahi, blo, bhi) = (&alo[..dim], &ahi[..dim], &blo[..dim], &bhi[..dim]);
    let mut acc = [0.0f64; 4];
    for j in 0..dim {
        let t = (blo[j].to_f64() - ahi[j].to_f64())
            .max(alo[j].to_f64() - bhi[j].to_f64())
            .max(0.0);
        acc[j & 3] += t * t;
    }
    combine(acc)
}
