//! SMOTEN (Chawla et al., 2002, "SMOTE: Synthetic Minority Over-sampling
//! Technique", JAIR 16, section 6.2) over the Value Difference Metric (Stanfill and
//! Waltz, 1986; Cost and Salzberg, 1993): exact k-nearest neighbours of
//! categorical rows, and the new rows' per-feature mode among the neighbours.
//! Only `imblearn.over_sampling.SMOTEN` 0.14.2 uses it (SMOTENC searches its
//! one-hot encoding with the Euclidean engine instead); it reproduces imblearn's
//! `NearestNeighbors(n_neighbors=k_neighbors + 1, metric="precomputed")` on the
//! `ValueDifferenceMetric` pairwise matrix, and `scipy.stats.mode` of the
//! neighbours' codes.
//!
//! Rows are ordinal codes; feature `f` contributes `tables[f][a][b]` (the
//! per-feature term `minkowski_k(P(.|a), P(.|b))^r`, computed once per category
//! pair by the caller). A row pair's distance is the sum of those terms in feature
//! order starting from `0.0`, the same float additions as imblearn's pairwise
//! matrix, so distances are bit-identical to it; no `n x n` matrix is ever built.
//! Ties are broken by (distance, index).

use ndarray::{Array2, ArrayView1, ArrayView2};
use rayon::prelude::*;

use crate::progress::{Advance, Task};
use crate::{bail, bail_internal, ensure, Result};

/// One feature's table: `n_cat x n_cat` distances, row-major.
pub struct Table<'a> {
    pub n_cat: usize,
    pub values: &'a [f64],
}

/// The `k` nearest rows of `codes` (itself included, as imblearn's SMOTEN asks for
/// `k_neighbors + 1` with the row itself) for every row, sorted by (distance, index).
pub fn kneighbors(
    codes: ArrayView2<'_, i32>,
    tables: &[Table<'_>],
    k: usize,
) -> Result<Array2<i64>> {
    let (n, n_features) = codes.dim();
    ensure!(
        tables.len() == n_features,
        "got {} distance tables for {} features",
        tables.len(),
        n_features
    );
    ensure!(
        k >= 1 && k <= n,
        "k={k} neighbours requested among {n} rows"
    );
    for (f, t) in tables.iter().enumerate() {
        ensure!(
            t.n_cat.checked_mul(t.n_cat) == Some(t.values.len()),
            "table {f} has {} values for {} categories",
            t.values.len(),
            t.n_cat
        );
    }
    // Codes validated once; all tables in one array, each query's category row
    // located by an offset per feature, so the hot loop is one load and one add
    // per feature.
    let mut flat = vec![0u32; n * n_features];
    for (i, row) in codes.outer_iter().enumerate() {
        for (f, &c) in row.iter().enumerate() {
            if c < 0 || c as usize >= tables[f].n_cat {
                bail!(
                    "category code {c} of row {i}, feature {f} is outside 0..{}",
                    tables[f].n_cat
                );
            }
            flat[i * n_features + f] = c as u32;
        }
    }
    let mut starts = Vec::with_capacity(n_features);
    let mut all = Vec::with_capacity(tables.iter().map(|t| t.values.len()).sum());
    for t in tables {
        starts.push(all.len());
        all.extend_from_slice(t.values);
    }
    let (flat, all, starts) = (&flat, &all, &starts);
    let mut out = Array2::<i64>::zeros((n, k));
    let Some(slots) = out.as_slice_mut() else {
        bail_internal!("a fresh VDM neighbour table is not contiguous");
    };
    let task = Task::start(n);
    slots.par_chunks_mut(k).enumerate().for_each(|(i, slot)| {
        let _done = Advance(&task, 1);
        let query: Vec<usize> = flat[i * n_features..(i + 1) * n_features]
            .iter()
            .zip(tables)
            .zip(starts)
            .map(|((&a, t), &s)| s + a as usize * t.n_cat)
            .collect();
        let mut best: Vec<(f64, usize)> = Vec::with_capacity(k + 1);
        for j in 0..n {
            let cand = &flat[j * n_features..(j + 1) * n_features];
            let mut acc = 0.0f64;
            for (&q, &c) in query.iter().zip(cand) {
                acc += all[q + c as usize];
            }
            if best.len() == k && acc >= best[k - 1].0 {
                continue; // equal distance: the earlier index already holds it
            }
            let pos = best.partition_point(|&(d, _)| d <= acc);
            best.insert(pos, (acc, j));
            best.truncate(k);
        }
        for (s, &(_, j)) in slot.iter_mut().zip(best.iter()) {
            *s = j as i64;
        }
    });
    Ok(out)
}

/// Row-wise most frequent code (smallest code among ties, as scipy's `mode`) of the
/// neighbour rows `neighbours[r]` of each drawn row `r`, per feature.
pub fn mode_of_neighbours(
    codes: ArrayView2<'_, i32>,
    neighbours: ArrayView2<'_, i64>,
    drawn: ArrayView1<'_, i64>,
    n_categories: &[usize],
) -> Result<Array2<i32>> {
    let (n, n_features) = codes.dim();
    ensure!(
        n_categories.len() == n_features,
        "got {} category counts for {} features",
        n_categories.len(),
        n_features
    );
    ensure!(
        neighbours.nrows() == n,
        "neighbour table has {} rows for {n} rows",
        neighbours.nrows()
    );
    for &r in drawn.iter() {
        if r < 0 || r as usize >= n {
            return Err(crate::CoreError::IndexOutOfBounds { index: r, len: n });
        }
    }
    for &j in neighbours.iter() {
        if j < 0 || j as usize >= n {
            return Err(crate::CoreError::IndexOutOfBounds { index: j, len: n });
        }
    }
    let mut flat = vec![0u32; n * n_features];
    for (i, row) in codes.outer_iter().enumerate() {
        for (f, &c) in row.iter().enumerate() {
            if c < 0 || c as usize >= n_categories[f] {
                bail!(
                    "category code {c} of row {i}, feature {f} is outside 0..{}",
                    n_categories[f]
                );
            }
            flat[i * n_features + f] = c as u32;
        }
    }
    // Only the categories up to the largest code present can be counted (a
    // larger one has no votes, and the smallest code wins ties): the counts need
    // no more room than that, however many categories the caller names.
    let mut used = vec![0usize; n_features];
    for row in flat.chunks_exact(n_features.max(1)) {
        for (u, &c) in used.iter_mut().zip(row) {
            *u = (*u).max(c as usize + 1);
        }
    }
    let n_categories: Vec<usize> = n_categories
        .iter()
        .zip(&used)
        .map(|(&c, &u)| c.min(u))
        .collect();
    let n_categories = &n_categories;
    let flat = &flat;
    let m = drawn.len();
    let mut out = Array2::<i32>::zeros((m, n_features));
    let max_cat = n_categories.iter().copied().max().unwrap_or(0);
    let Some(slots) = out.as_slice_mut() else {
        bail_internal!("a fresh VDM mode table is not contiguous");
    };
    slots
        .par_chunks_mut(n_features.max(1))
        .enumerate()
        .for_each_init(
            || vec![0u32; max_cat],
            |counts, (i, slot)| {
                if n_features == 0 {
                    return;
                }
                let nb = neighbours.row(drawn[i] as usize);
                for (f, s) in slot.iter_mut().enumerate() {
                    let cats = &mut counts[..n_categories[f]];
                    cats.fill(0);
                    for &j in nb.iter() {
                        cats[flat[j as usize * n_features + f] as usize] += 1;
                    }
                    let mut best = 0usize;
                    for (c, &cnt) in cats.iter().enumerate() {
                        if cnt > cats[best] {
                            best = c;
                        }
                    }
                    *s = best as i32;
                }
            },
        );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn nearest_first_ties_by_index() {
        // one feature, three categories: 0 and 1 close, 2 far.
        let t = [0.0, 1.0, 5.0, 1.0, 0.0, 4.0, 5.0, 4.0, 0.0];
        let tables = [Table {
            n_cat: 3,
            values: &t,
        }];
        let codes = array![[0], [2], [1], [0], [1]];
        let nn = kneighbors(codes.view(), &tables, 3).unwrap();
        assert_eq!(nn.row(0).to_vec(), vec![0, 3, 2]);
        assert_eq!(nn.row(1).to_vec(), vec![1, 2, 4]);
        assert_eq!(nn.row(2).to_vec(), vec![2, 4, 0]);
    }

    #[test]
    fn bad_codes_are_errors_not_panics() {
        let t = [0.0, 1.0, 1.0, 0.0];
        let tables = [Table {
            n_cat: 2,
            values: &t,
        }];
        assert!(kneighbors(array![[0], [2]].view(), &tables, 1).is_err());
        assert!(kneighbors(array![[0], [-1]].view(), &tables, 1).is_err());
        assert!(kneighbors(array![[0], [1]].view(), &tables, 3).is_err());
        let nn = array![[0i64, 1], [1, 0]];
        assert!(mode_of_neighbours(
            array![[0], [1]].view(),
            nn.view(),
            array![2i64].view(),
            &[2]
        )
        .is_err());
    }

    #[test]
    fn mode_takes_smallest_code_among_ties() {
        let codes = array![[1, 0], [0, 2], [1, 2], [0, 0]];
        let nn = array![[0i64, 1, 2, 3], [1, 0, 3, 2], [2, 0, 1, 3], [3, 0, 1, 2]];
        let m =
            mode_of_neighbours(codes.view(), nn.view(), array![0i64, 2].view(), &[2, 3]).unwrap();
        // feature 0: codes 1,0,1,0 -> tie -> 0; feature 1: 0,2,2,0 -> tie -> 0.
        assert_eq!(m.row(0).to_vec(), vec![0, 0]);
        assert_eq!(m.row(1).to_vec(), vec![0, 0]);
    }

    /// SplitMix64: a small deterministic generator for the random cases.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A random symmetric VDM-like table with a zero diagonal: continuous terms,
    /// or multiples of 1/4 so that many row distances tie exactly.
    fn random_table(rng: &mut Rng, n_cat: usize, coarse: bool) -> Vec<f64> {
        let mut t = vec![0.0; n_cat * n_cat];
        for a in 0..n_cat {
            for b in (a + 1)..n_cat {
                let v = if coarse {
                    rng.below(5) as f64 / 4.0
                } else {
                    rng.unit() * 3.0
                };
                t[a * n_cat + b] = v;
                t[b * n_cat + a] = v;
            }
        }
        t
    }

    #[test]
    fn kneighbors_matches_a_naive_search_on_random_data() {
        let mut rng = Rng(20_240_601);
        for case in 0..60 {
            let n = 1 + rng.below(if case % 10 == 0 { 400 } else { 60 });
            let n_features = 1 + rng.below(6);
            let coarse = case % 2 == 0;
            let n_cats: Vec<usize> = (0..n_features).map(|_| 1 + rng.below(6)).collect();
            let values: Vec<Vec<f64>> = n_cats
                .iter()
                .map(|&c| random_table(&mut rng, c, coarse))
                .collect();
            let tables: Vec<Table<'_>> = n_cats
                .iter()
                .zip(&values)
                .map(|(&n_cat, v)| Table { n_cat, values: v })
                .collect();
            let codes =
                Array2::from_shape_fn((n, n_features), |(_, f)| rng.below(n_cats[f]) as i32);
            let k = 1 + rng.below(n);
            let got = kneighbors(codes.view(), &tables, k).unwrap();
            for i in 0..n {
                // naive: every distance summed in feature order from 0.0, then
                // sorted by (distance, index)
                let mut all: Vec<(f64, usize)> = (0..n)
                    .map(|j| {
                        let mut d = 0.0f64;
                        for f in 0..n_features {
                            let (a, b) = (codes[[i, f]] as usize, codes[[j, f]] as usize);
                            d += values[f][a * n_cats[f] + b];
                        }
                        (d, j)
                    })
                    .collect();
                all.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                let want: Vec<i64> = all[..k].iter().map(|&(_, j)| j as i64).collect();
                assert_eq!(got.row(i).to_vec(), want, "case {case}, row {i}");
            }
        }
    }

    #[test]
    fn mode_matches_a_naive_count_on_random_data() {
        let mut rng = Rng(7);
        for case in 0..60 {
            let n = 1 + rng.below(80);
            let n_features = 1 + rng.below(5);
            let n_cats: Vec<usize> = (0..n_features).map(|_| 1 + rng.below(5)).collect();
            let codes =
                Array2::from_shape_fn((n, n_features), |(_, f)| rng.below(n_cats[f]) as i32);
            let k = 1 + rng.below(n.min(8));
            let nn = Array2::from_shape_fn((n, k), |_| rng.below(n) as i64);
            let m = rng.below(50);
            let drawn = ndarray::Array1::from_shape_fn(m, |_| rng.below(n) as i64);
            let got = mode_of_neighbours(codes.view(), nn.view(), drawn.view(), &n_cats).unwrap();
            for (r, &row) in drawn.iter().enumerate() {
                for f in 0..n_features {
                    let mut counts = vec![0usize; n_cats[f]];
                    for &j in nn.row(row as usize).iter() {
                        counts[codes[[j as usize, f]] as usize] += 1;
                    }
                    let top = *counts.iter().max().unwrap();
                    let want = counts.iter().position(|&c| c == top).unwrap() as i32;
                    assert_eq!(got[[r, f]], want, "case {case}, drawn {r}, feature {f}");
                }
            }
        }
    }
}
