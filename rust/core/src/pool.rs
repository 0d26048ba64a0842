//! A private rayon pool per call.
//!
//! The global rayon pool is never used: a pool built lazily for each call and dropped
//! after it means a process forked by joblib/multiprocessing never holds a pool whose
//! threads died in the fork, and the thread count is whatever the caller asked for.
//! Work is split into fixed-size units independent of the thread count, so results are
//! bit-identical for any number of threads.

use crate::errors::{CoreError, Result};

/// The default number of threads: `RAYON_NUM_THREADS` if set to a positive integer,
/// otherwise the number of cores available to this process.
pub fn default_threads() -> usize {
    if let Ok(v) = std::env::var("RAYON_NUM_THREADS") {
        if let Ok(n) = v.trim().parse::<usize>() {
            if n > 0 {
                return n;
            }
        }
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Run `f` inside a fresh pool of `n_threads` threads (`0` means [`default_threads`]).
pub fn run<R: Send>(n_threads: usize, f: impl FnOnce() -> R + Send) -> Result<R> {
    let n = if n_threads == 0 {
        default_threads()
    } else {
        n_threads
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("counterpoise-{i}"))
        .build()
        .map_err(|e| CoreError::ThreadPool(e.to_string()))?;
    Ok(pool.install(f))
}
