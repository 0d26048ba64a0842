//! Binding of `counterpoise_core::neighbours`.

use counterpoise_core::neighbours::{self, Algorithm, Neighbours, KD_TREE_MAX_DIM};
use counterpoise_core::{CoreError, Real, Result as CoreResult};
use ndarray::ArrayView2;
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
        search_pair(py, &data, &queries, n_threads, &Plain { k, algorithm })
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
        let search = Within { k, radius: &radius };
        search_pair(py, &data, &queries, n_threads, &search)
    })
}

/// One k-NN search, run on whichever float type the arrays hold.
trait PairSearch: Sync {
    fn run<T: Real>(&self, data: ArrayView2<T>, queries: ArrayView2<T>) -> CoreResult<Neighbours>;
}

struct Plain {
    k: usize,
    algorithm: Algorithm,
}

impl PairSearch for Plain {
    fn run<T: Real>(&self, data: ArrayView2<T>, queries: ArrayView2<T>) -> CoreResult<Neighbours> {
        neighbours::kneighbors(data, queries, self.k, self.algorithm)
    }
}

struct Within<'a> {
    k: usize,
    radius: &'a [f64],
}

impl PairSearch for Within<'_> {
    fn run<T: Real>(&self, data: ArrayView2<T>, queries: ArrayView2<T>) -> CoreResult<Neighbours> {
        neighbours::kneighbors_within(data, queries, self.k, self.radius)
    }
}

/// `search` over `data` and `queries` (both float64 or both float32, borrowed
/// without copying) with the GIL released, as `(distances, indices)`.
fn search_pair<'py>(
    py: Python<'py>,
    data: &Matrix<'py>,
    queries: &Matrix<'py>,
    n_threads: usize,
    search: &impl PairSearch,
) -> crate::errors::Result<KnnResult<'py>> {
    let found = match (data, queries) {
        (Matrix::F64(d), Matrix::F64(q)) => {
            let (d, q) = (d.as_array(), q.as_array());
            release(py, n_threads, || search.run(d, q))
        }
        (Matrix::F32(d), Matrix::F32(q)) => {
            let (d, q) = (d.as_array(), q.as_array());
            release(py, n_threads, || search.run(d, q))
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
}

/// The largest dimension for which `algorithm="auto"` uses the KD-tree.
#[pyfunction]
pub fn kd_tree_max_dim() -> usize {
    KD_TREE_MAX_DIM
}
