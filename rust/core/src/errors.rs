//! The one error type of the core. The binding maps each variant to a Python
//! exception (`ValueError` for bad data or parameters, `RuntimeError` for the
//! environment, `counterpoise._core.InternalError` for a bug of ours), so messages
//! here are written for the Python user: what was wrong, the offending value, and
//! what to do instead.
//!
//! [`bail!`](crate::bail) and [`ensure!`](crate::ensure) raise
//! [`CoreError::InvalidParameter`] (the caller's fault);
//! [`bail_internal!`](crate::bail_internal) raises [`CoreError::Internal`] (ours).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum CoreError {
    /// A parameter is out of its valid range (for example `k` larger than the data).
    #[error("{0}")]
    InvalidParameter(String),
    /// Array shapes that must agree do not.
    #[error("{0}")]
    ShapeMismatch(String),
    /// NaN or infinity where only finite values can be used.
    #[error("Input contains NaN or infinity at row {row}, column {col}; remove or impute non-finite values (e.g. sklearn.impute.SimpleImputer) before resampling.")]
    NonFinite { row: usize, col: usize },
    /// An index array points outside the data.
    #[error("index {index} is out of bounds for {len} rows")]
    IndexOutOfBounds { index: i64, len: usize },
    /// The thread pool could not be created.
    #[error("could not start the thread pool: {0}")]
    ThreadPool(String),
    /// A fault of counterpoise itself (a broken internal invariant), not of the
    /// input: the binding raises it as `InternalError` and asks for a report.
    #[error("internal error in counterpoise: {0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, CoreError>;

/// Return early with a [`CoreError::InvalidParameter`] built from a format string.
#[macro_export]
macro_rules! bail {
    ($($arg:tt)*) => {
        return Err($crate::errors::CoreError::InvalidParameter(format!($($arg)*)))
    };
}

/// Return early with a [`CoreError::InvalidParameter`] unless the condition holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        if !($cond) {
            $crate::bail!($($arg)*);
        }
    };
}

/// Return early with a [`CoreError::Internal`] built from a format string: for
/// states that correct code never reaches whatever the input.
#[macro_export]
macro_rules! bail_internal {
    ($($arg:tt)*) => {
        return Err($crate::errors::CoreError::Internal(format!($($arg)*)))
    };
}
