//! `counterpoise._core`: the thin PyO3 layer over `counterpoise-core`.
//!
//! Only array conversion, GIL release and error mapping live here; each submodule
//! mirrors the core module of the same name. Every heavy call releases the GIL and
//! runs in a private pool of the requested size (`counterpoise_core::pool`, kept
//! for later calls of the same process), so a process forked by joblib or
//! multiprocessing never uses a pool whose threads died in the fork.
//!
//! No Rust panic reaches Python as PyO3's `PanicException` (a `BaseException`):
//! every function body runs inside [`guard`] and every GIL-free computation inside
//! [`release`], both of which catch a panic and raise `InternalError` (a
//! `ValueError` and `RuntimeError`) naming the function.
//!
//! # Threads
//! A call's `n_threads` argument, when positive, is the size of its pool. When it
//! is `0` (every default) the size is, in order:
//! 1. the calling thread's override, [`set_thread_limit_local`] (the Python
//!    samplers set it from their `n_jobs` around `fit_resample`);
//! 2. the process-wide limit, [`set_num_threads`] (what a `threadpoolctl`
//!    controller sets, so `threadpool_limits(1)` limits counterpoise);
//! 3. [`default_threads`]: `RAYON_NUM_THREADS`, or all cores.
//!
//! The override is read on the calling thread before the GIL is released.
//!
//! # Progress
//! [`progress`] returns the core's process-wide counters `(done, planned)`
//! (`counterpoise_core::progress`): units of work since the process started, both
//! only increasing. Python polls them from another thread while a call runs.

mod cluster;
mod errors;
mod neighbours;
mod over;
mod take;
mod under;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

use pyo3::prelude::*;

use counterpoise_core::{pool, progress as core_progress};
use errors::{panic_message, Error};

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "NonFiniteError",
        m.py().get_type::<errors::NonFiniteError>(),
    )?;
    m.add("InternalError", errors::internal_error_type(m.py())?)?;
    m.add_function(wrap_pyfunction!(neighbours::kneighbors, m)?)?;
    m.add_function(wrap_pyfunction!(neighbours::kneighbors_within, m)?)?;
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
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(set_thread_limit_local, m)?)?;
    m.add_function(wrap_pyfunction!(get_thread_limit_local, m)?)?;
    m.add_function(wrap_pyfunction!(effective_threads, m)?)?;
    m.add_function(wrap_pyfunction!(progress, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}

/// The thread count used when `n_threads` is 0 and no limit is set:
/// `RAYON_NUM_THREADS` or all cores.
#[pyfunction]
fn default_threads() -> usize {
    counterpoise_core::pool::default_threads()
}

/// The process-wide limit (0: unset).
static GLOBAL_LIMIT: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The calling thread's override (0: unset).
    static LOCAL_LIMIT: Cell<usize> = const { Cell::new(0) };
}

/// Set the process-wide thread limit for calls that pass `n_threads=0` (`0`
/// unsets it). A calling thread's own override still wins.
#[pyfunction]
fn set_num_threads(n: Count) {
    GLOBAL_LIMIT.store(n.0, Ordering::Relaxed);
}

/// The process-wide thread limit (0: unset).
#[pyfunction]
fn get_num_threads() -> usize {
    GLOBAL_LIMIT.load(Ordering::Relaxed)
}

/// Set this thread's override for calls it makes with `n_threads=0` (`0` unsets
/// it); returns the previous value, to restore afterwards.
#[pyfunction]
fn set_thread_limit_local(n: Count) -> usize {
    LOCAL_LIMIT.with(|c| c.replace(n.0))
}

/// This thread's override (0: unset).
#[pyfunction]
fn get_thread_limit_local() -> usize {
    LOCAL_LIMIT.with(Cell::get)
}

/// The pool size a call from this thread gets for `n_threads` (`0`: this
/// thread's override, else the process-wide limit, else [`default_threads`]).
#[pyfunction]
#[pyo3(signature = (n_threads = Count(0)), text_signature = "(n_threads=0)")]
fn effective_threads(n_threads: Count) -> usize {
    resolve_threads(n_threads.0)
}

/// The pool size for `n_threads` on this thread (capped at
/// `pool::max_threads()`, as the pool itself caps it).
fn resolve_threads(n_threads: usize) -> usize {
    let n = if n_threads > 0 {
        n_threads
    } else {
        match (
            LOCAL_LIMIT.with(Cell::get),
            GLOBAL_LIMIT.load(Ordering::Relaxed),
        ) {
            (0, 0) => pool::default_threads(),
            (0, g) => g,
            (l, _) => l,
        }
    };
    n.min(pool::max_threads())
}

/// `(done, planned)`: units of work the core has finished and planned since the
/// process started. Both only increase; a call adds its planned units when it
/// starts, and its done units as blocks finish (done catches up with planned when
/// a call ends, also on error), so `done / planned` over an interval is the share
/// of the work started in it that is finished.
#[pyfunction]
fn progress() -> (u64, u64) {
    core_progress::snapshot()
}

/// Panic on purpose (`where_`: "binding" in the function body, "release" on the
/// calling thread with the GIL released, "worker" in a pool thread), so the tests
/// can check that a panic reaches Python as `InternalError`, never as
/// `PanicException`. Not part of the API.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, where_: &str) -> PyResult<()> {
    guard("_panic_for_tests", || {
        match where_ {
            "binding" => panic!("a test panic in the binding"),
            "release" => release(py, 2, || -> counterpoise_core::Result<()> {
                panic!("a test panic with the GIL released")
            })?,
            "worker" => release(py, 2, || -> counterpoise_core::Result<()> {
                use rayon::prelude::*;
                (0..64).into_par_iter().for_each(|i| {
                    if i == 63 {
                        panic!("a test panic in a pool thread")
                    }
                });
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })
}

/// Run a binding function's body, turning a Rust panic (and the panic [`release`]
/// caught) into `InternalError` naming `function`.
pub(crate) fn guard<T>(
    function: &'static str,
    f: impl FnOnce() -> errors::Result<T>,
) -> PyResult<T> {
    let out = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(Error::Panic {
            function,
            message: panic_message(payload.as_ref()),
        }),
    };
    out.map_err(|e| match e {
        Error::Panic { message, .. } => Error::Panic { function, message }.into(),
        other => other.into(),
    })
}

/// Run `f` with the GIL released, inside a private pool (of `n_threads` threads,
/// or for `0` the limit [`resolve_threads`] reads on this thread; kept per process,
/// rebuilt after a fork): the one way every heavy binding call runs. A panic
/// inside is caught and returned as [`Error::Panic`].
pub(crate) fn release<R: Send>(
    py: Python<'_>,
    n_threads: usize,
    f: impl FnOnce() -> counterpoise_core::Result<R> + Send,
) -> errors::Result<R> {
    let n = resolve_threads(n_threads);
    match py.allow_threads(|| catch_unwind(AssertUnwindSafe(|| pool::run(n, f)))) {
        Ok(r) => Ok(r??),
        Err(payload) => Err(Error::Panic {
            function: "",
            message: panic_message(payload.as_ref()),
        }),
    }
}

/// A count or index argument (`k`, `n_threads`, ...): a non-negative Python
/// `int` that fits in `usize`. A negative or huge `int` is a `ValueError` (PyO3's
/// own conversion would raise `OverflowError`); anything else a `TypeError`.
#[derive(Clone, Copy)]
pub(crate) struct Count(pub usize);

impl<'py> FromPyObject<'py> for Count {
    fn extract_bound(ob: &Bound<'py, PyAny>) -> PyResult<Self> {
        match ob.extract::<usize>() {
            Ok(v) => Ok(Count(v)),
            Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(ob.py()) => {
                Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "expected a non-negative integer no larger than {}; got {}",
                    usize::MAX,
                    ob.repr()
                        .map_or_else(|_| "?".to_string(), |r| r.to_string())
                )))
            }
            Err(e) => Err(e),
        }
    }
}
