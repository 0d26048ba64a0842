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

/// The most threads a pool gets: four per core (at least 16). More cannot run
/// any faster, and an absurd request (`n_jobs=10**6`) must not exhaust the
/// process's threads; results never depend on the count anyway.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.saturating_mul(4).max(16)
}

thread_local! {
    /// This thread's one-thread pool: the thread itself is its only worker, so a
    /// call limited to one thread starts none (built once per calling thread and
    /// kept: a thread that is a pool's worker cannot join another such pool).
    static SERIAL: std::cell::OnceCell<rayon::ThreadPool> = const { std::cell::OnceCell::new() };
}

/// Run `f` inside a fresh pool of `n_threads` threads (`0` means [`default_threads`];
/// at most [`max_threads`]). One thread means the calling thread itself: no
/// thread is started (`n_jobs=1` inside a process pool stays one thread).
pub fn run<R: Send>(n_threads: usize, f: impl FnOnce() -> R + Send) -> Result<R> {
    let n = if n_threads == 0 {
        default_threads()
    } else {
        n_threads
    }
    .min(max_threads());
    if n == 1 {
        return SERIAL.with(|cell| {
            if cell.get().is_none() {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .use_current_thread()
                    .build()
                    .map_err(|e| CoreError::ThreadPool(e.to_string()))?;
                let _ = cell.set(pool);
            }
            match cell.get() {
                Some(pool) => Ok(pool.install(f)),
                None => Err(CoreError::Internal("the one-thread pool is missing".into())),
            }
        });
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("counterpoise-{i}"))
        .build()
        .map_err(|e| CoreError::ThreadPool(e.to_string()))?;
    Ok(pool.install(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn one_thread_runs_on_the_calling_thread_and_pools_still_follow() {
        let me = std::thread::current().id();
        for _ in 0..3 {
            let (sum, on_me, threads) = run(1, || {
                let sum: u64 = (0..10_000u64).into_par_iter().sum();
                (
                    sum,
                    std::thread::current().id() == me,
                    rayon::current_num_threads(),
                )
            })
            .unwrap();
            assert_eq!(sum, 49_995_000);
            assert!(on_me);
            assert_eq!(threads, 1);
            // a larger pool from the same thread afterwards
            let (sum, threads) = run(3, || {
                let sum: u64 = (0..10_000u64).into_par_iter().sum();
                (sum, rayon::current_num_threads())
            })
            .unwrap();
            assert_eq!((sum, threads), (49_995_000, 3));
        }
        // a panic inside the one-thread pool leaves it usable
        let caught = std::panic::catch_unwind(|| run(1, || panic!("test")));
        assert!(caught.is_err());
        assert_eq!(run(1, || 7).unwrap(), 7);
        // on another thread too
        std::thread::spawn(|| assert_eq!(run(1, rayon::current_num_threads).unwrap(), 1))
            .join()
            .unwrap();
    }
}
