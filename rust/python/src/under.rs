//! Binding of `counterpoise_core::under` (CondensedNearestNeighbour's selection loop).

use counterpoise_core::under::condensed_nearest_neighbour;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::neighbours::Matrix;
use crate::{guard, release, Count};

/// imblearn's CNN 1-NN loop: the global rows added to the store, in order.
#[pyfunction]
#[pyo3(signature = (x, rows, nearest, correct, seeds, n_threads = Count(0)), text_signature = "(x, rows, nearest, correct, seeds, n_threads=0)")]
pub fn cnn_condense_1nn<'py>(
    py: Python<'py>,
    x: Matrix<'py>,
    rows: PyReadonlyArray1<'py, i64>,
    nearest: PyReadonlyArray1<'py, i64>,
    correct: PyReadonlyArray1<'py, bool>,
    seeds: PyReadonlyArray1<'py, i64>,
    n_threads: Count,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let n_threads = n_threads.0;
    guard("cnn_condense_1nn", || {
        let (rows, nearest, seeds) = (rows.as_slice()?, nearest.as_slice()?, seeds.as_slice()?);
        let correct = correct.as_slice()?;
        let added = match &x {
            Matrix::F64(a) => {
                let v = a.as_array();
                release(py, n_threads, || {
                    condensed_nearest_neighbour::condense_1nn(v, rows, nearest, correct, seeds)
                })
            }
            Matrix::F32(a) => {
                let v = a.as_array();
                release(py, n_threads, || {
                    condensed_nearest_neighbour::condense_1nn(v, rows, nearest, correct, seeds)
                })
            }
        }?;
        Ok(added.into_pyarray(py))
    })
}
