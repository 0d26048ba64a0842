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
const PREFIX_BLOCK: usize = 256;
/// Rows per parallel task of k-means++ seeding.
const BLOCK: usize = 1024;

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

/// Whether the fused multiply-add builds of the k-means++ loops can run.
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
/// `t = fma(x_d, qm2_d, ... fma(x_1, qm2_1, w + |q|^2))`, the change in `x`'s
/// distance were `q` added, when negative. Every build computes `t` with fused
/// multiply-adds in this order, so every build gets the same value.
#[inline(always)]
fn change(x: impl Iterator<Item = f64>, qm2: &[f64], start: f64) -> f64 {
    let mut acc = start;
    for (v, &q) in x.zip(qm2) {
        acc = v.mul_add(q, acc);
    }
    acc
}

/// Rows that a candidate would take: `(row within the block, change)`.
type Taken = Vec<(u32, f64)>;

/// For each candidate `t` (`qm2[t]` its coordinates times -2, `qn[t]` its squared
/// norm): the rows with a negative change, in row order, into `taken[t]` (see
/// [`change`]). `cols[j]` holds dimension `j` of the block's rows, `w` their
/// `|x|^2 - dist`. Rows in strips of 8 against 4 candidates at a time.
fn block_taken(cols: &[&[f64]], w: &[f64], qm2: &[&[f64]], qn: &[f64], taken: &mut [Taken]) {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above).
        unsafe { block_taken_avx2(cols, w, qm2, qn, taken) };
        return;
    }
    block_taken_body(cols, w, qm2, qn, taken, 0)
}

/// [`block_taken_body`] with the 8 x 4 tile in AVX2 registers: the same fused
/// operations in the same order per row, so the same values as the portable
/// build.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_taken_avx2(
    cols: &[&[f64]],
    w: &[f64],
    qm2: &[&[f64]],
    qn: &[f64],
    taken: &mut [Taken],
) {
    use std::arch::x86_64::*;
    let m = w.len();
    let d = cols.len();
    let strips = m / TILE_R;
    if cols.iter().any(|c| c.len() < m) || qm2.iter().any(|q| q.len() < d) {
        return block_taken_body(cols, w, qm2, qn, taken, 0);
    }
    let zero = _mm256_setzero_pd();
    for t0 in (0..qm2.len()).step_by(TILE_Q) {
        let live = (qm2.len() - t0).min(TILE_Q);
        let pick = |t: usize| t0 + t.min(live - 1);
        let qv: Vec<[f64; TILE_Q]> = (0..d)
            .map(|j| std::array::from_fn(|t| qm2[pick(t)][j]))
            .collect();
        let qnv: [__m256d; TILE_Q] = std::array::from_fn(|t| _mm256_set1_pd(qn[pick(t)]));
        for s in 0..strips {
            let i = s * TILE_R;
            // SAFETY: i + 8 <= m = w.len().
            let w0 = _mm256_loadu_pd(w.as_ptr().add(i));
            let w1 = _mm256_loadu_pd(w.as_ptr().add(i + 4));
            let mut acc: [__m256d; 2 * TILE_Q] = std::array::from_fn(|a| {
                _mm256_add_pd(if a % 2 == 0 { w0 } else { w1 }, qnv[a / 2])
            });
            for (col, q) in cols.iter().zip(&qv) {
                // SAFETY: i + 8 <= m <= col.len() (checked above).
                let x0 = _mm256_loadu_pd(col.as_ptr().add(i));
                let x1 = _mm256_loadu_pd(col.as_ptr().add(i + 4));
                for t in 0..TILE_Q {
                    let qt = _mm256_set1_pd(q[t]);
                    acc[2 * t] = _mm256_fmadd_pd(x0, qt, acc[2 * t]);
                    acc[2 * t + 1] = _mm256_fmadd_pd(x1, qt, acc[2 * t + 1]);
                }
            }
            // min(change, 0) has its sign bit set exactly where the change is
            // negative, so one test of the tile finds the strips with rows to take.
            let mut any = zero;
            for a in acc {
                any = _mm256_or_pd(any, _mm256_min_pd(a, zero));
            }
            if _mm256_movemask_pd(any) == 0 {
                continue;
            }
            for t in 0..live {
                let neg = _mm256_movemask_pd(_mm256_min_pd(acc[2 * t], zero))
                    | (_mm256_movemask_pd(_mm256_min_pd(acc[2 * t + 1], zero)) << 4);
                if neg != 0 {
                    let mut v = [0.0f64; TILE_R];
                    _mm256_storeu_pd(v.as_mut_ptr(), acc[2 * t]);
                    _mm256_storeu_pd(v.as_mut_ptr().add(4), acc[2 * t + 1]);
                    for (l, &vl) in v.iter().enumerate() {
                        if neg & (1 << l) != 0 {
                            taken[t0 + t].push(((i + l) as u32, vl));
                        }
                    }
                }
            }
        }
    }
    block_taken_body(cols, w, qm2, qn, taken, strips * TILE_R)
}

/// [`block_taken`] one row at a time, from row `from`.
#[inline(always)]
fn block_taken_body(
    cols: &[&[f64]],
    w: &[f64],
    qm2: &[&[f64]],
    qn: &[f64],
    taken: &mut [Taken],
    from: usize,
) {
    for ((q, &n2), tk) in qm2.iter().zip(qn).zip(taken.iter_mut()) {
        for (i, &wi) in w.iter().enumerate().skip(from) {
            let v = change(cols.iter().map(|c| c[i]), q, wi + n2);
            if v < 0.0 {
                tk.push((i as u32, v));
            }
        }
    }
}

/// For each row of a block: `out[i]` = [`change`] for one candidate.
fn block_change(cols: &[&[f64]], w: &[f64], qm2: &[f64], qn: f64, out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked above).
        unsafe { block_change_avx2(cols, w, qm2, qn, out) };
        return;
    }
    block_change_body(cols, w, qm2, qn, out)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn block_change_avx2(cols: &[&[f64]], w: &[f64], qm2: &[f64], qn: f64, out: &mut [f64]) {
    use std::arch::x86_64::*;
    let m = w.len().min(out.len());
    if cols.iter().any(|c| c.len() < m) || qm2.len() < cols.len() {
        return block_change_body(cols, w, qm2, qn, out);
    }
    let qnv = _mm256_set1_pd(qn);
    // Sixteen rows at a time: four independent chains of fused multiply-adds.
    let strips = m / 16;
    for s in 0..strips {
        let i = 16 * s;
        // SAFETY: i + 16 <= m <= every slice's length (checked above).
        let mut acc: [__m256d; 4] =
            std::array::from_fn(|h| _mm256_add_pd(_mm256_loadu_pd(w.as_ptr().add(i + 4 * h)), qnv));
        for (col, &q) in cols.iter().zip(qm2) {
            let qv = _mm256_set1_pd(q);
            for (h, a) in acc.iter_mut().enumerate() {
                *a = _mm256_fmadd_pd(_mm256_loadu_pd(col.as_ptr().add(i + 4 * h)), qv, *a);
            }
        }
        for (h, a) in acc.iter().enumerate() {
            _mm256_storeu_pd(out.as_mut_ptr().add(i + 4 * h), *a);
        }
    }
    for i in 16 * strips..m {
        out[i] = change(cols.iter().map(|c| c[i]), qm2, w[i] + qn);
    }
}

#[inline(always)]
fn block_change_body(cols: &[&[f64]], w: &[f64], qm2: &[f64], qn: f64, out: &mut [f64]) {
    for (i, (o, &wi)) in out.iter_mut().zip(w).enumerate() {
        *o = change(cols.iter().map(|c| c[i]), qm2, wi + qn);
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

static SCANS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static ROWS_SCANNED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static mut TG: f64 = 0.0;
static mut TU: f64 = 0.0;
static mut TS: f64 = 0.0;
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
        let (lo, hi) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        (0..d).map(|j| &xt[j * n + lo..j * n + hi]).collect()
    };

    // Squared norms, and each candidate's coordinates times -2 (exact).
    let norm: Vec<f64> = (0..n)
        .into_par_iter()
        .map(|i| row(i).iter().map(|v| v * v).sum())
        .collect();
    let scaled = |i: usize| -> Vec<f64> { row(i).iter().map(|v| -2.0 * v).collect() };
    // Each row's squared distance to its closest centre, `w = |x|^2 - dist` (see
    // [`change`]), and the block sums of `dist`.
    let mut dist = vec![0.0; n];
    let mut w = norm.clone();
    // The first centre: `w = |x|^2` stands for a zero distance, so the change
    // [`block_change`] computes is the row's distance to it.
    {
        let (qm2, qn) = (scaled(first), norm[first]);
        dist.par_chunks_mut(BLOCK)
            .zip(w.par_chunks_mut(BLOCK))
            .enumerate()
            .for_each(|(b, (dc, wc))| {
                block_change(&cols(b), wc, &qm2, qn, dc);
                for (o, (dv, wv)) in dc.iter_mut().zip(wc.iter_mut()).enumerate() {
                    *dv = dv.max(0.0);
                    *wv = norm[b * BLOCK + o] - *dv;
                }
            });
    }
    let mut sums: Vec<f64> = dist.par_chunks(PREFIX_BLOCK).map(lane_sum).collect();
    let mut chosen = vec![first];
    for step in 0..k - 1 {
        let ts = std::time::Instant::now();
        let pot: f64 = sums.iter().sum();
        let cands: Vec<usize> = draws[step * trials..(step + 1) * trials]
            .iter()
            .map(|&u| search_sorted(&dist, &sums, u * pot))
            .collect();
        // Each candidate's change to the potential (the sum of every row's
        // distance to its closest centre), over fixed row blocks in order, and
        // the rows it would take.
        let qm2: Vec<Vec<f64>> = cands.iter().map(|&c| scaled(c)).collect();
        let qm2: Vec<&[f64]> = qm2.iter().map(|v| v.as_slice()).collect();
        let qn: Vec<f64> = cands.iter().map(|&c| norm[c]).collect();
        let tg = std::time::Instant::now();
        let scored: Vec<Vec<Taken>> = w
            .par_chunks(BLOCK)
            .enumerate()
            .map(|(b, wc)| {
                let mut taken = vec![Taken::new(); trials];
                block_taken(&cols(b), wc, &qm2, &qn, &mut taken);
                taken
            })
            .collect();
        let mut total = vec![pot; trials];
        for taken in &scored {
            for (a, tk) in total.iter_mut().zip(taken) {
                *a += tk.iter().map(|e| e.1).sum::<f64>();
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
        let tu = std::time::Instant::now();
        // The rows it takes move to it; their blocks' sums are added again.
        let mut dirty: Vec<usize> = Vec::new();
        for (b, taken) in scored.iter().enumerate() {
            for &(o, t) in &taken[best] {
                let i = b * BLOCK + o as usize;
                dist[i] = (dist[i] + t).max(0.0);
                w[i] = norm[i] - dist[i];
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
        chosen.push(cands[best]);
        unsafe { TG += (tu - tg).as_secs_f64(); TU += tu.elapsed().as_secs_f64(); TS += (tg-ts).as_secs_f64(); }
        if step == k - 2 && std::env::var("KM_DEBUG").is_ok() { unsafe { eprintln!("search {TS} gains {TG} update {TU}"); } }
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
        if v < m1 {
            m2 = m1;
            m1 = v;
            p1 = p;
        } else if v < m2 {
            m2 = v;
        }
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
    while p + 16 <= len {
        let mut acc = [_mm256_setzero_pd(); 4];
        for (c, &xc) in x.iter().enumerate() {
            let xv = _mm256_set1_pd(xc);
            for (h, a) in acc.iter_mut().enumerate() {
                // SAFETY: c * len + p + 4h + 4 <= d * len <= cg.len().
                let t = _mm256_sub_pd(xv, _mm256_loadu_pd(base.add(c * len + p + 4 * h)));
                *a = _mm256_add_pd(*a, _mm256_mul_pd(t, t));
            }
        }
        for (h, &a) in acc.iter().enumerate() {
            fold(a, p + 4 * h, &mut m1, &mut m2, &mut id);
        }
        p += 16;
    }
    while p < len {
        let mut a = _mm256_setzero_pd();
        for (c, &xc) in x.iter().enumerate() {
            // SAFETY: as above.
            let t = _mm256_sub_pd(_mm256_set1_pd(xc), _mm256_loadu_pd(base.add(c * len + p)));
            a = _mm256_add_pd(a, _mm256_mul_pd(t, t));
        }
        fold(a, p, &mut m1, &mut m2, &mut id);
        p += 4;
    }
    let (mut v1, mut v2, mut vi) = ([0.0f64; 4], [0.0f64; 4], [0.0f64; 4]);
    _mm256_storeu_pd(v1.as_mut_ptr(), m1);
    _mm256_storeu_pd(v2.as_mut_ptr(), m2);
    _mm256_storeu_pd(vi.as_mut_ptr(), id);
    // The smallest over the lanes (lowest position on a tie); the second smallest
    // is the winning lane's second or another lane's smallest.
    let mut w = 0;
    for l in 1..4 {
        if v1[l] < v1[w] || (v1[l] == v1[w] && vi[l] < vi[w]) {
            w = l;
        }
    }
    let mut second = v2[w];
    for l in 0..4 {
        if l != w {
            second = second.min(v1[l]);
        }
    }
    (v1[w], vi[w] as usize, second)
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
    let ng = groups.len();
    // Each group's centres together, dimension-major, padded to a multiple of 4
    // with centres at infinity, so a group scan vectorises and reads one
    // contiguous stretch.
    let plen: Vec<usize> = (0..ng)
        .map(|g| (groups.start[g + 1] - groups.start[g]).next_multiple_of(4))
        .collect();
    let mut off = vec![0usize; ng + 1];
    for g in 0..ng {
        off[g + 1] = off[g] + plen[g] * d;
    }
    let mut ct = vec![f64::INFINITY; off[ng]];
    for g in 0..ng {
        let s = groups.start[g];
        for (p, &j) in groups.order[s..groups.start[g + 1]].iter().enumerate() {
            for c in 0..d {
                ct[off[g] + c * plen[g] + p] = centers[j * d + c];
            }
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
    b.par_row_chunks(ng)
        .for_each(|(chunk, ((labels, upper), lower))| {
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
                ROWS_SCANNED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let mut best = (old_d2, old);
                scanned.clear();
                for (g, &lbg) in lb.iter().enumerate() {
                    if surely_below(*u, lbg as f64) {
                        continue;
                    }
                    let (m1, p1, m2) = group_mins(x, &ct[off[g]..off[g + 1]], plen[g], use_avx2);
                    let id1 = groups.order[groups.start[g] + p1];
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
    let t0 = std::time::Instant::now();
    first_assign(xs, d, &centers, &groups, &mut b);
    if std::env::var("KM_DEBUG").is_ok() { eprintln!("first {:?} groups {}", t0.elapsed(), groups.len()); }
    let mut shift: Vec<f64> = Vec::new();
    let mut old = vec![-1i32; n];
    let mut strict = false;
    let mut n_iter = 0;
    for it in 0..max_iter {
        n_iter = it + 1;
        let t0 = std::time::Instant::now();
        if it > 0 {
            assign(xs, d, &centers, &groups, &mut b, &shift);
        }
        if std::env::var("KM_DEBUG").is_ok() { eprintln!("it {it} {:?} rows {} scans {}", t0.elapsed(), ROWS_SCANNED.swap(0, std::sync::atomic::Ordering::Relaxed), SCANS.swap(0, std::sync::atomic::Ordering::Relaxed)); }
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
            if b.labels == old {
                break;
            }
            old.copy_from_slice(&b.labels);
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
