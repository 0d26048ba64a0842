//! Binding of `counterpoise_core::over` (SMOTE generation, SMOTEN's VDM search).

use counterpoise_core::neighbours::Algorithm;
use counterpoise_core::over::smote::{self, ClassPlan, SmoteOutput};
use counterpoise_core::over::{kmeans_smote, smoten};
use counterpoise_core::{CoreError, Real};
use numpy::{Element, IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::errors::Result;
use crate::neighbours::Matrix;
use crate::{guard, release, Count};

/// SMOTE for every class at once: returns `(X_resampled, parents)` where
/// `X_resampled` is `X` followed by the synthetic rows of each class in the order
/// given, and `parents[i]` holds the two data rows synthetic row `i` lies between.
#[pyfunction]
#[pyo3(signature = (x, class_indices, samples, steps, k, neighbours = None, algorithm = "auto", n_threads = Count(0)), text_signature = "(x, class_indices, samples, steps, k, neighbours=None, algorithm='auto', n_threads=0)")]
#[allow(clippy::too_many_arguments)]
pub fn smote_resample<'py>(
    py: Python<'py>,
    x: Matrix<'py>,
    class_indices: Vec<PyReadonlyArray1<'py, i64>>,
    samples: Vec<PyReadonlyArray1<'py, i64>>,
    steps: Vec<PyReadonlyArray1<'py, f64>>,
    k: Count,
    neighbours: Option<Vec<PyReadonlyArray2<'py, i64>>>,
    algorithm: &str,
    n_threads: Count,
) -> PyResult<(PyObject, Bound<'py, PyArray2<i64>>)> {
    let (k, n_threads) = (k.0, n_threads.0);
    guard("smote_resample", || {
        let n_plans = class_indices.len();
        if samples.len() != n_plans
            || steps.len() != n_plans
            || neighbours.as_ref().is_some_and(|n| n.len() != n_plans)
        {
            return Err(CoreError::ShapeMismatch(format!(
                "got {} class index arrays, {} sample arrays, {} step arrays and {} neighbour \
             tables; pass one of each per class",
                n_plans,
                samples.len(),
                steps.len(),
                neighbours.as_ref().map_or(n_plans, |n| n.len())
            ))
            .into());
        }
        let algorithm = Algorithm::parse(algorithm)?;
        let mut plans = Vec::with_capacity(class_indices.len());
        for (c, ((idx, smp), st)) in class_indices.iter().zip(&samples).zip(&steps).enumerate() {
            plans.push(ClassPlan {
                indices: idx.as_slice()?,
                samples: smp.as_slice()?,
                steps: st.as_slice()?,
                neighbours: neighbours
                    .as_ref()
                    .and_then(|n| n.get(c))
                    .map(|a| a.as_array()),
            });
        }
        match x {
            Matrix::F64(x) => run(py, x, &plans, k, algorithm, n_threads),
            Matrix::F32(x) => run(py, x, &plans, k, algorithm, n_threads),
        }
    })
}

fn run<'py, T: Real + Element + counterpoise_core::alloc::ZeroBits>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, T>,
    plans: &[ClassPlan],
    k: usize,
    algorithm: Algorithm,
    n_threads: usize,
) -> Result<(PyObject, Bound<'py, PyArray2<i64>>)> {
    let view = x.as_array();
    let SmoteOutput { x, parents } =
        release(py, n_threads, || smote::resample(view, plans, k, algorithm))?;
    let x = x.into_pyarray(py).into_py_any(py)?;
    Ok((x, parents.into_pyarray(py)))
}

/// SMOTEN's k-NN under the Value Difference Metric: `k` nearest rows of `codes`
/// (self included), from per-feature `n_cat x n_cat` distance tables.
#[pyfunction]
#[pyo3(signature = (codes, tables, k, n_threads = Count(0)), text_signature = "(codes, tables, k, n_threads=0)")]
pub fn vdm_kneighbors<'py>(
    py: Python<'py>,
    codes: PyReadonlyArray2<'py, i32>,
    tables: Vec<PyReadonlyArray2<'py, f64>>,
    k: Count,
    n_threads: Count,
) -> PyResult<Bound<'py, PyArray2<i64>>> {
    let (k, n_threads) = (k.0, n_threads.0);
    guard("vdm_kneighbors", || {
        let codes = codes.as_array();
        let mut owned = Vec::with_capacity(tables.len());
        for t in &tables {
            let (r, c) = t.as_array().dim();
            if r != c {
                return Err(CoreError::ShapeMismatch(format!(
                    "distance table of shape ({r}, {c}) is not square"
                ))
                .into());
            }
            owned.push((r, t.as_slice()?));
        }
        let views: Vec<smoten::Table<'_>> = owned
            .iter()
            .map(|&(n_cat, values)| smoten::Table { n_cat, values })
            .collect();
        let out = release(py, n_threads, || smoten::kneighbors(codes, &views, k))?;
        Ok(out.into_pyarray(py))
    })
}

/// SMOTEN's new rows: per feature, the most frequent code (smallest among ties)
/// among the neighbours of each drawn row.
#[pyfunction]
#[pyo3(signature = (codes, neighbours, drawn, n_categories, n_threads = Count(0)), text_signature = "(codes, neighbours, drawn, n_categories, n_threads=0)")]
pub fn vdm_mode<'py>(
    py: Python<'py>,
    codes: PyReadonlyArray2<'py, i32>,
    neighbours: PyReadonlyArray2<'py, i64>,
    drawn: PyReadonlyArray1<'py, i64>,
    n_categories: Vec<Count>,
    n_threads: Count,
) -> PyResult<Bound<'py, PyArray2<i32>>> {
    let n_threads = n_threads.0;
    let n_categories: Vec<usize> = n_categories.iter().map(|c| c.0).collect();
    guard("vdm_mode", || {
        let (codes, neighbours, drawn) =
            (codes.as_array(), neighbours.as_array(), drawn.as_array());
        let out = release(py, n_threads, || {
            smoten::mode_of_neighbours(codes, neighbours, drawn, &n_categories)
        })?;
        Ok(out.into_pyarray(py))
    })
}

/// KMeansSMOTE's cluster density: sum of `|x_i - x_j|` over ordered pairs `i != j`.
#[pyfunction]
#[pyo3(signature = (x, n_threads = Count(0)), text_signature = "(x, n_threads=0)")]
pub fn sum_pairwise_distances(py: Python<'_>, x: Matrix<'_>, n_threads: Count) -> PyResult<f64> {
    let n_threads = n_threads.0;
    guard("sum_pairwise_distances", || {
        let total = match &x {
            Matrix::F64(a) => {
                let v = a.as_array();
                release(py, n_threads, || kmeans_smote::sum_pairwise_distances(v))
            }
            Matrix::F32(a) => {
                let v = a.as_array();
                release(py, n_threads, || kmeans_smote::sum_pairwise_distances(v))
            }
        }?;
        Ok(total)
    })
}
