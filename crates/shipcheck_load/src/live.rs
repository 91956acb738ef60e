//! Live totals of the runs under way in this process, for a progress line. Workers store
//! their running counts once per event-loop turn (relaxed atomics, no locks on the hot
//! path); readers add them up.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

/// One worker's running counts.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    pub(crate) requests: AtomicU64,
    pub(crate) failed: AtomicU64,
}

impl Slot {
    pub(crate) fn store(&self, requests: u64, failed: u64) {
        self.requests.store(requests, Ordering::Relaxed);
        self.failed.store(failed, Ordering::Relaxed);
    }
}

/// The slots of one run.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) slots: Vec<Slot>,
    started: Instant,
    planned_s: f64,
}

static RUNS: Mutex<Vec<Weak<Run>>> = Mutex::new(Vec::new());

/// Registers a run with `workers` slots; it is listed while the returned value lives.
pub(crate) fn register(workers: usize, planned_s: f64) -> Arc<Run> {
    let run = Arc::new(Run {
        slots: (0..workers).map(|_| Slot::default()).collect(),
        started: Instant::now(),
        planned_s,
    });
    if let Ok(mut runs) = RUNS.lock() {
        runs.retain(|w| w.strong_count() > 0);
        runs.push(Arc::downgrade(&run));
    }
    run
}

/// The sum over the runs under way.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LiveTotals {
    /// Runs under way.
    pub runs: usize,
    /// Requests finished so far.
    pub requests: u64,
    /// Requests failed so far.
    pub failed: u64,
    /// Seconds since the oldest run started.
    pub elapsed_s: f64,
    /// The longest planned duration among them, in seconds (0 when bounded by count only).
    pub planned_s: f64,
}

/// What the load runs of this process have done so far (nothing when none is running).
pub fn live_totals() -> LiveTotals {
    let mut t = LiveTotals::default();
    let Ok(runs) = RUNS.lock() else {
        return t;
    };
    for run in runs.iter().filter_map(Weak::upgrade) {
        t.runs += 1;
        t.elapsed_s = t.elapsed_s.max(run.started.elapsed().as_secs_f64());
        t.planned_s = t.planned_s.max(run.planned_s);
        for s in &run.slots {
            t.requests += s.requests.load(Ordering::Relaxed);
            t.failed += s.failed.load(Ordering::Relaxed);
        }
    }
    t
}
