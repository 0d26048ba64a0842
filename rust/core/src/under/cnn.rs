//! Condensed nearest neighbour (Hart, 1968, "The condensed nearest neighbor rule",
//! IEEE Trans. Inf. Theory 14) with imblearn 0.14.2's 1-NN loop, incrementally.
//!
//! imblearn visits the class rows in order; a row is skipped when it is in
//! `good_classif_label` or the current 1-NN store classifies it correctly, and
//! otherwise joins the store, after which the store is refitted and every row
//! re-predicted. With a 1-NN rule the re-prediction only changes for rows whose
//! nearest stored sample becomes the new one, so each addition is one parallel pass
//! of exact distances. `good_classif_label` mixes global row numbers (the store's
//! seeds and additions) with class-local positions (correctly classified rows);
//! imblearn tests local positions against it, so a stored row's global number
//! marks the local position of the same value: reproduced here as `quirk`.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::errors::{CoreError, Result};
use crate::neighbours::exact::sq_dist;
use crate::{ensure, Real};

const CHUNK: usize = 4096;

/// Returns the global rows added to the store, in order.
///
/// `rows`: the class rows (global); `nearest`: for each, the global row of its
/// nearest initial store sample; `correct`: whether that sample has the class's
/// label; `seeds`: the initial seeds' global rows.
pub fn condense_1nn<T: Real>(
    x: ArrayView2<T>,
    rows: &[i64],
    nearest: &[i64],
    mut correct: Vec<bool>,
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
    let x = x.as_standard_layout();
    let Some(xs) = x.as_slice() else {
        return Err(CoreError::InvalidParameter(
            "internal: data not contiguous".into(),
        ));
    };
    let d = x.ncols();
    let row = |r: i64| &xs[r as usize * d..(r as usize + 1) * d];
    let mut best: Vec<f64> = rows
        .par_iter()
        .zip(nearest.par_iter())
        .map(|(&r, &s)| sq_dist(row(r), row(s)))
        .collect();
    let mut quirk = vec![false; m];
    for &s in seeds {
        if (s as usize) < m {
            quirk[s as usize] = true;
        }
    }
    let mut added = Vec::new();
    for i in 0..m {
        if quirk[i] || correct[i] {
            continue;
        }
        let new = row(rows[i]);
        best.par_chunks_mut(CHUNK)
            .zip(correct.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, (b, ok))| {
                for (j, (bj, okj)) in b.iter_mut().zip(ok.iter_mut()).enumerate() {
                    let dist = sq_dist(row(rows[c * CHUNK + j]), new);
                    // Strictly closer: on a tie the earlier store sample wins, as a
                    // store refitted in insertion order would have it.
                    if dist < *bj {
                        *bj = dist;
                        *okj = true;
                    }
                }
            });
        added.push(rows[i]);
        if (rows[i] as usize) < m {
            quirk[rows[i] as usize] = true;
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
        let added = condense_1nn(x.view(), &rows, &nearest, correct, &[2]).unwrap();
        // local 0 is skipped (quirk: seed global 2 marks local 2 and local 0 is
        // correct); local 1 (global 3, near the minority 10.0) is added; local 2
        // (global 4) is then closest to global 3: correct, not added.
        assert_eq!(added, vec![3]);
    }
}
