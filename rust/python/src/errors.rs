//! The one mapping from core errors to Python exceptions: bad data or parameters are
//! `ValueError` (what scikit-learn callers catch), environment failures
//! `RuntimeError`, and a fault of counterpoise itself `InternalError` (a
//! `RuntimeError` whose message asks for a bug report). A Python exception raised
//! inside a call (a failed conversion, say) passes through unchanged.

use counterpoise_core::CoreError;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::PyErr;

pyo3::create_exception!(
    _core,
    NonFiniteError,
    PyValueError,
    "The data hold NaN or infinity (a ValueError; the Python layer re-raises \
     scikit-learn's own message for it)."
);

pyo3::create_exception!(
    _core,
    InternalError,
    PyRuntimeError,
    "A bug in counterpoise, not in the input (a RuntimeError): please report it at \
     the project's issue tracker with the message and a way to reproduce it."
);

/// What a binding call can fail with. (A local type, so the orphan rule allows
/// `From<Error> for PyErr`.)
pub enum Error {
    /// The core refused the input, or broke down.
    Core(CoreError),
    /// A Python exception raised inside the call, passed on as it is.
    Python(PyErr),
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
            Error::Core(err @ CoreError::ThreadPool(_)) => PyRuntimeError::new_err(err.to_string()),
            Error::Core(err @ CoreError::NonFinite { .. }) => {
                NonFiniteError::new_err(err.to_string())
            }
            Error::Core(err @ CoreError::Internal(_)) => InternalError::new_err(format!(
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
