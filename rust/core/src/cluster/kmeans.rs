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

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::ensure;
use crate::errors::{CoreError, Result};

/// Relative slack on every bound test, far above the rounding of the bounds.
const SLACK: f64 = 1e-9;
/// Relative slack of the group lower bounds, which are stored as float32.
const SLACK32: f64 = 1e-6;
/// Most group lower bounds kept (float32 each: 256 MiB), so 1M rows keep 64
/// groups and 100k rows the full 256.
const BOUNDS_MAX: usize = 1 << 26;
/// Rows per block of the prefix sums used to draw candidates.
const PREFIX_BLOCK: usize = 256;
/// Rows per parallel task of k-means++ seeding.
const BLOCK: usize = 1024;
/// k-means++ steps between refreshes of each block's largest distance.
const DIST_MAX_EVERY: usize = 32;

fn contiguous<'a>(x: &'a ArrayView2<'a, f64>) -> Result<&'a [f64]> {
    x.as_slice()
        .ok_or_else(|| CoreError::InvalidParameter("internal: data not contiguous".into()))
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

/// Whether the AVX2 builds of the loops below can run. They use no FMA, so every
/// lane rounds exactly as the portable build does: the same values.
fn avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Candidates scored together per strip of rows.
const TILE_Q: usize = 4;
/// Rows per strip of k-means++ scoring (two AVX2 vectors of float32).
const TILE_R32: usize = 16;

/// Whether the AVX2 + FMA build of k-means++ scoring can run.
fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// k-means++ measures a candidate `q` as scikit-learn does, by the expanded
/// squared distance `|x|^2 + |q|^2 - 2 x.q`. For row `x`, with `w = |x|^2 - dist`
/// (`dist` its squared distance to its closest centre) and `qm2 = -2 q`:
/// `fma(x_d, qm2_d, ... fma(x_1, qm2_1, w + |q|^2))` is the change in the row's
/// distance were `q` added, when negative. Fused multiply-adds (`mul_add`, exact
/// on every machine) in this order, so every build gets the same value.
#[inline(always)]
fn change(x: &[f64], qm2: &[f64], start: f64) -> f64 {
    let mut acc = start;
    for (v, &q) in x.iter().zip(qm2) {
        acc = v.mul_add(q, acc);
    }
    acc
}

/// Rows that a candidate would take: `(row, change)`.
type Taken = Vec<(u32, f64)>;

/// The candidates of one k-means++ step.
struct Cands {
    /// Coordinates times -2 (exact), and squared norms.
    qm2: Vec<Vec<f64>>,
    qn: Vec<f64>,
    /// The coordinates times -2 in float32, for the screen.
    qm2_32: Vec<Vec<f32>>,
}

impl Cands {
    /// The candidates at these rows of `xs` (row-major, `d` columns), whose
    /// squared norms are in `norm`.
    fn new(xs: &[f64], d: usize, norm: &[f64], rows: &[usize]) -> Self {
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
struct ScoreBlock<'a> {
    /// The block's first row and the data (row-major, all rows).
    lo: usize,
    xs: &'a [f64],
    d: usize,
    /// Dimension `j` of the block's rows, float32.
    cols32: Vec<&'a [f32]>,
    /// `|x|^2 - dist` per row, in float64 and float32.
    w: &'a [f64],
    w32: &'a [f32],
    /// The block's largest squared norm and (an upper bound on) its largest
    /// distance, for the screen's error bound (see [`ScoreBlock::err`]), and
    /// whether the float32 screen may run at all (see [`f32_safe`]).
    norm_max: f64,
    dist_max: f64,
    screen: bool,
}

/// Whether float32 can screen data whose largest squared norm is `g`: far from
/// overflow, and far enough from underflow that the error bounds (relative to
/// `g`) dwarf float32's smallest steps. Otherwise everything is computed exactly.
fn f32_safe(g: f64) -> bool {
    (1e-30..=1e30).contains(&g)
}

impl ScoreBlock<'_> {
    /// A bound on `|change in float32 - change|` for the block's rows and a
    /// candidate of squared norm `qn`. With A the block's largest squared norm and
    /// D its largest distance, `|w| <= A + D`, `|x.q| <= sqrt(A qn)`; float32
    /// rounding of the inputs and of `d + 1` fused operations stays within
    /// `(d + 3) u` times the sum of the magnitudes; doubled for margin.
    fn err(&self, qn: f64) -> f32 {
        let a = self.norm_max;
        let u = f32::EPSILON as f64 / 2.0;
        (2.0 * (self.d as f64 + 3.0) * u * (a + self.dist_max + qn + 2.0 * (a * qn).sqrt())) as f32
    }

    /// The exact change of block row `i` for candidate `t`.
    fn exact(&self, c: &Cands, t: usize, i: usize) -> f64 {
        let r = self.lo + i;
        change(
            &self.xs[r * self.d..(r + 1) * self.d],
            &c.qm2[t],
            self.w[i] + c.qn[t],
        )
    }

    /// For each candidate, the block's rows with a negative change, in row order
    /// (block-relative rows become absolute).
    fn taken(&self, c: &Cands, taken: &mut [Taken]) {
        #[cfg(target_arch = "x86_64")]
        if self.screen && avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA (checked above).
            unsafe { self.taken_avx2(c, taken) };
            return;
        }
        self.taken_rows(c, taken, 0..self.w.len());
    }

    /// [`Self::taken`] one row at a time, exactly.
    fn taken_rows(&self, c: &Cands, taken: &mut [Taken], rows: std::ops::Range<usize>) {
        for (t, tk) in taken.iter_mut().enumerate() {
            for i in rows.clone() {
                let v = self.exact(c, t, i);
                if v < 0.0 {
                    tk.push(((self.lo + i) as u32, v));
                }
            }
        }
    }

    /// A float32 screen, 16 rows by 4 candidates at a time in AVX2 registers: a
    /// row whose float32 change is at least the error bound cannot have a
    /// negative change; the few others are computed exactly, so the result is
    /// [`Self::taken_rows`]'.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn taken_avx2(&self, c: &Cands, taken: &mut [Taken]) {
        use std::arch::x86_64::*;
        let m = self.w.len();
        let d = self.d;
        let strips = m / TILE_R32;
        let ok = self.w32.len() == m
            && self.cols32.len() == d
            && self.cols32.iter().all(|col| col.len() == m)
            && c.qm2_32.iter().all(|q| q.len() == d);
        if !ok {
            return self.taken_rows(c, taken, 0..m);
        }
        let nq = c.qn.len();
        for t0 in (0..nq).step_by(TILE_Q) {
            let live = (nq - t0).min(TILE_Q);
            let pick = |t: usize| t0 + t.min(live - 1);

            let qv: Vec<[f32; TILE_Q]> = (0..d)
                .map(|j| std::array::from_fn(|t| c.qm2_32[pick(t)][j]))
                .collect();
            // Each candidate's error bound is taken off where the sum starts, so a
            // row passes the screen when its sum is negative. (The bound is
            // doubled, which covers this one more rounding.)
            let qnv: [__m256; TILE_Q] = std::array::from_fn(|t| {
                let qn = c.qn[pick(t)];
                _mm256_set1_ps((qn - self.err(qn) as f64) as f32)
            });
            let zero = _mm256_setzero_ps();
            for s in 0..strips {
                let i = s * TILE_R32;
                // SAFETY: i + 16 <= m, the length of w32 and of every column
                // (checked above).
                let w0 = _mm256_loadu_ps(self.w32.as_ptr().add(i));
                let w1 = _mm256_loadu_ps(self.w32.as_ptr().add(i + 8));
                let mut acc: [__m256; 2 * TILE_Q] = std::array::from_fn(|a| {
                    _mm256_add_ps(if a % 2 == 0 { w0 } else { w1 }, qnv[a / 2])
                });
                for (col, q) in self.cols32.iter().zip(&qv) {
                    let x0 = _mm256_loadu_ps(col.as_ptr().add(i));
                    let x1 = _mm256_loadu_ps(col.as_ptr().add(i + 8));
                    for t in 0..TILE_Q {
                        let qt = _mm256_set1_ps(q[t]);
                        acc[2 * t] = _mm256_fmadd_ps(x0, qt, acc[2 * t]);
                        acc[2 * t + 1] = _mm256_fmadd_ps(x1, qt, acc[2 * t + 1]);
                    }
                }
                let mut any = _mm256_setzero_ps();
                for a in acc {
                    any = _mm256_or_ps(any, _mm256_cmp_ps::<_CMP_LT_OQ>(a, zero));
                }
                if _mm256_movemask_ps(any) == 0 {
                    continue;
                }
                for t in 0..live {
                    let near = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(acc[2 * t], zero))
                        | (_mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LT_OQ>(acc[2 * t + 1], zero))
                            << 8);
                    for l in 0..TILE_R32 {
                        if near & (1 << l) != 0 {
                            let v = self.exact(c, t0 + t, i + l);
                            if v < 0.0 {
                                taken[t0 + t].push(((self.lo + i + l) as u32, v));
                            }
                        }
                    }
                }
            }
        }
        self.taken_rows(c, taken, strips * TILE_R32..m);
    }
}

/// The sum of `v` over eight lanes (element `i` in lane `i % 8`), the lanes then
/// added in order: independent additions, so the loop is not bound by their
/// latency.
fn lane_sum(v: &[f64]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let mut it = v.chunks_exact(8);
    for c in &mut it {
        for (l, &x) in lanes.iter_mut().zip(c) {
            *l += x;
        }
    }
    for (l, &x) in lanes.iter_mut().zip(it.remainder()) {
        *l += x;
    }
    lanes.iter().sum()
}

/// numpy's `searchsorted(cumsum(dist), target)` clipped to the last row, using
/// block sums to skip ahead: the sequential scan starts one block before the block
/// the sums point at, so rounding in the block sums cannot move the answer.
fn search_sorted(dist: &[f64], sums: &[f64], target: f64) -> usize {
    let n = dist.len();
    let mut acc = 0.0;
    let mut start = 0;
    let mut before = 0.0;
    for (b, &s) in sums.iter().enumerate() {
        if acc + s >= target {
            break;
        }
        before = acc;
        start = b;
        acc += s;
    }
    // `before` is the sum of the blocks before `start`.
    let mut a = before;
    for (i, &v) in dist.iter().enumerate().skip(start * PREFIX_BLOCK) {
        a += v;
        if a >= target {
            return i;
        }
    }
    n - 1
}

/// k-means++ seeding: the row index of each of the `k` centres.
///
/// `first`: the first centre's row; `draws`: `trials` uniforms in [0, 1) for each of
/// the `k - 1` further centres, in scikit-learn's order.
///
/// Each step scores every candidate by how much it lowers the potential (the sum
/// of every row's squared distance to its closest centre), scikit-learn's rule,
/// from the rows it would take: a float32 screen over all rows, with a proven
/// error bound, and the exact float64 change for the few rows near or below zero.
/// The chosen candidate's rows are then updated from its list, without another
/// pass over the data.
pub fn plusplus(
    x: ArrayView2<f64>,
    k: usize,
    first: usize,
    draws: &[f64],
    trials: usize,
) -> Result<Vec<usize>> {
    let (n, d) = x.dim();
    ensure!(
        n > 0 && k >= 1 && k <= n,
        "n_clusters = {k} must be between 1 and n_samples = {n}"
    );
    ensure!(
        first < n,
        "first centre {first} is out of range for {n} rows"
    );
    ensure!(trials >= 1, "the number of local trials must be at least 1");
    ensure!(
        draws.len() == (k - 1) * trials,
        "expected {} draws, got {}",
        (k - 1) * trials,
        draws.len()
    );
    ensure!(
        n <= u32::MAX as usize,
        "k-means++ takes at most {} rows",
        u32::MAX
    );
    let x = x.as_standard_layout();
    let xv = x.view();
    let xs = contiguous(&xv)?;
    let row = |i: usize| &xs[i * d..(i + 1) * d];
    // Squared norms; float32 columns for the screen.
    let norm = sq_norms(xs, d);
    let mut xt32 = vec![0.0f32; n * d];
    xt32.par_chunks_mut(n.max(1))
        .enumerate()
        .for_each(|(j, col)| {
            for (i, v) in col.iter_mut().enumerate() {
                *v = xs[i * d + j] as f32;
            }
        });
    let cands = |rows: &[usize]| Cands::new(xs, d, &norm, rows);
    // Each row's squared distance to the first centre (`w = |x|^2` stands for a
    // zero distance, so the change is the distance itself).
    let c0 = cands(&[first]);
    let mut dist: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| change(row(i), &c0.qm2[0], norm[i] + c0.qn[0]).max(0.0))
        .collect();
    let mut w: Vec<f64> = norm.iter().zip(&dist).map(|(a, b)| a - b).collect();
    let mut w32: Vec<f32> = w.iter().map(|&v| v as f32).collect();
    let mut sums: Vec<f64> = dist.par_chunks(PREFIX_BLOCK).map(lane_sum).collect();
    // Per block, for the screen's error bounds: the largest squared norm, and the
    // largest distance, which only shrinks (refreshed every DIST_MAX_EVERY steps).
    let block_max = |v: &[f64]| -> Vec<f64> {
        v.par_chunks(BLOCK)
            .map(|c| c.iter().fold(0.0f64, |m, &x| m.max(x)))
            .collect()
    };
    let norm_max = block_max(&norm);
    let screen = f32_safe(norm_max.iter().fold(0.0f64, |a, &b| a.max(b)));
    let mut dist_max = block_max(&dist);
    let mut chosen = vec![first];
    for step in 0..k - 1 {
        if step % DIST_MAX_EVERY == DIST_MAX_EVERY - 1 {
            dist_max = block_max(&dist);
        }
        let pot: f64 = sums.iter().sum();
        let rows: Vec<usize> = draws[step * trials..(step + 1) * trials]
            .iter()
            .map(|&u| search_sorted(&dist, &sums, u * pot))
            .collect();
        let c = cands(&rows);
        // Each candidate's rows to take, block by block in order.
        let scored: Vec<Vec<Taken>> = w
            .par_chunks(BLOCK)
            .zip(w32.par_chunks(BLOCK))
            .enumerate()
            .map(|(b, (wb, wb32))| {
                let lo = b * BLOCK;
                let blk = ScoreBlock {
                    lo,
                    xs,
                    d,
                    cols32: (0..d)
                        .map(|j| &xt32[j * n + lo..j * n + lo + wb.len()])
                        .collect(),
                    w: wb,
                    w32: wb32,
                    norm_max: norm_max[b],
                    dist_max: dist_max[b],
                    screen,
                };
                let mut taken = vec![Taken::new(); trials];
                blk.taken(&c, &mut taken);
                taken
            })
            .collect();
        // The candidate leaving the smallest potential; the first on a tie.
        // Potentials equal to rounding count as tied: two candidates can tie
        // exactly (an isolated pair of rows, each taking only itself and the
        // other), and then only the summation order would separate them.
        let mut total = vec![pot; trials];
        for taken in &scored {
            for (a, tk) in total.iter_mut().zip(taken) {
                *a += tk.iter().map(|e| e.1).sum::<f64>();
            }
        }
        let mut best = 0;
        for t in 1..trials {
            if total[t] < total[best] * (1.0 - 1e-12) {
                best = t;
            }
        }
        // The rows it takes move to it; their blocks' sums are added again.
        let mut dirty: Vec<usize> = Vec::new();
        for taken in &scored {
            for &(i, t) in &taken[best] {
                let i = i as usize;
                dist[i] = (dist[i] + t).max(0.0);
                w[i] = norm[i] - dist[i];
                w32[i] = w[i] as f32;
                let sb = i / PREFIX_BLOCK;
                if dirty.last() != Some(&sb) {
                    dirty.push(sb);
                }
            }
        }
        for sb in dirty {
            let hi = ((sb + 1) * PREFIX_BLOCK).min(n);
            sums[sb] = lane_sum(&dist[sb * PREFIX_BLOCK..hi]);
        }
        chosen.push(rows[best]);
    }
    Ok(chosen)
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

/// Centres grouped for the Yinyang bounds: `order` lists the centre ids group by
/// group (ascending within a group), `start[g]..start[g + 1]` is group `g`'s range
/// of `order`, and `group[id]` is centre `id`'s group.
struct Groups {
    order: Vec<usize>,
    start: Vec<usize>,
    group: Vec<usize>,
}

impl Groups {
    /// About ten centres per group (at most 256 groups, and at most
    /// [`BOUNDS_MAX`] bounds for the `n` rows in all), grouped by a few Lloyd
    /// iterations over the centres themselves. Any grouping gives the same result;
    /// a good one skips more.
    fn new(cs: &[f64], k: usize, d: usize, n: usize) -> Groups {
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

    fn len(&self) -> usize {
        self.start.len() - 1
    }
}

/// A group's nearest centre to `x`: `(m1, p1, m2)`, the smallest squared distance,
/// its first position in the group and the second smallest (a repeat of the
/// smallest counts), as a scan in position order with `v < m1` deciding would
/// find. `cg` holds the group's centres dimension-major, `len` per dimension,
/// `len` a multiple of 4; padding centres have infinite coordinates. Distances
/// add their terms in dimension order, as [`dist2`].
#[inline]
fn group_mins(x: &[f64], cg: &[f64], len: usize, use_avx2: bool) -> (f64, usize, f64) {
    #[cfg(target_arch = "x86_64")]
    if use_avx2 && len % 4 == 0 && cg.len() >= len * x.len() {
        // SAFETY: the caller checked that the CPU supports AVX2; the lengths are
        // checked above.
        return unsafe { group_mins_avx2(x, cg, len) };
    }
    let _ = use_avx2;
    let (mut m1, mut p1, mut m2) = (f64::INFINITY, 0usize, f64::INFINITY);
    for p in 0..len {
        let mut v = 0.0;
        for (c, &xc) in x.iter().enumerate() {
            let t = xc - cg[c * len + p];
            v += t * t;
        }
        keep_two(&mut m1, &mut p1, &mut m2, v, p);
    }
    (m1, p1, m2)
}

/// [`group_mins`] with the distances of 16 centres in AVX2 registers while the
/// dimensions stream past, and the running minima kept per lane: lane `l` sees
/// positions `l, l + 4, ...` in order, and the lanes merge as the sequential scan
/// would (lowest position on a tie).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn group_mins_avx2(x: &[f64], cg: &[f64], len: usize) -> (f64, usize, f64) {
    use std::arch::x86_64::*;
    let inf = _mm256_set1_pd(f64::INFINITY);
    let (mut m1, mut m2) = (inf, inf);
    let mut id = _mm256_setzero_pd();
    let lanes = _mm256_set_pd(3.0, 2.0, 1.0, 0.0);
    let base = cg.as_ptr();
    let fold = |v: __m256d, p: usize, m1: &mut __m256d, m2: &mut __m256d, id: &mut __m256d| {
        let lt = _mm256_cmp_pd::<_CMP_LT_OQ>(v, *m1);
        *m2 = _mm256_blendv_pd(_mm256_min_pd(*m2, v), *m1, lt);
        *m1 = _mm256_blendv_pd(*m1, v, lt);
        *id = _mm256_blendv_pd(*id, _mm256_add_pd(lanes, _mm256_set1_pd(p as f64)), lt);
    };
    let mut p = 0;
    // SAFETY (all loads): dimension c of the block starts at base + c len + p,
    // and p + 4 h + 4 <= len, so every load lies within d len <= cg.len().
    while p + 16 <= len {
        let mut acc = [_mm256_setzero_pd(); 4];
        let mut ptr = base.add(p);
        for &xc in x {
            let xv = _mm256_set1_pd(xc);
            for (h, a) in acc.iter_mut().enumerate() {
                let t = _mm256_sub_pd(xv, _mm256_loadu_pd(ptr.add(4 * h)));
                *a = _mm256_add_pd(*a, _mm256_mul_pd(t, t));
            }
            ptr = ptr.wrapping_add(len);
        }
        for (h, &a) in acc.iter().enumerate() {
            fold(a, p + 4 * h, &mut m1, &mut m2, &mut id);
        }
        p += 16;
    }
    while p < len {
        let mut a = _mm256_setzero_pd();
        let mut ptr = base.add(p);
        for &xc in x {
            let t = _mm256_sub_pd(_mm256_set1_pd(xc), _mm256_loadu_pd(ptr));
            a = _mm256_add_pd(a, _mm256_mul_pd(t, t));
            ptr = ptr.wrapping_add(len);
        }
        fold(a, p, &mut m1, &mut m2, &mut id);
        p += 4;
    }
    let (mut v1, mut v2, mut vi) = ([0.0f64; 4], [0.0f64; 4], [0.0f64; 4]);
    _mm256_storeu_pd(v1.as_mut_ptr(), m1);
    _mm256_storeu_pd(v2.as_mut_ptr(), m2);
    _mm256_storeu_pd(vi.as_mut_ptr(), id);
    let (m1, id, m2) = merge_lanes(&v1, &vi, &v2);
    (m1, id as usize, m2)
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

/// Store a lower bound as float32, rounded down.
#[inline]
fn low32(v: f64) -> f32 {
    if v.is_infinite() {
        f32::INFINITY
    } else {
        (v * (1.0 - SLACK32)).max(0.0) as f32
    }
}

/// `a` is surely below `b`, whatever the rounding of either.
#[inline]
fn surely_below(a: f64, b: f64) -> bool {
    a * (1.0 + SLACK) < b * (1.0 - SLACK)
}

/// Rows per parallel task of the assignment passes.
const ROWS: usize = 256;

/// The assignment state: each row's centre, an upper bound on its distance to it,
/// and for each group a lower bound on its distance to the group's other centres.
struct Bounds {
    labels: Vec<i32>,
    upper: Vec<f64>,
    lower: Vec<f32>,
}

impl Bounds {
    /// The rows in parallel chunks of [`ROWS`]: `(chunk, ((labels, upper), lower))`,
    /// `lower` holding the chunk's `ng` group bounds per row.
    #[allow(clippy::type_complexity)]
    fn par_row_chunks(
        &mut self,
        ng: usize,
    ) -> impl IndexedParallelIterator<Item = (usize, ((&mut [i32], &mut [f64]), &mut [f32]))> + '_
    {
        self.labels
            .par_chunks_mut(ROWS)
            .zip(self.upper.par_chunks_mut(ROWS))
            .zip(self.lower.par_chunks_mut(ROWS * ng))
            .enumerate()
    }
}

/// A group's float32 screen, per lane: lane `l` of eight sees positions `l, l + 8,
/// ...` in order and keeps the smallest float32 expanded squared distance
/// `|x|^2 + |c|^2 - 2 x.c`, its position and the second smallest (a repeat of the
/// smallest counts). [`merge_lanes`] gives the group's nearest.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Lanes32 {
    m1: [f32; 8],
    pos: [f32; 8],
    m2: [f32; 8],
}

impl Lanes32 {
    /// The smallest distance over the lanes.
    fn min(&self) -> f32 {
        self.m1.iter().fold(f32::INFINITY, |a, &b| a.min(b))
    }

    /// The nearest: its distance, position and the second smallest.
    fn merge(&self) -> (f32, usize, f32) {
        let (m1, p, m2) = merge_lanes(&self.m1, &self.pos, &self.m2);
        (m1, p as usize, m2)
    }
}

/// The screen of one group: `cg` holds the group's squared norms (`len` of
/// them), then its centres times -2, dimension-major; `len` is a multiple of 8
/// and padding centres have infinite norm. Returns the lanes and their smallest
/// distance.
#[inline]
fn group_mins32(x: &[f32], xn: f32, cg: &[f32], len: usize, use_fma: bool) -> (Lanes32, f32) {
    #[cfg(target_arch = "x86_64")]
    if use_fma && len % 8 == 0 && cg.len() >= len * (x.len() + 1) {
        // SAFETY: the caller checked that the CPU supports AVX2 and FMA; the
        // lengths are checked above.
        return unsafe { group_mins32_avx2(x, xn, cg, len) };
    }
    let _ = use_fma;
    let mut lanes = Lanes32 {
        m1: [f32::INFINITY; 8],
        pos: [0.0; 8],
        m2: [f32::INFINITY; 8],
    };
    for p in 0..len {
        let mut v = xn + cg[p];
        for (c, &xc) in x.iter().enumerate() {
            v = xc.mul_add(cg[(c + 1) * len + p], v);
        }
        let l = p % 8;
        keep_two(
            &mut lanes.m1[l],
            &mut lanes.pos[l],
            &mut lanes.m2[l],
            v,
            p as f32,
        );
    }
    (lanes, lanes.min())
}

/// [`group_mins32`] with 32 centres in AVX2 registers at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn group_mins32_avx2(x: &[f32], xn: f32, cg: &[f32], len: usize) -> (Lanes32, f32) {
    use std::arch::x86_64::*;
    let inf = _mm256_set1_ps(f32::INFINITY);
    let (mut m1, mut m2) = (inf, inf);
    let mut id = _mm256_setzero_ps();
    let lanes = _mm256_set_ps(7.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0, 0.0);
    let xnv = _mm256_set1_ps(xn);
    let base = cg.as_ptr();
    let fold = |v: __m256, p: usize, m1: &mut __m256, m2: &mut __m256, id: &mut __m256| {
        let lt = _mm256_cmp_ps::<_CMP_LT_OQ>(v, *m1);
        *m2 = _mm256_blendv_ps(_mm256_min_ps(*m2, v), *m1, lt);
        *m1 = _mm256_blendv_ps(*m1, v, lt);
        *id = _mm256_blendv_ps(*id, _mm256_add_ps(lanes, _mm256_set1_ps(p as f32)), lt);
    };
    let mut p = 0;
    // SAFETY (all loads): row c + 1 of the block starts at base + (c + 1) len + p,
    // and p + 8 h + 8 <= len, so every load lies within (d + 1) len <= cg.len().
    // Pointers advance by `add` (no overflow-checked index arithmetic in the
    // loop).
    while p + 32 <= len {
        let mut ptr = base.add(p);
        let mut acc: [__m256; 4] =
            std::array::from_fn(|h| _mm256_add_ps(xnv, _mm256_loadu_ps(ptr.add(8 * h))));
        for &xc in x {
            ptr = ptr.add(len);
            let xv = _mm256_set1_ps(xc);
            for (h, a) in acc.iter_mut().enumerate() {
                *a = _mm256_fmadd_ps(xv, _mm256_loadu_ps(ptr.add(8 * h)), *a);
            }
        }
        for (h, &a) in acc.iter().enumerate() {
            fold(a, p + 8 * h, &mut m1, &mut m2, &mut id);
        }
        p += 32;
    }
    while p < len {
        let mut ptr = base.add(p);
        let mut a = _mm256_add_ps(xnv, _mm256_loadu_ps(ptr));
        for &xc in x {
            ptr = ptr.add(len);
            a = _mm256_fmadd_ps(_mm256_set1_ps(xc), _mm256_loadu_ps(ptr), a);
        }
        fold(a, p, &mut m1, &mut m2, &mut id);
        p += 8;
    }
    let mut out = Lanes32 {
        m1: [0.0; 8],
        pos: [0.0; 8],
        m2: [0.0; 8],
    };
    _mm256_storeu_ps(out.m1.as_mut_ptr(), m1);
    _mm256_storeu_ps(out.pos.as_mut_ptr(), id);
    _mm256_storeu_ps(out.m2.as_mut_ptr(), m2);
    // The smallest lane: a horizontal minimum.
    let h = _mm_min_ps(_mm256_castps256_ps128(m1), _mm256_extractf128_ps::<1>(m1));
    let h = _mm_min_ps(h, _mm_movehl_ps(h, h));
    let h = _mm_min_ss(h, _mm_shuffle_ps::<1>(h, h));
    (out, _mm_cvtss_f32(h))
}

/// The centres group by group for the scans of [`assign`]: exact (float64,
/// dimension-major, padded to a multiple of 4 with centres at infinity) and for
/// the float32 screen (squared norms then centres times -2, padded to a multiple
/// of 8 with infinite norms).
struct GroupTable {
    ct: Vec<f64>,
    off: Vec<usize>,
    plen: Vec<usize>,
    ct32: Vec<f32>,
    off32: Vec<usize>,
    plen32: Vec<usize>,
}

impl GroupTable {
    /// `norms`: the centres' squared norms.
    fn new(centers: &[f64], norms: &[f64], d: usize, groups: &Groups) -> Self {
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

    fn exact(&self, x: &[f64], g: usize, use_avx2: bool) -> (f64, usize, f64) {
        group_mins(
            x,
            &self.ct[self.off[g]..self.off[g + 1]],
            self.plen[g],
            use_avx2,
        )
    }

    fn screen(&self, x: &[f32], xn: f32, g: usize, use_fma: bool) -> (Lanes32, f32) {
        let cg = &self.ct32[self.off32[g]..self.off32[g + 1]];
        group_mins32(x, xn, cg, self.plen32[g], use_fma)
    }
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

/// Each group's largest shift, rounded up as float32.
fn group_drift(groups: &Groups, shift: &[f64]) -> Vec<f32> {
    (0..groups.len())
        .map(|g| {
            let m = groups.order[groups.start[g]..groups.start[g + 1]]
                .iter()
                .map(|&j| shift[j])
                .fold(0.0, f64::max);
            (m * (1.0 + SLACK32)) as f32
        })
        .collect()
}

/// Rows sampled to estimate [`scan_fraction`].
const SAMPLE_EVERY: usize = 16;

/// About what fraction of all (row, group) pairs [`assign`] would scan after the
/// centres moved by `shift`, from the bounds of every 16th row as they stand
/// (before [`assign`] tightens a row's upper bound, so it errs high).
fn scan_fraction(groups: &Groups, b: &Bounds, shift: &[f64]) -> f64 {
    let ng = groups.len();
    let drift = group_drift(groups, shift);
    let n = b.labels.len();
    let rows: Vec<usize> = (0..n).step_by(SAMPLE_EVERY).collect();
    let open: usize = rows
        .par_iter()
        .map(|&i| {
            let u = b.upper[i] + shift[b.labels[i] as usize];
            b.lower[i * ng..(i + 1) * ng]
                .iter()
                .zip(&drift)
                .filter(|(&l, &dg)| {
                    !surely_below(u, (l * (1.0 - SLACK32 as f32) - dg).max(0.0) as f64)
                })
                .count()
        })
        .sum();
    open as f64 / (rows.len().max(1) * ng) as f64
}

/// Above this estimated [`scan_fraction`], an iteration runs the full screened
/// pass of [`first_assign`] instead: it measures each pair several times more
/// cheaply than the bounded scans and leaves every bound tight, so the next
/// iterations skip more; both give the exact labels. (Measured at 90k rows and
/// 10k centres: Lloyd 2.1 s -> 1.85 s at d = 10, 6.2 s -> 5.0 s at d = 32; 0.3
/// and 0.15 did less, 0.08 no better.)
const FULL_PASS_ABOVE: f64 = 0.1;

/// Assign every row to its nearest centre (lowest index on a tie) after the
/// centres moved by `shift`, scanning only the groups of centres its bounds cannot
/// rule out. A scan is first a float32 screen with a proven error bound per
/// group of centres ([`ScreenError::err`]): when the screen's nearest centre plus
/// its bound stays below every other contender less its bound, it is the row's
/// centre and the screen, less the bounds, gives the group bounds; otherwise the
/// row's groups are scanned again exactly.
fn assign(rows: &Rows, centers: &[f64], groups: &Groups, b: &mut Bounds, shift: &[f64]) {
    let (xs, norm, d) = (rows.xs, &rows.norm, rows.d);
    let ng = groups.len();
    let norms = sq_norms(centers, d);
    let table = GroupTable::new(centers, &norms, d, groups);
    let bound = ScreenError::new(&norms, d, groups, rows.norm_max);
    let drift = group_drift(groups, shift);
    let use_avx2 = avx2();
    let use_fma = avx2_fma();
    b.par_row_chunks(ng)
        .for_each(|(chunk, ((labels, upper), lower))| {
            let mut screened: Vec<(usize, f32, Lanes32)> = Vec::with_capacity(ng);
            let mut exact: Vec<(usize, f64, usize, f64)> = Vec::with_capacity(ng);
            let mut x32 = vec![0.0f32; d];
            for (o, (a, u)) in labels.iter_mut().zip(upper.iter_mut()).enumerate() {
                let i = chunk * ROWS + o;
                let x = &xs[i * d..(i + 1) * d];
                let lb = &mut lower[o * ng..(o + 1) * ng];
                let old = *a as usize;
                // The row's own centre may be up to its shift farther, each group's
                // up to the group's largest shift closer. (The f32 product's relative
                // cut covers both roundings.)
                *u += shift[old];
                let mut glob = f32::INFINITY;
                for (v, &dg) in lb.iter_mut().zip(&drift) {
                    *v = (*v * (1.0 - SLACK32 as f32) - dg).max(0.0);
                    glob = glob.min(*v);
                }
                let glob = glob as f64;
                if surely_below(*u, glob) {
                    continue;
                }
                let old_d2 = dist2(x, &centers[old * d..(old + 1) * d]);
                *u = old_d2.sqrt();
                if surely_below(*u, glob) {
                    continue;
                }
                for (v, &w) in x32.iter_mut().zip(x) {
                    *v = w as f32;
                }
                let xn = norm[i] as f32;
                let root_x = norm[i].sqrt();
                let g_old = groups.group[old];
                screened.clear();
                for (g, &lbg) in lb.iter().enumerate() {
                    if surely_below(*u, lbg as f64) {
                        continue;
                    }
                    let (lanes, m1) = table.screen(&x32, xn, g, use_fma);
                    screened.push((g, m1, lanes));
                }
                // The screen's leader and runner-up. The old centre stands in for
                // its group when that is not scanned (exactly: `old_d2`).
                let old_scanned = screened.iter().any(|s| s.0 == g_old);
                let mut lead = usize::MAX;
                for (h, s) in screened.iter().enumerate() {
                    if lead == usize::MAX || s.1 < screened[lead].1 {
                        lead = h;
                    }
                }
                let mut lead_value = if old_scanned { f64::INFINITY } else { old_d2 };
                // The leader's value plus its error (none for the exact old
                // centre) must stay below every other contender's value less its
                // error.
                let mut hi = lead_value;
                let mut runner = f64::INFINITY;
                let (mut best, mut lead_m2) = (old, f32::INFINITY);
                if lead != usize::MAX && (screened[lead].1 as f64) < lead_value {
                    let (g, _, lanes) = &screened[lead];
                    let (m1, p1, m2) = lanes.merge();
                    let e = bound.err(root_x, *g);
                    runner = lead_value.min(m2 as f64 - e);
                    lead_value = m1 as f64;
                    hi = lead_value + e;
                    best = groups.order[groups.start[*g] + p1];
                    lead_m2 = m2;
                } else {
                    lead = usize::MAX;
                }
                for (h, s) in screened.iter().enumerate() {
                    if h != lead {
                        runner = runner.min(s.1 as f64 - bound.err(root_x, s.0));
                    }
                }
                // (Where the screens may not run their values mean nothing: the
                // exact scan decides.)
                let best = if bound.usable() && runner > hi {
                    // Certain: the leader is nearest by a margin; bounds from the
                    // screen, less its error.
                    for (h, &(g, m1, _)) in screened.iter().enumerate() {
                        let other = if h == lead { lead_m2 } else { m1 };
                        let e = bound.err(root_x, g) as f32;
                        lb[g] = (other - e).max(0.0).sqrt() * (1.0 - SLACK32 as f32);
                    }
                    let d2 = if best == old {
                        old_d2
                    } else {
                        dist2(x, &centers[best * d..(best + 1) * d])
                    };
                    (d2, best)
                } else {
                    // Too close to call: the screened groups again, exactly.
                    exact.clear();
                    for &(g, ..) in &screened {
                        let (m1, p1, m2) = table.exact(x, g, use_avx2);
                        exact.push((g, m1, groups.order[groups.start[g] + p1], m2));
                    }
                    settle_exact((old_d2, old), &exact, lb)
                };
                // Unscanned groups keep their bound, except that the old centre,
                // if it is left, now counts among its group's others.
                if best.1 != old && !old_scanned {
                    lb[g_old] = lb[g_old].min(low32(old_d2.sqrt()));
                }
                *a = best.1 as i32;
                *u = best.0.sqrt();
            }
        });
}

/// The centres as the first assignment's screen reads them:
/// `cm2[id * d + j] = -2 c_id[j]` and `cn[id] = |c_id|^2`.
struct Centres32 {
    cm2: Vec<f32>,
    cn: Vec<f32>,
}

impl Centres32 {
    fn new(centers: &[f64], norms: &[f64]) -> Self {
        Centres32 {
            cm2: centers.iter().map(|&v| (-2.0 * v) as f32).collect(),
            cn: norms.iter().map(|&v| v as f32).collect(),
        }
    }
}

/// The float32 screens' error bounds against the centres of each group.
struct ScreenError {
    /// `2 (d + 3) u`, or infinite when the screens may not run (see
    /// [`f32_safe`]; ids and positions also travel as float32, exact below 2^24),
    /// so that every row is then measured exactly.
    coef: f64,
    /// Per group, the square root of its centres' largest squared norm.
    roots: Vec<f64>,
}

impl ScreenError {
    /// `norms`: the centres' squared norms; `row_max`: the rows' largest.
    fn new(norms: &[f64], d: usize, groups: &Groups, row_max: f64) -> Self {
        let max_norm = norms.iter().fold(0.0, |a: f64, &b| a.max(b));
        let usable = f32_safe(max_norm.max(row_max)) && norms.len() <= 1 << 24;
        ScreenError {
            coef: if usable {
                2.0 * (d as f64 + 3.0) * (f32::EPSILON as f64 / 2.0)
            } else {
                f64::INFINITY
            },
            roots: (0..groups.len())
                .map(|g| {
                    groups.order[groups.start[g]..groups.start[g + 1]]
                        .iter()
                        .map(|&j| norms[j])
                        .fold(0.0, f64::max)
                        .sqrt()
                })
                .collect(),
        }
    }

    fn usable(&self) -> bool {
        self.coef.is_finite()
    }

    /// A bound on `|float32 expanded squared distance - squared distance|` for a
    /// row of norm `root_x` and any centre of group `g`: float32 rounding of the
    /// inputs and of `d + 1` fused operations stays within
    /// `(d + 3) u (|x| + |c|)^2`; doubled for margin.
    fn err(&self, root_x: f64, g: usize) -> f64 {
        let s = root_x + self.roots[g];
        self.coef * s * s
    }
}

/// Squared norms of the `d`-wide rows of `v` (terms added in order).
fn sq_norms(v: &[f64], d: usize) -> Vec<f64> {
    v.par_chunks(d.max(1))
        .map(|r| r.iter().map(|x| x * x).sum())
        .collect()
}

/// Per group and lane of a strip of 8 rows: the smallest float32 expanded squared
/// distance to the group's centres, its centre's id and the second smallest (a
/// repeat of the smallest counts), into `m1[g]`, `id1[g]`, `m2[g]`. `xl[j]`:
/// dimension `j` of the 8 rows; `xn`: their squared norms.
struct StripMins32 {
    m1: Vec<[f32; 8]>,
    id1: Vec<[f32; 8]>,
    m2: Vec<[f32; 8]>,
}

impl StripMins32 {
    fn new(ng: usize) -> Self {
        StripMins32 {
            m1: vec![[0.0; 8]; ng],
            id1: vec![[0.0; 8]; ng],
            m2: vec![[0.0; 8]; ng],
        }
    }

    fn fill(&mut self, xl: &[[f32; 8]], xn: &[f32; 8], c: &Centres32, groups: &Groups) {
        #[cfg(target_arch = "x86_64")]
        if avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA.
            unsafe { self.fill_avx2(xl, xn, c, groups) };
            return;
        }
        self.fill_portable(xl, xn, c, groups)
    }

    fn fill_portable(&mut self, xl: &[[f32; 8]], xn: &[f32; 8], c: &Centres32, groups: &Groups) {
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

    /// [`Self::fill`] with 8 rows by 8 centres in AVX2 registers.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn fill_avx2(&mut self, xl: &[[f32; 8]], xn: &[f32; 8], c: &Centres32, groups: &Groups) {
        use std::arch::x86_64::*;
        const T: usize = 8;
        let d = xl.len();
        let k = c.cn.len();
        // `order` is a permutation of the k centre ids (see [`Groups`]).
        if c.cm2.len() < k * d || groups.order.len() != k {
            return self.fill_portable(xl, xn, c, groups);
        }
        let xnv = _mm256_loadu_ps(xn.as_ptr());
        let inf = _mm256_set1_ps(f32::INFINITY);
        for g in 0..groups.len().min(self.m1.len()) {
            let ids = &groups.order[groups.start[g]..groups.start[g + 1]];
            let (mut m1, mut m2, mut id1) = (inf, inf, _mm256_setzero_ps());
            for p0 in (0..ids.len()).step_by(T) {
                let live = (ids.len() - p0).min(T);
                let id: [usize; T] = std::array::from_fn(|t| ids[p0 + t.min(live - 1)]);
                // SAFETY: every id is below k (checked above), cm2 holds k * d.
                let mut acc: [__m256; T] = std::array::from_fn(|t| {
                    _mm256_add_ps(xnv, _mm256_set1_ps(*c.cn.get_unchecked(id[t])))
                });
                let base: [*const f32; T] = std::array::from_fn(|t| c.cm2.as_ptr().add(id[t] * d));
                for (j, x) in xl.iter().enumerate() {
                    let xv = _mm256_loadu_ps(x.as_ptr());
                    for t in 0..T {
                        acc[t] = _mm256_fmadd_ps(xv, _mm256_broadcast_ss(&*base[t].add(j)), acc[t]);
                    }
                }
                for t in 0..live {
                    let v = acc[t];
                    let lt = _mm256_cmp_ps::<_CMP_LT_OQ>(v, m1);
                    m2 = _mm256_blendv_ps(_mm256_min_ps(m2, v), m1, lt);
                    m1 = _mm256_blendv_ps(m1, v, lt);
                    id1 = _mm256_blendv_ps(id1, _mm256_set1_ps(id[t] as f32), lt);
                }
            }
            _mm256_storeu_ps(self.m1[g].as_mut_ptr(), m1);
            _mm256_storeu_ps(self.id1[g].as_mut_ptr(), id1);
            _mm256_storeu_ps(self.m2[g].as_mut_ptr(), m2);
        }
    }
}

/// One row against every centre, exactly: per group `(g, nearest distance, its
/// id, second-nearest distance)`, in group order.
fn row_mins_exact(x: &[f64], centers: &[f64], groups: &Groups) -> Vec<(usize, f64, usize, f64)> {
    let d = x.len();
    (0..groups.len())
        .map(|g| {
            let (mut m1, mut id1, mut m2) = (f64::INFINITY, usize::MAX, f64::INFINITY);
            for &id in &groups.order[groups.start[g]..groups.start[g + 1]] {
                keep_two(
                    &mut m1,
                    &mut id1,
                    &mut m2,
                    dist2(x, &centers[id * d..(id + 1) * d]),
                    id,
                );
            }
            (g, m1, id1, m2)
        })
        .collect()
}

/// The row's centre from exact group scans `(g, m1, id1, m2)`, starting from
/// `best` (distance, id; the lowest id on a tie), and each scanned group's lower
/// bound: the distance to its nearest centre other than the row's.
fn settle_exact(
    mut best: (f64, usize),
    scans: &[(usize, f64, usize, f64)],
    lb: &mut [f32],
) -> (f64, usize) {
    for &(_, m1, id1, _) in scans {
        if m1 < best.0 || (m1 == best.0 && id1 < best.1) {
            best = (m1, id1);
        }
    }
    for &(g, m1, id1, m2) in scans {
        lb[g] = low32(if id1 == best.1 { m2 } else { m1 }.sqrt());
    }
    best
}

/// The first assignment: every row against every centre, filling the labels,
/// the upper bounds and every group's lower bound (on the distance to the
/// group's nearest centre other than the row's own). A float32 screen of the
/// expanded distances, eight rows by eight centres, with a proven error bound per
/// group of centres: a row whose nearest centre leads the rest by more than their
/// bounds has it for its label, its group bounds are the screen's less the
/// bounds; any other row is measured exactly against every centre.
fn first_assign(rows: &Rows, centers: &[f64], groups: &Groups, b: &mut Bounds) {
    let (xs, norm, d) = (rows.xs, &rows.norm, rows.d);
    let ng = groups.len();
    let norms = sq_norms(centers, d);
    let c32 = Centres32::new(centers, &norms);
    let bound = ScreenError::new(&norms, d, groups, rows.norm_max);
    b.par_row_chunks(ng)
        .for_each(|(chunk, ((labels, upper), lower))| {
            let rows = labels.len();
            let mut xl = vec![[0.0f32; 8]; d];
            let mut mins = StripMins32::new(ng);
            let (mut m1, mut m2) = (vec![0.0f32; ng], vec![0.0f32; ng]);
            let mut eg = vec![0.0f64; ng];
            for s0 in (0..rows).step_by(8) {
                let live = (rows - s0).min(8);
                let mut xn = [0.0f32; 8];
                let mut xn64 = [0.0f64; 8];
                for l in 0..8 {
                    // A short strip repeats its last row; only live lanes are kept.
                    let i = chunk * ROWS + s0 + l.min(live - 1);
                    let xr = &xs[i * d..(i + 1) * d];
                    for (j, x) in xl.iter_mut().enumerate() {
                        x[l] = xr[j] as f32;
                    }
                    xn64[l] = norm[i];
                    xn[l] = xn64[l] as f32;
                }
                if bound.usable() {
                    mins.fill(&xl, &xn, &c32, groups);
                }
                for (l, &xn_l) in xn64.iter().enumerate().take(live) {
                    let o = s0 + l;
                    let i = chunk * ROWS + o;
                    let x = &xs[i * d..(i + 1) * d];
                    let root_x = xn_l.sqrt();
                    for g in 0..ng {
                        m1[g] = mins.m1[g][l];
                        m2[g] = mins.m2[g][l];
                        eg[g] = bound.err(root_x, g);
                    }
                    // The screen's nearest; it is the row's centre if even its
                    // value plus its error is below every other centre's value
                    // less that one's error.
                    let mut gb = 0;
                    for g in 1..ng {
                        if m1[g] < m1[gb] {
                            gb = g;
                        }
                    }
                    let hi = m1[gb] as f64 + eg[gb];
                    m1[gb] = m2[gb];
                    let certain = m1.iter().zip(&eg).all(|(&m, &e)| m as f64 - e > hi);
                    let lb = &mut lower[o * ng..(o + 1) * ng];
                    if certain {
                        // m1 now holds each group's nearest other than the label:
                        // lower bounds, less the error (the float32 steps below
                        // round within SLACK32).
                        let best = mins.id1[gb][l] as usize;
                        for ((v, &m), &e) in lb.iter_mut().zip(&m1).zip(&eg) {
                            *v = (m - e as f32).max(0.0).sqrt() * (1.0 - SLACK32 as f32);
                        }
                        labels[o] = best as i32;
                        upper[o] = dist2(x, &centers[best * d..(best + 1) * d]).sqrt();
                    } else {
                        let exact = row_mins_exact(x, centers, groups);
                        let best = settle_exact((f64::INFINITY, usize::MAX), &exact, lb);
                        labels[o] = best.1 as i32;
                        upper[o] = best.0.sqrt();
                    }
                }
            }
        });
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
        if it > 0 {
            if scan_fraction(&groups, &b, &shift) > FULL_PASS_ABOVE {
                first_assign(&rows, &centers, &groups, &mut b);
            } else {
                assign(&rows, &centers, &groups, &mut b, &shift);
            }
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
        centers = new;
        if b.labels == old {
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
        .map_err(|e| CoreError::InvalidParameter(format!("internal: {e}")))?;
    Ok(Clustering {
        centers,
        labels: b.labels,
        inertia,
        n_iter,
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

    #[test]
    fn plusplus_equals_the_unpruned_rule() {
        // Scales far past float32's range too: there the screen stands aside.
        for scale in [1.0, 1e20, 1e-20, 1e-9, 1e9] {
            plusplus_against_naive(scale);
        }
    }

    fn plusplus_against_naive(scale: f64) {
        let (n, k, trials) = (2000, 60, 3);
        let x = random_matrix(n, 4, 5).mapv(|v| v * scale);
        let mut rng = crate::neighbours::testutil::SplitMix(9);
        let draws: Vec<f64> = (0..(k - 1) * trials).map(|_| rng.uniform()).collect();
        let got = plusplus(x.view(), k, 17, &draws, trials).unwrap();
        // naive: full cumulative sum and every row's distance to every candidate
        let row = |i: usize| x.row(i).to_vec();
        let mut closest: Vec<f64> = (0..n).map(|i| dist2(&row(i), &row(17))).collect();
        let mut want = vec![17];
        for s in 0..k - 1 {
            let pot: f64 = closest.iter().sum();
            let mut best: Option<(f64, usize, Vec<f64>)> = None;
            for t in 0..trials {
                let target = draws[s * trials + t] * pot;
                let mut acc = 0.0;
                let mut c = n - 1;
                for (i, &v) in closest.iter().enumerate() {
                    acc += v;
                    if acc >= target {
                        c = i;
                        break;
                    }
                }
                let new: Vec<f64> = (0..n)
                    .map(|i| closest[i].min(dist2(&row(i), &row(c))))
                    .collect();
                let p: f64 = new.iter().sum();
                if best.as_ref().is_none_or(|b| p < b.0) {
                    best = Some((p, c, new));
                }
            }
            let (_, c, new) = best.unwrap();
            want.push(c);
            closest = new;
        }
        assert_eq!(got, want);
    }

    /// Lloyd with a full scan of every centre for every row, each iteration.
    fn naive_lloyd(
        x: &Array2<f64>,
        init: &Array2<f64>,
        max_iter: usize,
    ) -> (Vec<f64>, Vec<i32>, usize) {
        let (n, d) = x.dim();
        let k = init.nrows();
        let xs = x.as_slice().unwrap();
        let mut c: Vec<f64> = init.iter().copied().collect();
        let mut old = vec![-1i32; n];
        let mut labels = vec![0i32; n];
        let mut it = 0;
        for i in 0..max_iter {
            it = i + 1;
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
            let (mut sums, w) = centre_sums(xs, d, &labels, k);
            for (row, &wj) in sums.chunks_mut(d).zip(&w) {
                assert!(wj > 0.0);
                row.iter_mut().for_each(|v| *v /= wj);
            }
            c = sums;
            if labels == old {
                break;
            }
            old.copy_from_slice(&labels);
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
    fn vector_kernels_equal_the_portable_ones_bit_for_bit() {
        let (m, d) = (1000 + 5, 7);
        let x = random_matrix(m, d, 21);
        let xs = x.as_slice().unwrap();

        // k-means++ screen: the same rows and changes as the exact loop, with
        // some rows exactly at the distance of a candidate (changes at zero).
        let norm: Vec<f64> = (0..m)
            .map(|i| dist2(&xs[i * d..(i + 1) * d], &vec![0.0; d]))
            .collect();
        let rows: Vec<usize> = (0..11).map(|t| t * 13).collect();
        let mut dist: Vec<f64> = (0..m).map(|i| (i % 17) as f64 * 0.3).collect();
        for i in (0..m).step_by(5) {
            let q = rows[i % 11];
            dist[i] = dist2(&xs[i * d..(i + 1) * d], &xs[q * d..(q + 1) * d]);
        }
        let w: Vec<f64> = norm.iter().zip(&dist).map(|(a, b)| a - b).collect();
        let w32: Vec<f32> = w.iter().map(|&v| v as f32).collect();
        let xt32: Vec<f32> = (0..d)
            .flat_map(|j| (0..m).map(move |i| xs[i * d + j] as f32))
            .collect();
        let c = Cands::new(xs, d, &norm, &rows);
        let g = norm.iter().fold(0.0f64, |a, &b| a.max(b));
        let dm = dist.iter().fold(0.0f64, |a, &b| a.max(b));

        let blk = ScoreBlock {
            lo: 0,
            xs,
            d,
            cols32: (0..d).map(|j| &xt32[j * m..(j + 1) * m]).collect(),
            w: &w,
            w32: &w32,
            norm_max: g,
            dist_max: dm,
            screen: true,
        };
        let mut want = vec![Taken::new(); 11];
        blk.taken_rows(&c, &mut want, 0..m);
        let mut got = vec![Taken::new(); 11];
        blk.taken(&c, &mut got);
        assert_eq!(got, want);
        assert!(want.iter().all(|t| !t.is_empty()));

        // A group scan: lengths around the 16-centre blocks, a repeated centre.
        for len in [1usize, 4, 7, 16, 21, 40] {
            let plen = len.next_multiple_of(4);
            let mut cg = vec![f64::INFINITY; plen * d];
            for p in 0..len {
                let src = if p == len / 2 && len > 2 { 1 } else { 60 + p };
                for j in 0..d {
                    cg[j * plen + p] = xs[src * d + j];
                }
            }
            for r in [0usize, 1, 500] {
                let xr = &xs[r * d..(r + 1) * d];
                assert_eq!(
                    group_mins(xr, &cg, plen, avx2()),
                    group_mins(xr, &cg, plen, false)
                );
            }
        }

        // The first assignment's screen: eight rows against groups of centres,
        // a repeated centre among them.
        let mut cs = xs[..30 * d].to_vec();
        let dup: Vec<f64> = cs[3 * d..4 * d].to_vec();
        cs[9 * d..10 * d].copy_from_slice(&dup);
        let c32 = Centres32::new(&cs, &sq_norms(&cs, d));
        let groups = Groups::new(&cs, 30, d, m);
        let xl: Vec<[f32; 8]> = (0..d)
            .map(|j| std::array::from_fn(|l| xs[(40 + l) * d + j] as f32))
            .collect();
        let xn: [f32; 8] = std::array::from_fn(|l| norm[40 + l] as f32);
        let mut fast = StripMins32::new(groups.len());
        fast.fill(&xl, &xn, &c32, &groups);
        let mut slow = StripMins32::new(groups.len());
        slow.fill_portable(&xl, &xn, &c32, &groups);
        assert_eq!((fast.m1, fast.id1, fast.m2), (slow.m1, slow.id1, slow.m2));

        // The iterations' group screen.
        let table = GroupTable::new(&cs, &sq_norms(&cs, d), d, &groups);
        for g in 0..groups.len() {
            for r in [0usize, 7, 600] {
                let x32: Vec<f32> = xs[r * d..(r + 1) * d].iter().map(|&v| v as f32).collect();
                let xn = norm[r] as f32;
                assert_eq!(
                    table.screen(&x32, xn, g, avx2_fma()),
                    table.screen(&x32, xn, g, false)
                );
            }
        }
    }
}
