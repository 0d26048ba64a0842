//! Condensed nearest neighbour (Hart, 1968, "The condensed nearest neighbor rule",
//! IEEE Trans. Inf. Theory 14) with imblearn 0.14.2's 1-NN loop.
//!
//! imblearn visits the class rows in order; a row is skipped when it is in
//! `good_classif_label` or the current 1-NN store classifies it correctly, and
//! otherwise joins the store, after which the store is refitted and every row
//! re-predicted. With a 1-NN rule only the row being visited matters: it is
//! classified correctly when its nearest initial store sample has the class's label,
//! or when some earlier addition (all of the class's label) is strictly closer than
//! that sample (on a tie the earlier store sample wins, as a store refitted in
//! insertion order would have it). So the loop needs, for each visited row, whether
//! any addition made before it is closer than its initial nearest sample.
//!
//! That is answered in blocks of rows: the additions made before the block are
//! searched for every row of the block at once (the shared exact k-NN engine, on all
//! cores), and the additions made inside the block are then checked one by one while
//! the block is walked in order. The result is the one the row-by-row loop gives;
//! the work is one exact 1-NN search per row over the additions before it.
//!
//! `good_classif_label` mixes global row numbers (the store's seeds and additions)
//! with class-local positions (correctly classified rows); imblearn tests local
//! positions against it, so a stored row's global number marks the local position
//! of the same value: reproduced here as `quirk`.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::errors::{CoreError, Result};
use crate::neighbours::exact::sq_dist;
use crate::neighbours::{self, Algorithm};
use crate::progress::{Advance, Task};
use crate::{bail_internal, ensure, scale, Real};

/// Rows still to be decided per block.
const BLOCK: usize = 2048;

/// Returns the global rows added to the store, in order.
///
/// `rows`: the class rows (global); `nearest`: for each, the global row of its
/// nearest initial store sample; `correct`: whether that sample has the class's
/// label; `seeds`: the initial seeds' global rows.
pub fn condense_1nn<T: Real>(
    x: ArrayView2<T>,
    rows: &[i64],
    nearest: &[i64],
    correct: &[bool],
    seeds: &[i64],
) -> Result<Vec<i64>> {
    let n = x.nrows();
    let m = rows.len();
    ensure!(
        nearest.len() == m && correct.len() == m,
        "rows, nearest and correct must have the same length"
    );
    if let Some(&bad) = rows
        .iter()
        .chain(nearest)
        .chain(seeds)
        .find(|&&r| r < 0 || r as usize >= n)
    {
        return Err(CoreError::IndexOutOfBounds { index: bad, len: n });
    }
    neighbours::check_finite(x)?;
    // Magnitudes whose squares overflow or underflow: the same loop on the data
    // times a power of two (exact, so the same comparisons).
    if let Some(e) = scale::exponent(scale::max_abs(x)) {
        let xs = scale::scaled(x, -e);
        return condense_1nn(xs.view(), rows, nearest, correct, seeds);
    }
    let x = x.as_standard_layout();
    let Some(xs) = x.as_slice() else {
        bail_internal!("CNN data not contiguous after as_standard_layout");
    };
    let d = x.ncols();
    let row = |r: i64| &xs[r as usize * d..(r as usize + 1) * d];
    let mut quirk = vec![false; m];
    for &s in seeds {
        if (s as usize) < m {
            quirk[s as usize] = true;
        }
    }
    // Rows the initial store misclassifies: the only ones that can join it.
    let open: Vec<usize> = (0..m).filter(|&i| !correct[i] && !quirk[i]).collect();
    let mut added: Vec<i64> = Vec::new();
    // The added rows' values, one after another (the block searches' data).
    let mut added_x: Vec<T> = Vec::new();
    let task = Task::start(open.len());
    for block in open.chunks(BLOCK) {
        let _done = Advance(&task, block.len());
        // Distance to the initial nearest sample, and whether an addition made
        // before this block is strictly closer.
        let init: Vec<f64> = block
            .par_iter()
            .map(|&i| sq_dist(row(rows[i]), row(nearest[i])))
            .collect();
        let mut fixed = vec![false; block.len()];
        if !added.is_empty() {
            let data = ArrayView2::from_shape((added.len(), d), &added_x[..])
                .map_err(|e| CoreError::Internal(format!("CNN block shape: {e}")))?;
            let flat: Vec<T> = block
                .iter()
                .flat_map(|&i| row(rows[i]).iter().copied())
                .collect();
            let queries = ArrayView2::from_shape((block.len(), d), &flat[..])
                .map_err(|e| CoreError::Internal(format!("CNN block shape: {e}")))?;
            let found = neighbours::kneighbors(data, queries, 1, Algorithm::Auto)?;
            fixed.par_iter_mut().enumerate().for_each(|(j, f)| {
                let a = found.indices[[j, 0]] as usize;
                *f = sq_dist(row(rows[block[j]]), &added_x[a * d..(a + 1) * d]) < init[j];
            });
        }
        let first_in_block = added.len();
        for (j, &i) in block.iter().enumerate() {
            if quirk[i] || fixed[j] {
                continue;
            }
            let r = row(rows[i]);
            let closer = added[first_in_block..]
                .iter()
                .any(|&a| sq_dist(r, row(a)) < init[j]);
            if closer {
                continue;
            }
            added.push(rows[i]);
            added_x.extend_from_slice(r);
            if (rows[i] as usize) < m {
                quirk[rows[i] as usize] = true;
            }
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn a_misclassified_row_joins_the_store_and_fixes_its_neighbours() {
        // class rows 0..3 (global 2..5); minority store sample at global 0 and 1.
        let x = array![[0.0], [10.0], [1.0], [9.0], [9.2], [2.0]];
        let rows = [2i64, 3, 4, 5];
        // seed: global 2; nearest store sample of each class row among {0, 1, 2}
        let nearest = [2i64, 1, 1, 2];
        let correct = vec![true, false, false, true];
        let added = condense_1nn(x.view(), &rows, &nearest, &correct, &[2]).unwrap();
        // local 0 is skipped (quirk: seed global 2 marks local 2 and local 0 is
        // correct); local 1 (global 3, near the minority 10.0) is added; local 2
        // (global 4) is then closest to global 3: correct, not added.
        assert_eq!(added, vec![3]);
    }

    /// imblearn's loop as written: every visited row is classified by the whole
    /// current store (nearest by (distance, store position)).
    fn naive(x: &ndarray::Array2<f64>, minority: &[i64], rows: &[i64], seeds: &[i64]) -> Vec<i64> {
        let m = rows.len();
        let mut store: Vec<(i64, bool)> = minority.iter().map(|&r| (r, false)).collect();
        store.extend(seeds.iter().map(|&r| (r, true)));
        let mut quirk = vec![false; m];
        for &s in seeds {
            if (s as usize) < m {
                quirk[s as usize] = true;
            }
        }
        let mut added = Vec::new();
        for i in 0..m {
            if quirk[i] {
                continue;
            }
            let q = x.row(rows[i] as usize);
            let q = q.as_slice().unwrap();
            let mut best = (f64::INFINITY, false);
            for &(r, same_class) in &store {
                let dd = sq_dist(q, x.row(r as usize).as_slice().unwrap());
                if dd < best.0 {
                    best = (dd, same_class);
                }
            }
            if !best.1 {
                added.push(rows[i]);
                store.push((rows[i], true));
                if (rows[i] as usize) < m {
                    quirk[rows[i] as usize] = true;
                }
            }
        }
        added
    }

    #[test]
    fn blocked_loop_equals_the_row_by_row_loop() {
        use crate::neighbours::testutil::random_matrix;
        // d = 2 on a coarse grid (many exact ties, KD-tree path), d = 10 (brute path).
        for (d, grid) in [(2usize, true), (10, false)] {
            let n = 3 * BLOCK + 500;
            let mut x = random_matrix(n, d, 7 + d as u64);
            if grid {
                x.mapv_inplace(|v| (v * 8.0).round() / 8.0);
            }
            // every 9th row is the minority; the class rows are the rest.
            let minority: Vec<i64> = (0..n as i64).filter(|r| r % 9 == 0).collect();
            let rows: Vec<i64> = (0..n as i64).filter(|r| r % 9 != 0).collect();
            let seeds = [rows[5]];
            let mut nearest = Vec::new();
            let mut correct = Vec::new();
            let store: Vec<i64> = minority.iter().chain(&seeds).copied().collect();
            for &r in &rows {
                let q = x.row(r as usize);
                let q = q.as_slice().unwrap();
                let mut best = (f64::INFINITY, 0i64);
                for &s in &store {
                    let dd = sq_dist(q, x.row(s as usize).as_slice().unwrap());
                    if dd < best.0 {
                        best = (dd, s);
                    }
                }
                nearest.push(best.1);
                correct.push(seeds.contains(&best.1));
            }
            let got = condense_1nn(x.view(), &rows, &nearest, &correct, &seeds).unwrap();
            let want = naive(&x, &minority, &rows, &seeds);
            assert!(
                want.len() > BLOCK / 4,
                "too few additions to test blocks: {}",
                want.len()
            );
            assert_eq!(got, want, "d = {d}");
        }
    }
}
