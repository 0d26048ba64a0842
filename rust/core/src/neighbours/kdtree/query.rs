//! Queries other than the data: one depth-first search per query row, nearer
//! child first, pruned on exact bounding boxes; and the leaf scan every search
//! shares (four points per step, AVX2 where it runs, bit-identical either way).

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::topk::{Best, List};
use super::{KdTree, LANES, UNROLLED};
use crate::alloc::zeroed;
use crate::errors::{CoreError, Result};
use crate::neighbours::Neighbours;
use crate::progress::{Advance, Task};
use crate::Real;

pub(super) const QUERY_CHUNK: usize = 128;

pub(super) type Stack = Vec<(usize, f64)>;

/// The leaf scan for a dimension `D` of 1-16 with AVX2: four points per
/// instruction, each lane adding the same terms in the same order as the portable
/// scan (and [`sq_dist_fixed`]; no fused multiply-adds), so the distances are
/// bit-identical. Positions `skip.0..skip.1` of the leaf are not offered.
///
/// Inlined (never called) so that its intrinsics compile into the AVX2 copies of
/// the searches (`self_leaf_avx2`, `search_avx2`), the only callers that reach it.
///
/// # Safety
/// The CPU must support AVX2; `block` must hold `D` runs of `width` values with
/// `width` a multiple of 4 and `len <= width`; `ids` must hold `len` indices.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
pub(super) unsafe fn scan_block_avx2<const D: usize>(
    block: &[f64],
    width: usize,
    len: usize,
    q: &[f64; UNROLLED],
    skip: (usize, usize),
    ids: &[usize],
    best: &mut impl List,
) {
    // SAFETY: AVX2 runs (the caller's contract); `block` holds `D` runs of `width`
    // values, `width` a multiple of 4 and every `c` below `len <= width`, so each
    // 4-lane load at `j * width + c` stays inside it; lanes at or past `len` read the
    // NaN padding and are never offered.
    unsafe {
        use std::arch::x86_64::*;
        debug_assert!(D <= UNROLLED && width % 4 == 0 && len <= width && block.len() >= D * width);
        debug_assert!(ids.len() >= len);
        let mut qv = [_mm256_setzero_pd(); UNROLLED];
        for j in 0..D {
            qv[j] = _mm256_set1_pd(q[j]);
        }
        let lanes = _mm256_set_epi64x(3, 2, 1, 0);
        // Signed compares: positions and bounds are far below 2^63.
        let (slo, shi) = (
            _mm256_set1_epi64x(skip.0 as i64 - 1),
            _mm256_set1_epi64x(skip.1 as i64),
        );
        let base = block.as_ptr();
        let mut c = 0;
        while c < len {
            let mut acc = [_mm256_setzero_pd(); 4];
            for j in 0..D {
                let x = _mm256_loadu_pd(base.add(j * width + c));
                let t = _mm256_sub_pd(qv[j], x);
                acc[j & 3] = _mm256_add_pd(acc[j & 3], _mm256_mul_pd(t, t));
            }
            let d2 = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
            let pos = _mm256_add_epi64(lanes, _mm256_set1_epi64x(c as i64));
            let skipped =
                _mm256_and_si256(_mm256_cmpgt_epi64(pos, slo), _mm256_cmpgt_epi64(shi, pos));
            let enters = _mm256_cmp_pd::<_CMP_LE_OQ>(d2, _mm256_set1_pd(best.worst()));
            let mut mask =
                _mm256_movemask_pd(enters) & !_mm256_movemask_pd(_mm256_castsi256_pd(skipped));
            if mask != 0 {
                let mut v = [0f64; 4];
                _mm256_storeu_pd(v.as_mut_ptr(), d2);
                while mask != 0 {
                    let lane = mask.trailing_zeros() as usize;
                    mask &= mask - 1;
                    if c + lane < len && v[lane] <= best.worst() {
                        best.offer(v[lane], ids[c + lane]);
                    }
                }
            }
            c += 4;
        }
    }
}

impl<T: Real> KdTree<T> {
    pub fn query(&self, queries: ArrayView2<T>, k: usize) -> Result<Neighbours> {
        self.query_reporting(queries, k, &Task::silent())
    }

    /// [`Self::query`], reporting the query rows done to `task`.
    pub fn query_reporting(
        &self,
        queries: ArrayView2<T>,
        k: usize,
        task: &Task,
    ) -> Result<Neighbours> {
        self.query_rows(queries, k, None, task)
    }

    /// [`Self::query`] bounded per query row: row `p` gets its at most `k`
    /// nearest rows at squared distance `<= bounds[p]` (the search prunes on
    /// the bound from the root), the rest of its slots index -1 at distance
    /// infinity. `bounds` holds one value a query row.
    pub fn query_within_reporting(
        &self,
        queries: ArrayView2<T>,
        k: usize,
        bounds: &[f64],
        task: &Task,
    ) -> Result<Neighbours> {
        let m = queries.nrows();
        if bounds.len() != m {
            return Err(CoreError::ShapeMismatch(format!(
                "{} bounds for {m} query rows: give one bound a query row",
                bounds.len()
            )));
        }
        self.query_rows(queries, k, Some(bounds), task)
    }

    /// Every query row's search, bounded by `bounds[p]` where given.
    fn query_rows(
        &self,
        queries: ArrayView2<T>,
        k: usize,
        bounds: Option<&[f64]>,
        task: &Task,
    ) -> Result<Neighbours> {
        let m = queries.nrows();
        let mut indices = zeroed::<i64>(m, k)?;
        let mut distances = zeroed::<f64>(m, k)?;
        let (Some(idx_all), Some(dist_all)) = (indices.as_slice_mut(), distances.as_slice_mut())
        else {
            return Ok(Neighbours { indices, distances });
        };
        self.search_rows(idx_all, dist_all, k, task, |p, best, stack| {
            if let Some(&b) = bounds.and_then(|b| b.get(p)) {
                best.reset_within(b);
            }
            let q = queries.row(p);
            self.search(q.to_slice().unwrap_or(&[]), best, stack)
        });
        Ok(Neighbours { indices, distances })
    }

    /// Row `p` of the `k`-wide outputs gets what `search(p, ..)` leaves in its
    /// candidate list; rows are searched in parallel chunks, each thread reusing
    /// its candidate list and stack.
    pub(super) fn search_rows(
        &self,
        idx_all: &mut [i64],
        dist_all: &mut [f64],
        k: usize,
        task: &Task,
        search: impl Fn(usize, &mut Best, &mut Stack) + Sync,
    ) {
        idx_all
            .par_chunks_mut(QUERY_CHUNK * k)
            .zip(dist_all.par_chunks_mut(QUERY_CHUNK * k))
            .enumerate()
            .for_each(|(c, (idx, dist))| {
                let _done = Advance(task, idx.len() / k.max(1));
                let mut best = Best::new(k, self.wide);
                let mut stack = Vec::with_capacity(64);
                for (r, (idx_row, dist_row)) in
                    idx.chunks_mut(k).zip(dist.chunks_mut(k)).enumerate()
                {
                    best.reset();
                    search(c * QUERY_CHUNK + r, &mut best, &mut stack);
                    best.write(idx_row, dist_row);
                }
            });
    }

    /// Depth-first search keeping `best` sorted by (distance, index), at most `k`
    /// long; dispatches to a search unrolled for the dimension when it is small.
    pub(super) fn search(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
        by_dim!(self.dim, self.search_on(q, best, stack))
    }

    /// [`Self::search_in`], through a copy compiled for AVX2 where the leaf scans
    /// use it (see [`Self::self_leaf_on`]).
    // Not inlined: one call per query or leaf costs nothing, and inlined, the
    // dispatch over every unrolled dimension gathered all their searches into one
    // stack frame (past 2 MiB in debug builds).
    #[inline(never)]
    pub(super) fn search_on<const D: usize>(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
        #[cfg(target_arch = "x86_64")]
        if D > 0 && self.wide {
            // SAFETY: `wide` is set only where AVX2 runs.
            unsafe { self.search_avx2::<D>(q, best, stack) };
            return;
        }
        self.search_in::<D>(q, best, stack)
    }

    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn search_avx2<const D: usize>(
        &self,
        q: &[T],
        best: &mut Best,
        stack: &mut Stack,
    ) {
        self.search_in::<D>(q, best, stack)
    }

    /// Offer every point of leaf `node` to `best`, four at a time: each lane adds
    /// the same terms in the same order as [`sq_dist_fixed`] (bit-identical
    /// distances), and a group none of whose lanes can enter is passed over with
    /// one test.
    #[inline(always)]
    pub(super) fn scan_leaf<const D: usize>(
        &self,
        q: &[T],
        node: usize,
        skip: (usize, usize),
        best: &mut impl List,
    ) {
        let dim = if D == 0 { self.dim } else { D };
        let width = self.width;
        let l = node - self.first_leaf;
        let (s, e) = self.ranges[node];
        let len = e - s;
        let ids = &self.order[s..e];
        let block = &self.soa[l * dim * width..(l + 1) * dim * width];
        // The query in f64 (a loop of fixed length for D > 0, so no memcpy call).
        let mut qf = [0f64; UNROLLED];
        let known = if D == 0 { dim.min(UNROLLED) } else { D };
        for j in 0..known {
            qf[j] = q[j].to_f64();
        }
        // The skipped positions, relative to the leaf.
        let skip = (skip.0.saturating_sub(s), skip.1.saturating_sub(s));
        #[cfg(target_arch = "x86_64")]
        if D > 0 && self.wide {
            // SAFETY: `wide` is set only where AVX2 runs; `block` holds `D` runs
            // of `width` values, `width` a multiple of 4 and at least `len`, and
            // `ids` holds `len` indices.
            unsafe { scan_block_avx2::<D>(block, width, len, &qf, skip, ids, best) };
            return;
        }
        let mut c = 0;
        while c < len {
            let mut acc = [[0f64; LANES]; 4];
            for j in 0..dim {
                let qj = if D == 0 && j >= UNROLLED {
                    q[j].to_f64()
                } else {
                    qf[j % UNROLLED]
                };
                let x = &block[j * width + c..j * width + c + LANES];
                let a = &mut acc[j & 3];
                for lane in 0..LANES {
                    let t = qj - x[lane];
                    a[lane] += t * t;
                }
            }
            let mut d2 = [0f64; LANES];
            for lane in 0..LANES {
                let v = (acc[0][lane] + acc[1][lane]) + (acc[2][lane] + acc[3][lane]);
                let pos = c + lane;
                d2[lane] = if pos >= skip.0 && pos < skip.1 {
                    f64::NAN
                } else {
                    v
                };
            }
            let w = best.worst();
            if d2.iter().any(|&v| v <= w) {
                for (lane, &v) in d2.iter().enumerate() {
                    if v <= best.worst() && c + lane < len {
                        best.offer(v, ids[c + lane]);
                    }
                }
            }
            c += LANES;
        }
    }

    /// The share of the data a search measures, estimated on the query rows
    /// `sample` (each searched for `k` neighbours): the rows whose distance the
    /// searches measured (each search stopping once it has measured `cap` rows,
    /// and counting `cap` then), over `sample.len() * n`. Rows of `sample` outside
    /// `queries` count as whole scans. The same for any number of threads.
    pub fn probe(&self, queries: ArrayView2<T>, sample: &[usize], k: usize, cap: usize) -> f64 {
        self.probe_within(queries, sample, k, cap, None)
    }

    /// [`Self::probe`] for searches bounded by the squared distances `bounds`
    /// (one a query row; `None`: unbounded).
    pub fn probe_within(
        &self,
        queries: ArrayView2<T>,
        sample: &[usize],
        k: usize,
        cap: usize,
        bounds: Option<&[f64]>,
    ) -> f64 {
        let n = self.order.len();
        if sample.is_empty() || n == 0 || k == 0 {
            return 1.0;
        }
        let cap = cap.clamp(1, n);
        let measured: usize = sample
            .par_iter()
            .map_init(
                || (Best::new(k, false), Vec::with_capacity(64)),
                |(best, stack), &p| {
                    let row = (p < queries.nrows()).then(|| queries.row(p));
                    let Some(q) = row.as_ref().and_then(|r| r.to_slice()) else {
                        return cap;
                    };
                    match bounds.and_then(|b| b.get(p)) {
                        Some(&b) => best.reset_within(b),
                        None => best.reset(),
                    }
                    stack.clear();
                    stack.push((0, self.box_dist::<0>(q, 0)));
                    let mut rows = 0;
                    while let Some((node, bound)) = stack.pop() {
                        if bound > best.worst {
                            continue;
                        }
                        if node >= self.first_leaf || node >= self.n_nodes {
                            let (s, e) = self.ranges[node];
                            rows += e - s;
                            if rows >= cap {
                                break;
                            }
                            self.scan_leaf::<0>(q, node, (0, 0), best);
                            continue;
                        }
                        let (l, r) = (2 * node + 1, 2 * node + 2);
                        let (dl, dr) = (self.box_dist::<0>(q, l), self.box_dist::<0>(q, r));
                        if dl <= dr {
                            stack.push((r, dr));
                            stack.push((l, dl));
                        } else {
                            stack.push((l, dl));
                            stack.push((r, dr));
                        }
                    }
                    rows.min(cap)
                },
            )
            .sum();
        measured as f64 / (sample.len() as f64 * n as f64)
    }

    /// Depth-first search from the nodes on `stack`, nearer child first.
    #[inline(always)]
    pub(super) fn dfs<const D: usize>(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
        while let Some((node, bound)) = stack.pop() {
            if bound > best.worst {
                continue;
            }
            if node >= self.first_leaf || node >= self.n_nodes {
                self.scan_leaf::<D>(q, node, (0, 0), best);
                continue;
            }
            let (l, r) = (2 * node + 1, 2 * node + 2);
            let (dl, dr) = (self.box_dist::<D>(q, l), self.box_dist::<D>(q, r));
            // Push the farther child first so the nearer one is searched first.
            if dl <= dr {
                stack.push((r, dr));
                stack.push((l, dl));
            } else {
                stack.push((l, dl));
                stack.push((r, dr));
            }
        }
    }

    /// `D == 0`: any dimension; otherwise `D == self.dim`. Distances are
    /// bit-identical either way.
    #[inline(always)]
    pub(super) fn search_in<const D: usize>(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
        stack.clear();
        stack.push((0, self.box_dist::<D>(q, 0)));
        self.dfs::<D>(q, best, stack);
    }
}
