//! KD-tree for exact k-NN in low dimensions.
//!
//! The tree is implicit (node `i` has children `2i+1` and `2i+2`, every node splits
//! its index range at the middle), so its shape depends only on `n` and the leaf
//! size, and the build partitions disjoint slices in parallel. Each node splits on
//! the dimension of widest spread; queries prune on exact bounding boxes (not on the
//! splitting plane), visiting the nearer child first. Points are copied into tree
//! order (in the caller's precision) so leaves are contiguous in memory, and once
//! more leaf by leaf in columns (in f64) for the leaf scans, which measure four
//! points per step (AVX2 where the CPU has it, with the portable scan's arithmetic).
//!
//! The self-query (every row's neighbours among the rows, the samplers' case)
//! runs leaf by leaf: a row's list is seeded from its neighbours in the leaf's
//! order, completed from its leaf, and then from the leaves that the leaf's worst
//! k-th distance cannot rule out (see [`KdTree::query_self`]).

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::exact::{box_box_sq_dist, box_sq_dist, box_sq_dist_fixed, sq_dist, sq_dist_fixed};
use super::Neighbours;
use crate::alloc::zeroed;
use crate::errors::Result;
use crate::Real;

/// Points per leaf (measured with the unrolled search at d = 2-8, 100k-400k rows:
/// 32 is best or within noise of it everywhere).
fn leaf_size(_dim: usize) -> usize {
    32
}
/// Below this many points a subtree is partitioned on the current thread.
const PAR_BUILD_MIN: usize = 16_384;
const QUERY_CHUNK: usize = 128;
/// Points a leaf scan measures per step.
const LANES: usize = 4;
/// Most leaves a leaf's rows scan together before falling back to the climb.
const MAX_LISTED: usize = 128;

/// Whether the searches may run their AVX2 copies: the CPU has AVX2 and
/// `COUNTERPOISE_PORTABLE_KNN=1` (which tests both paths on one machine) is unset.
fn wide_lanes() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
            && std::env::var_os("COUNTERPOISE_PORTABLE_KNN").is_none_or(|v| v != "1")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The leaf scan for a dimension `D` of 1-8 with AVX2: four points per
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
unsafe fn scan_block_avx2<const D: usize>(
    block: &[f64],
    width: usize,
    len: usize,
    q: &[f64; 8],
    skip: (usize, usize),
    ids: &[usize],
    best: &mut impl List,
) {
    use std::arch::x86_64::*;
    debug_assert!(D <= 8 && width % 4 == 0 && len <= width && block.len() >= D * width);
    debug_assert!(ids.len() >= len);
    let mut qv = [_mm256_setzero_pd(); 8];
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
        let skipped = _mm256_and_si256(_mm256_cmpgt_epi64(pos, slo), _mm256_cmpgt_epi64(shi, pos));
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

/// Per-thread buffers of the self-query.
struct Scratch {
    bests: Vec<Best>,
    stack: Stack,
    nodes: Vec<usize>,
    cands: Vec<(f64, usize)>,
    boxes: Vec<f64>,
}

impl Scratch {
    fn new(k: usize, wide: bool) -> Self {
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
const LEAF_CHUNK: usize = 4;

/// Writes finished rows into the `n × k` outputs from several threads at once.
struct RowWriter {
    idx: *mut i64,
    dist: *mut f64,
    k: usize,
    n: usize,
}

// SAFETY: the pointers are only written through `write`, at rows that the callers
// guarantee distinct across threads (a permutation), within the `n × k` outputs,
// which outlive every use.
unsafe impl Sync for RowWriter {}

impl RowWriter {
    /// Ask for the cache lines of output row `row` ahead of its write: the rows
    /// of a leaf are scattered over the outputs, and each write would otherwise
    /// wait for its lines to be read in.
    #[inline(always)]
    fn prefetch(&self, row: usize) {
        #[cfg(target_arch = "x86_64")]
        if row < self.n {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            let bytes = self.k * 8;
            // SAFETY: `row < n`: the first and last bytes of the row lie inside the
            // outputs (`k >= 1`); prefetching reads nothing and cannot fault.
            unsafe {
                let (i, d) = (
                    self.idx.add(row * self.k) as *const i8,
                    self.dist.add(row * self.k) as *const i8,
                );
                _mm_prefetch::<_MM_HINT_T0>(i);
                _mm_prefetch::<_MM_HINT_T0>(i.add(bytes - 1));
                _mm_prefetch::<_MM_HINT_T0>(d);
                _mm_prefetch::<_MM_HINT_T0>(d.add(bytes - 1));
            }
        }
    }

    #[inline(always)]
    fn write(&self, row: usize, best: &Best) {
        if row >= self.n {
            return;
        }
        // SAFETY: `row < n`, so the k values at `row * k` lie inside the outputs;
        // no other thread writes this row (see the `Sync` note).
        let (idx, dist) = unsafe {
            (
                std::slice::from_raw_parts_mut(self.idx.add(row * self.k), self.k),
                std::slice::from_raw_parts_mut(self.dist.add(row * self.k), self.k),
            )
        };
        best.write(idx, dist);
    }
}

/// Calls `$obj.$method::<D>(args)` with `D` the dimension when it is 1-8 (a
/// search unrolled for it), else `D = 0` (any dimension).
macro_rules! by_dim {
    ($dim:expr, $obj:ident . $method:ident ( $($arg:expr),* )) => {
        match $dim {
            1 => $obj.$method::<1>($($arg),*),
            2 => $obj.$method::<2>($($arg),*),
            3 => $obj.$method::<3>($($arg),*),
            4 => $obj.$method::<4>($($arg),*),
            5 => $obj.$method::<5>($($arg),*),
            6 => $obj.$method::<6>($($arg),*),
            7 => $obj.$method::<7>($($arg),*),
            8 => $obj.$method::<8>($($arg),*),
            _ => $obj.$method::<0>($($arg),*),
        }
    };
}

pub struct KdTree<T: Real> {
    dim: usize,
    /// Original row index of each tree-order position.
    order: Vec<usize>,
    /// Points in tree order, `n × dim`.
    points: Vec<T>,
    /// Per node: `[lo_0..lo_d, hi_0..hi_d]`.
    bounds: Vec<T>,
    /// Per node: `(start, end)` into tree order.
    ranges: Vec<(usize, usize)>,
    n_nodes: usize,
    first_leaf: usize,
    /// Points again, leaf by leaf in columns: leaf `l`'s coordinate `j` is the run
    /// `soa[(l * dim + j) * width..][..width]` (in f64: exact for either input type),
    /// padded with NaN (which no distance test admits), so the leaf scan computes
    /// four distances per step.
    soa: Vec<f64>,
    /// Leaf scans use the AVX2 kernel ([`wide_lanes`]).
    wide: bool,
    width: usize,
}

impl<T: Real> KdTree<T> {
    pub fn build(data: ArrayView2<T>) -> Self {
        let (n, dim) = data.dim();
        let mut levels = 1usize;
        while (n >> (levels - 1)) > leaf_size(dim) && levels < 48 {
            levels += 1;
        }
        let n_nodes = (1usize << levels) - 1;
        let first_leaf = (1usize << (levels - 1)) - 1;
        let mut ranges = vec![(0usize, 0usize); n_nodes];
        ranges[0] = (0, n);
        for i in 0..first_leaf {
            let (s, e) = ranges[i];
            let mid = s + (e - s) / 2;
            ranges[2 * i + 1] = (s, mid);
            ranges[2 * i + 2] = (mid, e);
        }
        let (order, points) = match dim {
            1 => tree_order::<T, 1>(&data, first_leaf),
            2 => tree_order::<T, 2>(&data, first_leaf),
            3 => tree_order::<T, 3>(&data, first_leaf),
            4 => tree_order::<T, 4>(&data, first_leaf),
            5 => tree_order::<T, 5>(&data, first_leaf),
            6 => tree_order::<T, 6>(&data, first_leaf),
            7 => tree_order::<T, 7>(&data, first_leaf),
            8 => tree_order::<T, 8>(&data, first_leaf),
            _ => {
                let mut order: Vec<usize> = (0..n).collect();
                partition(&data, &mut order, 0, first_leaf);
                let mut points = vec![T::default(); n * dim];
                points
                    .par_chunks_mut(dim.max(1))
                    .zip(order.par_iter())
                    .for_each(|(dst, &src)| {
                        for (d, s) in dst.iter_mut().zip(data.row(src).iter()) {
                            *d = *s;
                        }
                    });
                (order, points)
            }
        };

        // Bounds: leaves from their points (in parallel), then parents bottom-up.
        let mut bounds = vec![T::default(); n_nodes * 2 * dim];
        let stride = 2 * dim;
        if dim > 0 {
            bounds[first_leaf * stride..]
                .par_chunks_mut(stride)
                .enumerate()
                .for_each(|(l, b)| {
                    let (s, e) = ranges[first_leaf + l];
                    set_box(b, &points[s * dim..e * dim], dim);
                });
            for i in (0..first_leaf).rev() {
                let (head, tail) = bounds.split_at_mut((2 * i + 1) * stride);
                let b = &mut head[i * stride..(i + 1) * stride];
                let (l, r) = (&tail[..stride], &tail[stride..2 * stride]);
                for j in 0..dim {
                    b[j] = pick(l[j], r[j], true);
                    b[dim + j] = pick(l[dim + j], r[dim + j], false);
                }
            }
        }
        let n_leaves = n_nodes - first_leaf;
        let width = ranges[first_leaf..]
            .iter()
            .map(|&(s, e)| e - s)
            .max()
            .unwrap_or(0)
            .div_ceil(LANES)
            * LANES;
        let mut soa = vec![f64::NAN; n_leaves * dim * width];
        if dim > 0 && width > 0 {
            soa.par_chunks_mut(dim * width)
                .enumerate()
                .for_each(|(l, block)| {
                    let (s, e) = ranges[first_leaf + l];
                    for (i, x) in points[s * dim..e * dim].chunks_exact(dim).enumerate() {
                        for (j, &v) in x.iter().enumerate() {
                            block[j * width + i] = v.to_f64();
                        }
                    }
                });
        }
        KdTree {
            dim,
            order,
            points,
            bounds,
            ranges,
            n_nodes,
            first_leaf,
            soa,
            wide: wide_lanes(),
            width,
        }
    }

    pub fn query(&self, queries: ArrayView2<T>, k: usize) -> Result<Neighbours> {
        let m = queries.nrows();
        let mut indices = zeroed::<i64>(m, k)?;
        let mut distances = zeroed::<f64>(m, k)?;
        let (Some(idx_all), Some(dist_all)) = (indices.as_slice_mut(), distances.as_slice_mut())
        else {
            return Ok(Neighbours { indices, distances });
        };
        self.search_rows(idx_all, dist_all, k, |p, best, stack| {
            let q = queries.row(p);
            self.search(q.to_slice().unwrap_or(&[]), best, stack)
        });
        Ok(Neighbours { indices, distances })
    }

    /// k-NN of every data row among the data (the samplers' case). Leaves are
    /// searched in parallel, each leaf's rows in turn, so consecutive searches
    /// walk the same cache-hot nodes; each result goes straight to its row of the
    /// caller's order.
    pub fn query_self(&self, k: usize) -> Result<Neighbours> {
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
                    by_dim!(self.dim, self.self_leaf_on(leaf, k, scratch, &rows));
                },
            );
        Ok(Neighbours { indices, distances })
    }

    /// Row `p` of the `k`-wide outputs gets what `search(p, ..)` leaves in its
    /// candidate list; rows are searched in parallel chunks, each thread reusing
    /// its candidate list and stack.
    fn search_rows(
        &self,
        idx_all: &mut [i64],
        dist_all: &mut [f64],
        k: usize,
        search: impl Fn(usize, &mut Best, &mut Stack) + Sync,
    ) {
        idx_all
            .par_chunks_mut(QUERY_CHUNK * k)
            .zip(dist_all.par_chunks_mut(QUERY_CHUNK * k))
            .enumerate()
            .for_each(|(c, (idx, dist))| {
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

    #[inline(always)]
    fn node_box(&self, node: usize) -> (&[T], &[T]) {
        let b = &self.bounds[node * 2 * self.dim..(node + 1) * 2 * self.dim];
        b.split_at(self.dim)
    }

    /// Depth-first search keeping `best` sorted by (distance, index), at most `k`
    /// long; dispatches to a search unrolled for the dimension when it is small.
    fn search(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
        by_dim!(self.dim, self.search_on(q, best, stack))
    }

    /// [`Self::search_in`], through a copy compiled for AVX2 where the leaf scans
    /// use it (see [`Self::self_leaf_on`]).
    #[inline(always)]
    fn search_on<const D: usize>(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
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
    unsafe fn search_avx2<const D: usize>(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
        self.search_in::<D>(q, best, stack)
    }

    /// [`Self::self_leaf`], through a copy compiled for AVX2 where the leaf scans
    /// use it (so that the vector kernels inline into it).
    #[inline(always)]
    fn self_leaf_on<const D: usize>(
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
    unsafe fn self_leaf_avx2<const D: usize>(
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
    fn self_leaf<const D: usize>(
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
                // SAFETY: `vector` implies `wide` (AVX2 runs) and D in 1..=8;
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
    /// The CPU must support AVX2; `D` in 1..=8; `boxes` holds `2 * D` columns of
    /// `span >= cands.len()` values, `span` a multiple of 4.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn listed_avx2<const D: usize>(
        &self,
        q: &[T],
        cands: &[(f64, usize)],
        boxes: &[f64],
        span: usize,
        best: &mut impl List,
    ) {
        use std::arch::x86_64::*;
        debug_assert!(D >= 1 && D <= 8 && span % 4 == 0 && boxes.len() >= 2 * D * span);
        let mut qv = [_mm256_setzero_pd(); 8];
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
            let mut mask =
                _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LE_OQ>(b, _mm256_set1_pd(best.worst())));
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

    /// Offer the rows of `p`'s own leaf: first the rows next to it in the leaf's
    /// order (sorted along the leaf's widest dimension, so likely near), which
    /// give a tight bound at once, then the rest of the leaf.
    #[inline(always)]
    fn own_leaf<const D: usize>(
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
    fn climb<const D: usize>(&self, q: &[T], leaf: usize, best: &mut Best, stack: &mut Stack) {
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

    #[inline(always)]
    fn box_dist<const D: usize>(&self, q: &[T], node: usize) -> f64 {
        let (lo, hi) = self.node_box(node);
        if D == 0 {
            box_sq_dist(q, lo, hi)
        } else {
            box_sq_dist_fixed::<T, D>(q, lo, hi)
        }
    }

    /// Offer every point of leaf `node` to `best`, four at a time: each lane adds
    /// the same terms in the same order as [`sq_dist_fixed`] (bit-identical
    /// distances), and a group none of whose lanes can enter is passed over with
    /// one test.
    #[inline(always)]
    fn scan_leaf<const D: usize>(
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
        let mut qf = [0f64; 8];
        let known = if D == 0 { dim.min(8) } else { D };
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
                let qj = if D == 0 && j >= 8 {
                    q[j].to_f64()
                } else {
                    qf[j & 7]
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

    /// Depth-first search from the nodes on `stack`, nearer child first.
    #[inline(always)]
    fn dfs<const D: usize>(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
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
    fn search_in<const D: usize>(&self, q: &[T], best: &mut Best, stack: &mut Stack) {
        stack.clear();
        stack.push((0, self.box_dist::<D>(q, 0)));
        self.dfs::<D>(q, best, stack);
    }
}

type Stack = Vec<(usize, f64)>;

/// Lists of at most this many entries are kept in two AVX2 register pairs' worth
/// of memory and updated without branches where AVX2 runs.
const VECTOR_K: usize = 8;

/// The `k` best candidates so far, sorted by (squared distance, index), padded
/// with `(inf, MAX)` so that every slot is always filled: `worst` (the k-th
/// distance) is the one pruning bound, kept in a field the search loops read
/// without touching the lists. Lists of up to [`VECTOR_K`] entries live in fixed
/// arrays and take offers as a branch-free merge in AVX2 registers (`vector`);
/// others shift entries one by one.
struct Best {
    k: usize,
    vector: bool,
    vd: [f64; VECTOR_K],
    vi: [i64; VECTOR_K],
    d2: Vec<f64>,
    id: Vec<usize>,
    worst: f64,
}

impl Best {
    /// `wide`: the searches run their AVX2 copies ([`wide_lanes`]).
    fn new(k: usize, wide: bool) -> Self {
        let vector = wide && k <= VECTOR_K;
        let long = if vector { 0 } else { k };
        Best {
            k,
            vector,
            vd: [f64::INFINITY; VECTOR_K],
            vi: [i64::MAX; VECTOR_K],
            d2: vec![f64::INFINITY; long],
            id: vec![usize::MAX; long],
            worst: f64::INFINITY,
        }
    }

    fn reset(&mut self) {
        if self.vector {
            self.vd = [f64::INFINITY; VECTOR_K];
            self.vi = [i64::MAX; VECTOR_K];
        } else {
            self.d2.fill(f64::INFINITY);
            self.id.fill(usize::MAX);
        }
        self.worst = f64::INFINITY;
    }

    /// Offer `(d2, i)`: it enters if it sorts before the k-th entry by
    /// (distance, index), else nothing changes.
    #[inline(always)]
    fn offer(&mut self, d2: f64, i: usize) {
        #[cfg(target_arch = "x86_64")]
        if self.vector {
            // SAFETY: `vector` is set only where the AVX2 copies run.
            unsafe { self.offer_vector(d2, i) };
            return;
        }
        let (dl, il) = (&mut self.d2[..], &mut self.id[..]);
        let k = dl.len().min(il.len());
        if k == 0 {
            return;
        }
        let worse = |d: f64, id: usize| d > d2 || (d == d2 && id > i);
        let mut j = k - 1;
        if !worse(dl[j], il[j]) {
            return;
        }
        while j > 0 && worse(dl[j - 1], il[j - 1]) {
            dl[j] = dl[j - 1];
            il[j] = il[j - 1];
            j -= 1;
        }
        dl[j] = d2;
        il[j] = i;
        self.worst = dl[k - 1];
    }

    /// The offer of [`Lanes`] (a branch-free merge) through memory, for the
    /// searches that do not hold their lists in registers. Inlined (never called)
    /// into the AVX2 copies of the searches, its only callers at run time.
    ///
    /// # Safety
    /// The CPU must support AVX2; indices are below 2^63 (they index memory).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    unsafe fn offer_vector(&mut self, x: f64, i: usize) {
        let mut list = Lanes::load(self);
        list.offer(x, i);
        list.store(self);
    }

    /// Write the list (already in final order) as indices and distances.
    fn write(&self, idx: &mut [i64], dist: &mut [f64]) {
        if self.vector {
            for (((o, d), &i), &v) in idx
                .iter_mut()
                .zip(dist.iter_mut())
                .zip(&self.vi)
                .zip(&self.vd)
            {
                *o = i;
                *d = v.sqrt();
            }
            return;
        }
        for (((o, d), &i), &v) in idx
            .iter_mut()
            .zip(dist.iter_mut())
            .zip(&self.id)
            .zip(&self.d2)
        {
            *o = i as i64;
            *d = v.sqrt();
        }
    }
}

/// What the leaf scans offer candidates to: a [`Best`] in memory, or, in the
/// AVX2 copies of the searches, a short list held in registers ([`Lanes`]).
trait List {
    /// The k-th squared distance so far: the one pruning bound.
    fn worst(&self) -> f64;
    /// Offer `(d2, i)`: it enters if it sorts before the k-th entry by
    /// (distance, index), else nothing changes (callers usually drop
    /// `d2 > worst()` first).
    fn offer(&mut self, d2: f64, i: usize);
}

impl List for Best {
    #[inline(always)]
    fn worst(&self) -> f64 {
        self.worst
    }
    #[inline(always)]
    fn offer(&mut self, d2: f64, i: usize) {
        Best::offer(self, d2, i)
    }
}

/// A list of up to [`VECTOR_K`] entries (a [`Best`] with `vector` set) held in
/// AVX2 registers while one row is searched, so consecutive offers do not go
/// through memory (each would otherwise wait for the previous one's stores).
/// `worst` holds the k-th distance in every lane. Same entries, same order, as
/// the [`Best`] it is loaded from and stored back to.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct Lanes {
    d: [std::arch::x86_64::__m256d; 2],
    i: [std::arch::x86_64::__m256i; 2],
    worst: std::arch::x86_64::__m256d,
    /// `_mm256_permutevar8x32_ps` indices that copy the k-th slot's lane of its
    /// register to every lane.
    pick: std::arch::x86_64::__m256i,
    /// The k-th slot is in the upper register.
    high: bool,
}

#[cfg(target_arch = "x86_64")]
impl Lanes {
    /// # Safety
    /// The CPU must support AVX2; `best.vector` is set.
    #[inline(always)]
    unsafe fn load(best: &Best) -> Self {
        use std::arch::x86_64::*;
        // `k >= 1` (validated), so the k-th slot is `k - 1 < VECTOR_K`.
        let slot = (best.k - 1) & (VECTOR_K - 1);
        let lane = (slot & 3) as i32;
        Lanes {
            d: [
                _mm256_loadu_pd(best.vd.as_ptr()),
                _mm256_loadu_pd(best.vd.as_ptr().add(4)),
            ],
            i: [
                _mm256_loadu_si256(best.vi.as_ptr() as *const __m256i),
                _mm256_loadu_si256(best.vi.as_ptr().add(4) as *const __m256i),
            ],
            worst: _mm256_set1_pd(best.worst),
            pick: _mm256_setr_epi32(
                2 * lane,
                2 * lane + 1,
                2 * lane,
                2 * lane + 1,
                2 * lane,
                2 * lane + 1,
                2 * lane,
                2 * lane + 1,
            ),
            high: slot >= 4,
        }
    }

    /// # Safety
    /// The CPU must support AVX2.
    #[inline(always)]
    unsafe fn store(&self, best: &mut Best) {
        use std::arch::x86_64::*;
        _mm256_storeu_pd(best.vd.as_mut_ptr(), self.d[0]);
        _mm256_storeu_pd(best.vd.as_mut_ptr().add(4), self.d[1]);
        _mm256_storeu_si256(best.vi.as_mut_ptr() as *mut __m256i, self.i[0]);
        _mm256_storeu_si256(best.vi.as_mut_ptr().add(4) as *mut __m256i, self.i[1]);
        best.worst = _mm256_cvtsd_f64(self.worst);
    }

    /// Write the first `k` entries (as indices and distances) to output row `row`
    /// straight from the registers.
    ///
    /// # Safety
    /// The CPU must support AVX2; the rows' contract of [`RowWriter::write`].
    #[inline(always)]
    unsafe fn write(&self, rows: &RowWriter, row: usize) {
        use std::arch::x86_64::*;
        if row >= rows.n {
            return;
        }
        let k = rows.k.min(VECTOR_K);
        let idx = rows.idx.add(row * rows.k) as *mut f64;
        let dist = rows.dist.add(row * rows.k);
        let put = |out: *mut f64, lo: __m256d, hi: __m256d| {
            let (first, rest, n) = if k >= 4 {
                _mm256_storeu_pd(out, lo);
                (out.add(4), hi, k - 4)
            } else {
                (out, lo, k)
            };
            let half = _mm256_castpd256_pd128(rest);
            match n {
                1 => _mm_storel_pd(first, half),
                2 => _mm_storeu_pd(first, half),
                3 => {
                    _mm_storeu_pd(first, half);
                    _mm_storel_pd(first.add(2), _mm256_extractf128_pd::<1>(rest));
                }
                4 => _mm256_storeu_pd(first, rest),
                _ => {}
            }
        };
        put(
            idx,
            _mm256_castsi256_pd(self.i[0]),
            _mm256_castsi256_pd(self.i[1]),
        );
        put(dist, _mm256_sqrt_pd(self.d[0]), _mm256_sqrt_pd(self.d[1]));
    }
}

#[cfg(target_arch = "x86_64")]
impl List for Lanes {
    #[inline(always)]
    fn worst(&self) -> f64 {
        // SAFETY: a `Lanes` exists only where AVX2 runs (`load` is unsafe).
        unsafe { std::arch::x86_64::_mm256_cvtsd_f64(self.worst) }
    }

    /// The offer as a merge over all [`VECTOR_K`] slots: `worse[j]` marks the
    /// entries that sort after `(x, i)` (a suffix, the list being sorted); slot
    /// `j` takes entry `j - 1` where `worse[j - 1]`, else `(x, i)` where
    /// `worse[j]`, else keeps its entry. Entries past `k` are never read.
    #[inline(always)]
    fn offer(&mut self, x: f64, i: usize) {
        use std::arch::x86_64::*;
        // SAFETY: a `Lanes` exists only where AVX2 runs; indices are below 2^63
        // (they index memory).
        unsafe {
            let xd = _mm256_set1_pd(x);
            let xi = _mm256_set1_epi64x(i as i64);
            let [d_lo, d_hi] = self.d;
            let [i_lo, i_hi] = self.i;
            let worse = |d: __m256d, id: __m256i| {
                _mm256_or_pd(
                    _mm256_cmp_pd::<_CMP_GT_OQ>(d, xd),
                    _mm256_and_pd(
                        _mm256_cmp_pd::<_CMP_EQ_OQ>(d, xd),
                        _mm256_castsi256_pd(_mm256_cmpgt_epi64(id, xi)),
                    ),
                )
            };
            let (w_lo, w_hi) = (worse(d_lo, i_lo), worse(d_hi, i_hi));
            // Each register's lanes moved up one slot: [_, v0, v1, v2] and
            // [v3, v4, v5, v6] (lane 0 of the low half is masked off below).
            let up = |lo: __m256d, hi: __m256d| {
                (
                    _mm256_permute4x64_pd::<0b10_01_00_00>(lo),
                    _mm256_blend_pd::<0b0001>(
                        _mm256_permute4x64_pd::<0b10_01_00_00>(hi),
                        _mm256_permute4x64_pd::<0b11_11_11_11>(lo),
                    ),
                )
            };
            let (pw_lo, pw_hi) = up(w_lo, w_hi);
            let pw_lo = _mm256_blend_pd::<0b0001>(pw_lo, _mm256_setzero_pd());
            let (pd_lo, pd_hi) = up(d_lo, d_hi);
            let (pi_lo, pi_hi) = up(_mm256_castsi256_pd(i_lo), _mm256_castsi256_pd(i_hi));
            let xi = _mm256_castsi256_pd(xi);
            let merge = |old: __m256d, new: __m256d, w: __m256d, prev: __m256d, pw: __m256d| {
                _mm256_blendv_pd(_mm256_blendv_pd(old, new, w), prev, pw)
            };
            let nd_lo = merge(d_lo, xd, w_lo, pd_lo, pw_lo);
            let nd_hi = merge(d_hi, xd, w_hi, pd_hi, pw_hi);
            let ni_lo = merge(_mm256_castsi256_pd(i_lo), xi, w_lo, pi_lo, pw_lo);
            let ni_hi = merge(_mm256_castsi256_pd(i_hi), xi, w_hi, pi_hi, pw_hi);
            self.d = [nd_lo, nd_hi];
            self.i = [_mm256_castpd_si256(ni_lo), _mm256_castpd_si256(ni_hi)];
            let kth = if self.high { nd_hi } else { nd_lo };
            self.worst =
                _mm256_castps_pd(_mm256_permutevar8x32_ps(_mm256_castpd_ps(kth), self.pick));
        }
    }
}

fn pick<T: Real>(a: T, b: T, min: bool) -> T {
    if (a < b) == min {
        a
    } else {
        b
    }
}

fn set_box<T: Real>(b: &mut [T], pts: &[T], dim: usize) {
    let (lo, hi) = b.split_at_mut(dim);
    let mut rows = pts.chunks_exact(dim);
    if let Some(first) = rows.next() {
        lo.copy_from_slice(first);
        hi.copy_from_slice(first);
    }
    for row in rows {
        for j in 0..dim {
            lo[j] = pick(lo[j], row[j], true);
            hi[j] = pick(hi[j], row[j], false);
        }
    }
}

/// Tree order for a small fixed dimension: the rows themselves (with their index)
/// are partitioned in one contiguous array, so each node's split reads and moves
/// contiguous memory instead of gathering rows through an index array. Every node
/// holds the same set of rows as [`partition`] gives it (the split is by (value,
/// index)); only the order inside a leaf may differ, which the search's (distance,
/// index) rule makes irrelevant.
fn tree_order<T: Real, const D: usize>(
    data: &ArrayView2<T>,
    first_leaf: usize,
) -> (Vec<usize>, Vec<T>) {
    // In parallel from the start, so the second worker is awake (and its pages
    // faulted) by the time the partition splits.
    let mut items: Vec<([i64; D], usize)> = (0..data.nrows())
        .into_par_iter()
        .map(|i| {
            let mut p = [0i64; D];
            for (d, s) in p.iter_mut().zip(data.row(i).iter()) {
                *d = order_key(s.to_f64());
            }
            (p, i)
        })
        .collect();
    partition_items(&mut items, 0, first_leaf);
    let order = items.par_iter().map(|&(_, i)| i).collect();
    let mut points = vec![T::default(); items.len() * D];
    points
        .par_chunks_mut(D.max(1))
        .zip(items.par_iter())
        .for_each(|(dst, (p, _))| {
            for (d, &key) in dst.iter_mut().zip(p) {
                *d = T::from_f64(key_value(key));
            }
        });
    (order, points)
}

/// An integer whose order is `f64::total_cmp`'s: the build compares these.
#[inline(always)]
fn order_key(v: f64) -> i64 {
    let bits = v.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// The value of an [`order_key`] (the map is its own inverse on the bits).
#[inline(always)]
fn key_value(key: i64) -> f64 {
    f64::from_bits((key ^ ((((key >> 63) as u64) >> 1) as i64)) as u64)
}

fn partition_items<const D: usize>(
    items: &mut [([i64; D], usize)],
    node: usize,
    first_leaf: usize,
) {
    if items.len() < 2 {
        return;
    }
    let mut lo = [i64::MAX; D];
    let mut hi = [i64::MIN; D];
    for (p, _) in items.iter() {
        for j in 0..D {
            lo[j] = lo[j].min(p[j]);
            hi[j] = hi[j].max(p[j]);
        }
    }
    let mut best_dim = 0;
    let mut best_spread = f64::NEG_INFINITY;
    for j in 0..D {
        let spread = key_value(hi[j]) - key_value(lo[j]);
        if spread > best_spread {
            best_spread = spread;
            best_dim = j;
        }
    }
    // (key, index) as one 128-bit integer: a single comparison per step.
    let by_dim = |a: &([i64; D], usize), b: &([i64; D], usize)| {
        let joint = |p: &([i64; D], usize)| {
            ((((p.0[best_dim] as u64) ^ (1 << 63)) as u128) << 64) | p.1 as u128
        };
        joint(a).cmp(&joint(b))
    };
    if node >= first_leaf {
        // A leaf: sorted along its widest dimension, so rows near in the leaf's
        // order tend to be near in space (the self-query's first guesses).
        items.sort_unstable_by(by_dim);
        return;
    }
    let mid = items.len() / 2;
    items.select_nth_unstable_by(mid, by_dim);
    let (left, right) = items.split_at_mut(mid);
    if left.len() + right.len() >= PAR_BUILD_MIN {
        rayon::join(
            || partition_items(left, 2 * node + 1, first_leaf),
            || partition_items(right, 2 * node + 2, first_leaf),
        );
    } else {
        partition_items(left, 2 * node + 1, first_leaf);
        partition_items(right, 2 * node + 2, first_leaf);
    }
}

/// Reorder `order` (the slice of node `node`) so that every internal node's halves
/// are split on its widest dimension.
fn partition<T: Real>(data: &ArrayView2<T>, order: &mut [usize], node: usize, first_leaf: usize) {
    if node >= first_leaf || order.len() < 2 {
        return;
    }
    let dim = data.ncols();
    let mut best_dim = 0;
    let mut best_spread = f64::NEG_INFINITY;
    for j in 0..dim {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for &i in order.iter() {
            let v = data[[i, j]].to_f64();
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if hi - lo > best_spread {
            best_spread = hi - lo;
            best_dim = j;
        }
    }
    let mid = order.len() / 2;
    order.select_nth_unstable_by(mid, |&a, &b| {
        data[[a, best_dim]]
            .to_f64()
            .total_cmp(&data[[b, best_dim]].to_f64())
            .then(a.cmp(&b))
    });
    let (left, right) = order.split_at_mut(mid);
    if left.len() + right.len() >= PAR_BUILD_MIN {
        rayon::join(
            || partition(data, left, 2 * node + 1, first_leaf),
            || partition(data, right, 2 * node + 2, first_leaf),
        );
    } else {
        partition(data, left, 2 * node + 1, first_leaf);
        partition(data, right, 2 * node + 2, first_leaf);
    }
}
