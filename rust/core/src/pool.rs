//! Private rayon pools, one per thread count and process.
//!
//! The global rayon pool is never used. A pool of `n` threads is built on the first
//! call that asks for `n` and kept for later calls of this process (building one
//! costs 0.07 ms, and 0.3-0.8 ms in a freshly forked child: thread stacks, malloc
//! arenas). A pool is remembered with the id of the process that built it, so a
//! process forked by joblib/multiprocessing never uses a pool whose threads died in
//! the fork: it builds its own. The thread count is whatever the caller asked for.
//! Work is split into fixed-size units independent of the thread count, so results are
//! bit-identical for any number of threads.

use std::sync::{Arc, Mutex, OnceLock};

use crate::errors::{CoreError, Result};

/// Cores available to this process, read once: `available_parallelism` reads the
/// cgroup files on every call (about 0.03 ms of file system work per call).
fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    })
}

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
    cores()
}

/// The most threads a pool gets: four per core (at least 16). More cannot run
/// any faster, and an absurd request (`n_jobs=10**6`) must not exhaust the
/// process's threads; results never depend on the count anyway.
pub fn max_threads() -> usize {
    cores().saturating_mul(4).max(16)
}

thread_local! {
    /// This thread's one-thread pool: the thread itself is its only worker, so a
    /// call limited to one thread starts none (built once per calling thread and
    /// kept: a thread that is a pool's worker cannot join another such pool).
    static SERIAL: std::cell::OnceCell<rayon::ThreadPool> = const { std::cell::OnceCell::new() };
}

/// Pools kept for later calls, by thread count, with the id of the process that
/// built them (at most [`KEPT_POOLS`] sizes; the oldest is dropped first).
struct Kept {
    pid: u32,
    pools: Vec<(usize, Arc<rayon::ThreadPool>)>,
}

/// How many pool sizes a process keeps at once.
const KEPT_POOLS: usize = 4;

static KEPT: Mutex<Kept> = Mutex::new(Kept {
    pid: 0,
    pools: Vec::new(),
});

/// The kept pool of `n` threads of this process, if any. Pools inherited through
/// `fork` are forgotten, never dropped: their threads do not exist in this process,
/// and dropping a pool wakes its threads.
fn kept_pool(n: usize) -> Option<Arc<rayon::ThreadPool>> {
    let pid = std::process::id();
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if kept.pid != pid {
        for (_, pool) in kept.pools.drain(..) {
            std::mem::forget(pool);
        }
        kept.pid = pid;
    }
    kept.pools
        .iter()
        .find(|(size, _)| *size == n)
        .map(|(_, pool)| Arc::clone(pool))
}

/// Keep `pool` (of `n` threads) for later calls of this process.
fn keep_pool(n: usize, pool: &Arc<rayon::ThreadPool>) {
    let pid = std::process::id();
    let mut kept = KEPT.lock().unwrap_or_else(|e| e.into_inner());
    if kept.pid != pid || kept.pools.iter().any(|(size, _)| *size == n) {
        return; // forked meanwhile, or another caller kept one of this size first
    }
    if kept.pools.len() >= KEPT_POOLS {
        kept.pools.remove(0);
    }
    kept.pools.push((n, Arc::clone(pool)));
}

/// Run `f` inside a pool of `n_threads` threads (`0` means [`default_threads`];
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
    let pool = match kept_pool(n) {
        Some(pool) => pool,
        None => {
            // Built without holding the lock, so a fork meanwhile cannot leave the
            // child with a lock held by a thread it does not have.
            let pool = Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .thread_name(|i| format!("counterpoise-{i}"))
                    .build()
                    .map_err(|e| CoreError::ThreadPool(e.to_string()))?,
            );
            keep_pool(n, &pool);
            pool
        }
    };
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

    #[test]
    fn a_pool_is_kept_for_later_calls_of_its_size_and_forgotten_after_a_fork() {
        use std::collections::BTreeSet;
        // Each call runs its closure on a worker of a pool of 5 threads: over many
        // calls they all name the same 5 threads, as a pool built per call would not.
        let mut workers = BTreeSet::new();
        for _ in 0..20 {
            let name = run(5, || std::thread::current().name().map(str::to_owned)).unwrap();
            assert!(name.is_some_and(|n| n.starts_with("counterpoise-")));
            workers.insert(run(5, || format!("{:?}", std::thread::current().id())).unwrap());
        }
        assert!(workers.len() <= 5, "{} distinct workers", workers.len());
        // Pools remembered under another process id (as after a fork) are not used.
        KEPT.lock().unwrap().pid = u32::MAX;
        let after = run(5, || format!("{:?}", std::thread::current().id())).unwrap();
        assert!(!workers.contains(&after));
        assert_eq!(run(5, rayon::current_num_threads).unwrap(), 5);
    }
}
