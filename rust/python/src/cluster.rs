//! Binding of `counterpoise_core::cluster` (k-means++ seeding and Lloyd iterations).

use counterpoise_core::cluster::kmeans;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::{guard, release, Count};

/// k-means++ seeding: the row of each centre (`draws`: scikit-learn's uniforms).
#[pyfunction]
#[pyo3(signature = (x, k, first, draws, trials, n_threads = Count(0)), text_signature = "(x, k, first, draws, trials, n_threads=0)")]
pub fn kmeans_plusplus<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    k: Count,
    first: Count,
    draws: PyReadonlyArray1<'py, f64>,
    trials: Count,
    n_threads: Count,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let (k, first, trials, n_threads) = (k.0, first.0, trials.0, n_threads.0);
    guard("kmeans_plusplus", || {
        let view = x.as_array();
        let draws = draws.as_slice()?;
        let rows = release(py, n_threads, || {
            kmeans::plusplus(view, k, first, draws, trials)
        })?;
        let rows: Vec<i64> = rows.into_iter().map(|r| r as i64).collect();
        Ok(rows.into_pyarray(py))
    })
}

/// Lloyd's algorithm from `init`: `(centers, labels, inertia, n_iter)`.
#[pyfunction]
#[pyo3(signature = (x, init, max_iter, tol, n_threads = Count(0)), text_signature = "(x, init, max_iter, tol, n_threads=0)")]
#[allow(clippy::type_complexity)]
pub fn kmeans_lloyd<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, f64>,
    init: PyReadonlyArray2<'py, f64>,
    max_iter: Count,
    tol: f64,
    n_threads: Count,
) -> PyResult<(
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i32>>,
    f64,
    usize,
)> {
    let (max_iter, n_threads) = (max_iter.0, n_threads.0);
    guard("kmeans_lloyd", || {
        let (view, init) = (x.as_array(), init.as_array());
        let c = release(py, n_threads, || kmeans::lloyd(view, init, max_iter, tol))?;
        Ok((
            c.centers.into_pyarray(py),
            c.labels.into_pyarray(py),
            c.inertia,
            c.n_iter,
        ))
    })
}
