//! The one mapping from core errors to Python exceptions: bad data or parameters are
//! `ValueError` (what scikit-learn callers catch), environment failures `RuntimeError`.

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

/// Newtype so the orphan rule allows `From<Error> for PyErr`.
pub struct Error(pub CoreError);

impl From<CoreError> for Error {
    fn from(e: CoreError) -> Self {
        Error(e)
    }
}

impl From<Error> for PyErr {
    fn from(e: Error) -> PyErr {
        match e.0 {
            CoreError::ThreadPool(_) => PyRuntimeError::new_err(e.0.to_string()),
            CoreError::NonFinite { .. } => NonFiniteError::new_err(e.0.to_string()),
            other => PyValueError::new_err(other.to_string()),
        }
    }
}

impl From<numpy::NotContiguousError> for Error {
    fn from(_: numpy::NotContiguousError) -> Self {
        Error(CoreError::InvalidParameter(
            "internal: an index array is not contiguous; pass np.ascontiguousarray(...)".into(),
        ))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
