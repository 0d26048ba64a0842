//! KD-tree for exact k-NN in low dimensions.
//!
//! The tree is implicit (node `i` has children `2i+1` and `2i+2`, every node splits
//! its index range at the middle), so its shape depends only on `n` and the leaf
//! size, and the build partitions disjoint slices in parallel. Each node splits on
//! the dimension of widest spread; queries prune on exact bounding boxes (not on the
//! splitting plane), visiting the nearer child first. Points are copied into tree
//! order (in the caller's precision) so leaves are contiguous in memory.

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::exact::{box_sq_dist, box_sq_dist_fixed, sq_dist, sq_dist_fixed};
use super::{finish_row, Neighbours};
use crate::Real;

/// Points per leaf (measured with the unrolled search at d = 2-8, 100k-400k rows:
/// 32 is best or within noise of it everywhere).
fn leaf_size(_dim: usize) -> usize {
    32
}
/// Below this many points a subtree is partitioned on the current thread.
const PAR_BUILD_MIN: usize = 16_384;
const QUERY_CHUNK: usize = 128;

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
        KdTree {
            dim,
            order,
            points,
            bounds,
            ranges,
            n_nodes,
            first_leaf,
        }
    }

    pub fn query(&self, queries: ArrayView2<T>, k: usize) -> Neighbours {
        let m = queries.nrows();
        let mut indices = Array2::<i64>::zeros((m, k));
        let mut distances = Array2::<f64>::zeros((m, k));
        let (Some(idx_all), Some(dist_all)) = (indices.as_slice_mut(), distances.as_slice_mut())
        else {
            return Neighbours { indices, distances };
        };
        self.search_rows(idx_all, dist_all, k, |p, best, stack| {
            let q = queries.row(p);
            self.search(q.to_slice().unwrap_or(&[]), k, best, stack)
        });
        Neighbours { indices, distances }
    }

    /// k-NN of every data row among the data (the samplers' case). Queries run in
    /// tree order, so consecutive searches walk the same cache-hot nodes; results
    /// are then scattered back to the caller's row order.
    pub fn query_self(&self, k: usize) -> Neighbours {
        let n = self.order.len();
        let mut tree_idx = vec![0i64; n * k];
        let mut tree_dist = vec![0f64; n * k];
        self.search_rows(&mut tree_idx, &mut tree_dist, k, |p, best, stack| {
            self.search_self(p, k, best, stack)
        });
        let mut position = vec![0usize; n];
        for (p, &row) in self.order.iter().enumerate() {
            position[row] = p;
        }
        let mut indices = Array2::<i64>::zeros((n, k));
        let mut distances = Array2::<f64>::zeros((n, k));
        if let (Some(io), Some(dout)) = (indices.as_slice_mut(), distances.as_slice_mut()) {
            io.par_chunks_mut(k)
                .zip(dout.par_chunks_mut(k))
                .zip(position.par_iter())
                .for_each(|((ir, dr), &p)| {
                    ir.copy_from_slice(&tree_idx[p * k..(p + 1) * k]);
                    dr.copy_from_slice(&tree_dist[p * k..(p + 1) * k]);
                });
        }
        Neighbours { indices, distances }
    }

    /// Row `p` of the `k`-wide outputs gets what `search(p, ..)` leaves in its
    /// candidate list; rows are searched in parallel chunks, each thread reusing
    /// its candidate list and stack.
    fn search_rows(
        &self,
        idx_all: &mut [i64],
        dist_all: &mut [f64],
        k: usize,
        search: impl Fn(usize, &mut Vec<(f64, usize)>, &mut Stack) + Sync,
    ) {
        idx_all
            .par_chunks_mut(QUERY_CHUNK * k)
            .zip(dist_all.par_chunks_mut(QUERY_CHUNK * k))
            .enumerate()
            .for_each(|(c, (idx, dist))| {
                let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
                let mut stack = Vec::with_capacity(64);
                for (r, (idx_row, dist_row)) in
                    idx.chunks_mut(k).zip(dist.chunks_mut(k)).enumerate()
                {
                    best.clear();
                    search(c * QUERY_CHUNK + r, &mut best, &mut stack);
                    finish_row(&mut best, k, idx_row, dist_row);
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
    fn search(&self, q: &[T], k: usize, best: &mut Vec<(f64, usize)>, stack: &mut Stack) {
        by_dim!(self.dim, self.search_in(q, k, best, stack))
    }

    /// k-NN of the point at tree position `p` among the data, searched bottom-up:
    /// its own leaf first (a tight bound at once), then the sibling subtree of each
    /// ancestor, nearest-first inside each. Every point lies in the leaf or in
    /// exactly one of those subtrees, and pruning keeps ties (strict `>`), so the
    /// result is the root-down search's.
    fn search_self(&self, p: usize, k: usize, best: &mut Vec<(f64, usize)>, stack: &mut Stack) {
        by_dim!(self.dim, self.search_self_in(p, k, best, stack))
    }

    #[inline(always)]
    fn search_self_in<const D: usize>(
        &self,
        p: usize,
        k: usize,
        best: &mut Vec<(f64, usize)>,
        stack: &mut Stack,
    ) {
        let dim = self.dim;
        let q = &self.points[p * dim..(p + 1) * dim];
        let mut node = 0;
        while node < self.first_leaf {
            let l = 2 * node + 1;
            node = if p < self.ranges[l].1 { l } else { l + 1 };
        }
        self.scan_leaf::<D>(q, node, k, best);
        while node > 0 {
            let sibling = if node % 2 == 1 { node + 1 } else { node - 1 };
            let bound = self.box_dist::<D>(q, sibling);
            if !(best.len() == k && bound > best[k - 1].0) {
                stack.clear();
                stack.push((sibling, bound));
                self.dfs::<D>(q, k, best, stack);
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

    #[inline(always)]
    fn scan_leaf<const D: usize>(
        &self,
        q: &[T],
        node: usize,
        k: usize,
        best: &mut Vec<(f64, usize)>,
    ) {
        let dim = self.dim.max(1);
        let (s, e) = self.ranges[node];
        // The leaf's points as one slice (no index arithmetic per point).
        let pts = &self.points[s * dim..e * dim];
        for (x, &id) in pts.chunks_exact(dim).zip(&self.order[s..e]) {
            let d2 = if D == 0 {
                sq_dist(q, x)
            } else {
                sq_dist_fixed::<T, D>(q, x)
            };
            if best.len() == k && d2 > best[k - 1].0 {
                continue; // cannot enter (ties are settled by insert)
            }
            insert(best, k, d2, id);
        }
    }

    /// Depth-first search from the nodes on `stack`, nearer child first.
    #[inline(always)]
    fn dfs<const D: usize>(
        &self,
        q: &[T],
        k: usize,
        best: &mut Vec<(f64, usize)>,
        stack: &mut Stack,
    ) {
        while let Some((node, bound)) = stack.pop() {
            if best.len() == k && bound > best[k - 1].0 {
                continue;
            }
            if node >= self.first_leaf || node >= self.n_nodes {
                self.scan_leaf::<D>(q, node, k, best);
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
    fn search_in<const D: usize>(
        &self,
        q: &[T],
        k: usize,
        best: &mut Vec<(f64, usize)>,
        stack: &mut Stack,
    ) {
        stack.clear();
        stack.push((0, self.box_dist::<D>(q, 0)));
        self.dfs::<D>(q, k, best, stack);
    }
}

type Stack = Vec<(usize, f64)>;

/// Insert `(d2, i)` into the sorted list `best` of at most `k` entries.
#[inline]
fn insert(best: &mut Vec<(f64, usize)>, k: usize, d2: f64, i: usize) {
    let worse = |a: &(f64, usize)| a.0 > d2 || (a.0 == d2 && a.1 > i);
    if best.len() == k {
        match best.last() {
            Some(last) if worse(last) => {
                best.pop();
            }
            _ => return,
        }
    }
    // Shift in place from the end (k is small; Vec::insert calls memmove).
    best.push((d2, i));
    let mut j = best.len() - 1;
    while j > 0 && worse(&best[j - 1]) {
        best.swap(j - 1, j);
        j -= 1;
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
    let mut items: Vec<([T; D], usize)> = data
        .outer_iter()
        .enumerate()
        .map(|(i, row)| {
            let mut p = [T::default(); D];
            for (d, s) in p.iter_mut().zip(row.iter()) {
                *d = *s;
            }
            (p, i)
        })
        .collect();
    partition_items(&mut items, 0, first_leaf);
    let order = items.iter().map(|&(_, i)| i).collect();
    let points = items.iter().flat_map(|(p, _)| p.iter().copied()).collect();
    (order, points)
}

fn partition_items<T: Real, const D: usize>(
    items: &mut [([T; D], usize)],
    node: usize,
    first_leaf: usize,
) {
    if node >= first_leaf || items.len() < 2 {
        return;
    }
    let mut lo = [f64::INFINITY; D];
    let mut hi = [f64::NEG_INFINITY; D];
    for (p, _) in items.iter() {
        for j in 0..D {
            let v = p[j].to_f64();
            lo[j] = lo[j].min(v);
            hi[j] = hi[j].max(v);
        }
    }
    let mut best_dim = 0;
    let mut best_spread = f64::NEG_INFINITY;
    for j in 0..D {
        if hi[j] - lo[j] > best_spread {
            best_spread = hi[j] - lo[j];
            best_dim = j;
        }
    }
    let mid = items.len() / 2;
    items.select_nth_unstable_by(mid, |a, b| {
        a.0[best_dim]
            .to_f64()
            .total_cmp(&b.0[best_dim].to_f64())
            .then(a.1.cmp(&b.1))
    });
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
