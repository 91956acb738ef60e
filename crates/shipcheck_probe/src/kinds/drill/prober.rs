//! The open-model prober: a thread keeps the schedule (probe `n` is due at
//! `origin + n × every`, whether or not earlier ones answered) and starts each probe as a
//! task of its own on the runtime, bounded by the probe timeout; each task records its
//! outcome in the [`Timeline`]. A thread, not a timer task, keeps the schedule: the
//! runtime's timer has a 1 ms granularity, a thread's sleep is precise to tens of µs.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use serde_json::Value;
use shipcheck_http::{Client, Request, RequestOptions};
use shipcheck_plan::{Assertion, Capture};
use shipcheck_plan::kind::Facts as _;

use super::timeline::{Outcome, Timeline};
use crate::kinds::http::HttpFacts;

/// Most probes one drill sends (a day at 1 ms); the schedule stops there.
const MAX_PROBES: u64 = 86_400_000;
/// Longest sleep between looks at the stop flag.
const NAP: Duration = Duration::from_millis(20);
/// Longest version text kept.
const MAX_VERSION: usize = 64;

/// What one probe does.
pub(crate) enum Send {
    /// An HTTP request through `client` (new connections unless it keeps them).
    Http {
        client: Client,
        request: Box<Request>,
        opts: Box<RequestOptions>,
    },
    /// A TCP connect.
    Tcp(String),
}

/// What every probe task shares.
pub(crate) struct Shared {
    pub(crate) send: Send,
    pub(crate) timeout: Duration,
    pub(crate) up: Vec<Assertion>,
    pub(crate) waits: Vec<Vec<Assertion>>,
    pub(crate) version: Option<Capture>,
    pub(crate) timeline: Arc<Mutex<Timeline>>,
    pub(crate) origin: Instant,
}

/// A running schedule; dropping it stops the schedule (probes in flight finish on their
/// own, bounded by their timeout).
pub(crate) struct Prober {
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
}

impl Prober {
    /// Starts probing every `every` from `shared.origin`.
    pub(crate) fn start(shared: Arc<Shared>, every: Duration) -> Prober {
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let handle = tokio::runtime::Handle::current();
        let (stop2, sent2) = (Arc::clone(&stop), Arc::clone(&sent));
        let every_ns = u64::try_from(every.as_nanos()).unwrap_or(u64::MAX).max(1);
        std::thread::spawn(move || {
            let mut seq = 0u64;
            while seq < MAX_PROBES {
                let due = shared.origin + Duration::from_nanos(every_ns.saturating_mul(seq));
                loop {
                    if stop2.load(Ordering::Acquire) {
                        return;
                    }
                    let left = due.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    std::thread::sleep(left.min(NAP));
                }
                let spawned = Instant::now();
                handle.spawn(probe(Arc::clone(&shared), seq, due, spawned));
                seq += 1;
                sent2.store(seq, Ordering::Release);
            }
        });
        Prober { stop, sent }
    }

    /// Stops the schedule; returns how many probes were started.
    pub(crate) fn stop(&self) -> u64 {
        self.stop.store(true, Ordering::Release);
        // The thread may be starting one more probe right now: it stores the count after.
        std::thread::sleep(Duration::from_millis(1));
        self.sent.load(Ordering::Acquire)
    }
}

impl Drop for Prober {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One probe: sends, judges and records.
async fn probe(s: Arc<Shared>, seq: u64, due: Instant, spawned: Instant) {
    let start = Instant::now();
    let mut o = Outcome {
        seq,
        intended_ms: ms(due.saturating_duration_since(s.origin)),
        lateness_ms: ms(start.saturating_duration_since(due)),
        spawn_lateness_ms: ms(spawned.saturating_duration_since(due)),
        latency_ms: 0.0,
        up: false,
        class: None,
        version: None,
        matched: 0,
    };
    match &s.send {
        Send::Http {
            client,
            request,
            opts,
        } => {
            let facts = match client.send(request, opts).await {
                Ok(exchange) => HttpFacts::new(exchange),
                Err(e) => HttpFacts::error(e.class(), e.to_string()),
            };
            o.latency_ms = ms(start.elapsed());
            judge(&s, &facts, &mut o);
        }
        Send::Tcp(addr) => {
            let connected =
                tokio::time::timeout(s.timeout, tokio::net::TcpStream::connect(addr.as_str())).await;
            o.latency_ms = ms(start.elapsed());
            match connected {
                Ok(Ok(_)) => o.up = true,
                Ok(Err(_)) => o.class = Some("connect".into()),
                Err(_) => o.class = Some("timeout".into()),
            }
        }
    }
    s.timeline
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(o);
}

/// Whether an HTTP answer is up (and why not), its version and the waits it meets.
fn judge(s: &Shared, facts: &HttpFacts, o: &mut Outcome) {
    if let Some(class) = facts.failure() {
        o.class = Some(class.as_str().to_owned());
    } else {
        let results = crate::evaluate(&s.up, facts);
        o.up = results.iter().all(|a| a.passed);
        if !o.up {
            o.class = Some(match results.iter().find(|a| !a.passed && a.subject == "status") {
                Some(a) => format!("status {}", a.actual),
                None => "assertion".into(),
            });
        }
        if let Some(c) = &s.version
            && let Ok(v) = facts.capture(c)
        {
            let mut text = match v {
                Value::String(s) => s,
                v => v.to_string(),
            };
            if text.len() > MAX_VERSION {
                let mut end = MAX_VERSION;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
            o.version = Some(text);
        }
    }
    for (i, wait) in s.waits.iter().enumerate() {
        if !wait.is_empty() && crate::evaluate(wait, facts).iter().all(|a| a.passed) {
            o.matched |= 1 << i;
        }
    }
}
