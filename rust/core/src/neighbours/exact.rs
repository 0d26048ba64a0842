//! The exact squared distance both search paths rank by.
//!
//! Accumulated in f64 over four interleaved partial sums in a fixed order, so the
//! value is the same whichever path computes it, for float32 and float64 input alike.
//! [`box_sq_dist`] uses the same grouping with each term no larger than a point's,
//! so by the monotonicity of rounding it never exceeds the distance to any point in
//! the box: pruning with a strict `>` can never drop a true neighbour or a tie.

use crate::cpu::Kernels;
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

/// [`sq_dist`] from `q` to each of `rows` (row `j` is `data[j * dim..][..dim]`),
/// pushed onto `out` as `(distance, row)` in the order of `rows`. Four rows are
/// accumulated side by side, each exactly as [`sq_dist`] does it (term `t` into
/// partial sum `t % 4`, combined the same way), so every value is bit-identical to
/// [`sq_dist`]'s; the four independent sums keep the adder busy where one row's
/// sum waits on its own latency (the exact re-check of many finalists).
///
/// With `kernels` allowing AVX2 the same code is compiled for AVX2 (four f64
/// lanes instead of SSE2's two; multiplies and adds stay separate, no FMA, so
/// the values do not change).
pub fn sq_dists<T: Real>(
    q: &[T],
    data: &[T],
    dim: usize,
    rows: impl ExactSizeIterator<Item = usize>,
    out: &mut Vec<(f64, usize)>,
    kernels: Kernels,
) {
    #[cfg(target_arch = "x86_64")]
    if kernels.avx2() {
        // SAFETY: `kernels.avx2()` confirmed the CPU runs AVX2.
        unsafe { sq_dists_avx2(q, data, dim, rows, out) };
        return;
    }
    let _ = kernels;
    sq_dists_portable(q, data, dim, rows, out)
}

/// [`sq_dists_portable`] compiled for AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sq_dists_avx2<T: Real>(
    q: &[T],
    data: &[T],
    dim: usize,
    rows: impl ExactSizeIterator<Item = usize>,
    out: &mut Vec<(f64, usize)>,
) {
    sq_dists_portable(q, data, dim, rows, out)
}

#[inline(always)]
fn sq_dists_portable<T: Real>(
    q: &[T],
    data: &[T],
    dim: usize,
    rows: impl ExactSizeIterator<Item = usize>,
    out: &mut Vec<(f64, usize)>,
) {
    let q = &q[..dim];
    let row = |j: usize| &data[j * dim..(j + 1) * dim];
    out.reserve(rows.len());
    let mut rows = rows.peekable();
    let full = dim - dim % 4;
    loop {
        let mut ids = [0usize; 4];
        let mut got = 0;
        while got < 4 {
            match rows.next() {
                Some(j) => {
                    ids[got] = j;
                    got += 1;
                }
                None => break,
            }
        }
        if got < 4 {
            out.extend(ids[..got].iter().map(|&j| (sq_dist(q, row(j)), j)));
            return;
        }
        let r = [row(ids[0]), row(ids[1]), row(ids[2]), row(ids[3])];
        let mut acc = [[0.0f64; 4]; 4];
        let mut t0 = 0;
        while t0 < full {
            for l in 0..4 {
                let qv = q[t0 + l].to_f64();
                for s in 0..4 {
                    let t = qv - r[s][t0 + l].to_f64();
                    acc[s][l] += t * t;
                }
            }
            t0 += 4;
        }
        for l in 0..dim - full {
            let qv = q[full + l].to_f64();
            for s in 0..4 {
                let t = qv - r[s][full + l].to_f64();
                acc[s][l] += t * t;
            }
        }
        for s in 0..4 {
            out.push((combine(acc[s]), ids[s]));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neighbours::testutil::{normal, SplitMix};

    fn check<T: Real>(cast: impl Fn(f64) -> T, kernels: Kernels) {
        let mut g = SplitMix(7);
        for dim in 0..=19 {
            // Rows on very different scales, so that the order of the additions
            // shows in the last bits.
            let data: Vec<T> = (0..12 * dim)
                .map(|t| cast(normal(&mut g) * 10f64.powi((t % 7) as i32 - 3)))
                .collect();
            let q: Vec<T> = (0..dim).map(|_| cast(normal(&mut g) * 100.0)).collect();
            for count in 0..=9 {
                let rows: Vec<usize> = (0..count).map(|i| (i * 5 + 3) % 12).collect();
                let mut out = vec![(-1.0, 99)];
                sq_dists(&q, &data, dim, rows.iter().copied(), &mut out, kernels);
                assert_eq!(out.len(), count + 1, "dim {dim}, {count} rows");
                assert_eq!(out[0], (-1.0, 99), "what was in `out` stays");
                for (&(d2, j), &r) in out[1..].iter().zip(&rows) {
                    assert_eq!(j, r);
                    let want = sq_dist(&q, &data[r * dim..(r + 1) * dim]);
                    assert_eq!(d2.to_bits(), want.to_bits(), "dim {dim}, row {r}");
                }
            }
        }
    }

    #[test]
    fn batched_distances_are_bit_identical_to_sq_dist() {
        for kernels in [Kernels::Native, Kernels::Portable] {
            check(|v| v, kernels);
            check(|v| v as f32, kernels);
        }
    }
}
