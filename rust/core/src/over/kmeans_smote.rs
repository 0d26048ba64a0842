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
use crate::progress::{Advance, Task};
use crate::{scale, CoreError, Real, Result};

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
    // Magnitudes whose squares overflow or underflow: the sum on the data times a
    // power of two (exact), scaled back (infinite only when the sum itself
    // exceeds the float64 range).
    if let Some(e) = scale::exponent(scale::max_abs(x)) {
        let xs = scale::scaled(x, -e);
        return Ok(scale::mul_pow2(sum_pairwise_distances(xs.view())?, e));
    }
    // Row i against rows after it; rows are handed out in pairs (i, n-1-i) so
    // every task does about the same work.
    let half = n.div_ceil(2);
    let task = Task::start(half);
    let total: f64 = (0..half)
        .into_par_iter()
        .map(|t| {
            let _done = Advance(&task, 1);
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

    /// The naive sum over ordered pairs, each distance from its own loop.
    fn naive<T: Real>(x: &ndarray::Array2<T>) -> f64 {
        let n = x.nrows();
        let mut total = 0.0f64;
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let d2: f64 = x
                        .row(i)
                        .iter()
                        .zip(x.row(j).iter())
                        .map(|(a, b)| (a.to_f64() - b.to_f64()).powi(2))
                        .sum();
                    total += d2.sqrt();
                }
            }
        }
        total
    }

    #[test]
    fn matches_the_naive_sum_on_random_data() {
        let mut rng = Rng(42);
        for case in 0..40 {
            let n = rng.below(if case % 8 == 0 { 600 } else { 70 });
            let d = 1 + rng.below(40);
            // heavy-tailed, mixed-scale columns and duplicated rows
            let scale: Vec<f64> = (0..d).map(|_| 10f64.powf(rng.unit() * 6.0 - 3.0)).collect();
            let mut x = ndarray::Array2::from_shape_fn((n, d), |(_, j)| {
                let g = rng.unit() * 2.0 - 1.0;
                if case % 3 == 0 {
                    (3.0 * g).exp() * scale[j]
                } else {
                    g * scale[j]
                }
            });
            for i in 1..n {
                if rng.below(5) == 0 {
                    let src = x.row(rng.below(i)).to_owned();
                    x.row_mut(i).assign(&src);
                }
            }
            let want = naive(&x);
            let got = sum_pairwise_distances(x.view()).unwrap();
            assert!(
                (got - want).abs() <= 1e-12 * want.max(f64::MIN_POSITIVE),
                "case {case} (n={n}, d={d}): {got} vs {want}"
            );
            let x32 = x.mapv(|v| v as f32);
            let want32 = naive(&x32);
            let got32 = sum_pairwise_distances(x32.view()).unwrap();
            assert!(
                (got32 - want32).abs() <= 1e-12 * want32.max(f64::MIN_POSITIVE),
                "f32 case {case}: {got32} vs {want32}"
            );
        }
    }
}
