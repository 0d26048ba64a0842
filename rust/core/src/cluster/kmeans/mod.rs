//! k-means as scikit-learn's `KMeans(init="k-means++", algorithm="lloyd")` runs it,
//! with far fewer exact distances.
//!
//! * [`plusplus`]: greedy k-means++ seeding (Arthur and Vassilvitskii, 2007, with
//!   scikit-learn's `2 + ln k` local trials). The caller supplies scikit-learn's
//!   random draws in its order (the first centre, then `trials` uniforms per further
//!   centre), so the same seed picks the same centres. A candidate is scored, as
//!   scikit-learn scores it, by the expanded squared distance
//!   `|x|^2 + |q|^2 - 2 x.q` (see `change`): a float32 screen over every row,
//!   sixteen rows by four candidates in registers, finds the rows a candidate
//!   could take with a proven error bound, and only those are computed in float64.
//!   The chosen candidate's rows are updated from its list.
//! * [`lloyd`]: Lloyd iterations with scikit-learn's stopping rules (labels
//!   unchanged, or total squared centre shift within `tol`; then a last assignment
//!   to the final centres) and its empty-cluster relocation. Assignments are exact
//!   (ties to the lowest centre index). Yinyang bounds (Ding et al., 2015, "Yinyang
//!   K-Means: a drop-in replacement of the classic K-Means with consistent
//!   speedup") skip every row, or every group of centres, that provably cannot
//!   change a row's centre. The distances they cannot skip (all of them in the
//!   first assignment) go through a float32 screen of the expanded distances with
//!   a proven error bound: a row whose nearest centre leads by more than twice the
//!   bound keeps it, and its group bounds are the screen's less the bound; any
//!   other row is measured again exactly ([`dist2`]).
//!
//! So the screens decide only what is computed exactly, never a result: the
//! labels, centres and chosen seeds are those of the exact rules. Every fused
//! operation is `mul_add` (correctly rounded on any machine) and the AVX2 loops
//! round as the portable ones do, so the results are the same on any machine and
//! for any thread count.
//!
//! The input is expected centred on its column means, as scikit-learn centres it
//! (the screens' error bounds grow with the norms).

mod bounds;
#[cfg(all(test, target_arch = "x86_64"))]
mod kernel_tests;
mod kernels;
mod layout;
mod screen;
mod seeding;

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::errors::{CoreError, Result};
use crate::progress::Task;
use crate::{bail_internal, ensure, scale};

use bounds::{assign, first_assign, scan_fraction, Bounds, FULL_PASS_ABOVE};
use layout::Groups;
pub use seeding::plusplus;

fn contiguous<'a>(x: &'a ArrayView2<'a, f64>) -> Result<&'a [f64]> {
    match x.as_slice() {
        Some(s) => Ok(s),
        None => bail_internal!("k-means data not contiguous after as_standard_layout"),
    }
}

/// Squared Euclidean distance, terms added in dimension order.
#[inline]
pub fn dist2(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for (x, y) in a.iter().zip(b) {
        let t = x - y;
        s += t * t;
    }
    s
}

/// The result of [`lloyd`].
#[derive(Debug, Clone)]
pub struct Clustering {
    pub centers: Array2<f64>,
    pub labels: Vec<i32>,
    pub inertia: f64,
    pub n_iter: usize,
}

/// Per-centre sums of the rows assigned to it (`k x d`, row-major), in row order
/// within fixed chunks (so the sums do not depend on the thread count), and the
/// counts.
fn centre_sums(xs: &[f64], d: usize, labels: &[i32], k: usize) -> (Vec<f64>, Vec<f64>) {
    const CHUNK: usize = 8192;
    let parts: Vec<(Vec<f64>, Vec<f64>)> = labels
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, lab)| {
            let mut s = vec![0.0; k * d];
            let mut w = vec![0.0; k];
            for (o, &l) in lab.iter().enumerate() {
                let i = c * CHUNK + o;
                let l = l as usize;
                w[l] += 1.0;
                for (a, &v) in s[l * d..(l + 1) * d]
                    .iter_mut()
                    .zip(&xs[i * d..(i + 1) * d])
                {
                    *a += v;
                }
            }
            (s, w)
        })
        .collect();
    let mut sums = vec![0.0; k * d];
    let mut weights = vec![0.0; k];
    for (s, w) in &parts {
        for (a, &v) in sums.iter_mut().zip(s) {
            *a += v;
        }
        for (a, &v) in weights.iter_mut().zip(w) {
            *a += v;
        }
    }
    (sums, weights)
}

/// One step of a scan in order that keeps the smallest value `m1`, where it was
/// (`at`) and the second smallest `m2` (a repeat of the smallest counts): `v < m1`
/// takes the lead, so the first of equal values keeps it.
#[inline(always)]
fn keep_two<T: Copy + PartialOrd, I>(m1: &mut T, at: &mut I, m2: &mut T, v: T, i: I) {
    if v < *m1 {
        *m2 = *m1;
        *m1 = v;
        *at = i;
    } else if v < *m2 {
        *m2 = v;
    }
}

/// Lanes that each kept the smallest value of their positions, its position and
/// their second smallest, merged: the smallest over the lanes (lowest position on
/// a tie) and the second smallest, the winning lane's second or another lane's
/// smallest.
fn merge_lanes<T: Copy + PartialOrd>(v1: &[T], vi: &[T], v2: &[T]) -> (T, T, T) {
    let mut w = 0;
    for (l, (&a, &i)) in v1.iter().zip(vi).enumerate().skip(1) {
        if a < v1[w] || (a == v1[w] && i < vi[w]) {
            w = l;
        }
    }
    let mut second = v2[w];
    for (l, &a) in v1.iter().enumerate() {
        if l != w && a < second {
            second = a;
        }
    }
    (v1[w], vi[w], second)
}

/// The rows as the assignment passes read them: row-major data with `d` columns,
/// each row's squared norm and the largest of those.
struct Rows<'a> {
    xs: &'a [f64],
    d: usize,
    norm: Vec<f64>,
    norm_max: f64,
}

impl<'a> Rows<'a> {
    fn new(xs: &'a [f64], d: usize) -> Self {
        let norm = sq_norms(xs, d);
        let norm_max = norm.iter().fold(0.0, |a: f64, &b| a.max(b));
        Rows {
            xs,
            d,
            norm,
            norm_max,
        }
    }
}

/// Squared norms of the `d`-wide rows of `v` (terms added in order).
fn sq_norm(r: &[f64]) -> f64 {
    r.iter().map(|x| x * x).sum()
}

fn sq_norms(v: &[f64], d: usize) -> Vec<f64> {
    v.par_chunks(d.max(1)).map(sq_norm).collect()
}

/// Lloyd's algorithm from `init` (k x d), scikit-learn's `_kmeans_single_lloyd`.
pub fn lloyd(
    x: ArrayView2<f64>,
    init: ArrayView2<f64>,
    max_iter: usize,
    tol: f64,
) -> Result<Clustering> {
    let (n, d) = x.dim();
    let k = init.nrows();
    ensure!(
        k >= 1 && k <= n,
        "n_clusters = {k} must be between 1 and n_samples = {n}"
    );
    ensure!(
        init.ncols() == d,
        "init has {} features but the data has {d}",
        init.ncols()
    );
    ensure!(max_iter >= 1, "max_iter must be at least 1; got {max_iter}");
    ensure!(d >= 1, "k-means needs at least one feature; got 0");
    crate::neighbours::check_finite(x)?;
    crate::neighbours::check_finite(init)?;
    // Magnitudes whose squares overflow or underflow: the same iterations on the
    // data times a power of two (exact, so the same assignments), scaled back.
    if let Some(e) = scale::exponent(scale::max_abs(x).max(scale::max_abs(init))) {
        let (xs, is) = (scale::scaled(x, -e), scale::scaled(init, -e));
        let mut c = lloyd(xs.view(), is.view(), max_iter, scale::mul_pow2(tol, -2 * e))?;
        c.centers.mapv_inplace(|v| scale::mul_pow2(v, e));
        c.inertia = scale::mul_pow2(c.inertia, 2 * e);
        return Ok(c);
    }
    let x = x.as_standard_layout();
    let xv = x.view();
    let xs = contiguous(&xv)?;
    let mut centers: Vec<f64> = init.iter().copied().collect();
    let groups = Groups::new(&centers, k, d, n);
    let rows = Rows::new(xs, d);
    let mut b = Bounds {
        labels: vec![0; n],
        upper: vec![f64::INFINITY; n],
        lower: vec![0.0; n * groups.len()],
    };
    first_assign(&rows, &centers, &groups, &mut b);
    let mut shift: Vec<f64> = Vec::new();
    let mut old = vec![-1i32; n];
    let mut strict = false;
    let mut n_iter = 0;
    for it in 0..max_iter {
        n_iter = it + 1;
        // Progress: an iteration's rows are planned as it starts (how many
        // iterations run is not known beforehand).
        let _iteration = Task::start(n);
        if it > 0 {
            if scan_fraction(&groups, &b, &shift) > FULL_PASS_ABOVE {
                first_assign(&rows, &centers, &groups, &mut b);
            } else {
                assign(&rows, &centers, &groups, &mut b, &shift);
            }
        }
        if b.labels.iter().any(|&l| l < 0 || l as usize >= k) {
            bail_internal!("a k-means row was left without a centre");
        }
        // New centres from these labels (scikit-learn updates the centres in the
        // same pass that assigns the labels).
        let (mut new, mut weights) = centre_sums(xs, d, &b.labels, k);
        relocate_empty(xs, d, &centers, &b.labels, &mut new, &mut weights);
        // A cluster left with no weight keeps its sums, as scikit-learn's does.
        for (c, &w) in new.chunks_mut(d).zip(&weights) {
            if w > 0.0 {
                c.iter_mut().for_each(|v| *v /= w);
            }
        }
        shift = (0..k)
            .map(|j| dist2(&new[j * d..(j + 1) * d], &centers[j * d..(j + 1) * d]).sqrt())
            .collect();
        let unchanged = b.labels == old;
        if !unchanged && it > 0 && only_ties(xs, d, &centers, &b.labels, &old) {
            // Keep the centres this assignment was made to: every row is at its
            // nearest one, and the update would only move tied duplicates.
            strict = true;
            break;
        }
        centers = new;
        if unchanged {
            strict = true;
            break;
        }
        let total: f64 = shift.iter().map(|s| s * s).sum();
        if total <= tol {
            break;
        }
        old.copy_from_slice(&b.labels);
    }
    if !strict {
        assign(&rows, &centers, &groups, &mut b, &shift);
        if b.labels.iter().any(|&l| l < 0 || l as usize >= k) {
            bail_internal!("a k-means row was left without a centre");
        }
    }
    // Summed in fixed chunks, so the value does not depend on the thread count.
    let partial: Vec<f64> = b
        .labels
        .par_chunks(8192)
        .enumerate()
        .map(|(c, lab)| {
            lab.iter()
                .enumerate()
                .map(|(o, &l)| {
                    let (i, l) = (c * 8192 + o, l as usize);
                    dist2(&xs[i * d..(i + 1) * d], &centers[l * d..(l + 1) * d])
                })
                .sum::<f64>()
        })
        .collect();
    let inertia: f64 = partial.iter().sum();
    let centers = Array2::from_shape_vec((k, d), centers)
        .map_err(|e| CoreError::Internal(format!("k-means centres: {e}")))?;
    Ok(Clustering {
        centers,
        labels: b.labels,
        inertia,
        n_iter,
    })
}

/// Whether every row whose label changed in this assignment was as close, to
/// rounding, to its old centre as to its new one: the change only moved exact
/// ties (duplicated rows, more clusters than distinct rows), which cannot lower
/// the inertia. Counted as convergence: otherwise duplicates that sit on two
/// centres a rounding apart swap clusters on every iteration (each time a
/// cluster empties, a relocation puts it on another duplicate) until max_iter.
/// scikit-learn settles these ties by its BLAS rounding and stops early; on data
/// without such ties a changed row is closer by far more than rounding, so the
/// rule never fires there. The iterations then end with the centres that
/// assignment was made to (so every row is at its nearest centre).
fn only_ties(xs: &[f64], d: usize, centers: &[f64], labels: &[i32], old: &[i32]) -> bool {
    labels
        .par_iter()
        .zip(old.par_iter())
        .enumerate()
        .all(|(i, (&l, &o))| {
            if l == o {
                return true;
            }
            let x = &xs[i * d..(i + 1) * d];
            let (cl, co) = (
                &centers[l as usize * d..][..d],
                &centers[o as usize * d..][..d],
            );
            let (a, b) = (dist2(x, cl), dist2(x, co));
            let scale = sq_norm(x) + sq_norm(cl) + sq_norm(co);
            (b - a).abs() <= 64.0 * f64::EPSILON * scale
        })
}

/// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes one of
/// the rows farthest from their (old) centre, which leaves its cluster.
fn relocate_empty(
    xs: &[f64],
    d: usize,
    old: &[f64],
    labels: &[i32],
    sums: &mut [f64],
    weights: &mut [f64],
) {
    let empty: Vec<usize> = (0..weights.len()).filter(|&j| weights[j] == 0.0).collect();
    if empty.is_empty() {
        return;
    }
    let mut far: Vec<(f64, usize)> = labels
        .par_iter()
        .enumerate()
        .map(|(i, &l)| {
            let l = l as usize;
            (dist2(&xs[i * d..(i + 1) * d], &old[l * d..(l + 1) * d]), i)
        })
        .collect();
    far.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (&j, &(_, i)) in empty.iter().zip(&far) {
        let from = labels[i] as usize;
        let xi = &xs[i * d..(i + 1) * d];
        for (c, &v) in xi.iter().enumerate() {
            sums[from * d + c] -= v;
            sums[j * d + c] = v;
        }
        weights[j] = 1.0;
        weights[from] -= 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neighbours::testutil::random_matrix;

    #[test]
    fn more_clusters_than_distinct_rows_ends_in_a_few_iterations() {
        // 40 rows, 12 distinct (each repeated), 20 clusters: the iterations end
        // when a change of labels only moves exact ties, instead of swapping
        // duplicates between clusters on every iteration until max_iter (300).
        let base = random_matrix(12, 3, 7);
        let x = Array2::from_shape_fn((40, 3), |(i, c)| base[[i % 12, c]]);
        // centres 12-19 sit on rows other than those a relocation would take
        let init = Array2::from_shape_fn((20, 3), |(i, c)| {
            base[[if i < 12 { i } else { (i * 7 + 5) % 12 }, c]]
        });
        let c = lloyd(x.view(), init.view(), 300, 0.0).unwrap();
        assert!(c.n_iter <= 3, "n_iter = {}", c.n_iter);
        // a fixed point: every row is on its centre (to the rounding of a mean of
        // copies), and every centre is on a data row
        assert!(c.inertia <= 1e-24, "inertia {}", c.inertia);
        for i in 0..40 {
            let l = c.labels[i] as usize;
            let row = x.row(i);
            assert!(
                dist2(
                    row.as_slice().unwrap(),
                    c.centers.row(l).as_slice().unwrap()
                ) <= 1e-24
            );
        }
        for j in 0..20 {
            let cj = c.centers.row(j).to_vec();
            let on_row = (0..12).any(|r| dist2(base.row(r).as_slice().unwrap(), &cj) <= 1e-24);
            assert!(on_row, "centre {j} is not on a data row");
        }
    }

    #[test]
    fn lloyd_ends_at_a_fixed_point() {
        let x = random_matrix(3000, 3, 11);
        let init = x.slice(ndarray::s![0..40, ..]).to_owned();
        let c = lloyd(x.view(), init.view(), 300, 0.0).unwrap();
        // every row sits with its nearest centre, each centre is its rows' mean
        for i in 0..x.nrows() {
            let xi = x.row(i);
            let xi = xi.as_slice().unwrap();
            let mut best = (f64::INFINITY, 0usize);
            for j in 0..c.centers.nrows() {
                let t = dist2(xi, c.centers.row(j).as_slice().unwrap());
                if t < best.0 {
                    best = (t, j);
                }
            }
            assert_eq!(best.1 as i32, c.labels[i]);
        }
        for j in 0..c.centers.nrows() {
            let rows: Vec<usize> = (0..x.nrows())
                .filter(|&i| c.labels[i] == j as i32)
                .collect();
            assert!(!rows.is_empty());
            for col in 0..3 {
                let m = rows.iter().map(|&i| x[[i, col]]).sum::<f64>() / rows.len() as f64;
                assert!((m - c.centers[[j, col]]).abs() < 1e-12);
            }
        }
    }

    /// Lloyd with a full scan of every centre for every row, each iteration.
    fn naive_lloyd(
        x: &Array2<f64>,
        init: &Array2<f64>,
        max_iter: usize,
    ) -> (Vec<f64>, Vec<i32>, usize) {
        naive_lloyd_tol(x, init, max_iter, 0.0)
    }

    /// [`naive_lloyd`] with scikit-learn's stopping rule: stop when the labels
    /// do not change, or when the summed squared centre shift is at most `tol`;
    /// after a stop that was not a fixed point, assign the rows once more.
    fn naive_lloyd_tol(
        x: &Array2<f64>,
        init: &Array2<f64>,
        max_iter: usize,
        tol: f64,
    ) -> (Vec<f64>, Vec<i32>, usize) {
        let (n, d) = x.dim();
        let k = init.nrows();
        let xs = x.as_slice().unwrap();
        let mut c: Vec<f64> = init.iter().copied().collect();
        let mut old = vec![-1i32; n];
        let mut labels = vec![0i32; n];
        let mut it = 0;
        let assign = |c: &[f64], labels: &mut [i32]| {
            for r in 0..n {
                let mut best = (f64::INFINITY, 0);
                for j in 0..k {
                    let t = dist2(&xs[r * d..(r + 1) * d], &c[j * d..(j + 1) * d]);
                    if t < best.0 {
                        best = (t, j);
                    }
                }
                labels[r] = best.1 as i32;
            }
        };
        let mut fixed_point = false;
        for i in 0..max_iter {
            it = i + 1;
            assign(&c, &mut labels);
            let (mut sums, w) = centre_sums(xs, d, &labels, k);
            for (row, &wj) in sums.chunks_mut(d).zip(&w) {
                assert!(wj > 0.0);
                row.iter_mut().for_each(|v| *v /= wj);
            }
            let shift: f64 = sums.iter().zip(&c).map(|(a, b)| (a - b) * (a - b)).sum();
            c = sums;
            if labels == old {
                fixed_point = true;
                break;
            }
            if shift <= tol {
                break;
            }
            old.copy_from_slice(&labels);
        }
        if !fixed_point {
            assign(&c, &mut labels);
        }
        (c, labels, it)
    }

    #[test]
    fn bounded_lloyd_equals_the_full_scan_bit_for_bit() {
        // (The last case lies beyond float32's range: exact scans only.)
        for (n, d, k, scale) in [
            (4000, 2, 60, 1.0),
            (3000, 7, 200, 1.0),
            (2500, 12, 31, 1.0),
            (3000, 4, 120, 1e24),
        ] {
            let x = random_matrix(n, d, 3 + d as u64).mapv(|v| v * scale);
            let init = x.slice(ndarray::s![0..k, ..]).to_owned();
            let got = lloyd(x.view(), init.view(), 300, 0.0).unwrap();
            let (c, labels, it) = naive_lloyd(&x, &init, 300);
            assert_eq!(got.labels, labels, "n={n} d={d} k={k}");
            assert_eq!(got.centers.iter().copied().collect::<Vec<_>>(), c);
            assert_eq!(got.n_iter, it);
        }
        // Exact ties (an integer grid with repeated rows) and data far from the
        // origin (the float32 screens' error bound then exceeds most gaps, so
        // rows go to the exact scans).
        for (offset, scale, d, k) in [(0.0, 1.0, 3, 40), (1e4, 1.0, 4, 50), (0.0, 1e20, 3, 30)] {
            let n = 3000;
            let mut rng = crate::neighbours::testutil::SplitMix(77);
            let x =
                Array2::from_shape_fn((n, d), |_| ((rng.uniform() * 6.0).floor() + offset) * scale);
            let mut rows: Vec<usize> = Vec::new();
            for i in 0..n {
                if rows.len() < k && rows.iter().all(|&r| x.row(r) != x.row(i)) {
                    rows.push(i);
                }
            }
            let init = x.select(ndarray::Axis(0), &rows);
            let got = lloyd(x.view(), init.view(), 300, 0.0).unwrap();
            let (c, labels, it) = naive_lloyd(&x, &init, 300);
            assert_eq!(got.labels, labels, "offset={offset}");
            assert_eq!(got.centers.iter().copied().collect::<Vec<_>>(), c);
            assert_eq!(got.n_iter, it);
        }
    }

    #[test]
    fn tol_and_max_iter_stop_where_scikit_learn_does() {
        // Stopped by the centre shift (tol) or by max_iter, not at a fixed point:
        // the same iterations, centres and final labels as the naive rule; and
        // on the same data times 2^60 (rescaled inside, tol scaled by 2^-120)
        // the same stop, exactly.
        let x = random_matrix(2000, 3, 21);
        let init = x.slice(ndarray::s![0..25, ..]).to_owned();
        let full = lloyd(x.view(), init.view(), 300, 0.0).unwrap();
        for (max_iter, tol) in [(300, 1e-4), (300, 1e-2), (2, 0.0), (1, 0.0)] {
            let got = lloyd(x.view(), init.view(), max_iter, tol).unwrap();
            let (c, labels, it) = naive_lloyd_tol(&x, &init, max_iter, tol);
            assert!(
                it < full.n_iter,
                "max_iter={max_iter} tol={tol}: not an early stop"
            );
            assert_eq!(got.n_iter, it, "max_iter={max_iter} tol={tol}");
            assert_eq!(got.labels, labels, "max_iter={max_iter} tol={tol}");
            assert_eq!(got.centers.iter().copied().collect::<Vec<_>>(), c);
            let big = 2f64.powi(60);
            let xs = x.mapv(|v| v * big);
            let is = init.mapv(|v| v * big);
            let scaled = lloyd(xs.view(), is.view(), max_iter, tol * big * big).unwrap();
            assert_eq!(scaled.n_iter, it, "x 2^60: max_iter={max_iter} tol={tol}");
            assert_eq!(scaled.labels, labels);
            assert_eq!(scaled.centers, got.centers.mapv(|v| v * big));
        }
    }
}
