//! The one mapping from core errors to Python exceptions: bad data or parameters are
//! `ValueError` (what scikit-learn callers catch), environment failures
//! `RuntimeError`, and a fault of counterpoise itself `InternalError` (a
//! `ValueError` and `RuntimeError` whose message asks for a bug report): a broken
//! invariant, or a Rust panic that [`guard`](crate::guard) or
//! [`release`](crate::release) caught before it could become PyO3's
//! `PanicException` (a `BaseException`). A Python exception raised
//! inside a call (a failed conversion, say) passes through unchanged.

use counterpoise_core::CoreError;
use std::any::Any;

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyDict, PyTuple, PyType};

pyo3::create_exception!(
    _core,
    NonFiniteError,
    PyValueError,
    "The data hold NaN or infinity (a ValueError; the Python layer re-raises \
     scikit-learn's own message for it)."
);

/// `counterpoise._core.InternalError`: a fault of counterpoise itself, never of the
/// input (a broken invariant, or a Rust panic caught at the boundary). Its bases
/// are `ValueError` and `RuntimeError`, so code written to catch either (as
/// scikit-learn callers catch `ValueError`) keeps working. Built at module init
/// (a class with two bases cannot come from `create_exception!`).
static INTERNAL_ERROR: GILOnceCell<Py<PyType>> = GILOnceCell::new();

/// Create `InternalError` (once) and return it, for the module to export.
pub fn internal_error_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    INTERNAL_ERROR
        .get_or_try_init(py, || {
            let bases = PyTuple::new(
                py,
                [
                    py.get_type::<PyValueError>(),
                    py.get_type::<PyRuntimeError>(),
                ],
            )?;
            let ns = PyDict::new(py);
            ns.set_item("__module__", "counterpoise._core")?;
            ns.set_item(
                "__doc__",
                "A bug in counterpoise, not in the input (a ValueError and a \
                 RuntimeError): please report it at the project's issue tracker with \
                 the message and a way to reproduce it.",
            )?;
            let ty = py
                .get_type::<PyType>()
                .call1(("InternalError", bases, ns))?
                .downcast_into::<PyType>()?;
            Ok(ty.unbind())
        })
        .map(|t| t.bind(py))
}

/// An `InternalError` with this message (a plain `RuntimeError` should the class
/// be missing, which module init rules out).
fn internal(msg: String) -> PyErr {
    Python::with_gil(|py| match internal_error_type(py) {
        Ok(ty) => PyErr::from_type(ty.clone(), msg),
        Err(_) => PyRuntimeError::new_err(msg),
    })
}

/// The text of a caught panic's payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// What a binding call can fail with. (A local type, so the orphan rule allows
/// `From<Error> for PyErr`.)
pub enum Error {
    /// The core refused the input, or broke down.
    Core(CoreError),
    /// A Python exception raised inside the call, passed on as it is.
    Python(PyErr),
    /// A Rust panic caught at the boundary: the `_core` function it escaped from
    /// (filled in by [`guard`](crate::guard)) and the panic's message.
    Panic {
        function: &'static str,
        message: String,
    },
}

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        Error::Core(e)
    }
}

impl From<PyErr> for Error {
    fn from(e: PyErr) -> Self {
        Error::Python(e)
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e {
            Error::Python(err) => err,
            Error::Panic { function, message } => internal(format!(
                "internal error in counterpoise._core.{function}: a Rust panic \
                 ({message}). This is a bug in \
                 counterpoise, not in your data: please report it with this message and a \
                 way to reproduce it."
            )),
            Error::Core(err @ CoreError::ThreadPool(_)) => PyRuntimeError::new_err(err.to_string()),
            Error::Core(err @ CoreError::NonFinite { .. }) => {
                NonFiniteError::new_err(err.to_string())
            }
            Error::Core(err @ CoreError::Internal(_)) => internal(format!(
                "{err}. This is a bug in counterpoise, not in your data: please report \
                 it with this message and a way to reproduce it."
            )),
            Error::Core(other) => PyValueError::new_err(other.to_string()),
        }
    }
}

impl From<numpy::NotContiguousError> for Error {
    fn from(_: numpy::NotContiguousError) -> Self {
        Error::Core(CoreError::InvalidParameter(
            "an index array is not contiguous; pass np.ascontiguousarray(...)".into(),
        ))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
