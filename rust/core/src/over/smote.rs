//! SMOTE generation (Chawla et al., 2002, "SMOTE: Synthetic Minority Over-sampling
//! Technique", JAIR 16).
//!
//! Reproduces `imblearn.over_sampling.SMOTE` 0.14.2 bit for bit given its random
//! draws: for each class, imblearn draws `randint(0, n_class * k, n_new)` then
//! `uniform(size=n_new)` from a `RandomState`; draw `s` picks sample `s / k` and its
//! `(s % k)`-th nearest same-class neighbour (the query point itself excluded), and
//! the new row is `x + step * (neighbour - x)`. The subtraction runs in the data's
//! precision and the rest in f64 before the cast back, exactly numpy's order for a
//! float32 array combined with float64 steps. The draws are made in Python with numpy
//! and handed here; this module does the neighbour search and the arithmetic.

use ndarray::{s, Array2, ArrayView2, ArrayViewMut2, Axis};
use rayon::prelude::*;

use crate::errors::{CoreError, Result};
use crate::neighbours::{self, Algorithm};
use crate::progress::{Advance, Task};
use crate::real::finite_scan;
use crate::{bail_internal, ensure, Real};

const ROW_CHUNK: usize = 2048;

/// What to generate for one class.
pub struct ClassPlan<'a> {
    /// Rows of the full data that belong to the class (imblearn's `np.flatnonzero`).
    pub indices: &'a [i64],
    /// imblearn's `samples_indices`: values in `[0, n_class * k)`.
    pub samples: &'a [i64],
    /// imblearn's `steps`, one per new row.
    pub steps: &'a [f64],
    /// Neighbours from a user's estimator (`n_class × k`, self column dropped);
    /// `None` means: search with the engine.
    pub neighbours: Option<ArrayView2<'a, i64>>,
}

pub struct SmoteOutput<T> {
    /// The input rows followed by every class's synthetic rows, in plan order.
    pub x: Array2<T>,
    /// For each synthetic row: the data row it starts from and the data row of the
    /// neighbour it steps towards.
    pub parents: Array2<i64>,
}

/// Gather the rows `indices` of `x` (bounds-checked).
pub fn gather<T: Real>(x: ArrayView2<T>, indices: &[i64]) -> Result<Array2<T>> {
    let n = x.nrows();
    if let Some(&bad) = indices.iter().find(|&&i| i < 0 || i as usize >= n) {
        return Err(CoreError::IndexOutOfBounds { index: bad, len: n });
    }
    let mut out = Array2::<T>::default((indices.len(), x.ncols()));
    out.axis_iter_mut(Axis(0))
        .into_par_iter()
        .zip(indices.par_iter())
        .for_each(|(mut dst, &i)| dst.assign(&x.row(i as usize)));
    Ok(out)
}

/// Copy `src` into `dst` (same length) and say whether every value was finite,
/// in the one pass of [`finite_scan`].
fn copy_all_finite<T: Real>(dst: &mut [T], src: &[T]) -> bool {
    finite_scan(src, |at, chunk| {
        dst[at..at + chunk.len()].copy_from_slice(chunk)
    })
}

/// `a + t * (b - a)` when `b - a` overflows (finite values of opposite signs near
/// the float64 maximum, or float32 values whose float32 difference overflows):
/// `(1 - t) * a + t * b`, whose two terms then have opposite signs and cannot
/// overflow, kept on the segment for `t` in `[0, 1]`.
#[cold]
fn on_segment(a: f64, b: f64, t: f64) -> f64 {
    let v = (1.0 - t) * a + t * b;
    if (0.0..=1.0).contains(&t) {
        v.clamp(a.min(b), a.max(b))
    } else {
        v
    }
}

/// Write `x[row] + step * (x[nbr] - x[row])` for every draw into `out`, and the
/// (row, neighbour) pair of each draw into `pairs`: indices into `x`, or `ids[..]`
/// of them when `ids` is given (the class rows' indices in the full data).
pub fn generate<T: Real>(
    x: ArrayView2<T>,
    nn: ArrayView2<i64>,
    samples: &[i64],
    steps: &[f64],
    ids: Option<&[i64]>,
    out: ArrayViewMut2<T>,
    pairs: ArrayViewMut2<i64>,
) -> Result<()> {
    generate_reporting(x, nn, samples, steps, ids, out, pairs, &Task::silent())
}

/// [`generate`], reporting the rows written to `task`, block by block.
#[allow(clippy::too_many_arguments)]
pub fn generate_reporting<T: Real>(
    x: ArrayView2<T>,
    nn: ArrayView2<i64>,
    samples: &[i64],
    steps: &[f64],
    ids: Option<&[i64]>,
    mut out: ArrayViewMut2<T>,
    mut pairs: ArrayViewMut2<i64>,
    task: &Task,
) -> Result<()> {
    let (n, k) = nn.dim();
    ensure!(
        samples.len() == steps.len() && samples.len() == out.nrows(),
        "got {} sample draws, {} steps and room for {} rows; they must agree",
        samples.len(),
        steps.len(),
        out.nrows()
    );
    ensure!(
        n == x.nrows(),
        "neighbour table has {} rows for {} samples",
        n,
        x.nrows()
    );
    ensure!(
        ids.is_none_or(|ids| ids.len() == n),
        "got {} row indices for {} samples",
        ids.map_or(0, |ids| ids.len()),
        n
    );
    if let Some(bad) = steps.iter().find(|s| !s.is_finite()) {
        crate::bail!("SMOTE steps must be finite; got {bad}");
    }
    let draws = n.saturating_mul(k);
    if let Some(&bad) = samples.iter().find(|&&s| s < 0 || s as usize >= draws) {
        return Err(CoreError::IndexOutOfBounds {
            index: bad,
            len: draws,
        });
    }
    if let Some(&bad) = nn.iter().find(|&&j| j < 0 || j as usize >= n) {
        return Err(CoreError::IndexOutOfBounds { index: bad, len: n });
    }
    let d = x.ncols();
    let x = x.as_standard_layout();
    let (Some(xs), Some(os), Some(ps)) = (x.as_slice(), out.as_slice_mut(), pairs.as_slice_mut())
    else {
        bail_internal!("SMOTE output buffers must be contiguous");
    };
    // Draw s means row s / k and that row's (s % k)-th neighbour, nn[s] in the
    // row-major table.
    let nn = nn.as_standard_layout();
    let Some(nn) = nn.as_slice() else {
        bail_internal!("SMOTE neighbour table must be contiguous");
    };
    let id = |i: usize| ids.map_or(i as i64, |ids| ids[i]);
    if d == 0 {
        for (p, &s) in ps.chunks_exact_mut(2).zip(samples) {
            let s = s as usize;
            p.copy_from_slice(&[id(s / k), id(nn[s] as usize)]);
        }
        return Ok(());
    }
    os.par_chunks_mut(ROW_CHUNK * d)
        .zip(ps.par_chunks_mut(ROW_CHUNK * 2))
        .zip(
            samples
                .par_chunks(ROW_CHUNK)
                .zip(steps.par_chunks(ROW_CHUNK)),
        )
        .for_each(|((o, p), (smp, stp))| {
            let _done = Advance(task, smp.len());
            let rows = o.chunks_exact_mut(d).zip(p.chunks_exact_mut(2));
            for (((orow, prow), &s), &step) in rows.zip(smp).zip(stp) {
                let s = s as usize;
                let (row, nbr) = (s / k, nn[s] as usize);
                let (a, b) = (&xs[row * d..row * d + d], &xs[nbr * d..nbr * d + d]);
                for ((dst, &xa), &xb) in orow.iter_mut().zip(a).zip(b) {
                    let diff = xb - xa;
                    let v = xa.to_f64() + step * diff.to_f64();
                    *dst = T::from_f64(if v.is_finite() {
                        v
                    } else {
                        on_segment(xa.to_f64(), xb.to_f64(), step)
                    });
                }
                prow[0] = id(row);
                prow[1] = id(nbr);
            }
        });
    Ok(())
}

/// The whole SMOTE resample: copy `x`, then for each plan search each class row's
/// `k` nearest class neighbours (unless given) and append the synthetic rows.
pub fn resample<T: Real + crate::alloc::ZeroBits>(
    x: ArrayView2<T>,
    plans: &[ClassPlan],
    k: usize,
    algorithm: Algorithm,
) -> Result<SmoteOutput<T>> {
    let (n, d) = x.dim();
    let n_new: usize = plans.iter().map(|p| p.samples.len()).sum();
    let mut out = crate::alloc::zeroed::<T>(n + n_new, d)?;
    {
        let xc = x.as_standard_layout();
        let (Some(src), Some(dst)) = (xc.as_slice(), out.as_slice_mut()) else {
            bail_internal!("SMOTE buffers must be contiguous");
        };
        // The copy also checks that every value is finite (the one read of X this
        // call makes), so the caller need not scan X beforehand. Only when it
        // fails is X scanned again, for the position of the first offender.
        let finite = dst[..n * d]
            .par_chunks_mut(ROW_CHUNK * d.max(1))
            .zip(src.par_chunks(ROW_CHUNK * d.max(1)))
            .all(|(o, i)| copy_all_finite(o, i));
        if !finite {
            neighbours::check_finite(x)?;
            bail_internal!("a non-finite value of X was seen but not located");
        }
    }
    let mut parents = Array2::<i64>::zeros((n_new, 2));
    let task = Task::start(n_new);
    let mut start = 0;
    for plan in plans {
        let m = plan.samples.len();
        if m == 0 {
            continue;
        }
        let x_class = gather(x, plan.indices)?;
        let searched: Array2<i64>;
        let nn: ArrayView2<i64> = match plan.neighbours {
            Some(ref nn) => nn.view(),
            None => {
                // The engine is the one guard on `k` against the class size
                // (saturating: a huge `k` is refused there, never overflows here).
                let with_self = k.saturating_add(1);
                let found =
                    neighbours::kneighbors(x_class.view(), x_class.view(), with_self, algorithm)?;
                searched = found.indices.slice_move(s![.., 1..]);
                searched.view()
            }
        };
        let rows = start..start + m;
        generate_reporting(
            x_class.view(),
            nn,
            plan.samples,
            plan.steps,
            Some(plan.indices),
            out.slice_mut(s![n + rows.start..n + rows.end, ..]),
            parents.slice_mut(s![rows, ..]),
            &task,
        )?;
        start += m;
    }
    Ok(SmoteOutput { x: out, parents })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neighbours::testutil::random_matrix;
    use ndarray::array;

    #[test]
    fn new_rows_follow_the_interpolation_formula() {
        let x = array![[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [5.0, 5.0]];
        let nn = array![[1, 2], [0, 2], [0, 1], [1, 2]];
        let samples = [0i64, 3, 5, 6];
        let steps = [0.5, 0.25, 1.0, 0.0];
        let mut out = Array2::<f64>::zeros((4, 2));
        let mut pairs = Array2::<i64>::zeros((4, 2));
        generate(
            x.view(),
            nn.view(),
            &samples,
            &steps,
            None,
            out.view_mut(),
            pairs.view_mut(),
        )
        .unwrap();
        // draw 0 -> sample 0, neighbour 1; draw 3 -> sample 1, neighbour 2 (col 1);
        // draw 5 -> sample 2, neighbour 1; draw 6 -> sample 3, neighbour 1.
        assert_eq!(out, array![[0.5, 0.0], [0.75, 0.5], [1.0, 0.0], [5.0, 5.0]]);
        assert_eq!(pairs, array![[0, 1], [1, 2], [2, 1], [3, 1]]);
    }

    #[test]
    fn differences_that_overflow_give_finite_rows_on_the_segment() {
        let m = f64::MAX;
        let x = array![[-m, 0.9 * m, 1.0], [m, -0.8 * m, 3.0]];
        let nn = array![[1i64], [0]];
        let steps = [0.0, 0.25, 0.5, 0.999, 1.0];
        let samples = [0i64, 0, 1, 0, 1];
        let mut out = Array2::<f64>::zeros((5, 3));
        let mut pairs = Array2::<i64>::zeros((5, 2));
        generate(
            x.view(),
            nn.view(),
            &samples,
            &steps,
            None,
            out.view_mut(),
            pairs.view_mut(),
        )
        .unwrap();
        for (r, row) in out.outer_iter().enumerate() {
            let (a, b) = (pairs[[r, 0]] as usize, pairs[[r, 1]] as usize);
            for j in 0..3 {
                let (xa, xb) = (x[[a, j]], x[[b, j]]);
                let v = row[j];
                assert!(v.is_finite() && v >= xa.min(xb) && v <= xa.max(xb));
                if (xb - xa).is_finite() {
                    // numpy's arithmetic wherever the difference is finite
                    assert_eq!(v, xa + steps[r] * (xb - xa));
                }
            }
        }
        assert_eq!(out[[0, 0]], -m);
        assert_eq!(out[[4, 0]], -m);
        assert_eq!(out[[2, 0]], 0.0);
    }

    #[test]
    fn float32_arithmetic_matches_numpy_promotion() {
        let x = array![[0.1f32, 3.3], [0.7, -1.9]];
        let nn = array![[1i64], [0]];
        let step = 0.123_456_789_f64;
        let mut out = Array2::<f32>::zeros((1, 2));
        let mut pairs = Array2::<i64>::zeros((1, 2));
        generate(
            x.view(),
            nn.view(),
            &[0],
            &[step],
            None,
            out.view_mut(),
            pairs.view_mut(),
        )
        .unwrap();
        for j in 0..2 {
            let diff = x[[1, j]] - x[[0, j]]; // float32 subtraction, as numpy
            let want = (x[[0, j]] as f64 + step * diff as f64) as f32;
            assert_eq!(out[[0, j]], want);
        }
    }

    #[test]
    fn resample_keeps_originals_and_records_parents() {
        let x = random_matrix(60, 3, 9);
        let class: Vec<i64> = (0..60).filter(|i| i % 3 == 0).collect();
        let samples: Vec<i64> = (0..25)
            .map(|i| (i * 7) % (class.len() as i64 * 4))
            .collect();
        let steps: Vec<f64> = (0..25).map(|i| i as f64 / 25.0).collect();
        let plan = ClassPlan {
            indices: &class,
            samples: &samples,
            steps: &steps,
            neighbours: None,
        };
        let got = resample(x.view(), &[plan], 4, Algorithm::Auto).unwrap();
        assert_eq!(got.x.slice(s![..60, ..]), x);
        for (r, p) in got.parents.outer_iter().enumerate() {
            let (a, b) = (p[0] as usize, p[1] as usize);
            assert!(a % 3 == 0 && b % 3 == 0 && a != b);
            for j in 0..3 {
                let want = x[[a, j]] + steps[r] * (x[[b, j]] - x[[a, j]]);
                assert_eq!(got.x[[60 + r, j]], want);
            }
        }
    }

    #[test]
    fn the_first_non_finite_value_is_reported_wherever_it_lies() {
        // Rows past the first copy chunk, every column, NaN and both infinities;
        // with two bad values the first in row-major order is the one reported.
        let n = 2 * ROW_CHUNK + 37;
        for (r, c, bad) in [
            (0, 0, f64::NAN),
            (ROW_CHUNK + 5, 2, f64::INFINITY),
            (n - 1, 3, f64::NEG_INFINITY),
        ] {
            let mut x = random_matrix(n, 4, 3);
            x[[r, c]] = bad;
            x[[n - 1, 0]] = f64::NAN;
            let class: Vec<i64> = (0..10).collect();
            let plan = ClassPlan {
                indices: &class,
                samples: &[1, 2],
                steps: &[0.5, 0.5],
                neighbours: None,
            };
            let err = resample(x.view(), &[plan], 3, Algorithm::Auto).err();
            let want = if r == n - 1 { (n - 1, 0) } else { (r, c) };
            assert_eq!(
                err,
                Some(CoreError::NonFinite {
                    row: want.0,
                    col: want.1
                })
            );
        }
        // The fused copy: every value copied, non-finite values in the vectorised
        // body and in the remainder detected.
        for at in [None, Some(3), Some(20), Some(35)] {
            for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let mut src: Vec<f64> = (0..37).map(|i| i as f64 - 10.5).collect();
                if let Some(a) = at {
                    src[a] = bad;
                }
                let mut dst = vec![0.0; 37];
                assert_eq!(copy_all_finite(&mut dst, &src), at.is_none());
                assert!(dst
                    .iter()
                    .zip(&src)
                    .all(|(a, b)| a.to_bits() == b.to_bits()));
            }
        }
    }

    #[test]
    fn out_of_range_draws_and_small_classes_are_errors() {
        let x = random_matrix(5, 2, 1);
        let class = [0i64, 1, 2];
        // k = 3 neighbours in a class of 3 rows, and a k so large that k + 1
        // would overflow: both refused by the engine's one guard, never a panic.
        for k in [3, usize::MAX] {
            let plan = ClassPlan {
                indices: &class,
                samples: &[0],
                steps: &[0.5],
                neighbours: None,
            };
            assert!(matches!(
                resample(x.view(), &[plan], k, Algorithm::Auto),
                Err(CoreError::InvalidParameter(_))
            ));
        }
        let bad = [0i64, 9];
        let plan = ClassPlan {
            indices: &bad,
            samples: &[0],
            steps: &[0.5],
            neighbours: None,
        };
        assert!(matches!(
            resample(x.view(), &[plan], 1, Algorithm::Auto),
            Err(CoreError::IndexOutOfBounds { .. })
        ));
        let plan = ClassPlan {
            indices: &class,
            samples: &[6],
            steps: &[0.5],
            neighbours: None,
        };
        assert!(resample(x.view(), &[plan], 2, Algorithm::Auto).is_err());
    }
}
