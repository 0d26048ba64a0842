//! The data layouts shared by the k-means AVX2 kernels ([`super::kernels`]) and
//! their callers, with the portable loops over them: the centre groups of the
//! Yinyang bounds and their scan tables, the float32 centres and per-lane minima
//! of the assignment screens, and the candidates, score blocks and tile sizes of
//! k-means++ scoring. This module imports no other k-means module, so the
//! kernels, the screens, the bounds and the seeding all depend on it one way.

use rayon::prelude::*;

use super::{dist2, keep_two, merge_lanes};

/// Most group lower bounds kept (float32 each: 256 MiB), so 1M rows keep 64
/// groups and 100k rows the full 256.
pub(super) const BOUNDS_MAX: usize = 1 << 26;

/// Candidates scored together per strip of rows.
pub(super) const TILE_Q: usize = 4;
/// Rows per strip of k-means++ scoring (two AVX2 vectors of float32).
pub(super) const TILE_R32: usize = 16;

/// Whether float32 can screen data whose largest squared norm is `g`: far from
/// overflow, and far enough from underflow that the error bounds (relative to
/// `g`) dwarf float32's smallest steps. Otherwise everything is computed exactly.
pub(super) fn f32_safe(g: f64) -> bool {
    (1e-30..=1e30).contains(&g)
}

/// k-means++ measures a candidate `q` as scikit-learn does, by the expanded
/// squared distance `|x|^2 + |q|^2 - 2 x.q`. For row `x`, with `w = |x|^2 - dist`
/// (`dist` its squared distance to its closest centre) and `qm2 = -2 q`:
/// `fma(x_d, qm2_d, ... fma(x_1, qm2_1, w + |q|^2))` is the change in the row's
/// distance were `q` added, when negative. Fused multiply-adds (`mul_add`, exact
/// on every machine) in this order, so every build gets the same value.
#[inline(always)]
pub(super) fn change(x: &[f64], qm2: &[f64], start: f64) -> f64 {
    let mut acc = start;
    for (v, &q) in x.iter().zip(qm2) {
        acc = v.mul_add(q, acc);
    }
    acc
}

/// Centres grouped for the Yinyang bounds: `order` lists the centre ids group by
/// group (ascending within a group), `start[g]..start[g + 1]` is group `g`'s range
/// of `order`, and `group[id]` is centre `id`'s group.
pub(super) struct Groups {
    pub(super) order: Vec<usize>,
    pub(super) start: Vec<usize>,
    pub(super) group: Vec<usize>,
}

impl Groups {
    /// About ten centres per group (at most 256 groups, and at most
    /// [`BOUNDS_MAX`] bounds for the `n` rows in all), grouped by a few Lloyd
    /// iterations over the centres themselves. Any grouping gives the same result;
    /// a good one skips more.
    pub(super) fn new(cs: &[f64], k: usize, d: usize, n: usize) -> Groups {
        let g = (k / 10).clamp(1, 256).min(BOUNDS_MAX / n.max(1)).max(1);
        let mut means: Vec<f64> = cs[..g * d].to_vec();
        let mut of = vec![0usize; k];
        for _ in 0..5 {
            of.par_iter_mut().enumerate().for_each(|(j, o)| {
                let c = &cs[j * d..(j + 1) * d];
                let mut best = (f64::INFINITY, 0);
                for h in 0..g {
                    let t = dist2(c, &means[h * d..(h + 1) * d]);
                    if t < best.0 {
                        best = (t, h);
                    }
                }
                *o = best.1;
            });
            let mut sums = vec![0.0; g * d];
            let mut counts = vec![0usize; g];
            for (j, &h) in of.iter().enumerate() {
                counts[h] += 1;
                for (s, &v) in sums[h * d..(h + 1) * d]
                    .iter_mut()
                    .zip(&cs[j * d..(j + 1) * d])
                {
                    *s += v;
                }
            }
            for h in 0..g {
                if counts[h] > 0 {
                    for c in 0..d {
                        means[h * d + c] = sums[h * d + c] / counts[h] as f64;
                    }
                }
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by_key(|&j| (of[j], j));
        let mut start = vec![0];
        let mut group = vec![0usize; k];
        for (pos, &j) in order.iter().enumerate() {
            if pos > 0 && of[j] != of[order[pos - 1]] {
                start.push(pos);
            }
            group[j] = start.len() - 1;
        }
        start.push(k);
        Groups {
            order,
            start,
            group,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.start.len() - 1
    }
}

/// The centres group by group for the scans of the assignment step: exact (float64,
/// dimension-major, padded to a multiple of 4 with centres at infinity) and for
/// the float32 screen (squared norms then centres times -2, padded to a multiple
/// of 8 with infinite norms).
pub(super) struct GroupTable {
    pub(super) ct: Vec<f64>,
    pub(super) off: Vec<usize>,
    pub(super) plen: Vec<usize>,
    pub(super) ct32: Vec<f32>,
    pub(super) off32: Vec<usize>,
    pub(super) plen32: Vec<usize>,
}

impl GroupTable {
    /// `norms`: the centres' squared norms.
    pub(super) fn new(centers: &[f64], norms: &[f64], d: usize, groups: &Groups) -> Self {
        let ng = groups.len();
        let size = |g: usize| groups.start[g + 1] - groups.start[g];
        let plen: Vec<usize> = (0..ng).map(|g| size(g).next_multiple_of(4)).collect();
        let plen32: Vec<usize> = (0..ng).map(|g| size(g).next_multiple_of(8)).collect();
        let (mut off, mut off32) = (vec![0usize; ng + 1], vec![0usize; ng + 1]);
        for g in 0..ng {
            off[g + 1] = off[g] + plen[g] * d;
            off32[g + 1] = off32[g] + plen32[g] * (d + 1);
        }
        let mut ct = vec![f64::INFINITY; off[ng]];
        let mut ct32 = vec![0.0f32; off32[ng]];
        for g in 0..ng {
            let s = groups.start[g];
            let (o, o32, len, len32) = (off[g], off32[g], plen[g], plen32[g]);
            ct32[o32..o32 + len32].fill(f32::INFINITY);
            for (p, &j) in groups.order[s..groups.start[g + 1]].iter().enumerate() {
                let c = &centers[j * d..(j + 1) * d];
                ct32[o32 + p] = norms[j] as f32;
                for (dim, &v) in c.iter().enumerate() {
                    ct[o + dim * len + p] = v;
                    ct32[o32 + (dim + 1) * len32 + p] = (-2.0 * v) as f32;
                }
            }
        }
        GroupTable {
            ct,
            off,
            plen,
            ct32,
            off32,
            plen32,
        }
    }
}

/// The centres as the first assignment's screen reads them:
/// `cm2[id * d + j] = -2 c_id[j]` and `cn[id] = |c_id|^2`.
pub(super) struct Centres32 {
    pub(super) cm2: Vec<f32>,
    pub(super) cn: Vec<f32>,
}

impl Centres32 {
    pub(super) fn new(centers: &[f64], norms: &[f64]) -> Self {
        Centres32 {
            cm2: centers.iter().map(|&v| (-2.0 * v) as f32).collect(),
            cn: norms.iter().map(|&v| v as f32).collect(),
        }
    }
}

/// A group's float32 screen, per lane: lane `l` of eight sees positions `l, l + 8,
/// ...` in order and keeps the smallest float32 expanded squared distance
/// `|x|^2 + |c|^2 - 2 x.c`, its position and the second smallest (a repeat of the
/// smallest counts). [`merge_lanes`] gives the group's nearest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Lanes32 {
    pub(super) m1: [f32; 8],
    pub(super) pos: [f32; 8],
    pub(super) m2: [f32; 8],
}

impl Lanes32 {
    /// The smallest distance over the lanes.
    pub(super) fn min(&self) -> f32 {
        self.m1.iter().fold(f32::INFINITY, |a, &b| a.min(b))
    }

    /// The nearest: its distance, position and the second smallest.
    pub(super) fn merge(&self) -> (f32, usize, f32) {
        let (m1, p, m2) = merge_lanes(&self.m1, &self.pos, &self.m2);
        (m1, p as usize, m2)
    }
}

/// Per group and lane of a strip of 8 rows: the smallest float32 expanded squared
/// distance to the group's centres, its centre's id and the second smallest (a
/// repeat of the smallest counts), into `m1[g]`, `id1[g]`, `m2[g]`. `xl[j]`:
/// dimension `j` of the 8 rows; `xn`: their squared norms.
pub(super) struct StripMins32 {
    pub(super) m1: Vec<[f32; 8]>,
    pub(super) id1: Vec<[f32; 8]>,
    pub(super) m2: Vec<[f32; 8]>,
}

impl StripMins32 {
    pub(super) fn new(ng: usize) -> Self {
        StripMins32 {
            m1: vec![[0.0; 8]; ng],
            id1: vec![[0.0; 8]; ng],
            m2: vec![[0.0; 8]; ng],
        }
    }

    pub(super) fn fill_portable(
        &mut self,
        xl: &[[f32; 8]],
        xn: &[f32; 8],
        c: &Centres32,
        groups: &Groups,
    ) {
        let d = xl.len();
        for g in 0..groups.len() {
            let (mut m1, mut id1, mut m2) = ([f32::INFINITY; 8], [0.0f32; 8], [f32::INFINITY; 8]);
            for &id in &groups.order[groups.start[g]..groups.start[g + 1]] {
                for l in 0..8 {
                    let mut v = xn[l] + c.cn[id];
                    for (j, x) in xl.iter().enumerate() {
                        v = x[l].mul_add(c.cm2[id * d + j], v);
                    }
                    keep_two(&mut m1[l], &mut id1[l], &mut m2[l], v, id as f32);
                }
            }
            (self.m1[g], self.id1[g], self.m2[g]) = (m1, id1, m2);
        }
    }
}

/// Rows that a candidate would take: `(row, change)`.
pub(super) type Taken = Vec<(u32, f64)>;

/// The candidates of one k-means++ step.
pub(super) struct Cands {
    /// Coordinates times -2 (exact), and squared norms.
    pub(super) qm2: Vec<Vec<f64>>,
    pub(super) qn: Vec<f64>,
    /// The coordinates times -2 in float32, for the screen.
    pub(super) qm2_32: Vec<Vec<f32>>,
}

impl Cands {
    /// The candidates at these rows of `xs` (row-major, `d` columns), whose
    /// squared norms are in `norm`.
    pub(super) fn new(xs: &[f64], d: usize, norm: &[f64], rows: &[usize]) -> Self {
        let qm2: Vec<Vec<f64>> = rows
            .iter()
            .map(|&c| xs[c * d..(c + 1) * d].iter().map(|v| -2.0 * v).collect())
            .collect();
        Cands {
            qm2_32: qm2
                .iter()
                .map(|q| q.iter().map(|&v| v as f32).collect())
                .collect(),
            qn: rows.iter().map(|&c| norm[c]).collect(),
            qm2,
        }
    }
}

/// One block of rows as k-means++ scoring reads it.
pub(super) struct ScoreBlock<'a> {
    /// The block's first row and the data (row-major, all rows).
    pub(super) lo: usize,
    pub(super) xs: &'a [f64],
    pub(super) d: usize,
    /// Dimension `j` of the block's rows, float32.
    pub(super) cols32: Vec<&'a [f32]>,
    /// `|x|^2 - dist` per row, in float64 and float32.
    pub(super) w: &'a [f64],
    pub(super) w32: &'a [f32],
    /// The block's largest squared norm and (an upper bound on) its largest
    /// distance, for the screen's error bound (see [`ScoreBlock::err`]), and
    /// whether the float32 screen may run at all (see [`f32_safe`]).
    pub(super) norm_max: f64,
    pub(super) dist_max: f64,
    pub(super) screen: bool,
}

impl ScoreBlock<'_> {
    /// A bound on `|change in float32 - change|` for the block's rows and a
    /// candidate of squared norm `qn`. With A the block's largest squared norm and
    /// D its largest distance, `|w| <= A + D`, `|x.q| <= sqrt(A qn)`; float32
    /// rounding of the inputs and of `d + 1` fused operations stays within
    /// `(d + 3) u` times the sum of the magnitudes; doubled for margin.
    pub(super) fn err(&self, qn: f64) -> f32 {
        let a = self.norm_max;
        let u = f32::EPSILON as f64 / 2.0;
        (2.0 * (self.d as f64 + 3.0) * u * (a + self.dist_max + qn + 2.0 * (a * qn).sqrt())) as f32
    }

    /// The exact change of block row `i` for candidate `t`.
    pub(super) fn exact(&self, c: &Cands, t: usize, i: usize) -> f64 {
        let r = self.lo + i;
        change(
            &self.xs[r * self.d..(r + 1) * self.d],
            &c.qm2[t],
            self.w[i] + c.qn[t],
        )
    }

    /// [`Self::taken`] one row at a time, exactly.
    pub(super) fn taken_rows(&self, c: &Cands, taken: &mut [Taken], rows: std::ops::Range<usize>) {
        for (t, tk) in taken.iter_mut().enumerate() {
            for i in rows.clone() {
                let v = self.exact(c, t, i);
                if v < 0.0 {
                    tk.push(((self.lo + i) as u32, v));
                }
            }
        }
    }
}
