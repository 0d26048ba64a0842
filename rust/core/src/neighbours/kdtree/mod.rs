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

use super::exact::{box_sq_dist, box_sq_dist_fixed};
use crate::cpu::Kernels;
use crate::Real;

/// Points per leaf (measured with the unrolled search at d = 2-8, 100k-400k rows:
/// 32 is best or within noise of it everywhere).
pub(crate) fn leaf_size(_dim: usize) -> usize {
    32
}
/// Rows whose coordinates choose a node's split dimension (dimensions above 16):
/// a larger node is sampled evenly.
const SPREAD_SAMPLE: usize = 512;
/// Below this many points a subtree is partitioned on the current thread.
const PAR_BUILD_MIN: usize = 16_384;
/// Points a leaf scan measures per step.
const LANES: usize = 4;
/// Largest dimension with a search compiled for it ([`by_dim!`]): the unrolled
/// searches run several times faster than the generic one (measured at d = 8
/// against 9 before 9-16 were added), which is what lets the engine's probe pick
/// the tree at d = 9-16 on data it prunes well.
pub(crate) const UNROLLED: usize = 16;

/// Calls `$obj.$method::<D>(args)` with `D` the dimension when it is 1-16
/// ([`UNROLLED`]: a search unrolled for it), else `D = 0` (any dimension).
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
            9 => $obj.$method::<9>($($arg),*),
            10 => $obj.$method::<10>($($arg),*),
            11 => $obj.$method::<11>($($arg),*),
            12 => $obj.$method::<12>($($arg),*),
            13 => $obj.$method::<13>($($arg),*),
            14 => $obj.$method::<14>($($arg),*),
            15 => $obj.$method::<15>($($arg),*),
            16 => $obj.$method::<16>($($arg),*),
            _ => $obj.$method::<0>($($arg),*),
        }
    };
}

mod query;
mod self_query;
mod topk;

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
    /// Leaf scans use the AVX2 kernel ([`Kernels::avx2`]).
    wide: bool,
    width: usize,
}

impl<T: Real> KdTree<T> {
    /// The tree over `data`; its searches use the AVX2 kernels where `kernels` allows.
    pub fn build(data: ArrayView2<T>, kernels: Kernels) -> Self {
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
            9 => tree_order::<T, 9>(&data, first_leaf),
            10 => tree_order::<T, 10>(&data, first_leaf),
            11 => tree_order::<T, 11>(&data, first_leaf),
            12 => tree_order::<T, 12>(&data, first_leaf),
            13 => tree_order::<T, 13>(&data, first_leaf),
            14 => tree_order::<T, 14>(&data, first_leaf),
            15 => tree_order::<T, 15>(&data, first_leaf),
            16 => tree_order::<T, 16>(&data, first_leaf),
            _ => {
                let flat = data.as_standard_layout();
                let flat = flat.as_slice().unwrap_or(&[]);
                let mut order: Vec<usize> = (0..n).collect();
                partition(flat, dim, &mut order, 0, first_leaf);
                let mut points = vec![T::default(); n * dim];
                points
                    .par_chunks_mut(dim.max(1))
                    .zip(order.par_iter())
                    .for_each(|(dst, &src)| {
                        dst.copy_from_slice(&flat[src * dim..(src + 1) * dim]);
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
            wide: kernels.avx2(),
            width,
        }
    }

    #[inline(always)]
    fn node_box(&self, node: usize) -> (&[T], &[T]) {
        let b = &self.bounds[node * 2 * self.dim..(node + 1) * 2 * self.dim];
        b.split_at(self.dim)
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
/// are split on its widest dimension. `data` is `n × dim`, row-major.
fn partition<T: Real>(data: &[T], dim: usize, order: &mut [usize], node: usize, first_leaf: usize) {
    if node >= first_leaf || order.len() < 2 || dim == 0 {
        return;
    }
    // The widest dimension, from every row's contiguous coordinates or, in a node
    // of more than SPREAD_SAMPLE rows, from an evenly spaced sample of them: the
    // split only steers the search's speed, never its answer, and reading every
    // row at every level cost more than the searches it was meant to speed up
    // (35-50 ms at 20,000 x 64, against 40-60 ms for a brute-force search).
    let step = order.len().div_ceil(SPREAD_SAMPLE).max(1);
    let mut lo = vec![f64::INFINITY; dim];
    let mut hi = vec![f64::NEG_INFINITY; dim];
    for &i in order.iter().step_by(step) {
        let row = &data[i * dim..(i + 1) * dim];
        for ((l, h), v) in lo.iter_mut().zip(hi.iter_mut()).zip(row) {
            // Compare-and-select (the data are finite): vectorises, unlike
            // `f64::min`'s NaN rule.
            let v = v.to_f64();
            *l = if v < *l { v } else { *l };
            *h = if v > *h { v } else { *h };
        }
    }
    let mut best_dim = 0;
    let mut best_spread = f64::NEG_INFINITY;
    for (j, (l, h)) in lo.iter().zip(&hi).enumerate() {
        if h - l > best_spread {
            best_spread = h - l;
            best_dim = j;
        }
    }
    // The split column read once per row, then selected in a contiguous array.
    let mut keyed: Vec<(f64, usize)> = order
        .iter()
        .map(|&i| (data[i * dim + best_dim].to_f64(), i))
        .collect();
    let mid = order.len() / 2;
    keyed.select_nth_unstable_by(mid, |a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    for (o, &(_, i)) in order.iter_mut().zip(&keyed) {
        *o = i;
    }
    let (left, right) = order.split_at_mut(mid);
    if left.len() + right.len() >= PAR_BUILD_MIN {
        rayon::join(
            || partition(data, dim, left, 2 * node + 1, first_leaf),
            || partition(data, dim, right, 2 * node + 2, first_leaf),
        );
    } else {
        partition(data, dim, left, 2 * node + 1, first_leaf);
        partition(data, dim, right, 2 * node + 2, first_leaf);
    }
}
