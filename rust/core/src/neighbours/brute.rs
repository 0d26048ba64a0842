//! Blocked brute-force exact k-NN for high dimensions.
//!
//! For a block of queries and a block of data rows, `x.q` comes from a GEMM kernel
//! (`matrixmultiply`, AVX2/FMA where available) on float32 copies of the rows
//! centred on the column medians (a robust centre: heavy-tailed columns pull a mean
//! far from most rows). The exact squared distance is `D_j = |x_j - q|^2`; up to
//! the term `|q|^2`, which is the same for every candidate of a query, it is the
//! key `T_j = |x_j|^2 - 2 x_j.q`, which the kernel forms with fused multiply-adds
//! and one rounding for the subtraction.
//!
//! ## The screen and why it is exact
//! Let `n_j = |x_j|^2` and `Q = |q|^2` (of the centred float32 copies, summed in
//! f64) and `eps` float32's epsilon. Rounding the centred rows to float32 moves
//! `D_j` by at most about `4 eps (n_j + Q)`; the dot product of length `d` errs by
//! at most `d eps |x_j||q| <= d eps (n_j + Q) / 2`, twice that in the key; rounding
//! the norm to float32 and the final subtraction add `eps n_j` and
//! `eps (2 n_j + Q)`. So the computed key of row `j` is within
//! `g1 (n_j + Q)` of `T_j`, with `g1 = (d + 9) eps` covering all of it (and the
//! f64 rounding of the exact re-check, below float32's by a factor 2^29).
//! The screen uses `g = 2 (d + 8) eps >= g1` and gives every row its own
//! tolerance instead of one for the largest row (which on unscaled heavy-tailed
//! data made every candidate survive):
//! - the kernel is handed the lowered norms `m_j = (1 - g) n_j`, so the key it
//!   computes and compares is the lower key `L_j`, within `g1 (n_j + Q)` of
//!   `T_j - g n_j`; hence `L_j <= T_j + g1 Q` and
//!   `T_j <= U_j + g1 Q` with the upper key `U_j = L_j + 2 g n_j`;
//! - each query keeps every candidate with `L_j <= u_k + 2 g Q`, where `u_k` is
//!   the k-th smallest upper key among the candidates seen so far. The `k` rows
//!   behind `u_k` have exact keys at most `u_k + g1 Q`, so every true top-k row
//!   `j` has `T_j <= u_k + g1 Q` and `L_j <= u_k + 2 g1 Q`: it is never dropped.
//!   The spare `2 (g - g1) Q` and a relative `4 eps |u_k|` cover the float32
//!   rounding of the thresholds (rounding is monotone, so the k-th smallest of the
//!   rounded upper keys is the rounded k-th smallest).
//!
//! A long finalist list (tight clusters, which float32 keys relative to a far
//! centre cannot order) first goes through a second, rigorous screen on the
//! float32 differences, whose error grows with the distance itself ([`refine`]).
//! The finalists are then ranked by the exact squared distance, giving the same
//! answer as the KD-tree and as a naive search. Every path (the fused kernel
//! below, the portable GEMM and the symmetric self-query, [`symmetric`]) computes
//! the same lower keys and prunes by the same rule ([`prune`]).
//!
//! Work is split into fixed query blocks, so the result does not depend on the
//! number of threads.

use std::sync::atomic::{AtomicUsize, Ordering};

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::exact::sq_dists;
use super::fused;
use super::symmetric;
use super::{finish_row, Neighbours};
use crate::cpu::Kernels;
use crate::progress::{Advance, Task};
use crate::Real;

/// Query rows per block (one rayon task).
const QUERY_BLOCK: usize = 128;
/// Data rows per GEMM block (portable path).
const DATA_BLOCK: usize = 256;
/// Rows whose column medians centre the float32 copies (evenly spaced).
const MEDIAN_SAMPLE: usize = 4096;
/// Bytes of packed data per pass of the fused kernel.
const FUSED_PASS_BYTES: usize = 64 * 1024;

/// The search, where `symmetric` allows a self-query to use symmetric.rs and
/// `kernels` says whether the fused AVX2 kernel may run.
#[cfg(test)]
pub(crate) fn search<T: Real>(
    data: ArrayView2<T>,
    queries: ArrayView2<T>,
    k: usize,
    symmetric: bool,
    kernels: Kernels,
) -> Neighbours {
    Screen::new(data, kernels).search_reporting(queries, k, symmetric, &Task::silent())
}

/// The mean number of finalists per query the screen leaves for the exact
/// re-check, measured by searching the query rows `sample` one way: how well the
/// screen prunes on these data (the engine's choice of path uses it). The same
/// for any number of threads. (The engine counts them with [`Screen::finalists`],
/// on the screen its search then reuses.)
#[cfg(test)]
pub(crate) fn finalists<T: Real>(
    data: ArrayView2<T>,
    queries: ArrayView2<T>,
    sample: &[usize],
    k: usize,
    kernels: Kernels,
) -> f64 {
    Screen::new(data, kernels).finalists(queries, sample, k)
}

/// The data side of the float32 screen, prepared once (column medians, centred
/// float32 copy, norms, packed panels) for any number of searches of these rows:
/// the engine counts the finalists of a probe's sample and then searches with the
/// same screen (at 20,000 x 64 the preparation is ~5 ms, the sample's scan ~1 ms).
pub(crate) struct Screen<'a, T: Real> {
    /// The data rows, row-major (`None` for a view that is not: no search then).
    data: Option<&'a [T]>,
    n: usize,
    dim: usize,
    kernels: Kernels,
    centre: Vec<f64>,
    d32: Vec<f32>,
    gamma: f64,
    norms: Vec<f64>,
    up: Vec<f64>,
    lowered: Vec<f32>,
    kernel: Kernel,
}

impl<'a, T: Real> Screen<'a, T> {
    pub(crate) fn new(data: ArrayView2<'a, T>, kernels: Kernels) -> Self {
        let (n, dim) = data.dim();
        let slice = data.to_slice();
        // Candidate keys are computed on float32 copies centred on the column
        // medians: twice the SIMD width of float64, and centring removes the
        // cancellation that data far from the origin would cause. The tolerance
        // below covers the conversion.
        let (centre, d32) = match slice {
            Some(x) => {
                let centre = column_median(x, n, dim);
                let d32 = centred_f32(x, &centre);
                (centre, d32)
            }
            None => (Vec::new(), Vec::new()),
        };
        // (d + 8) covers the dot product's d roundings, the conversion to float32
        // of both operands, the norms, the scaling and the subtraction, twice over
        // (see above).
        let gamma = 2.0 * (dim as f64 + 8.0) * f32::EPSILON as f64;
        let norms: Vec<f64> = d32.par_chunks(dim.max(1)).map(sq_norm).collect();
        // The kernels compute lower keys from the lowered norms; `up[j]` lifts row
        // `j`'s lower key to its upper key.
        let lowered: Vec<f32> = norms.iter().map(|&v| (v - gamma * v) as f32).collect();
        let up: Vec<f64> = norms.iter().map(|&v| 2.0 * gamma * v).collect();
        let kernel = if kernels.avx2_fma() && slice.is_some() {
            Kernel::Fused(fused::Panels::pack(&d32, &lowered, dim))
        } else {
            Kernel::Gemm
        };
        Screen {
            data: slice,
            n,
            dim,
            kernels,
            centre,
            d32,
            gamma,
            norms,
            up,
            lowered,
            kernel,
        }
    }

    /// [`finalists`] with this screen.
    pub(crate) fn finalists(&self, queries: ArrayView2<T>, sample: &[usize], k: usize) -> f64 {
        let rows: Vec<usize> = sample
            .iter()
            .copied()
            .filter(|&p| p < queries.nrows())
            .collect();
        if rows.is_empty() {
            return 0.0;
        }
        let picked = queries.select(ndarray::Axis(0), &rows);
        let count = AtomicUsize::new(0);
        self.search_counting(picked.view(), k, false, &count, &Task::silent());
        count.into_inner() as f64 / rows.len() as f64
    }

    /// The search of `queries` (`symmetric` allows a self-query to use
    /// symmetric.rs), reporting the query rows done to `task`.
    pub(crate) fn search_reporting(
        &self,
        queries: ArrayView2<T>,
        k: usize,
        symmetric: bool,
        task: &Task,
    ) -> Neighbours {
        self.search_counting(queries, k, symmetric, &AtomicUsize::new(0), task)
    }

    /// The search, adding the number of finalists of every query to `finalists`.
    fn search_counting(
        &self,
        queries: ArrayView2<T>,
        k: usize,
        symmetric: bool,
        finalists: &AtomicUsize,
        task: &Task,
    ) -> Neighbours {
        let (n, dim, kernels) = (self.n, self.dim, self.kernels);
        let m = queries.nrows();
        let mut indices = Array2::<i64>::zeros((m, k));
        let mut distances = Array2::<f64>::zeros((m, k));
        let (Some(idx_all), Some(dist_all), Some(dslice), Some(qslice)) = (
            indices.as_slice_mut(),
            distances.as_slice_mut(),
            self.data,
            queries.as_slice(),
        ) else {
            return Neighbours { indices, distances };
        };
        let (d32, norms, up) = (&self.d32, &self.norms, &self.up);
        let same = std::ptr::eq(dslice.as_ptr(), qslice.as_ptr()) && n == m;
        let q32_owned;
        let q32: &[f32] = if same {
            d32
        } else {
            q32_owned = centred_f32(qslice, &self.centre);
            &q32_owned
        };
        let gamma = self.gamma;
        // Keep the candidate list short: prune once it holds this many.
        let cap = 4 * k + 60;
        let margin_of = |q: &[f32]| 2.0 * gamma * sq_norm(q) * (1.0 + 1e-6);
        if let (true, Kernel::Fused(panels)) = (
            symmetric && same && dim > 0 && symmetric::fits(n, k),
            &self.kernel,
        ) {
            // A self-query: each pair of rows is scanned once for both (symmetric.rs).
            let margin: Vec<f64> = d32.par_chunks(dim.max(1)).map(margin_of).collect();
            let mut lists = symmetric::candidates(panels, &margin, up, k, task);
            idx_all
                .par_chunks_mut(k)
                .zip(dist_all.par_chunks_mut(k))
                .zip(lists.par_iter_mut())
                .enumerate()
                .for_each_init(
                    Scratch::default,
                    |scratch, (i, ((idx_row, dist_row), list))| {
                        let Scratch { exact, ids, bounds } = scratch;
                        if list.len() > k {
                            prune(list, k, margin[i], up);
                        }
                        let q = &qslice[i * dim..(i + 1) * dim];
                        ids.clear();
                        ids.extend(list.iter().map(|&(_, j)| j as usize));
                        let q32 = &d32[i * dim..(i + 1) * dim];
                        refine(q32, norms[i], d32, norms, dim, k, ids, bounds, kernels);
                        exact.clear();
                        sq_dists(q, dslice, dim, ids.iter().copied(), exact, kernels);
                        finish_row(exact, k, idx_row, dist_row);
                    },
                );
            return Neighbours { indices, distances };
        }
        idx_all
            .par_chunks_mut(QUERY_BLOCK * k)
            .zip(dist_all.par_chunks_mut(QUERY_BLOCK * k))
            .enumerate()
            .for_each(|(b, (idx_blk, dist_blk))| {
                let q0 = b * QUERY_BLOCK;
                let qb = idx_blk.len() / k;
                let _done = Advance(task, qb);
                let qrows = &q32[q0 * dim..(q0 + qb) * dim];
                let margin: Vec<f64> = qrows.chunks_exact(dim.max(1)).map(margin_of).collect();
                let mut cands: Vec<Vec<(f32, usize)>> =
                    vec![Vec::with_capacity(cap + DATA_BLOCK); qb];
                let mut search = BlockSearch {
                    thr: vec![f64::INFINITY; qb],
                    margin,
                    up,
                    k,
                    cap,
                    limit: vec![cap; qb],
                };
                match &self.kernel {
                    Kernel::Fused(panels) => search.run_fused(panels, qrows, dim, &mut cands),
                    Kernel::Gemm => search.run_gemm(d32, &self.lowered, n, qrows, dim, &mut cands),
                }
                let mut scratch = Scratch::default();
                for (i, (idx_row, dist_row)) in idx_blk
                    .chunks_mut(k)
                    .zip(dist_blk.chunks_mut(k))
                    .enumerate()
                {
                    // A last prune leaves only the finalists (entries pushed before the
                    // threshold last tightened are still in the list).
                    if cands[i].len() > k {
                        prune(&mut cands[i], k, search.margin[i], up);
                    }
                    finalists.fetch_add(cands[i].len(), Ordering::Relaxed);
                    let qi = q0 + i;
                    let q = &qslice[qi * dim..(qi + 1) * dim];
                    let Scratch { exact, ids, bounds } = &mut scratch;
                    ids.clear();
                    ids.extend(cands[i].iter().map(|&(_, j)| j));
                    let q32 = &qrows[i * dim..(i + 1) * dim];
                    refine(q32, sq_norm(q32), d32, norms, dim, k, ids, bounds, kernels);
                    exact.clear();
                    sq_dists(q, dslice, dim, ids.iter().copied(), exact, kernels);
                    finish_row(exact, k, idx_row, dist_row);
                }
            });
        Neighbours { indices, distances }
    }
}

/// Per-task buffers of the finalists' re-check.
#[derive(Default)]
struct Scratch {
    exact: Vec<(f64, usize)>,
    ids: Vec<usize>,
    bounds: Vec<(f64, f64)>,
}

/// Finalist lists longer than this go through [`refine`] before the exact
/// re-check.
const REFINE_MIN: usize = 24;

/// A second screen for a long finalist list (tight clusters: hundreds of rows
/// the first screen cannot order, because its tolerance grows with the squared
/// norms `|x - c|^2`, not with the distances). Each finalist's distance to the
/// query is computed from the differences of the float32 copies, whose error
/// grows with the distance itself, and bounded rigorously:
///
/// - with `u = 2^-24`, the centred copies satisfy `|x32_t - (x_t - c_t)| <= u' |x_t - c_t|`
///   (`u' = u (1 + 1e-6)` covers the f64 subtraction), and the float32 difference
///   `delta_t = fl(x32_t - q32_t)` is within `u |x32_t - q32_t|` of `x32_t - q32_t`; so the
///   error vector `e = delta - (x - q)` has `|e| <= u |delta| / (1 - u) + u' (|x - c| + |q - c|)`
///   (triangle inequality), plus `sqrt(d) 2^-148` for values in float32's
///   subnormal range;
/// - the float32 sum `S` of the `delta_t^2` is within `gamma = (d + 2) u (1.01)` relative
///   and `d 2^-148` absolute of `|delta|^2` (any summation order);
/// - `|x - c|` is at most `sqrt(norm) (1 + 1e-6)` from the float32 copy's squared norm.
///
/// So every finalist's true distance lies in `[lo, hi]`. The `k` smallest `hi`
/// bound the k-th true distance; a row whose `lo` exceeds the k-th smallest
/// `hi` cannot be among the `k` nearest or tie with the k-th, and is dropped.
/// Relative slack of `1e-9` on both sides covers the exact re-check's own f64
/// rounding (about `1e-16`) and the square roots. The survivors keep their order.
#[allow(clippy::too_many_arguments)]
fn refine(
    q32: &[f32],
    q_norm: f64,
    d32: &[f32],
    norms: &[f64],
    dim: usize,
    k: usize,
    ids: &mut Vec<usize>,
    bounds: &mut Vec<(f64, f64)>,
    kernels: Kernels,
) {
    if k == 0 || ids.len() <= REFINE_MIN.max(2 * k) || dim == 0 || dim > 100_000 {
        return;
    }
    const U: f64 = f32::EPSILON as f64 / 2.0;
    let tiny = (-148.0f64).exp2();
    let gamma = (dim as f64 + 2.0) * U * 1.01;
    let u_c = U * (1.0 + 1e-6);
    let abs_s = dim as f64 * tiny;
    let abs_e = (dim as f64).sqrt() * tiny;
    let q_len = q_norm.sqrt() * (1.0 + 1e-6);
    bounds.clear();
    for &j in ids.iter() {
        let s = diff_sq_f32(q32, &d32[j * dim..(j + 1) * dim], kernels) as f64;
        let hi_d = ((s + abs_s) / (1.0 - gamma)).sqrt();
        let lo_d = ((s - abs_s).max(0.0) / (1.0 + gamma)).sqrt();
        let e = U * hi_d / (1.0 - U) + u_c * (norms[j].sqrt() * (1.0 + 1e-6) + q_len) + abs_e;
        bounds.push(((lo_d - e) * (1.0 - 1e-9), (hi_d + e) * (1.0 + 1e-9)));
    }
    let mut his: Vec<f64> = bounds.iter().map(|b| b.1).collect();
    let (_, kth, _) = his.select_nth_unstable_by(k - 1, f64::total_cmp);
    let kth = *kth;
    let mut b = bounds.iter();
    ids.retain(|_| b.next().is_some_and(|&(lo, _)| lo <= kth));
}

/// `sum_t fl(a_t - b_t)^2` in float32 (any order of the sum: [`refine`]'s bound
/// holds for all), AVX2-built where `kernels` allows.
fn diff_sq_f32(a: &[f32], b: &[f32], kernels: Kernels) -> f32 {
    #[inline(always)]
    fn body(a: &[f32], b: &[f32]) -> f32 {
        let n = a.len().min(b.len());
        let (a, b) = (&a[..n], &b[..n]);
        let mut acc = [0.0f32; 16];
        let mut ca = a.chunks_exact(16);
        let mut cb = b.chunks_exact(16);
        for (x, y) in (&mut ca).zip(&mut cb) {
            for l in 0..16 {
                let t = x[l] - y[l];
                acc[l] += t * t;
            }
        }
        for (l, (x, y)) in ca.remainder().iter().zip(cb.remainder()).enumerate() {
            let t = x - y;
            acc[l] += t * t;
        }
        acc.iter().sum()
    }
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn wide(a: &[f32], b: &[f32]) -> f32 {
        body(a, b)
    }
    #[cfg(target_arch = "x86_64")]
    if kernels.avx2() {
        // SAFETY: `kernels.avx2()` confirmed the CPU runs AVX2.
        return unsafe { wide(a, b) };
    }
    let _ = kernels;
    body(a, b)
}

enum Kernel {
    Fused(fused::Panels),
    Gemm,
}

/// Per query block: thresholds and margins of the candidate lists, and every data
/// row's lift from lower to upper key.
struct BlockSearch<'a> {
    thr: Vec<f64>,
    margin: Vec<f64>,
    up: &'a [f64],
    k: usize,
    cap: usize,
    /// Per query, the list length that triggers the next prune
    /// ([`next_prune_at`]).
    limit: Vec<usize>,
}

impl BlockSearch<'_> {
    fn maybe_prune(&mut self, i: usize, list: &mut Vec<(f32, usize)>) {
        if list.len() >= self.limit[i] {
            self.thr[i] = prune(list, self.k, self.margin[i], self.up);
            self.limit[i] = next_prune_at(self.cap, list.len());
        }
    }

    fn run_fused(
        &mut self,
        panels: &fused::Panels,
        qrows: &[f32],
        dim: usize,
        cands: &mut [Vec<(f32, usize)>],
    ) {
        let qb = cands.len();
        let groups = panels.groups();
        // Panel groups per pass: about 64 KiB of data, so a pass stays in L2 while
        // every query of the block scans it.
        let step = (FUSED_PASS_BYTES / (fused::PANEL * dim.max(1) * 4)).max(1);
        let packed = fused::interleave(qrows, qb, dim);
        // The first pass only fills the lists up to the first prune (thresholds are
        // infinite until then); later passes are cache-sized.
        let first = self.cap.div_ceil(fused::PANEL).max(1);
        let mut g0 = 0;
        while g0 < groups {
            let g1 = (g0 + if g0 == 0 { first } else { step }).min(groups);
            let mut i0 = 0;
            while i0 < qb {
                let live = (qb - i0).min(4);
                let t = |j: usize| self.thr[(i0 + j).min(qb - 1)] as f32;
                let tile = packed.as_ptr().wrapping_add(fused::tile_offset(i0, dim));
                #[cfg(target_arch = "x86_64")]
                // SAFETY: only reached when `kernels.avx2_fma()` confirmed AVX2+FMA;
                // the packed block holds `dim` groups of sixteen from `tile`.
                unsafe {
                    fused::scan_tile(
                        tile,
                        live,
                        panels,
                        g0,
                        g1,
                        [t(0), t(1), t(2), t(3)],
                        &mut cands[i0..i0 + live],
                    );
                }
                for (j, list) in cands[i0..i0 + live].iter_mut().enumerate() {
                    self.maybe_prune(i0 + j, list);
                }
                i0 += live;
            }
            g0 = g1;
        }
    }

    fn run_gemm(
        &mut self,
        d32: &[f32],
        norms: &[f32],
        n: usize,
        qrows: &[f32],
        dim: usize,
        cands: &mut [Vec<(f32, usize)>],
    ) {
        let qb = cands.len();
        let mut dots = vec![0.0f32; qb * DATA_BLOCK];
        let mut s = 0;
        while s < n {
            let db = DATA_BLOCK.min(n - s);
            if dim > 0 {
                // dots[i, j] = q_i . x_{s+j}; data rows read transposed via strides.
                // SAFETY: the pointers and strides describe qb x dim, dim x db and
                // qb x DATA_BLOCK matrices inside their buffers.
                unsafe {
                    f32::gemm(
                        qb,
                        dim,
                        db,
                        qrows.as_ptr(),
                        dim as isize,
                        1,
                        d32.as_ptr().add(s * dim),
                        1,
                        dim as isize,
                        dots.as_mut_ptr(),
                        DATA_BLOCK as isize,
                        1,
                    );
                }
            }
            let nblk = &norms[s..s + db];
            for (i, list) in cands.iter_mut().enumerate() {
                let row = &dots[i * DATA_BLOCK..i * DATA_BLOCK + db];
                scan(row, nblk, self.thr[i] as f32, s, list);
                self.maybe_prune(i, list);
            }
            s += db;
        }
    }
}

/// Each column's median (the upper one for an even count) over an evenly spaced
/// sample of at most [`MEDIAN_SAMPLE`] rows: the centre of the float32 copies. Any
/// centre keeps the search exact; a robust one keeps `|q|^2`, and with it the
/// screen's tolerance, small for most rows of heavy-tailed data. (Reading every
/// row column by column cost ~10 ms at 20,000 x 64 and more at d = 256: a pass
/// over the data per column.)
fn column_median<T: Real>(x: &[T], n: usize, dim: usize) -> Vec<f64> {
    if dim == 0 || n == 0 {
        return vec![0.0; dim];
    }
    let step = n.div_ceil(MEDIAN_SAMPLE).max(1);
    let rows: Vec<&[T]> = x.chunks_exact(dim).step_by(step).collect();
    let m = rows.len();
    // Column-major copy of the sampled rows, read row by row.
    let mut cols = vec![0.0f64; m * dim];
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            cols[j * m + i] = v.to_f64();
        }
    }
    cols.par_chunks_mut(m)
        .map(|col| {
            let (_, mid, _) = col.select_nth_unstable_by(m / 2, f64::total_cmp);
            *mid
        })
        .collect()
}

/// `|v|^2` of a float32 row, summed in f64.
fn sq_norm(v: &[f32]) -> f64 {
    v.iter().map(|&a| a as f64 * a as f64).sum()
}

fn centred_f32<T: Real>(x: &[T], mean: &[f64]) -> Vec<f32> {
    let dim = mean.len().max(1);
    let mut out = vec![0.0f32; x.len()];
    out.par_chunks_mut(dim * 256)
        .zip(x.par_chunks(dim * 256))
        .for_each(|(o, i)| {
            for (orow, irow) in o.chunks_exact_mut(dim).zip(i.chunks_exact(dim)) {
                for ((ov, iv), m) in orow.iter_mut().zip(irow).zip(mean) {
                    *ov = (iv.to_f64() - m) as f32;
                }
            }
        });
    out
}

/// Push every `(key, s + j)` with `key = norms[j] - 2 dots[j] <= t`. Lanes of 8 are
/// tested branch-free first (the common case: none passes), which lets the compiler
/// vectorise the test.
#[inline]
fn scan<T: Real>(dots: &[T], norms: &[T], t: T, s: usize, list: &mut Vec<(T, usize)>) {
    const W: usize = 8;
    let mut dc = dots.chunks_exact(W);
    let mut nc = norms.chunks_exact(W);
    let mut base = s;
    for (d, n) in (&mut dc).zip(&mut nc) {
        let mut hit = false;
        for l in 0..W {
            hit |= n[l] - (d[l] + d[l]) <= t;
        }
        if hit {
            for l in 0..W {
                let key = n[l] - (d[l] + d[l]);
                if key <= t {
                    list.push((key, base + l));
                }
            }
        }
        base += W;
    }
    for (l, (&d, &n)) in dc.remainder().iter().zip(nc.remainder()).enumerate() {
        let key = n - (d + d);
        if key <= t {
            list.push((key, base + l));
        }
    }
}

/// The list length at which a list that a prune left with `kept` entries is
/// pruned again: `cap`, or twice `kept` when the screen cannot separate more
/// (tight clusters keep hundreds of finalists), so a list is pruned O(log) times
/// instead of after every panel. Both the one-way and the symmetric search use it.
pub(super) fn next_prune_at(cap: usize, kept: usize) -> usize {
    cap.max(2 * kept)
}

/// Keep the candidates whose lower key is at most `margin` above the k-th
/// smallest upper key (`key + up[row]`, see the module text); return that
/// threshold, rounded up so the cast to `T` cannot tighten it.
pub(super) fn prune<T: Real, I: Copy + TryInto<usize>>(
    list: &mut Vec<(T, I)>,
    k: usize,
    margin: f64,
    up: &[f64],
) -> f64 {
    let upper = |c: &(T, I)| {
        let lift = c.1.try_into().ok().and_then(|j| up.get(j)).copied();
        // A row outside `up` cannot occur; lifting it to infinity only keeps more.
        c.0.to_f64() + lift.unwrap_or(f64::INFINITY)
    };
    list.select_nth_unstable_by(k - 1, |a, b| upper(a).total_cmp(&upper(b)));
    let kth = upper(&list[k - 1]);
    let thr = kth + margin + kth.abs() * 4.0 * T::EPSILON;
    list.retain(|c| c.0.to_f64() <= thr);
    thr
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neighbours::testutil::{naive, normal, SplitMix};
    use crate::neighbours::Algorithm;
    use ndarray::Array2;

    /// `clusters` tight clusters (spread `spread`, centres ~5 apart, offset by
    /// `offset`) of `per` rows each in `d` dimensions, rows interleaved.
    fn clustered(clusters: usize, per: usize, d: usize, spread: f64, offset: f64) -> Array2<f64> {
        let mut g = SplitMix(11);
        let centres = Array2::from_shape_fn((clusters, d), |_| 5.0 * normal(&mut g) + offset);
        Array2::from_shape_fn((clusters * per, d), |(i, j)| {
            centres[[i % clusters, j]] + spread * normal(&mut g)
        })
    }

    #[test]
    fn refine_keeps_every_true_neighbour_and_drops_most_of_a_tight_cluster() {
        for (d, spread, offset) in [(64, 0.01, 0.0), (256, 0.01, 1e4), (9, 1e-4, 0.0)] {
            let data = clustered(3, 300, d, spread, offset);
            let x = data.as_slice().unwrap();
            let centre = column_median(x, data.nrows(), d);
            let d32 = centred_f32(x, &centre);
            let norms: Vec<f64> = d32.chunks(d).map(sq_norm).collect();
            let want = naive(&data, &data, 8);
            for q in [0usize, 1, 2, 450, 899] {
                for k in [1usize, 3, 8] {
                    // every row of the query's cluster, as the first screen leaves them
                    let mut ids: Vec<usize> = (q % 3..data.nrows()).step_by(3).collect();
                    let q32 = &d32[q * d..(q + 1) * d];
                    let mut bounds = Vec::new();
                    refine(
                        q32,
                        norms[q],
                        &d32,
                        &norms,
                        d,
                        k,
                        &mut ids,
                        &mut bounds,
                        Kernels::Native,
                    );
                    // the k nearest and every row tied with the k-th survive
                    let kth = want[q][k - 1].0;
                    for (i, row) in data.outer_iter().enumerate() {
                        let d2: f64 = row
                            .iter()
                            .zip(data.row(q))
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum();
                        if d2 <= kth {
                            assert!(ids.contains(&i), "d {d} query {q} k {k}: row {i} dropped");
                        }
                    }
                    assert!(
                        ids.len() < 100,
                        "d {d} query {q} k {k}: {} of 300 kept",
                        ids.len()
                    );
                    assert!(ids.windows(2).all(|w| w[0] < w[1]), "order kept");
                }
            }
        }
    }

    #[test]
    fn brute_force_on_large_tight_clusters_matches_naive_search() {
        // Clusters of 200-400 rows: the finalist lists are long enough for
        // `refine`, on the symmetric, fused one-way and portable paths.
        for (clusters, per, d, offset) in [(4, 300, 48, 0.0), (2, 400, 100, 1e3)] {
            let data = clustered(clusters, per, d, 0.01, offset);
            let queries = clustered(clusters, 40, d, 0.01, offset);
            for k in [1usize, 5] {
                for (q, same) in [(&data, true), (&queries, false)] {
                    let want = naive(&data, q, k);
                    for kernels in [Kernels::Native, Kernels::Portable] {
                        let got = search(data.view(), q.view(), k, same, kernels);
                        for (i, row) in want.iter().enumerate() {
                            let idx: Vec<usize> = row.iter().map(|r| r.1).collect();
                            let gi: Vec<usize> =
                                got.indices.row(i).iter().map(|&v| v as usize).collect();
                            assert_eq!(gi, idx, "{kernels:?} d {d} k {k} same {same} row {i}");
                        }
                    }
                }
                let auto =
                    crate::neighbours::kneighbors(data.view(), data.view(), k, Algorithm::Brute)
                        .unwrap();
                let want = naive(&data, &data, k);
                assert!(want.iter().enumerate().all(|(i, r)| r
                    .iter()
                    .enumerate()
                    .all(|(j, c)| auto.indices[[i, j]] == c.1 as i64)));
            }
        }
    }
}
