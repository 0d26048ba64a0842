//! `counterpoise._core`: the thin PyO3 layer over `counterpoise-core`.
//!
//! Only array conversion, GIL release and error mapping live here; each submodule
//! mirrors the core module of the same name. Every heavy call releases the GIL and
//! runs in a private pool built for that call (`counterpoise_core::pool`), so a
//! process forked by joblib or multiprocessing never inherits a live pool.

mod cluster;
mod errors;
mod neighbours;
mod over;
mod take;
mod under;

use pyo3::prelude::*;

use counterpoise_core::pool;

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "NonFiniteError",
        m.py().get_type::<errors::NonFiniteError>(),
    )?;
    m.add("InternalError", m.py().get_type::<errors::InternalError>())?;
    m.add_function(wrap_pyfunction!(neighbours::kneighbors, m)?)?;
    m.add_function(wrap_pyfunction!(neighbours::kd_tree_max_dim, m)?)?;
    m.add_function(wrap_pyfunction!(over::smote_resample, m)?)?;
    m.add_function(wrap_pyfunction!(over::vdm_kneighbors, m)?)?;
    m.add_function(wrap_pyfunction!(over::vdm_mode, m)?)?;
    m.add_function(wrap_pyfunction!(over::sum_pairwise_distances, m)?)?;
    m.add_function(wrap_pyfunction!(take::take_rows, m)?)?;
    m.add_function(wrap_pyfunction!(take::concat_rows, m)?)?;
    m.add_function(wrap_pyfunction!(under::cnn_condense_1nn, m)?)?;
    m.add_function(wrap_pyfunction!(cluster::kmeans_plusplus, m)?)?;
    m.add_function(wrap_pyfunction!(cluster::kmeans_lloyd, m)?)?;
    m.add_function(wrap_pyfunction!(default_threads, m)?)?;
    Ok(())
}

/// The thread count used when `n_threads` is 0: `RAYON_NUM_THREADS` or all cores.
#[pyfunction]
fn default_threads() -> usize {
    counterpoise_core::pool::default_threads()
}

/// Run `f` with the GIL released, inside a private pool of `n_threads` threads
/// (`0`: [`pool::default_threads`]), built for this call and dropped after it: the
/// one way every heavy binding call runs.
pub(crate) fn release<R: Send>(
    py: Python<'_>,
    n_threads: usize,
    f: impl FnOnce() -> counterpoise_core::Result<R> + Send,
) -> errors::Result<R> {
    Ok(py.allow_threads(|| pool::run(n_threads, f))??)
}
