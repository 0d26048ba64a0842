//! The brute-force self-query scanned once per pair of rows (x86-64, AVX2/FMA).
//!
//! When the queries are the data, one dot product `x_i.x_j` serves both rows: row
//! `i`'s key for candidate `j` is `|x_j|^2 - 2 x_i.x_j`, and row `j`'s key for `i`
//! is `|x_i|^2 - 2 x_i.x_j`. The rows are cut into blocks of [`BLOCK`]. Each block is
//! scanned against itself in one direction, and each unordered pair of blocks once,
//! feeding the candidate lists of both: half the multiply-adds of the one-way scan.
//!
//! Every row's candidate list lives for the whole search, so two tasks must never
//! write one list at the same time. The block pairs run in the rounds of a
//! round-robin tournament: within a round no block appears twice, so the tasks of a
//! round write disjoint lists and need no locks, and each list receives its
//! candidates in the same order whatever the number of threads.
//!
//! Each key is computed as the one-way kernel ([`super::fused`]) computes it: the
//! same sequence of fused multiply-adds (the product is commutative), then one
//! rounding for `lowered norm - 2 dot` (the lower key). Each row tracks its `k`
//! smallest upper keys (lower key plus the candidate's `up`), and its threshold is
//! brute.rs's: the k-th smallest upper key plus the row's margin. So brute.rs's
//! argument holds unchanged: no true neighbour is ever dropped, and the finalists
//! are re-ranked exactly.

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use super::brute;
#[cfg(target_arch = "x86_64")]
use super::fused::{tile_dots, tile_offset};
use super::fused::{Panels, PANEL};
use crate::progress::Task;

/// Rows per block: eight panels of sixteen.
pub const BLOCK: usize = 128;

/// Largest `k` searched this way: each row keeps its `k` best keys sorted, and a
/// new best is inserted by shifting.
pub const MAX_K: usize = 64;

/// The per-row state of all rows at once is used up to this many bytes; above it
/// the one-way scan keeps only one block's lists per task.
const MAX_BYTES: usize = 256 << 20;

/// The list length that first triggers a shrink.
fn list_cap(k: usize) -> usize {
    2 * k + 8
}

/// Whether a self-query of `n` rows for `k` neighbours is searched this way.
pub fn fits(n: usize, k: usize) -> bool {
    let per_row = list_cap(k) * std::mem::size_of::<Cand>() + k * 4 + 48;
    k <= MAX_K && n <= u32::MAX as usize && n.saturating_mul(per_row) <= MAX_BYTES
}

/// A candidate: its key and its row.
pub type Cand = (f32, u32);

/// The state of every row's search, shared by the tasks of a round through raw
/// pointers (each task touches only the rows of its two blocks).
struct Rows {
    lists: *mut Vec<Cand>,
    /// Per row (padded to whole panels with NaN, which no key passes).
    thr: *mut f32,
    /// The list length that triggers the next shrink.
    limit: *mut usize,
    /// Per row, its `k` smallest upper keys so far in ascending order.
    best: *mut f32,
    margin: *const f64,
    /// Per row, the lift from its lower key to its upper key (brute.rs).
    up: *const f64,
    k: usize,
    cap: usize,
}

// SAFETY: the pointers are only dereferenced for rows of the blocks a task owns in
// its round (see `candidates`), so no two threads touch one row's state at once.
unsafe impl Send for Rows {}
// SAFETY: as for `Send`: shared references only reach rows of the blocks their task
// owns in the round, so concurrent access never aliases one row's state.
unsafe impl Sync for Rows {}

impl Rows {
    /// Offer `(key, id)` (`key` the lower key) to `row`: it joins the list (it
    /// passed the row's threshold) and, if its upper key is among the `k` smallest
    /// so far, tightens the threshold.
    ///
    /// # Safety
    /// `row` is a real row (below `n`) of a block the calling task owns, and `id`
    /// a real row.
    #[inline(always)]
    unsafe fn push(&self, row: usize, key: f32, id: usize) {
        // SAFETY: `row < n` (the caller's contract), so `best[row * k..][..k]`,
        // `margin[row]`, `thr[row]`, `limit[row]` and `lists[row]` lie inside their
        // buffers (`n * k` and at least `n` entries), as does `up[id]` (`id < n`,
        // the caller's contract); the calling task owns `row` in this round, so the
        // references made here alias nothing another thread holds.
        unsafe {
            let k = self.k;
            let best = std::slice::from_raw_parts_mut(self.best.add(row * k), k);
            // Rounded to nearest twice (monotone), as brute.rs's prune assumes.
            let upper = (key as f64 + *self.up.add(id)) as f32;
            if upper < best[k - 1] {
                let mut j = k - 1;
                while j > 0 && best[j - 1] > upper {
                    best[j] = best[j - 1];
                    j -= 1;
                }
                best[j] = upper;
                let kth = best[k - 1] as f64;
                // As brute.rs's prune: rounded up so the cast cannot tighten it.
                let t = kth + *self.margin.add(row) + kth.abs() * 4.0 * f32::EPSILON as f64;
                *self.thr.add(row) = t as f32;
            }
            let list = &mut *self.lists.add(row);
            list.push((key, id as u32));
            if list.len() >= *self.limit.add(row) {
                self.shrink(row);
            }
        }
    }

    /// Drop the candidates the threshold has since passed by. When ties keep the
    /// list long, the next shrink waits until it has doubled, so the work stays
    /// linear in the pushes.
    ///
    /// # Safety
    /// `row` is a real row (below `n`) of a block the calling task owns.
    #[cold]
    #[inline(never)]
    unsafe fn shrink(&self, row: usize) {
        // SAFETY: `row < n` and the calling task owns it (the caller's contract): the
        // pointers at `row` are in bounds and no other thread touches that row.
        unsafe {
            let list = &mut *self.lists.add(row);
            let t = *self.thr.add(row);
            list.retain(|c| c.0 <= t);
            *self.limit.add(row) = brute::next_prune_at(self.cap, list.len());
        }
    }
}

/// Every row's candidate list for the self-query of the data packed in `panels`
/// (with lowered norms): every row whose lower key came within `margin[i]` of the
/// k-th smallest upper key seen so far when it was scanned (a superset of the true
/// `k` nearest, as brute.rs proves); `up[j]` lifts row `j`'s lower key to its
/// upper key.
///
/// Requires AVX2 and FMA ([`crate::cpu::avx2_fma`]) and [`fits`].
/// Progress: the rows' share of every block pair scanned goes to `task`.
pub fn candidates(
    panels: &Panels,
    margin: &[f64],
    up: &[f64],
    k: usize,
    task: &Task,
) -> Vec<Vec<Cand>> {
    let cap = list_cap(k);
    let n = panels.rows;
    debug_assert!(margin.len() == n && up.len() == n && n <= u32::MAX as usize && k >= 1);
    let mut lists: Vec<Vec<Cand>> = (0..n).map(|_| Vec::with_capacity(cap)).collect();
    let mut thr = vec![f32::NAN; panels.groups() * PANEL];
    thr[..n].fill(f32::INFINITY);
    let mut limit = vec![cap; n];
    let mut best = vec![f32::INFINITY; n * k];
    let state = Rows {
        lists: lists.as_mut_ptr(),
        thr: thr.as_mut_ptr(),
        limit: limit.as_mut_ptr(),
        best: best.as_mut_ptr(),
        margin: margin.as_ptr(),
        up: up.as_ptr(),
        k,
        cap,
    };
    let blocks = n.div_ceil(BLOCK);
    // Progress: `n` units spread over the block pairs, in order of completion.
    let pairs = blocks + blocks * blocks.saturating_sub(1) / 2;
    let scanned = AtomicUsize::new(0);
    let report = || {
        let c = scanned.fetch_add(1, Ordering::Relaxed) + 1;
        let share = |c: usize| (c as u128 * n as u128 / pairs.max(1) as u128) as usize;
        task.advance(share(c) - share(c - 1));
    };
    // Each block against itself: tasks own one block each.
    (0..blocks).into_par_iter().for_each(|a| {
        // SAFETY: AVX2/FMA checked by the caller; this task owns block `a` alone.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            scan_pair(panels, &state, a, a, false)
        }
        report();
    });
    // Each unordered pair of blocks once: round `r` of the circle method pairs the
    // `m` slots (one is a bye when `blocks` is odd) so that none appears twice.
    let m = blocks + blocks % 2;
    for r in 0..m.saturating_sub(1) {
        (0..m / 2).into_par_iter().for_each(|i| {
            let (a, b) = round_robin(r, i, m);
            if a < blocks && b < blocks {
                // SAFETY: as above; in round `r` the pairs are disjoint, so this
                // task alone owns blocks `a` and `b`.
                #[cfg(target_arch = "x86_64")]
                unsafe {
                    scan_pair(panels, &state, a, b, true)
                }
                report();
            }
        });
    }
    lists
}

/// The `i`-th pair of round `r` of a round-robin tournament of `m` (even) slots:
/// slot `m - 1` stays put while the others rotate.
fn round_robin(r: usize, i: usize, m: usize) -> (usize, usize) {
    let mm = m - 1;
    if i == 0 {
        (r, mm)
    } else {
        ((r + i) % mm, (r + mm - i) % mm)
    }
}

/// Scan the rows of block `a` (four at a time, read from the panels) against the panels of
/// block `b`: every key of an `a` row is offered to that row's list and, if `both`
/// (`a != b`), every key of a `b` row to that row's list.
///
/// # Safety
/// AVX2 and FMA are available; the calling task owns blocks `a` and `b`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn scan_pair(panels: &Panels, st: &Rows, a: usize, b: usize, both: bool) {
    // SAFETY: AVX2 and FMA run and the task owns blocks `a` and `b` (the caller's
    // contract). Rows `i_start..i_end` and panel groups `g_start..g_end` are clipped
    // to the data (`n` rows, `groups()` panels), so every panel load and every
    // `Rows::push` stays inside the packed data and the rows this task owns.
    unsafe {
        use std::arch::x86_64::*;
        let (n, dim) = (panels.rows, panels.dim);
        let (i_start, i_end) = (a * BLOCK, ((a + 1) * BLOCK).min(n));
        let per = BLOCK / PANEL;
        let (g_start, g_end) = (b * per, ((b + 1) * per).min(panels.groups()));
        let two = _mm256_set1_ps(2.0);
        let norms = panels.norms.as_ptr();
        let mut keys = [0.0f32; PANEL];
        let mut i0 = i_start;
        while i0 < i_end {
            let live = (i_end - i0).min(4);
            let q = panels.data.as_ptr().add(tile_offset(i0, dim));
            for g in g_start..g_end {
                let acc = tile_dots(panels.data.as_ptr().add(g * PANEL * dim), q, dim);
                let n0 = _mm256_loadu_ps(norms.add(g * PANEL));
                let n1 = _mm256_loadu_ps(norms.add(g * PANEL + 8));
                let j0 = g * PANEL;
                for i in 0..4 {
                    if i >= live {
                        break;
                    }
                    let (lo, hi, row) = (acc[2 * i], acc[2 * i + 1], i0 + i);
                    // Row `row`'s keys for the sixteen rows of the panel.
                    let t = _mm256_set1_ps(*st.thr.add(row));
                    let k0 = _mm256_fnmadd_ps(two, lo, n0);
                    let k1 = _mm256_fnmadd_ps(two, hi, n1);
                    let m0 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(k0, t)) as u32;
                    let m1 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(k1, t)) as u32;
                    let mut bits = m0 | (m1 << 8);
                    if bits != 0 {
                        _mm256_storeu_ps(keys.as_mut_ptr(), k0);
                        _mm256_storeu_ps(keys.as_mut_ptr().add(8), k1);
                        while bits != 0 {
                            let l = bits.trailing_zeros() as usize;
                            if j0 + l < n {
                                st.push(row, keys[l], j0 + l);
                            }
                            bits &= bits - 1;
                        }
                    }
                    if !both {
                        continue;
                    }
                    // The sixteen rows' keys for row `row`, against their own thresholds
                    // (NaN for padding, which no key passes).
                    let ni = _mm256_set1_ps(*norms.add(row));
                    let c0 = _mm256_fnmadd_ps(two, lo, ni);
                    let c1 = _mm256_fnmadd_ps(two, hi, ni);
                    let t0 = _mm256_loadu_ps(st.thr.add(j0));
                    let t1 = _mm256_loadu_ps(st.thr.add(j0 + 8));
                    let m0 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(c0, t0)) as u32;
                    let m1 = _mm256_movemask_ps(_mm256_cmp_ps::<_CMP_LE_OQ>(c1, t1)) as u32;
                    let mut bits = m0 | (m1 << 8);
                    if bits != 0 {
                        _mm256_storeu_ps(keys.as_mut_ptr(), c0);
                        _mm256_storeu_ps(keys.as_mut_ptr().add(8), c1);
                        while bits != 0 {
                            let l = bits.trailing_zeros() as usize;
                            if j0 + l < n {
                                st.push(j0 + l, keys[l], row);
                            }
                            bits &= bits - 1;
                        }
                    }
                }
            }
            i0 += live;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::round_robin;

    #[test]
    fn round_robin_meets_every_pair_once_and_no_slot_twice_a_round() {
        for m in [2usize, 4, 6, 10, 80] {
            let mut seen = std::collections::HashSet::new();
            for r in 0..m - 1 {
                let mut used = vec![false; m];
                for i in 0..m / 2 {
                    let (a, b) = round_robin(r, i, m);
                    assert!(a != b && !used[a] && !used[b], "m={m} r={r}");
                    used[a] = true;
                    used[b] = true;
                    assert!(seen.insert((a.min(b), a.max(b))), "m={m}: pair twice");
                }
            }
            assert_eq!(seen.len(), m * (m - 1) / 2);
        }
    }
}
