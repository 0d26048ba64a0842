//! KMeansSMOTE's cluster sparsity (Douzas, Bacao and Last, 2018, "Improving
//! imbalanced learning through a heuristic oversampling method based on k-means
//! and SMOTE", Information Sciences 465).
//!
//! imblearn 0.14.2's `KMeansSMOTE._find_cluster_sparsity` takes the mean of
//! `euclidean_distances(X_cluster)` over the ordered pairs of distinct rows; here is
//! the sum it divides, computed pair by pair (each unordered pair once, exact
//! squared distance then `sqrt`, doubled) in parallel, with no distance matrix.
//! The Python layer divides by `n * n - n` and raises to the density exponent.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::neighbours::exact::sq_dist;
use crate::{CoreError, Real, Result};

/// Sum over ordered pairs `i != j` of `|x_i - x_j|` (twice the unordered sum).
pub fn sum_pairwise_distances<T: Real>(x: ArrayView2<'_, T>) -> Result<f64> {
    let n = x.nrows();
    let rows: Vec<&[T]> = x
        .outer_iter()
        .map(|r| r.to_slice())
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| CoreError::InvalidParameter("data must be C-contiguous".into()))?;
    for (i, r) in rows.iter().enumerate() {
        if let Some(c) = r.iter().position(|v| !v.to_f64().is_finite()) {
            return Err(CoreError::NonFinite { row: i, col: c });
        }
    }
    // Row i against rows after it; rows are handed out in pairs (i, n-1-i) so
    // every task does about the same work.
    let half = n.div_ceil(2);
    let total: f64 = (0..half)
        .into_par_iter()
        .map(|t| {
            let row_sum =
                |i: usize| -> f64 { ((i + 1)..n).map(|j| sq_dist(rows[i], rows[j]).sqrt()).sum() };
            let partner = n - 1 - t;
            row_sum(t) + if partner != t { row_sum(partner) } else { 0.0 }
        })
        .sum();
    Ok(2.0 * total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn matches_the_naive_sum() {
        for n in 0..9usize {
            let x = ndarray::Array2::from_shape_fn((n, 3), |(i, j)| {
                ((i * 7 + j * 3) % 5) as f64 + 0.1 * i as f64
            });
            let mut naive = 0.0;
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        naive +=
                            sq_dist(x.row(i).to_slice().unwrap(), x.row(j).to_slice().unwrap())
                                .sqrt();
                    }
                }
            }
            let got = sum_pairwise_distances(x.view()).unwrap();
            assert!(
                (got - naive).abs() <= 1e-9 * naive.max(1.0),
                "n={n}: {got} vs {naive}"
            );
        }
        assert!(sum_pairwise_distances(array![[0.0f64, f64::NAN]].view()).is_err());
    }
}
