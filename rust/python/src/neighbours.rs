//! Binding of `counterpoise_core::neighbours`.

use counterpoise_core::neighbours::{self, Algorithm, KD_TREE_MAX_DIM};
use counterpoise_core::CoreError;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::{guard, release, Count};

/// A 2-D float array in either precision, borrowed without copying.
#[derive(FromPyObject)]
pub enum Matrix<'py> {
    F64(PyReadonlyArray2<'py, f64>),
    F32(PyReadonlyArray2<'py, f32>),
}

type KnnResult<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray2<i64>>);

/// Exact k-NN: `(distances, indices)` of the `k` nearest `data` rows of each query.
#[pyfunction]
#[pyo3(signature = (data, queries, k, algorithm = "auto", n_threads = Count(0)), text_signature = "(data, queries, k, algorithm='auto', n_threads=0)")]
pub fn kneighbors<'py>(
    py: Python<'py>,
    data: Matrix<'py>,
    queries: Matrix<'py>,
    k: Count,
    algorithm: &str,
    n_threads: Count,
) -> PyResult<KnnResult<'py>> {
    let (k, n_threads) = (k.0, n_threads.0);
    guard("kneighbors", || {
        let algorithm = Algorithm::parse(algorithm)?;
        let found = match (&data, &queries) {
            (Matrix::F64(d), Matrix::F64(q)) => {
                let (d, q) = (d.as_array(), q.as_array());
                release(py, n_threads, || neighbours::kneighbors(d, q, k, algorithm))
            }
            (Matrix::F32(d), Matrix::F32(q)) => {
                let (d, q) = (d.as_array(), q.as_array());
                release(py, n_threads, || neighbours::kneighbors(d, q, k, algorithm))
            }
            _ => Err(CoreError::InvalidParameter(
                "data and queries must have the same dtype (both float32 or both float64)".into(),
            )
            .into()),
        }?;
        Ok((
            found.distances.into_pyarray(py),
            found.indices.into_pyarray(py),
        ))
    })
}

/// Exact k-NN within a radius a query: `(distances, indices)` of the at most `k`
/// nearest `data` rows of each query at distance `<= radius[p]`, the rest of a
/// row index -1 at distance infinity.
#[pyfunction]
#[pyo3(signature = (data, queries, k, radius, n_threads = Count(0)), text_signature = "(data, queries, k, radius, n_threads=0)")]
pub fn kneighbors_within<'py>(
    py: Python<'py>,
    data: Matrix<'py>,
    queries: Matrix<'py>,
    k: Count,
    radius: PyReadonlyArray1<'py, f64>,
    n_threads: Count,
) -> PyResult<KnnResult<'py>> {
    let (k, n_threads) = (k.0, n_threads.0);
    let radius = radius.as_array().to_vec();
    guard("kneighbors_within", || {
        let found = match (&data, &queries) {
            (Matrix::F64(d), Matrix::F64(q)) => {
                let (d, q) = (d.as_array(), q.as_array());
                release(py, n_threads, || {
                    neighbours::kneighbors_within(d, q, k, &radius)
                })
            }
            (Matrix::F32(d), Matrix::F32(q)) => {
                let (d, q) = (d.as_array(), q.as_array());
                release(py, n_threads, || {
                    neighbours::kneighbors_within(d, q, k, &radius)
                })
            }
            _ => Err(CoreError::InvalidParameter(
                "data and queries must have the same dtype (both float32 or both float64)".into(),
            )
            .into()),
        }?;
        Ok((
            found.distances.into_pyarray(py),
            found.indices.into_pyarray(py),
        ))
    })
}

/// The largest dimension for which `algorithm="auto"` uses the KD-tree.
#[pyfunction]
pub fn kd_tree_max_dim() -> usize {
    KD_TREE_MAX_DIM
}
