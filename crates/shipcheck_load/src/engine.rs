//! A run: the settings, the workers started on their threads, and the coordinator that
//! merges their seconds into the timeline and their histograms into the result.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::live;
use crate::result::{ErrorCounts, FORMAT, LoadResult, Second, ShardInfo, StatusCounts, histogram};
use crate::schedule::{Schedule, Slice};
use crate::worker::{self, Msg, SecondData, WorkModel};
use crate::{LoadError, Target};

/// The longest run allowed, whatever the settings.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
/// The most connections allowed.
pub const MAX_CONNECTIONS: usize = 100_000;

/// How requests are paced.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    /// `connections` loops, each sending when the previous answer arrived.
    Closed,
    /// Requests due on a schedule, latency from the intended start.
    Open(Schedule),
}

/// This run's part of a sharded load: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based.
    pub index: u32,
    /// At least 1.
    pub count: u32,
}

impl Default for Shard {
    fn default() -> Self {
        Self { index: 0, count: 1 }
    }
}

/// A run's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The checked target (see [`crate::check_target`]).
    pub target: Target,
    /// HTTP method.
    pub method: String,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
    /// Pacing.
    pub model: Model,
    /// Connections over all shards (this shard opens its slice of them).
    pub connections: usize,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// How long requests are sent (the open model's schedule has its own; this then
    /// must be `None` or equal). `None` needs `requests`.
    pub duration: Option<Duration>,
    /// At most this many requests over all shards.
    pub requests: Option<u64>,
    /// Timeout of each request (and of each connect).
    pub timeout: Duration,
    /// This run's shard.
    pub shard: Shard,
}

impl Config {
    /// The longest this run may take: sending plus the drain.
    pub fn bound(&self) -> Duration {
        self.send_window() + self.drain()
    }

    fn send_window(&self) -> Duration {
        match (&self.model, self.duration) {
            (Model::Open(s), _) => s.duration(),
            (Model::Closed, Some(d)) => d,
            (Model::Closed, None) => MAX_DURATION,
        }
    }

    /// How long answers are awaited after the last request is sent.
    fn drain(&self) -> Duration {
        self.timeout.min(Duration::from_secs(2))
    }

    fn validate(&self) -> Result<(), LoadError> {
        let bad = |s: String| Err(LoadError::Config(s));
        if self.shard.count == 0 || self.shard.index >= self.shard.count {
            return bad(format!(
                "shard {}/{}: the index must be below the count",
                self.shard.index, self.shard.count
            ));
        }
        if self.connections == 0 || self.connections > MAX_CONNECTIONS {
            return bad(format!("connections must be 1 to {MAX_CONNECTIONS}"));
        }
        if self.connections < self.shard.count as usize {
            return bad(format!(
                "{} connections cannot be split over {} shards",
                self.connections, self.shard.count
            ));
        }
        if matches!(self.model, Model::Closed) && self.duration.is_none() && self.requests.is_none()
        {
            return bad("give a duration or a number of requests".into());
        }
        if self.requests == Some(0) {
            return bad("the number of requests must be at least 1".into());
        }
        if self.send_window() > MAX_DURATION {
            return bad("a run lasts at most 24h".into());
        }
        if self.timeout.is_zero() {
            return bad("the request timeout must be positive".into());
        }
        if let Model::Open(s) = &self.model {
            if s.stages.is_empty() || s.peak_rate() <= 0.0 || !s.peak_rate().is_finite() {
                return bad("the open model needs a positive rate".into());
            }
            if s.start_rate < 0.0 || s.stages.iter().any(|st| st.rate < 0.0) {
                return bad("rates cannot be negative".into());
            }
            if s.total() > 10_000_000_000 {
                return bad("the schedule asks for over 10 billion requests".into());
            }
        }
        Ok(())
    }
}

/// Runs the load and returns what it measured. `stop` ends it early (whatever was
/// measured so far is returned). Blocks the calling thread, which merges the timeline.
pub fn run(cfg: &Config, stop: Arc<AtomicBool>) -> Result<LoadResult, LoadError> {
    cfg.validate()?;
    let request: Arc<[u8]> = cfg
        .target
        .request(&cfg.method, &cfg.headers, &cfg.body)?
        .into();
    let whole = Slice {
        offset: 0,
        stride: 1,
    };
    let shard = whole.part(u64::from(cfg.shard.index), u64::from(cfg.shard.count));
    let my_conns = shard.count(cfg.connections as u64) as usize;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = if cfg.threads == 0 { cores } else { cfg.threads }.clamp(1, my_conns.max(1));
    let start = Instant::now() + Duration::from_millis(5);
    let until = start + cfg.send_window();
    let total = match (&cfg.model, cfg.requests) {
        (Model::Open(s), Some(r)) => s.total().min(r),
        (Model::Open(s), None) => s.total(),
        (Model::Closed, r) => r.unwrap_or(0),
    };
    let schedule = match &cfg.model {
        Model::Open(s) => Some(Arc::new(s.clone())),
        Model::Closed => None,
    };
    let live = live::register(threads, cfg.send_window().min(MAX_DURATION).as_secs_f64());
    let addrs: Arc<[std::net::SocketAddr]> = cfg.target.addrs.clone().into();
    let (tx, rx) = mpsc::channel();
    let mut handles = Vec::with_capacity(threads);
    let mut first_conn = shard.offset as usize;
    for w in 0..threads {
        let slice = shard.part(w as u64, threads as u64);
        let conns = (my_conns / threads) + usize::from(w < my_conns % threads);
        let model = match &schedule {
            Some(s) => WorkModel::Open {
                schedule: Arc::clone(s),
                slice,
                total,
                until,
            },
            None => WorkModel::Closed {
                until,
                requests: cfg.requests.map(|_| slice.count(total)),
            },
        };
        let plan = worker::Plan {
            index: w,
            addrs: Arc::clone(&addrs),
            first_conn,
            conns,
            request: Arc::clone(&request),
            head: cfg.method.eq_ignore_ascii_case("HEAD"),
            model,
            timeout: cfg.timeout,
            drain: cfg.drain(),
            start,
            stop: Arc::clone(&stop),
            live: Arc::clone(&live),
            tx: tx.clone(),
        };
        first_conn += conns;
        let spawned = std::thread::Builder::new()
            .name(format!("load-{w}"))
            .spawn(move || worker::run(plan));
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                stop.store(true, Ordering::Relaxed);
                return Err(LoadError::Worker(format!("cannot start a thread: {e}")));
            }
        }
    }
    drop(tx);
    let collected = collect(&rx, threads);
    for h in handles {
        let _ = h.join();
    }
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let (outs, timeline) = collected?;
    let mut hist = histogram();
    let (mut status, mut errors) = (StatusCounts::default(), ErrorCounts::default());
    let (mut sent, mut scheduled) = (0, 0);
    let mut last_error = None;
    for o in outs {
        if let Some(f) = o.failure {
            return Err(LoadError::Worker(f));
        }
        hist.add(&o.hist)
            .map_err(|e| LoadError::Worker(format!("histograms do not add: {e:?}")))?;
        add_status(&mut status, &o.status);
        add_errors(&mut errors, &o.errors);
        sent += o.sent;
        scheduled += o.scheduled;
        last_error = last_error.or(o.last_error);
    }
    if status.total() == 0 && errors.connect > 0 && errors.total() == errors.connect {
        return Err(LoadError::Connect {
            addr: cfg.target.addrs[0],
            message: last_error.unwrap_or_else(|| "refused".into()),
        });
    }
    Ok(LoadResult {
        format: FORMAT,
        url: cfg.target.url.clone(),
        method: cfg.method.clone(),
        model: match cfg.model {
            Model::Closed => "closed".into(),
            Model::Open(_) => "open".into(),
        },
        rate: match &cfg.model {
            Model::Open(s) => Some(s.peak_rate() / f64::from(cfg.shard.count)),
            Model::Closed => None,
        },
        connections: my_conns as u64,
        shards: vec![ShardInfo {
            index: cfg.shard.index,
            count: cfg.shard.count,
        }],
        duration_ms,
        scheduled,
        sent,
        status,
        errors,
        histogram: hist,
        timeline,
    })
}

fn add_status(a: &mut StatusCounts, b: &StatusCounts) {
    a.s1xx += b.s1xx;
    a.s2xx += b.s2xx;
    a.s3xx += b.s3xx;
    a.s4xx += b.s4xx;
    a.s5xx += b.s5xx;
}

fn add_errors(a: &mut ErrorCounts, b: &ErrorCounts) {
    a.connect += b.connect;
    a.timeout += b.timeout;
    a.protocol += b.protocol;
}

/// A second being merged from the workers' reports.
struct Pending {
    status: StatusCounts,
    errors: ErrorCounts,
    hist: Histogram<u64>,
}

type Collected = (Vec<worker::WorkerOut>, Vec<Second>);

/// Receives the workers' seconds (merged and turned into timeline points as soon as every
/// worker is past them, so memory stays flat) and their final results.
fn collect(rx: &mpsc::Receiver<Msg>, workers: usize) -> Result<Collected, LoadError> {
    let mut outs = Vec::with_capacity(workers);
    let mut reached = vec![0u32; workers];
    let mut done = vec![false; workers];
    let mut pending: BTreeMap<u32, Pending> = BTreeMap::new();
    let mut timeline = Vec::new();
    while outs.len() < workers {
        let msg = rx
            .recv()
            .map_err(|_| LoadError::Worker("a worker ended without reporting".into()))?;
        match msg {
            Msg::Second(
                w,
                SecondData {
                    t,
                    status,
                    errors,
                    hist,
                },
            ) => {
                reached[w] = reached[w].max(t + 1);
                match pending.get_mut(&t) {
                    Some(p) => {
                        add_status(&mut p.status, &status);
                        add_errors(&mut p.errors, &errors);
                        let _ = p.hist.add(&hist);
                    }
                    None => {
                        pending.insert(
                            t,
                            Pending {
                                status,
                                errors,
                                hist,
                            },
                        );
                    }
                }
            }
            Msg::Done(w, out) => {
                done[w] = true;
                outs.push(*out);
            }
        }
        let floor = (0..workers)
            .filter(|w| !done[*w])
            .map(|w| reached[w])
            .min()
            .unwrap_or(u32::MAX);
        while let Some(entry) = pending.first_entry() {
            if *entry.key() >= floor {
                break;
            }
            let (t, p) = entry.remove_entry();
            timeline.push(point(t, p));
        }
    }
    timeline.extend(pending.into_iter().map(|(t, p)| point(t, p)));
    timeline.retain(|s: &Second| s.requests() > 0 || s.t > 0);
    Ok((outs, timeline))
}

fn point(t: u32, p: Pending) -> Second {
    let q = |q: f64| {
        if p.hist.is_empty() {
            0.0
        } else {
            p.hist.value_at_quantile(q) as f64 / 1000.0
        }
    };
    Second {
        t,
        status: p.status,
        errors: p.errors,
        p50_ms: q(0.5),
        p99_ms: q(0.99),
    }
}
