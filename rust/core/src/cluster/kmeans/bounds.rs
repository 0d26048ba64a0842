//! The Yinyang bounds of Lloyd's assignment step (Ding et al., 2015, "Yinyang
//! K-Means: a drop-in replacement of the classic K-Means with consistent
//! speedup"): centres in groups, each row an upper bound on its distance to its
//! centre and a lower bound per group, so a row or a group that provably cannot
//! change the row's centre is skipped. The labels are those of the exact rule
//! (nearest centre, lowest index on a tie), as scikit-learn's `_kmeans_single_lloyd`
//! assigns them.

use rayon::prelude::*;

use super::layout::{Centres32, GroupTable, Groups, Lanes32, StripMins32};
use super::screen::ScreenError;
use super::{dist2, keep_two, sq_norms, Rows};
use crate::cpu;

/// Relative slack on every bound test, far above the rounding of the bounds.
pub(super) const SLACK: f64 = 1e-9;
/// Relative slack of the group lower bounds, which are stored as float32.
pub(super) const SLACK32: f64 = 1e-6;
/// Rows per parallel task of the assignment passes.
pub(super) const ROWS: usize = 256;

/// Store a lower bound as float32, rounded down.
#[inline]
pub(super) fn low32(v: f64) -> f32 {
    if v.is_infinite() {
        f32::INFINITY
    } else {
        (v * (1.0 - SLACK32)).max(0.0) as f32
    }
}

/// `a` is surely below `b`, whatever the rounding of either.
#[inline]
pub(super) fn surely_below(a: f64, b: f64) -> bool {
    a * (1.0 + SLACK) < b * (1.0 - SLACK)
}

/// The assignment state: each row's centre, an upper bound on its distance to it,
/// and for each group a lower bound on its distance to the group's other centres.
pub(super) struct Bounds {
    pub(super) labels: Vec<i32>,
    pub(super) upper: Vec<f64>,
    pub(super) lower: Vec<f32>,
}

impl Bounds {
    /// The rows in parallel chunks of [`ROWS`]: `(chunk, ((labels, upper), lower))`,
    /// `lower` holding the chunk's `ng` group bounds per row.
    #[allow(clippy::type_complexity)]
    pub(super) fn par_row_chunks(
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

/// Each group's largest shift, rounded up as float32.
pub(super) fn group_drift(groups: &Groups, shift: &[f64]) -> Vec<f32> {
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
pub(super) const SAMPLE_EVERY: usize = 16;

/// About what fraction of all (row, group) pairs [`assign`] would scan after the
/// centres moved by `shift`, from the bounds of every 16th row as they stand
/// (before [`assign`] tightens a row's upper bound, so it errs high).
pub(super) fn scan_fraction(groups: &Groups, b: &Bounds, shift: &[f64]) -> f64 {
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
pub(super) const FULL_PASS_ABOVE: f64 = 0.1;

/// Assign every row to its nearest centre (lowest index on a tie) after the
/// centres moved by `shift`, scanning only the groups of centres its bounds cannot
/// rule out. A scan is first a float32 screen with a proven error bound per
/// group of centres ([`ScreenError::err`]): when the screen's nearest centre plus
/// its bound stays below every other contender less its bound, it is the row's
/// centre and the screen, less the bounds, gives the group bounds; otherwise the
/// row's groups are scanned again exactly.
pub(super) fn assign(rows: &Rows, centers: &[f64], groups: &Groups, b: &mut Bounds, shift: &[f64]) {
    let (xs, norm, d) = (rows.xs, &rows.norm, rows.d);
    let ng = groups.len();
    let norms = sq_norms(centers, d);
    let table = GroupTable::new(centers, &norms, d, groups);
    let bound = ScreenError::new(&norms, d, groups, rows.norm_max);
    let drift = group_drift(groups, shift);
    let use_avx2 = cpu::avx2();
    let use_fma = cpu::avx2_fma();
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

/// One row against every centre, exactly: per group `(g, nearest distance, its
/// id, second-nearest distance)`, in group order.
pub(super) fn row_mins_exact(
    x: &[f64],
    centers: &[f64],
    groups: &Groups,
) -> Vec<(usize, f64, usize, f64)> {
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
pub(super) fn settle_exact(
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
pub(super) fn first_assign(rows: &Rows, centers: &[f64], groups: &Groups, b: &mut Bounds) {
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
