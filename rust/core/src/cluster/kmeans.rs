//! k-means as scikit-learn's `KMeans(init="k-means++", algorithm="lloyd")` runs it,
//! with exact distances and far fewer of them.
//!
//! * [`plusplus`]: greedy k-means++ seeding (Arthur and Vassilvitskii, 2007, with
//!   scikit-learn's `2 + ln k` local trials). The caller supplies scikit-learn's
//!   random draws in its order (the first centre, then `trials` uniforms per further
//!   centre), so the same seed picks the same centres. Candidates are scored four
//!   at a time against strips of eight rows of a transposed copy of the data, the
//!   32 distances held in registers.
//! * [`lloyd`]: Lloyd iterations with scikit-learn's stopping rules (labels
//!   unchanged, or total squared centre shift within `tol`; then a last assignment
//!   to the final centres) and its empty-cluster relocation. Assignments are exact
//!   (ties to the lowest centre index). Yinyang bounds (Ding et al., 2015, "Yinyang
//!   K-Means: a drop-in replacement of the classic K-Means with consistent
//!   speedup") skip every row, or every group of centres, that provably cannot
//!   change a row's centre, so later iterations touch few distances; the first
//!   assignment, which must see every centre, runs eight rows by four centres.
//!
//! The vector loops use AVX2 when the CPU has it and never FMA, so each lane
//! rounds as the portable loop does and the results are the same on any machine.
//!
//! Every squared distance here is [`dist2`]: terms added in dimension order, the
//! same value whichever loop computes it. The input is expected centred on its
//! column means, as scikit-learn centres it.

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
const PREFIX_BLOCK: usize = 1024;

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

/// `out[i] = dist2(row i, q)` for the rows of a column-major block: `cols[j]` holds
/// dimension `j` of the block's rows. Same terms, same order as [`dist2`].
fn block_dist2(cols: &[&[f64]], q: &[f64], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU supports AVX2 (checked above).
        unsafe { block_dist2_avx2(cols, q, out) };
        return;
    }
    block_dist2_body(cols, q, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_dist2_avx2(cols: &[&[f64]], q: &[f64], out: &mut [f64]) {
    block_dist2_body(cols, q, out)
}

#[inline(always)]
fn block_dist2_body(cols: &[&[f64]], q: &[f64], out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    for (col, &qj) in cols.iter().zip(q) {
        for (o, &v) in out.iter_mut().zip(col.iter()) {
            let t = v - qj;
            *o += t * t;
        }
    }
}

/// Candidates scored together per strip of rows.
const TILE_Q: usize = 4;
/// Rows per strip (two AVX2 vectors of float64).
const TILE_R: usize = 8;

/// For each candidate `q` in `qs`: the sum over the block's rows of
/// `min(dist[i], dist2(row i, q))`, into `out`. Rows in strips of 8 against 4
/// candidates at a time, all 32 distances held in registers while the dimensions
/// stream past; each distance adds its terms in dimension order, as [`dist2`].
fn block_potentials(cols: &[&[f64]], dist: &[f64], qs: &[&[f64]], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if avx2() {
        // SAFETY: the CPU supports AVX2 (checked above).
        unsafe { block_potentials_avx2(cols, dist, qs, out) };
        return;
    }
    block_potentials_body(cols, dist, qs, out)
}

/// [`block_potentials_body`] with the 8 x 4 tile in AVX2 registers. Same terms in
/// the same order per distance (no FMA), same per-lane partial sums of the
/// potentials, so the same values as the portable build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn block_potentials_avx2(cols: &[&[f64]], dist: &[f64], qs: &[&[f64]], out: &mut [f64]) {
    use std::arch::x86_64::*;
    let m = dist.len();
    let d = cols.len();
    let strips = m / TILE_R;
    if cols.iter().any(|c| c.len() < m) || qs.iter().any(|q| q.len() < d) {
        return block_potentials_body(cols, dist, qs, out);
    }
    for t0 in (0..qs.len()).step_by(TILE_Q) {
        let live = (qs.len() - t0).min(TILE_Q);
        let qv: Vec<[f64; TILE_Q]> = (0..d)
            .map(|j| std::array::from_fn(|t| qs[t0 + t.min(live - 1)][j]))
            .collect();
        let mut pot = [_mm256_setzero_pd(); 2 * TILE_Q];
        for s in 0..strips {
            let i = s * TILE_R;
            let mut acc = [_mm256_setzero_pd(); 2 * TILE_Q];
            for (col, q) in cols.iter().zip(&qv) {
                // SAFETY: i + 8 <= m <= col.len() (checked above).
                let x0 = _mm256_loadu_pd(col.as_ptr().add(i));
                let x1 = _mm256_loadu_pd(col.as_ptr().add(i + 4));
                for t in 0..TILE_Q {
                    let qt = _mm256_set1_pd(q[t]);
                    let d0 = _mm256_sub_pd(x0, qt);
                    let d1 = _mm256_sub_pd(x1, qt);
                    acc[2 * t] = _mm256_add_pd(acc[2 * t], _mm256_mul_pd(d0, d0));
                    acc[2 * t + 1] = _mm256_add_pd(acc[2 * t + 1], _mm256_mul_pd(d1, d1));
                }
            }
            // SAFETY: i + 8 <= m = dist.len().
            let o0 = _mm256_loadu_pd(dist.as_ptr().add(i));
            let o1 = _mm256_loadu_pd(dist.as_ptr().add(i + 4));
            for t in 0..TILE_Q {
                // min(v, old): old when equal, as `if v < old { v } else { old }`.
                pot[2 * t] = _mm256_add_pd(pot[2 * t], _mm256_min_pd(acc[2 * t], o0));
                pot[2 * t + 1] = _mm256_add_pd(pot[2 * t + 1], _mm256_min_pd(acc[2 * t + 1], o1));
            }
        }
        for t in 0..live {
            let mut lanes = [0.0f64; TILE_R];
            _mm256_storeu_pd(lanes.as_mut_ptr(), pot[2 * t]);
            _mm256_storeu_pd(lanes.as_mut_ptr().add(4), pot[2 * t + 1]);
            out[t0 + t] = finish_potential(&lanes, cols, dist, qs[t0 + t], strips * TILE_R);
        }
    }
}

/// The per-lane partial sums added in lane order, then the rows past the last
/// full strip.
fn finish_potential(
    lanes: &[f64; TILE_R],
    cols: &[&[f64]],
    dist: &[f64],
    q: &[f64],
    from: usize,
) -> f64 {
    let mut total = 0.0;
    for &v in lanes {
        total += v;
    }
    for i in from..dist.len() {
        let x: Vec<f64> = cols.iter().map(|c| c[i]).collect();
        let v = dist2(&x, q);
        total += if v < dist[i] { v } else { dist[i] };
    }
    total
}

#[inline(always)]
fn block_potentials_body(cols: &[&[f64]], dist: &[f64], qs: &[&[f64]], out: &mut [f64]) {
    let m = dist.len();
    let d = cols.len();
    let strips = m / TILE_R;
    for t0 in (0..qs.len()).step_by(TILE_Q) {
        // This tile's candidates, dimension-major; a short tile repeats its last.
        let live = (qs.len() - t0).min(TILE_Q);
        let qv: Vec<[f64; TILE_Q]> = (0..d)
            .map(|j| std::array::from_fn(|t| qs[t0 + t.min(live - 1)][j]))
            .collect();
        let mut pot = [[0.0f64; TILE_R]; TILE_Q];
        for s in 0..strips {
            let i = s * TILE_R;
            let mut acc = [[0.0f64; TILE_R]; TILE_Q];
            for (col, q) in cols.iter().zip(&qv) {
                let x: [f64; TILE_R] = std::array::from_fn(|l| col[i + l]);
                for t in 0..TILE_Q {
                    for l in 0..TILE_R {
                        let df = x[l] - q[t];
                        acc[t][l] += df * df;
                    }
                }
            }
            let old: [f64; TILE_R] = std::array::from_fn(|l| dist[i + l]);
            for t in 0..TILE_Q {
                for l in 0..TILE_R {
                    let v = acc[t][l];
                    pot[t][l] += if v < old[l] { v } else { old[l] };
                }
            }
        }
        for t in 0..live {
            out[t0 + t] = finish_potential(&pot[t], cols, dist, qs[t0 + t], strips * TILE_R);
        }
    }
}

/// The data transposed (dimension-major), so distances vectorise across rows.
fn transpose(xs: &[f64], n: usize, d: usize) -> Vec<f64> {
    let mut t = vec![0.0; n * d];
    t.par_chunks_mut(n.max(1)).enumerate().for_each(|(j, col)| {
        for (i, v) in col.iter_mut().enumerate() {
            *v = xs[i * d + j];
        }
    });
    t
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
    let x = x.as_standard_layout();
    let xv = x.view();
    let xs = contiguous(&xv)?;
    let row = |i: usize| &xs[i * d..(i + 1) * d];
    let xt = transpose(xs, n, d);
    let cols = |b: usize| -> Vec<&[f64]> {
        let (lo, hi) = (b * PREFIX_BLOCK, ((b + 1) * PREFIX_BLOCK).min(n));
        (0..d).map(|j| &xt[j * n + lo..j * n + hi]).collect()
    };
    let nblocks = n.div_ceil(PREFIX_BLOCK);

    let mut chosen = vec![first];
    // Each row's squared distance to its closest centre, and the block sums.
    let mut dist = vec![0.0; n];
    let mut sums = vec![0.0; nblocks];
    dist.par_chunks_mut(PREFIX_BLOCK)
        .zip(sums.par_iter_mut())
        .enumerate()
        .for_each(|(b, (dc, s))| {
            block_dist2(&cols(b), row(first), dc);
            *s = dc.iter().sum();
        });
    for step in 0..k - 1 {
        let pot: f64 = sums.iter().sum();
        let cands: Vec<usize> = draws[step * trials..(step + 1) * trials]
            .iter()
            .map(|&u| search_sorted(&dist, &sums, u * pot))
            .collect();
        // Each candidate's potential (the sum of every row's distance to its
        // closest centre were the candidate added), as scikit-learn scores it, over
        // fixed row blocks in order.
        let pots: Vec<Vec<f64>> = dist
            .par_chunks(PREFIX_BLOCK)
            .enumerate()
            .map(|(b, dc)| {
                let cb = cols(b);
                let qs: Vec<&[f64]> = cands.iter().map(|&c| row(c)).collect();
                let mut out = vec![0.0; trials];
                block_potentials(&cb, dc, &qs, &mut out);
                out
            })
            .collect();
        let mut total = vec![0.0; trials];
        for g in &pots {
            for (a, v) in total.iter_mut().zip(g) {
                *a += v;
            }
        }
        // The candidate leaving the smallest potential; the first on a tie.
        // Potentials equal to rounding count as tied: two candidates can tie
        // exactly (an isolated pair of rows, each taking only itself and the
        // other), and then only the summation order would separate them.
        let mut best = 0;
        for t in 1..trials {
            if total[t] < total[best] * (1.0 - 1e-12) {
                best = t;
            }
        }
        let q = row(cands[best]);
        dist.par_chunks_mut(PREFIX_BLOCK)
            .zip(sums.par_iter_mut())
            .enumerate()
            .for_each(|(b, (dc, s))| {
                let mut buf = vec![0.0; dc.len()];
                block_dist2(&cols(b), q, &mut buf);
                for (o, &v) in dc.iter_mut().zip(&buf) {
                    if v < *o {
                        *o = v;
                    }
                }
                *s = dc.iter().sum();
            });
        chosen.push(cands[best]);
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

/// `acc[p] = dist2(x, centre at group position s + p)`, `ct` dimension-major with
/// `k` centres per dimension. Same terms, same order as [`dist2`].
#[inline]
fn scan_group(x: &[f64], ct: &[f64], k: usize, s: usize, acc: &mut [f64], use_avx2: bool) {
    #[cfg(target_arch = "x86_64")]
    if use_avx2 {
        // SAFETY: the caller checked that the CPU supports AVX2.
        unsafe { scan_group_avx2(x, ct, k, s, acc) };
        return;
    }
    let _ = use_avx2;
    scan_group_body(x, ct, k, s, acc)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn scan_group_avx2(x: &[f64], ct: &[f64], k: usize, s: usize, acc: &mut [f64]) {
    scan_group_body(x, ct, k, s, acc)
}

#[inline(always)]
fn scan_group_body(x: &[f64], ct: &[f64], k: usize, s: usize, acc: &mut [f64]) {
    let e = s + acc.len();
    acc.iter_mut().for_each(|v| *v = 0.0);
    for (c, &xc) in x.iter().enumerate() {
        for (v, &cc) in acc.iter_mut().zip(&ct[c * k + s..c * k + e]) {
            let t = xc - cc;
            *v += t * t;
        }
    }
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

/// Assign every row to its nearest centre (lowest index on a tie) after the
/// centres moved by `shift`, scanning only the groups of centres its bounds cannot
/// rule out.
fn assign(xs: &[f64], d: usize, centers: &[f64], groups: &Groups, b: &mut Bounds, shift: &[f64]) {
    let k = groups.order.len();
    let ng = groups.len();
    // The centres dimension-major in group order, so a group scan vectorises.
    let mut ct = vec![0.0; d * k];
    for (pos, &j) in groups.order.iter().enumerate() {
        for c in 0..d {
            ct[c * k + pos] = centers[j * d + c];
        }
    }
    // Each group's largest shift, rounded up as float32.
    let drift: Vec<f32> = (0..ng)
        .map(|g| {
            let m = groups.order[groups.start[g]..groups.start[g + 1]]
                .iter()
                .map(|&j| shift[j])
                .fold(0.0, f64::max);
            (m * (1.0 + SLACK32)) as f32
        })
        .collect();
    let use_avx2 = avx2();
    let widest = (0..ng)
        .map(|g| groups.start[g + 1] - groups.start[g])
        .max()
        .unwrap_or(0);
    b.par_row_chunks(ng)
        .for_each(|(chunk, ((labels, upper), lower))| {
            let mut acc = vec![0.0; widest];
            let mut scanned: Vec<(usize, f64, usize, f64)> = Vec::with_capacity(ng);
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
                let mut best = (old_d2, old);
                scanned.clear();
                for (g, &lbg) in lb.iter().enumerate() {
                    if surely_below(*u, lbg as f64) {
                        continue;
                    }
                    let (s, e) = (groups.start[g], groups.start[g + 1]);
                    let acc = &mut acc[..e - s];
                    scan_group(x, &ct, k, s, acc, use_avx2);
                    // The group's nearest and second-nearest centre (ids ascend
                    // within a group, so a strict < keeps the lowest id on a tie).
                    let (mut m1, mut id1, mut m2) = (f64::INFINITY, usize::MAX, f64::INFINITY);
                    for (p, &v) in acc.iter().enumerate() {
                        if v < m1 {
                            m2 = m1;
                            m1 = v;
                            id1 = groups.order[s + p];
                        } else if v < m2 {
                            m2 = v;
                        }
                    }
                    scanned.push((g, m1, id1, m2));
                    if m1 < best.0 || (m1 == best.0 && id1 < best.1) {
                        best = (m1, id1);
                    }
                }
                // Scanned groups: exact distance to their nearest centre other than
                // the new one. Unscanned groups keep their bound, except that the old
                // centre, if it is left, now counts among its group's others.
                for &(g, m1, id1, m2) in &scanned {
                    lb[g] = low32(if id1 == best.1 { m2 } else { m1 }.sqrt());
                }
                if best.1 != old {
                    let g = groups.group[old];
                    if !scanned.iter().any(|s| s.0 == g) {
                        lb[g] = lb[g].min(low32(old_d2.sqrt()));
                    }
                }
                *a = best.1 as i32;
                *u = best.0.sqrt();
            }
        });
}

/// For each of the strip's 8 rows (`xl[j]`: dimension `j` of the 8 rows), its
/// nearest centre among `ids` (ascending), that centre's id and the second-nearest
/// distance: `(m1, id1, m2)` per lane, with `v < m1` deciding as a sequential scan
/// in id order would. Distances add their terms in dimension order, as [`dist2`].
type StripMins = ([f64; TILE_R], [f64; TILE_R], [f64; TILE_R]);

fn strip_mins(xl: &[[f64; TILE_R]], cs: &[f64], ids: &[usize], use_avx2: bool) -> StripMins {
    #[cfg(target_arch = "x86_64")]
    if use_avx2 {
        // SAFETY: the caller checked that the CPU supports AVX2.
        return unsafe { strip_mins_avx2(xl, cs, ids) };
    }
    let _ = use_avx2;
    let d = xl.len();
    let mut m1 = [f64::INFINITY; TILE_R];
    let mut id1 = [f64::MAX; TILE_R];
    let mut m2 = [f64::INFINITY; TILE_R];
    for &id in ids {
        let c = &cs[id * d..(id + 1) * d];
        let mut acc = [0.0f64; TILE_R];
        for (x, &cj) in xl.iter().zip(c) {
            for l in 0..TILE_R {
                let t = x[l] - cj;
                acc[l] += t * t;
            }
        }
        for l in 0..TILE_R {
            let v = acc[l];
            if v < m1[l] {
                m2[l] = m1[l];
                m1[l] = v;
                id1[l] = id as f64;
            } else if v < m2[l] {
                m2[l] = v;
            }
        }
    }
    (m1, id1, m2)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn strip_mins_avx2(xl: &[[f64; TILE_R]], cs: &[f64], ids: &[usize]) -> StripMins {
    use std::arch::x86_64::*;
    let d = xl.len();
    if ids.iter().any(|&id| (id + 1) * d > cs.len()) {
        return strip_mins(xl, cs, ids, false);
    }
    let inf = _mm256_set1_pd(f64::INFINITY);
    let (mut m1, mut m2) = ([inf; 2], [inf; 2]);
    let mut id1 = [_mm256_set1_pd(f64::MAX); 2];
    for p0 in (0..ids.len()).step_by(TILE_Q) {
        let live = (ids.len() - p0).min(TILE_Q);
        let base: [usize; TILE_Q] = std::array::from_fn(|t| ids[p0 + t.min(live - 1)] * d);
        let mut acc = [_mm256_setzero_pd(); 2 * TILE_Q];
        for (j, x) in xl.iter().enumerate() {
            let x0 = _mm256_loadu_pd(x.as_ptr());
            let x1 = _mm256_loadu_pd(x.as_ptr().add(4));
            for t in 0..TILE_Q {
                // SAFETY: base[t] + j < (id + 1) * d <= cs.len() (checked above).
                let q = _mm256_set1_pd(*cs.get_unchecked(base[t] + j));
                let d0 = _mm256_sub_pd(x0, q);
                let d1 = _mm256_sub_pd(x1, q);
                acc[2 * t] = _mm256_add_pd(acc[2 * t], _mm256_mul_pd(d0, d0));
                acc[2 * t + 1] = _mm256_add_pd(acc[2 * t + 1], _mm256_mul_pd(d1, d1));
            }
        }
        // Fold the centres in id order: v < m1 takes the lead (m1 drops to m2);
        // otherwise m2 = min(m2, v).
        for t in 0..live {
            let idv = _mm256_set1_pd(ids[p0 + t] as f64);
            for h in 0..2 {
                let v = acc[2 * t + h];
                let lt = _mm256_cmp_pd::<_CMP_LT_OQ>(v, m1[h]);
                m2[h] = _mm256_blendv_pd(_mm256_min_pd(m2[h], v), m1[h], lt);
                m1[h] = _mm256_blendv_pd(m1[h], v, lt);
                id1[h] = _mm256_blendv_pd(id1[h], idv, lt);
            }
        }
    }
    let mut out: StripMins = ([0.0; TILE_R], [0.0; TILE_R], [0.0; TILE_R]);
    for h in 0..2 {
        _mm256_storeu_pd(out.0.as_mut_ptr().add(4 * h), m1[h]);
        _mm256_storeu_pd(out.1.as_mut_ptr().add(4 * h), id1[h]);
        _mm256_storeu_pd(out.2.as_mut_ptr().add(4 * h), m2[h]);
    }
    out
}

/// The first assignment: every row against every centre, eight rows at a time,
/// filling the labels, the upper bounds and every group's lower bound (the exact
/// distance to the group's nearest centre other than the row's own).
fn first_assign(xs: &[f64], d: usize, centers: &[f64], groups: &Groups, b: &mut Bounds) {
    let ng = groups.len();
    let use_avx2 = avx2();
    b.par_row_chunks(ng)
        .for_each(|(chunk, ((labels, upper), lower))| {
            let rows = labels.len();
            let mut xl = vec![[0.0f64; TILE_R]; d];
            // Per lane and group: nearest, its id, second nearest.
            let mut mins = vec![(0.0f64, 0usize, 0.0f64); TILE_R * ng];
            for s0 in (0..rows).step_by(TILE_R) {
                let live = (rows - s0).min(TILE_R);
                for l in 0..TILE_R {
                    // A short strip repeats its last row; only live lanes are kept.
                    let i = chunk * ROWS + s0 + l.min(live - 1);
                    for (j, x) in xl.iter_mut().enumerate() {
                        x[l] = xs[i * d + j];
                    }
                }
                for g in 0..ng {
                    let ids = &groups.order[groups.start[g]..groups.start[g + 1]];
                    let (m1, id1, m2) = strip_mins(&xl, centers, ids, use_avx2);
                    for l in 0..live {
                        mins[l * ng + g] = (m1[l], id1[l] as usize, m2[l]);
                    }
                }
                for l in 0..live {
                    let o = s0 + l;
                    let mut best = (f64::INFINITY, usize::MAX);
                    for &(m1, id1, _) in &mins[l * ng..(l + 1) * ng] {
                        if m1 < best.0 || (m1 == best.0 && id1 < best.1) {
                            best = (m1, id1);
                        }
                    }
                    for (g, &(m1, id1, m2)) in mins[l * ng..(l + 1) * ng].iter().enumerate() {
                        lower[o * ng + g] = low32(if id1 == best.1 { m2 } else { m1 }.sqrt());
                    }
                    labels[o] = best.1 as i32;
                    upper[o] = best.0.sqrt();
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
    let mut b = Bounds {
        labels: vec![0; n],
        upper: vec![f64::INFINITY; n],
        lower: vec![0.0; n * groups.len()],
    };
    first_assign(xs, d, &centers, &groups, &mut b);
    let mut shift: Vec<f64> = Vec::new();
    let mut old = vec![-1i32; n];
    let mut strict = false;
    let mut n_iter = 0;
    for it in 0..max_iter {
        n_iter = it + 1;
        if it > 0 {
            assign(xs, d, &centers, &groups, &mut b, &shift);
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
        assign(xs, d, &centers, &groups, &mut b, &shift);
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
        let (n, k, trials) = (2000, 60, 3);
        let x = random_matrix(n, 4, 5);
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
        for (n, d, k) in [(4000, 2, 60), (3000, 7, 200), (2500, 12, 31)] {
            let x = random_matrix(n, d, 3 + d as u64);
            let init = x.slice(ndarray::s![0..k, ..]).to_owned();
            let got = lloyd(x.view(), init.view(), 300, 0.0).unwrap();
            let (c, labels, it) = naive_lloyd(&x, &init, 300);
            assert_eq!(got.labels, labels, "n={n} d={d} k={k}");
            assert_eq!(got.centers.iter().copied().collect::<Vec<_>>(), c);
            assert_eq!(got.n_iter, it);
        }
    }

    #[test]
    fn vector_kernels_equal_the_portable_ones_bit_for_bit() {
        let (m, d) = (1000 + 5, 7);
        let x = random_matrix(m, d, 21);
        let xs = x.as_slice().unwrap();
        let xt = transpose(xs, m, d);
        let cols: Vec<&[f64]> = (0..d).map(|j| &xt[j * m..(j + 1) * m]).collect();
        let dist: Vec<f64> = (0..m).map(|i| (i % 17) as f64 * 0.3).collect();
        let qs: Vec<&[f64]> = (0..11).map(|t| &xs[t * 13 * d..(t * 13 + 1) * d]).collect();
        let mut want = vec![0.0; 11];
        block_potentials_body(&cols, &dist, &qs, &mut want);
        let mut got = vec![0.0; 11];
        block_potentials(&cols, &dist, &qs, &mut got);
        assert_eq!(got, want);

        let xl: Vec<[f64; TILE_R]> = (0..d)
            .map(|j| std::array::from_fn(|l| xs[(40 + l) * d + j]))
            .collect();
        // Duplicated centres (ids 3 and 9 equal) exercise the tie rules.
        let mut cs = xs[..30 * d].to_vec();
        let dup: Vec<f64> = cs[3 * d..4 * d].to_vec();
        cs[9 * d..10 * d].copy_from_slice(&dup);
        let ids: Vec<usize> = (0..30).collect();
        assert_eq!(
            strip_mins(&xl, &cs, &ids, avx2()),
            strip_mins(&xl, &cs, &ids, false)
        );
        let few = [3usize, 9, 12];
        assert_eq!(
            strip_mins(&xl, &cs, &few, avx2()),
            strip_mins(&xl, &cs, &few, false)
        );
    }
}
