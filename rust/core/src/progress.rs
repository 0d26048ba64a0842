//! Process-wide progress counters that another thread can poll while a call runs.
//!
//! Two monotonic counters count units of work since the process started: `planned`
//! grows when a heavy call starts (a [`Task`] adds its units), `done` as its blocks
//! of rows finish ([`Task::advance`], one relaxed atomic add per block), and when
//! the task ends, normally or by error or panic, `done` catches up with what the
//! task planned ([`Drop`]). So `(done, planned)` read at two moments tells how much
//! of the work started in between is finished, whatever runs concurrently (nested
//! calls, such as SMOTE's neighbour search, simply add their own units). A unit is
//! one row (a query row of a neighbour search, a synthetic row, a k-means row
//! assignment); only ratios matter.

use std::sync::atomic::{AtomicU64, Ordering};

static DONE: AtomicU64 = AtomicU64::new(0);
static PLANNED: AtomicU64 = AtomicU64::new(0);

/// `(done, planned)` since the process started; `done <= planned`, both only
/// increase.
pub fn snapshot() -> (u64, u64) {
    let done = DONE.load(Ordering::Relaxed);
    let planned = PLANNED.load(Ordering::Relaxed);
    // Read without ordering, `done` may run ahead of a `planned` added on another
    // thread; the minimum of two increasing counts still increases.
    (done.min(planned), planned)
}

/// One call's share of the counters (see the module docs).
#[derive(Debug)]
pub struct Task {
    planned: u64,
    done: AtomicU64,
}

impl Task {
    /// Plan `units` units of work (added to `planned` at once).
    pub fn start(units: usize) -> Task {
        let planned = units as u64;
        PLANNED.fetch_add(planned, Ordering::Relaxed);
        Task {
            planned,
            done: AtomicU64::new(0),
        }
    }

    /// A task that reports nothing (for internal probes).
    pub fn silent() -> Task {
        Task {
            planned: 0,
            done: AtomicU64::new(0),
        }
    }

    /// `units` more units are done (never counted past what was planned).
    #[inline]
    pub fn advance(&self, units: usize) {
        if self.planned == 0 || units == 0 {
            return;
        }
        let units = units as u64;
        let before = self.done.fetch_add(units, Ordering::Relaxed);
        let add = before
            .saturating_add(units)
            .min(self.planned)
            .saturating_sub(before.min(self.planned));
        if add > 0 {
            DONE.fetch_add(add, Ordering::Relaxed);
        }
    }
}

impl Drop for Task {
    fn drop(&mut self) {
        let done = (*self.done.get_mut()).min(self.planned);
        if done < self.planned {
            DONE.fetch_add(self.planned - done, Ordering::Relaxed);
        }
    }
}

/// Advances a task by `units` when dropped: at the end of a block of work, also
/// when it unwinds.
pub struct Advance<'a>(pub &'a Task, pub usize);

impl Drop for Advance<'_> {
    fn drop(&mut self) {
        self.0.advance(self.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_adds_its_plan_and_catches_up_when_dropped() {
        // Other tests run concurrently and move the counters too: check only
        // what must hold whatever else runs.
        let (d0, p0) = snapshot();
        let t = Task::start(100);
        let (_, p1) = snapshot();
        assert!(p1 >= p0 + 100);
        t.advance(30);
        t.advance(500); // never past the plan
        assert_eq!(t.done.load(Ordering::Relaxed), 530);
        drop(t);
        let (d2, p2) = snapshot();
        assert!(d2 >= d0 + 100 && d2 <= p2);
        let s = Task::silent();
        s.advance(10);
        drop(s);
    }
}
