//! Blocked brute-force exact k-NN for high dimensions.
//!
//! For a block of queries and a block of data rows, `x.q` comes from a GEMM kernel
//! (`matrixmultiply`, AVX2/FMA where available) and the ranking key is
//! `a(x) = |x|^2 - 2 x.q` (the query's own `|q|^2` is the same for every candidate).
//! That expression loses precision through cancellation, so each query keeps every
//! candidate whose key is within `2·tol` of the current k-th best key, where `tol`
//! bounds `|a_computed - a_exact|` for this query (rounding of the norms, the dot
//! product of length d and the subtraction). Any true top-k row has
//! `a_computed <= D_k + tol <= kth_computed + 2·tol`, so it is never dropped. The
//! finalists are then ranked by the exact squared distance, giving the same answer
//! as the KD-tree and as a naive search.
//!
//! Work is split into fixed query blocks, so the result does not depend on the
//! number of threads.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::exact::sq_dist;
use super::fused;
use super::symmetric;
use super::{finish_row, Neighbours};
use crate::cpu::Kernels;
use crate::Real;

/// Query rows per block (one rayon task).
const QUERY_BLOCK: usize = 128;
/// Data rows per GEMM block (portable path).
const DATA_BLOCK: usize = 256;
/// Bytes of packed data per pass of the fused kernel.
const FUSED_PASS_BYTES: usize = 64 * 1024;

/// The search, where `symmetric` allows a self-query to use symmetric.rs and
/// `kernels` says whether the fused AVX2 kernel may run.
pub(crate) fn search<T: Real>(
    data: ArrayView2<T>,
    queries: ArrayView2<T>,
    k: usize,
    symmetric: bool,
    kernels: Kernels,
) -> Neighbours {
    let (n, dim) = data.dim();
    let m = queries.nrows();
    let mut indices = Array2::<i64>::zeros((m, k));
    let mut distances = Array2::<f64>::zeros((m, k));
    let (Some(idx_all), Some(dist_all), Some(dslice), Some(qslice)) = (
        indices.as_slice_mut(),
        distances.as_slice_mut(),
        data.as_slice(),
        queries.as_slice(),
    ) else {
        return Neighbours { indices, distances };
    };
    // Candidate keys are computed on float32 copies centred on the data mean: twice
    // the SIMD width of float64, and centring removes the cancellation that data far
    // from the origin would cause. The margin below covers the conversion.
    let mean = column_mean(dslice, n, dim);
    let same = std::ptr::eq(dslice.as_ptr(), qslice.as_ptr()) && n == m;
    let d32 = centred_f32(dslice, &mean);
    let q32_owned;
    let q32: &[f32] = if same {
        &d32
    } else {
        q32_owned = centred_f32(qslice, &mean);
        &q32_owned
    };
    let norms: Vec<f32> = d32
        .par_chunks(dim.max(1))
        .map(|r| r.iter().map(|&v| v as f64 * v as f64).sum::<f64>() as f32)
        .collect();
    let norm_max = norms.iter().map(|&v| v as f64).fold(0.0f64, f64::max);
    // Keep the candidate list short: prune once it holds this many.
    let cap = 4 * k + 60;
    // (d + 8) covers the dot product's d roundings, the conversion to float32 of both
    // operands, the norms, the scaling and the subtraction.
    let gamma = 2.0 * (dim as f64 + 8.0) * f32::EPSILON as f64;

    let kernel = if kernels.avx2_fma() {
        Kernel::Fused(fused::Panels::pack(&d32, &norms, dim))
    } else {
        Kernel::Gemm
    };
    let margin_of = |q: &[f32]| {
        let qn: f64 = q.iter().map(|&v| v as f64 * v as f64).sum();
        2.0 * gamma * (qn + norm_max) * (1.0 + 1e-6)
    };
    if let (true, Kernel::Fused(panels)) = (
        symmetric && same && dim > 0 && symmetric::fits(n, k),
        &kernel,
    ) {
        // A self-query: each pair of rows is scanned once for both (symmetric.rs).
        let margin: Vec<f64> = d32.par_chunks(dim.max(1)).map(margin_of).collect();
        let mut lists = symmetric::candidates(panels, &margin, k);
        idx_all
            .par_chunks_mut(k)
            .zip(dist_all.par_chunks_mut(k))
            .zip(lists.par_iter_mut())
            .enumerate()
            .for_each_init(Vec::new, |exact, (i, ((idx_row, dist_row), list))| {
                if list.len() > k {
                    prune(list, k, margin[i]);
                }
                let q = &qslice[i * dim..(i + 1) * dim];
                exact.clear();
                exact.extend(list.iter().map(|&(_, j)| {
                    let j = j as usize;
                    (sq_dist(q, &dslice[j * dim..(j + 1) * dim]), j)
                }));
                finish_row(exact, k, idx_row, dist_row);
            });
        return Neighbours { indices, distances };
    }
    idx_all
        .par_chunks_mut(QUERY_BLOCK * k)
        .zip(dist_all.par_chunks_mut(QUERY_BLOCK * k))
        .enumerate()
        .for_each(|(b, (idx_blk, dist_blk))| {
            let q0 = b * QUERY_BLOCK;
            let qb = idx_blk.len() / k;
            let qrows = &q32[q0 * dim..(q0 + qb) * dim];
            let margin: Vec<f64> = qrows.chunks_exact(dim.max(1)).map(margin_of).collect();
            let mut cands: Vec<Vec<(f32, usize)>> = vec![Vec::with_capacity(cap + DATA_BLOCK); qb];
            let mut search = BlockSearch {
                thr: vec![f64::INFINITY; qb],
                margin,
                k,
                cap,
            };
            match &kernel {
                Kernel::Fused(panels) => search.run_fused(panels, qrows, dim, &mut cands),
                Kernel::Gemm => search.run_gemm(&d32, &norms, n, qrows, dim, &mut cands),
            }
            for (i, (idx_row, dist_row)) in idx_blk
                .chunks_mut(k)
                .zip(dist_blk.chunks_mut(k))
                .enumerate()
            {
                // A last prune leaves only the finalists (entries pushed before the
                // threshold last tightened are still in the list).
                if cands[i].len() > k {
                    prune(&mut cands[i], k, search.margin[i]);
                }
                let qi = q0 + i;
                let q = &qslice[qi * dim..(qi + 1) * dim];
                let mut exact: Vec<(f64, usize)> = cands[i]
                    .iter()
                    .map(|&(_, j)| (sq_dist(q, &dslice[j * dim..(j + 1) * dim]), j))
                    .collect();
                finish_row(&mut exact, k, idx_row, dist_row);
            }
        });
    Neighbours { indices, distances }
}

enum Kernel {
    Fused(fused::Panels),
    Gemm,
}

/// Per query block: thresholds and margins of the candidate lists.
struct BlockSearch {
    thr: Vec<f64>,
    margin: Vec<f64>,
    k: usize,
    cap: usize,
}

impl BlockSearch {
    fn maybe_prune(&mut self, i: usize, list: &mut Vec<(f32, usize)>) {
        if list.len() >= self.cap {
            self.thr[i] = prune(list, self.k, self.margin[i]);
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

fn column_mean<T: Real>(x: &[T], n: usize, dim: usize) -> Vec<f64> {
    let mut mean = vec![0.0f64; dim];
    if dim == 0 || n == 0 {
        return mean;
    }
    for row in x.chunks_exact(dim) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v.to_f64();
        }
    }
    mean.iter_mut().for_each(|m| *m /= n as f64);
    mean
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

/// Drop candidates more than `margin` above the k-th best key; return the new
/// threshold (rounded up so the cast to `T` cannot tighten it).
pub(super) fn prune<T: Real, I>(list: &mut Vec<(T, I)>, k: usize, margin: f64) -> f64 {
    list.select_nth_unstable_by(k - 1, |a, b| a.0.to_f64().total_cmp(&b.0.to_f64()));
    let kth = list[k - 1].0.to_f64();
    let thr = kth + margin + kth.abs() * 4.0 * T::EPSILON;
    list.retain(|c| c.0.to_f64() <= thr);
    thr
}
