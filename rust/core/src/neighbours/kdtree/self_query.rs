//! The self-query (every row's neighbours among the rows, the samplers' case),
//! leaf by leaf: a row's list is seeded from its neighbours in the leaf's order,
//! completed from its leaf, and then from the leaves that the leaf's worst k-th
//! distance cannot rule out ([`KdTree::query_self`]).

use rayon::prelude::*;

use super::query::Stack;
#[cfg(target_arch = "x86_64")]
use super::topk::Lanes;
use super::topk::{Best, List, RowWriter, VECTOR_K};
use super::{KdTree, LANES, UNROLLED};
use crate::alloc::zeroed;
use crate::errors::Result;
use crate::neighbours::exact::{box_box_sq_dist, sq_dist, sq_dist_fixed};
use crate::neighbours::Neighbours;
use crate::progress::{Advance, Task};
use crate::Real;

/// Most leaves a leaf's rows scan together before falling back to the climb.
pub(super) const MAX_LISTED: usize = 128;

/// Per-thread buffers of the self-query.
pub(super) struct Scratch {
    pub(super) bests: Vec<Best>,
    pub(super) stack: Stack,
    pub(super) nodes: Vec<usize>,
    pub(super) cands: Vec<(f64, usize)>,
    pub(super) boxes: Vec<f64>,
}

impl Scratch {
    pub(super) fn new(k: usize, wide: bool) -> Self {
        Scratch {
            bests: vec![Best::new(k, wide)],
            stack: Vec::with_capacity(64),
            nodes: Vec::with_capacity(64),
            cands: Vec::with_capacity(MAX_LISTED + 1),
            boxes: Vec::new(),
        }
    }
}

/// Leaves per parallel task of the self-query.
pub(super) const LEAF_CHUNK: usize = 4;

impl<T: Real> KdTree<T> {
    /// k-NN of every data row among the data (the samplers' case). Leaves are
    /// searched in parallel, each leaf's rows in turn, so consecutive searches
    /// walk the same cache-hot nodes; each result goes straight to its row of the
    /// caller's order.
    pub fn query_self(&self, k: usize) -> Result<Neighbours> {
        self.query_self_reporting(k, &Task::silent())
    }

    /// [`Self::query_self`], reporting the rows done (leaf by leaf) to `task`.
    pub fn query_self_reporting(&self, k: usize, task: &Task) -> Result<Neighbours> {
        let n = self.order.len();
        let mut indices = zeroed::<i64>(n, k)?;
        let mut distances = zeroed::<f64>(n, k)?;
        let (Some(io), Some(dout)) = (indices.as_slice_mut(), distances.as_slice_mut()) else {
            return Ok(Neighbours { indices, distances });
        };
        let rows = RowWriter {
            idx: io.as_mut_ptr(),
            dist: dout.as_mut_ptr(),
            k,
            n,
        };
        (self.first_leaf..self.n_nodes)
            .into_par_iter()
            .with_min_len(LEAF_CHUNK)
            .for_each_init(
                || Scratch::new(k, self.wide),
                |scratch, leaf| {
                    let (s, e) = self.ranges[leaf];
                    let _done = Advance(task, e - s);
                    by_dim!(self.dim, self.self_leaf_on(leaf, k, scratch, &rows));
                },
            );
        Ok(Neighbours { indices, distances })
    }

    /// [`Self::self_leaf`], through a copy compiled for AVX2 where the leaf scans
    /// use it (so that the vector kernels inline into it).
    // Not inlined: one call per query or leaf costs nothing, and inlined, the
    // dispatch over every unrolled dimension gathered all their searches into one
    // stack frame (past 2 MiB in debug builds).
    #[inline(never)]
    pub(super) fn self_leaf_on<const D: usize>(
        &self,
        leaf: usize,
        k: usize,
        scratch: &mut Scratch,
        rows: &RowWriter,
    ) {
        #[cfg(target_arch = "x86_64")]
        if D > 0 && self.wide {
            // SAFETY: `wide` is set only where AVX2 runs.
            unsafe { self.self_leaf_avx2::<D>(leaf, k, scratch, rows) };
            return;
        }
        self.self_leaf::<D>(leaf, k, scratch, rows)
    }

    /// # Safety
    /// The CPU must support AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn self_leaf_avx2<const D: usize>(
        &self,
        leaf: usize,
        k: usize,
        scratch: &mut Scratch,
        rows: &RowWriter,
    ) {
        self.self_leaf::<D>(leaf, k, scratch, rows)
    }

    /// k-NN of every row of leaf `leaf`, the leaf's rows together: each row's
    /// list is first filled from its own leaf, whose worst k-th distance `r`
    /// bounds every row's answer; one walk of the tree then lists the leaves whose
    /// box lies within `r` of this leaf's box (nearest first), and each row scans
    /// those of them its own bound does not rule out. Any point within a row's
    /// final k-th distance lies in a listed leaf (a box-to-box distance never
    /// exceeds the distance from a point in one box to a point in the other, and
    /// rounding keeps that order), so nothing is missed. Falls back to the
    /// row-by-row climb when the leaf has too few rows to give a bound or the
    /// bound admits too many leaves.
    #[inline(always)]
    pub(super) fn self_leaf<const D: usize>(
        &self,
        leaf: usize,
        k: usize,
        scratch: &mut Scratch,
        rows: &RowWriter,
    ) {
        let dim = self.dim;
        let (s, e) = self.ranges[leaf];
        let m = e - s;
        while scratch.bests.len() < m {
            scratch.bests.push(Best::new(k, self.wide));
        }
        // Lists of up to VECTOR_K entries are held in registers while a row is
        // searched where AVX2 runs (`lanes`).
        let lanes = D > 0 && self.wide && k <= VECTOR_K;
        for p in s..e {
            rows.prefetch(self.order[p]);
        }
        let mut r = 0f64;
        for (t, p) in (s..e).enumerate() {
            let best = &mut scratch.bests[t];
            best.reset();
            let q = &self.points[p * dim..(p + 1) * dim];
            #[cfg(target_arch = "x86_64")]
            if lanes {
                // SAFETY: `lanes` implies `wide` (AVX2 runs) and `k <= VECTOR_K`,
                // so `best` is a vector list.
                unsafe {
                    let mut list = Lanes::load(best);
                    self.own_leaf::<D>(q, p, leaf, k, &mut list);
                    list.store(best);
                }
                r = r.max(best.worst);
                continue;
            }
            self.own_leaf::<D>(q, p, leaf, k, best);
            r = r.max(best.worst);
        }
        let cands = &mut scratch.cands;
        cands.clear();
        let mut listed = r.is_finite();
        if listed {
            let (llo, lhi) = self.node_box(leaf);
            let stack = &mut scratch.nodes;
            stack.clear();
            stack.push(0);
            while let Some(node) = stack.pop() {
                let (lo, hi) = self.node_box(node);
                let b = box_box_sq_dist::<T, D>(llo, lhi, lo, hi, dim);
                if b > r {
                    continue;
                }
                if node >= self.first_leaf {
                    if node != leaf {
                        cands.push((b, node));
                    }
                } else {
                    stack.push(2 * node + 2);
                    stack.push(2 * node + 1);
                }
                if cands.len() > MAX_LISTED {
                    listed = false;
                    break;
                }
            }
            cands.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        // The listed leaves' boxes in columns (lo of each dimension, then hi),
        // padded with NaN to a multiple of four, for the AVX2 box test.
        let vector = D > 0 && self.wide && listed;
        let span = cands.len().div_ceil(LANES) * LANES;
        if vector {
            let boxes = &mut scratch.boxes;
            boxes.clear();
            boxes.resize(2 * dim * span, f64::NAN);
            for (t, &(_, c)) in cands.iter().enumerate() {
                let (lo, hi) = self.node_box(c);
                for j in 0..dim {
                    boxes[j * span + t] = lo[j].to_f64();
                    boxes[(dim + j) * span + t] = hi[j].to_f64();
                }
            }
        }
        for (t, p) in (s..e).enumerate() {
            let best = &mut scratch.bests[t];
            let q = &self.points[p * dim..(p + 1) * dim];
            if vector {
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `vector` implies `wide` (AVX2 runs) and D in 1..=UNROLLED;
                // `boxes` holds 2 * D columns of `span` values; with `lanes`,
                // `best` is a vector list.
                unsafe {
                    if lanes {
                        let mut list = Lanes::load(best);
                        self.listed_avx2::<D>(q, cands, &scratch.boxes, span, &mut list);
                        // Straight from the registers to the output row.
                        list.write(rows, self.order[p]);
                        continue;
                    } else {
                        self.listed_avx2::<D>(q, cands, &scratch.boxes, span, best)
                    }
                };
            } else if listed {
                for &(_, c) in cands.iter() {
                    if self.box_dist::<D>(q, c) <= best.worst {
                        self.scan_leaf::<D>(q, c, (0, 0), best);
                    }
                }
            } else {
                self.climb::<D>(q, leaf, best, &mut scratch.stack);
            }
            rows.write(self.order[p], best);
        }
    }

    /// The listed leaves of [`Self::self_leaf`] for one row: box distances four
    /// at a time (each lane the same terms as [`box_sq_dist_fixed`], so the same
    /// value), then a scan of each leaf whose box is within the row's bound, in
    /// the list's order, the bound re-read before each.
    ///
    /// Inlined into `self_leaf_avx2` like [`scan_block_avx2`].
    ///
    /// # Safety
    /// The CPU must support AVX2; `D` in 1..=UNROLLED; `boxes` holds `2 * D` columns of
    /// `span >= cands.len()` values, `span` a multiple of 4.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(super) unsafe fn listed_avx2<const D: usize>(
        &self,
        q: &[T],
        cands: &[(f64, usize)],
        boxes: &[f64],
        span: usize,
        best: &mut impl List,
    ) {
        // SAFETY: AVX2 runs and `D` is in 1..=UNROLLED (the caller's contract); `boxes` holds
        // `2 * D` columns of `span` values, `span` a multiple of 4 and every `c` below
        // `cands.len() <= span`, so each 4-lane load at `j * span + c` and
        // `(D + j) * span + c` stays inside it.
        unsafe {
            use std::arch::x86_64::*;
            debug_assert!(D >= 1 && D <= UNROLLED && span % 4 == 0);
            debug_assert!(boxes.len() >= 2 * D * span);
            let mut qv = [_mm256_setzero_pd(); UNROLLED];
            for j in 0..D {
                qv[j] = _mm256_set1_pd(q[j].to_f64());
            }
            let zero = _mm256_setzero_pd();
            let base = boxes.as_ptr();
            let mut c = 0;
            while c < cands.len() {
                let mut acc = [zero; 4];
                for j in 0..D {
                    let lo = _mm256_loadu_pd(base.add(j * span + c));
                    let hi = _mm256_loadu_pd(base.add((D + j) * span + c));
                    // max(0, max(l - x, x - h)): NaN (padding) stays NaN.
                    let t = _mm256_max_pd(
                        zero,
                        _mm256_max_pd(_mm256_sub_pd(lo, qv[j]), _mm256_sub_pd(qv[j], hi)),
                    );
                    acc[j & 3] = _mm256_add_pd(acc[j & 3], _mm256_mul_pd(t, t));
                }
                let b = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
                let mut mask = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(
                    b,
                    _mm256_set1_pd(best.worst()),
                ));
                if mask != 0 {
                    let mut v = [0f64; 4];
                    _mm256_storeu_pd(v.as_mut_ptr(), b);
                    while mask != 0 {
                        let lane = mask.trailing_zeros() as usize;
                        mask &= mask - 1;
                        if let Some(&(_, leaf)) = cands.get(c + lane) {
                            if v[lane] <= best.worst() {
                                self.scan_leaf::<D>(q, leaf, (0, 0), best);
                            }
                        }
                    }
                }
                c += LANES;
            }
        }
    }

    /// Offer the rows of `p`'s own leaf: first the rows next to it in the leaf's
    /// order (sorted along the leaf's widest dimension, so likely near), which
    /// give a tight bound at once, then the rest of the leaf.
    #[inline(always)]
    pub(super) fn own_leaf<const D: usize>(
        &self,
        q: &[T],
        p: usize,
        leaf: usize,
        k: usize,
        best: &mut impl List,
    ) {
        let dim = self.dim;
        let (s, e) = self.ranges[leaf];
        // The k rows either side of `p` in the leaf's order, each offered without
        // a test against the bound (an offer that cannot enter changes nothing;
        // here a test would mispredict more often than it saves).
        let (wlo, whi) = (p.saturating_sub(k).max(s), (p + k + 1).min(e));
        for w in wlo..whi {
            let x = &self.points[w * dim..(w + 1) * dim];
            let d2 = if D == 0 {
                sq_dist(q, x)
            } else {
                sq_dist_fixed::<T, D>(q, x)
            };
            best.offer(d2, self.order[w]);
        }
        self.scan_leaf::<D>(q, leaf, (wlo, whi), best);
    }

    /// The sibling subtree of each ancestor of `leaf`, nearest-first inside each.
    #[inline(always)]
    pub(super) fn climb<const D: usize>(
        &self,
        q: &[T],
        leaf: usize,
        best: &mut Best,
        stack: &mut Stack,
    ) {
        let mut node = leaf;
        while node > 0 {
            let sibling = if node % 2 == 1 { node + 1 } else { node - 1 };
            let bound = self.box_dist::<D>(q, sibling);
            if bound <= best.worst {
                stack.clear();
                stack.push((sibling, bound));
                self.dfs::<D>(q, best, stack);
            }
            node = (node - 1) / 2;
        }
    }
}
