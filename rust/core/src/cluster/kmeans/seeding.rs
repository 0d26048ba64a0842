//! k-means++ seeding (Arthur and Vassilvitskii, 2007, "k-means++: the advantages
//! of careful seeding"), greedy with scikit-learn's `2 + ln k` local trials, as
//! `sklearn.cluster._kmeans._kmeans_plusplus` draws and scores them: the caller hands
//! in scikit-learn's uniforms, a candidate is scored by the expanded squared distance
//! `|x|^2 + |q|^2 - 2 x.q`, and the float32 screen ([`ScoreBlock::taken`]) only
//! decides which rows are scored exactly.

use ndarray::ArrayView2;
use rayon::prelude::*;

use super::layout::{change, f32_safe, Cands, ScoreBlock, Taken};
use super::{contiguous, sq_norms};
use crate::errors::Result;
use crate::progress::{Advance, Task};
use crate::{cpu, ensure, scale};

/// Rows per block of the prefix sums used to draw candidates.
pub(super) const PREFIX_BLOCK: usize = 256;
/// Rows per parallel task of k-means++ seeding.
pub(super) const BLOCK: usize = 1024;
/// k-means++ steps between refreshes of each block's largest distance.
pub(super) const DIST_MAX_EVERY: usize = 32;

impl ScoreBlock<'_> {
    /// For each candidate, the block's rows with a negative change, in row order
    /// (block-relative rows become absolute).
    pub(super) fn taken(&self, c: &Cands, taken: &mut [Taken]) {
        #[cfg(target_arch = "x86_64")]
        if self.screen && cpu::avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA (checked above).
            unsafe { self.taken_avx2(c, taken) };
            return;
        }
        self.taken_rows(c, taken, 0..self.w.len());
    }
}

/// The sum of `v` over eight lanes (element `i` in lane `i % 8`), the lanes then
/// added in order: independent additions, so the loop is not bound by their
/// latency.
pub(super) fn lane_sum(v: &[f64]) -> f64 {
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
pub(super) fn search_sorted(dist: &[f64], sums: &[f64], target: f64) -> usize {
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
    ensure!(d >= 1, "k-means needs at least one feature; got 0");
    let wanted = (k - 1).checked_mul(trials);
    ensure!(
        wanted == Some(draws.len()),
        "expected {} draws ({} further centres times {trials} trials), got {}",
        wanted.map_or_else(|| "too many".to_string(), |w| w.to_string()),
        k - 1,
        draws.len()
    );
    ensure!(
        n <= u32::MAX as usize,
        "k-means++ takes at most {} rows",
        u32::MAX
    );
    crate::neighbours::check_finite(x)?;
    // Magnitudes whose squares overflow or underflow: the same seeding on the data
    // times a power of two (exact, so the same rows are chosen).
    if let Some(e) = scale::exponent(scale::max_abs(x)) {
        let xs = scale::scaled(x, -e);
        return plusplus(xs.view(), k, first, draws, trials);
    }
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
    let task = Task::start(k - 1);
    for step in 0..k - 1 {
        let _done = Advance(&task, 1);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::kmeans::dist2;
    use crate::neighbours::testutil::random_matrix;

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
}
