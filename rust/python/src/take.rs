//! Binding of `counterpoise_core::take` (row gather of the random samplers).

use counterpoise_core::take;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::{guard, release, Count};

/// `x[indices]` for a 2-D array viewed as raw bytes (`n × row_bytes`).
#[pyfunction]
#[pyo3(signature = (x, indices, n_threads = Count(0)), text_signature = "(x, indices, n_threads=0)")]
pub fn take_rows<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'py, u8>,
    indices: PyReadonlyArray1<'py, i64>,
    n_threads: Count,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let n_threads = n_threads.0;
    guard("take_rows", || {
        let (x, idx) = (x.as_array(), indices.as_slice()?);
        let out = release(py, n_threads, || take::take_rows(x, idx))?;
        Ok(out.into_pyarray(py))
    })
}

/// `np.vstack(parts)` for 2-D arrays viewed as raw bytes, all of one row width.
#[pyfunction]
#[pyo3(signature = (parts, n_threads = Count(0)), text_signature = "(parts, n_threads=0)")]
pub fn concat_rows<'py>(
    py: Python<'py>,
    parts: Vec<PyReadonlyArray2<'py, u8>>,
    n_threads: Count,
) -> PyResult<Bound<'py, PyArray2<u8>>> {
    let n_threads = n_threads.0;
    guard("concat_rows", || {
        let views: Vec<_> = parts.iter().map(|p| p.as_array()).collect();
        let out = release(py, n_threads, || take::concat_rows(&views))?;
        Ok(out.into_pyarray(py))
    })
}
