//! One worker: a `mio` event loop over its share of the connections. The request bytes
//! are shared and written as they are; responses go through each connection's fixed
//! [`Reader`]; latencies go into the worker's own HDR histogram. Once a second the worker
//! sends that second's counts and a small histogram to the coordinator.

use std::io::{ErrorKind, Read as _, Write as _};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};

use crate::conn::{Parsed, Reader};
use crate::live;
use crate::result::{ErrorCounts, HIST_MAX_US, StatusCounts, histogram};
use crate::schedule::{Schedule, Slice};

/// How often timeouts, reconnects and the per-second roll are looked at.
const TICK: Duration = Duration::from_millis(10);
/// Wait before reopening a connection that failed to connect.
const RECONNECT: Duration = Duration::from_millis(50);

/// What a worker does.
pub(crate) enum WorkModel {
    /// Each connection sends its next request when the previous answer arrives.
    Closed {
        until: Instant,
        requests: Option<u64>,
    },
    /// Requests `slice` of the schedule's first `total`, each at its intended time.
    Open {
        schedule: Arc<Schedule>,
        slice: Slice,
        total: u64,
        until: Instant,
    },
}

/// A worker's orders.
pub(crate) struct Plan {
    pub(crate) index: usize,
    pub(crate) addrs: Arc<[SocketAddr]>,
    pub(crate) first_conn: usize,
    pub(crate) conns: usize,
    pub(crate) request: Arc<[u8]>,
    pub(crate) head: bool,
    pub(crate) model: WorkModel,
    pub(crate) timeout: Duration,
    pub(crate) drain: Duration,
    pub(crate) start: Instant,
    pub(crate) stop: Arc<AtomicBool>,
    pub(crate) live: Arc<live::Run>,
    pub(crate) tx: Sender<Msg>,
}

/// One second of one worker.
pub(crate) struct SecondData {
    pub(crate) t: u32,
    pub(crate) status: StatusCounts,
    pub(crate) errors: ErrorCounts,
    pub(crate) hist: Histogram<u64>,
}

/// Everything a worker measured.
pub(crate) struct WorkerOut {
    pub(crate) hist: Histogram<u64>,
    pub(crate) status: StatusCounts,
    pub(crate) errors: ErrorCounts,
    pub(crate) sent: u64,
    pub(crate) scheduled: u64,
    pub(crate) last_error: Option<String>,
    pub(crate) failure: Option<String>,
}

/// Worker → coordinator.
pub(crate) enum Msg {
    Second(usize, SecondData),
    Done(usize, Box<WorkerOut>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Closed,
    Connecting,
    Idle,
    Writing,
    Reading,
}

struct Conn {
    sock: Option<TcpStream>,
    state: State,
    reader: Reader,
    written: usize,
    /// Where latency is measured from: the intended start (open) or the send (closed).
    origin: Instant,
    sent_at: Instant,
    retry_at: Option<Instant>,
}

struct Worker {
    plan: Plan,
    poll: Poll,
    conns: Vec<Conn>,
    idle: Vec<usize>,
    hist: Histogram<u64>,
    status: StatusCounts,
    errors: ErrorCounts,
    sec: SecondData,
    sec_end: Instant,
    sent: u64,
    next_k: u64,
    my_total: u64,
    in_flight: usize,
    last_error: Option<String>,
}

/// Runs a worker to its end and reports to the coordinator.
pub(crate) fn run(plan: Plan) {
    let tx = plan.tx.clone();
    let index = plan.index;
    let out = match Poll::new() {
        Ok(poll) => Worker::new(plan, poll).run(),
        Err(e) => WorkerOut {
            hist: histogram(),
            status: StatusCounts::default(),
            errors: ErrorCounts::default(),
            sent: 0,
            scheduled: 0,
            last_error: None,
            failure: Some(format!("cannot create an event loop: {e}")),
        },
    };
    let _ = tx.send(Msg::Done(index, Box::new(out)));
}

/// The small histogram of one second (2 significant digits: about 25KiB).
fn second_hist() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_MAX_US, 2).unwrap_or_else(|_| histogram())
}

impl Worker {
    fn new(plan: Plan, poll: Poll) -> Self {
        let now = Instant::now();
        let conns = (0..plan.conns)
            .map(|_| Conn {
                sock: None,
                state: State::Closed,
                reader: Reader::new(plan.head),
                written: 0,
                origin: now,
                sent_at: now,
                retry_at: None,
            })
            .collect();
        let my_total = match &plan.model {
            WorkModel::Open { slice, total, .. } => slice.count(*total),
            WorkModel::Closed { .. } => 0,
        };
        let sec_end = plan.start + Duration::from_secs(1);
        Self {
            poll,
            conns,
            idle: Vec::with_capacity(plan.conns),
            hist: histogram(),
            status: StatusCounts::default(),
            errors: ErrorCounts::default(),
            sec: SecondData {
                t: 0,
                status: StatusCounts::default(),
                errors: ErrorCounts::default(),
                hist: second_hist(),
            },
            sec_end,
            sent: 0,
            next_k: 0,
            my_total,
            in_flight: 0,
            last_error: None,
            plan,
        }
    }

    fn run(mut self) -> WorkerOut {
        let mut events = Events::with_capacity(1024);
        for i in 0..self.conns.len() {
            self.connect(i, Instant::now());
        }
        let until = match &self.plan.model {
            WorkModel::Closed { until, .. } | WorkModel::Open { until, .. } => *until,
        };
        let drain_end = until + self.plan.drain;
        let mut next_tick = Instant::now();
        loop {
            if self.plan.stop.load(Ordering::Relaxed) {
                break;
            }
            let now = Instant::now();
            let sending = self.may_send(now);
            if !sending && self.in_flight == 0 {
                break;
            }
            if !sending && now >= drain_end {
                for i in 0..self.conns.len() {
                    if matches!(self.conns[i].state, State::Writing | State::Reading) {
                        self.fail(i, Failure::Timeout, "no answer by the end of the drain");
                    }
                }
                break;
            }
            if sending {
                self.dispatch(now);
            }
            if now >= next_tick {
                self.tick(now);
                next_tick = now + TICK;
            }
            let mut wait = next_tick.saturating_duration_since(now);
            if let Some(due) = self.next_due().filter(|_| !self.idle.is_empty()) {
                wait = wait.min(due.saturating_duration_since(now));
            }
            match self.poll.poll(&mut events, Some(wait)) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.last_error = Some(format!("event loop: {e}"));
                    break;
                }
            }
            for ev in events.iter() {
                self.handle(ev.token().0);
            }
        }
        let now = Instant::now();
        self.flush_second(now, true);
        let scheduled = match self.plan.model {
            WorkModel::Open { .. } => self.my_total,
            WorkModel::Closed { .. } => self.sent,
        };
        WorkerOut {
            hist: self.hist,
            status: self.status,
            errors: self.errors,
            sent: self.sent,
            scheduled,
            last_error: self.last_error,
            failure: None,
        }
    }

    fn may_send(&self, now: Instant) -> bool {
        match &self.plan.model {
            WorkModel::Closed { until, requests } => {
                now < *until && requests.is_none_or(|r| self.sent < r)
            }
            WorkModel::Open { until, .. } => now < *until && self.next_k < self.my_total,
        }
    }

    /// The intended start of the next open-model request.
    fn next_due(&self) -> Option<Instant> {
        let WorkModel::Open {
            schedule, slice, ..
        } = &self.plan.model
        else {
            return None;
        };
        if self.next_k >= self.my_total {
            return None;
        }
        let at = schedule.time_of(slice.global(self.next_k) as f64)?;
        Some(self.plan.start + Duration::from_secs_f64(at))
    }

    /// Open model: every due request that has an idle connection goes out, stamped with
    /// its intended start (a late one keeps its lateness in its latency).
    fn dispatch(&mut self, now: Instant) {
        while let Some(due) = self.next_due() {
            if due > now {
                return;
            }
            let Some(i) = self.idle.pop() else {
                return;
            };
            if self.conns[i].state != State::Idle {
                continue;
            }
            self.next_k += 1;
            self.send(i, due, now);
        }
        if self.next_k < self.my_total {
            // Rounding left a request past the schedule's end: nothing more is due.
            self.my_total = self.next_k;
        }
    }

    fn tick(&mut self, now: Instant) {
        let timeout = self.plan.timeout;
        for i in 0..self.conns.len() {
            let c = &self.conns[i];
            match c.state {
                State::Writing | State::Reading if now.duration_since(c.sent_at) >= timeout => {
                    self.fail(i, Failure::Timeout, "no answer within the request timeout");
                }
                State::Connecting if now.duration_since(c.sent_at) >= timeout => {
                    self.fail(i, Failure::Connect, "connect timed out");
                }
                State::Closed if c.retry_at.is_some_and(|t| now >= t) => {
                    self.conns[i].retry_at = None;
                    if self.may_send(now) {
                        self.connect(i, now);
                    }
                }
                _ => {}
            }
        }
        self.flush_second(now, false);
        self.plan.live.slots[self.plan.index].store(
            self.status.total() + self.errors.total(),
            self.errors.total() + self.status.s4xx + self.status.s5xx,
        );
    }

    /// Sends the finished second(s) to the coordinator.
    fn flush_second(&mut self, now: Instant, last: bool) {
        if !last && now < self.sec_end {
            return;
        }
        let next_t = now.duration_since(self.plan.start).as_secs() as u32;
        let fresh = SecondData {
            t: next_t.max(self.sec.t + 1),
            status: StatusCounts::default(),
            errors: ErrorCounts::default(),
            hist: second_hist(),
        };
        let done = std::mem::replace(&mut self.sec, fresh);
        self.sec_end = self.plan.start + Duration::from_secs(u64::from(self.sec.t) + 1);
        let _ = self.plan.tx.send(Msg::Second(self.plan.index, done));
    }

    fn connect(&mut self, i: usize, now: Instant) {
        let addrs = &self.plan.addrs;
        let addr = addrs[(self.plan.first_conn + i) % addrs.len()];
        let c = &mut self.conns[i];
        c.reader.reset();
        c.sent_at = now;
        match TcpStream::connect(addr) {
            Ok(mut s) => {
                let _ = s.set_nodelay(true);
                match self.poll.registry().register(
                    &mut s,
                    Token(i),
                    Interest::READABLE | Interest::WRITABLE,
                ) {
                    Ok(()) => {
                        c.sock = Some(s);
                        c.state = State::Connecting;
                    }
                    Err(e) => self.connect_failed(i, &e.to_string()),
                }
            }
            Err(e) => self.connect_failed(i, &e.to_string()),
        }
    }

    fn connect_failed(&mut self, i: usize, msg: &str) {
        self.errors.connect += 1;
        self.sec.errors.connect += 1;
        self.last_error = Some(msg.to_owned());
        let c = &mut self.conns[i];
        c.sock = None;
        c.state = State::Closed;
        c.retry_at = Some(Instant::now() + RECONNECT);
    }

    fn handle(&mut self, i: usize) {
        let Some(c) = self.conns.get(i) else {
            return;
        };
        match c.state {
            State::Connecting => self.finish_connect(i),
            State::Writing => self.write_more(i),
            State::Reading => self.read(i),
            State::Idle => self.check_idle(i),
            State::Closed => {}
        }
    }

    fn finish_connect(&mut self, i: usize) {
        let Some(sock) = self.conns[i].sock.as_ref() else {
            return;
        };
        let err = match sock.take_error() {
            Ok(Some(e)) | Err(e) => Some(e.to_string()),
            Ok(None) => match sock.peer_addr() {
                Ok(_) => None,
                Err(e) if e.kind() == ErrorKind::NotConnected => return,
                Err(e) => Some(e.to_string()),
            },
        };
        match err {
            Some(e) => self.connect_failed(i, &e),
            None => {
                self.conns[i].state = State::Idle;
                self.on_idle(i, Instant::now());
            }
        }
    }

    fn on_idle(&mut self, i: usize, now: Instant) {
        match self.plan.model {
            WorkModel::Closed { .. } => {
                if self.may_send(now) {
                    self.send(i, now, now);
                } else {
                    self.close(i);
                }
            }
            WorkModel::Open { .. } => {
                self.idle.push(i);
                if self.may_send(now) {
                    self.dispatch(now);
                }
            }
        }
    }

    fn send(&mut self, i: usize, origin: Instant, now: Instant) {
        let c = &mut self.conns[i];
        c.origin = origin;
        c.sent_at = now;
        c.written = 0;
        c.state = State::Writing;
        self.sent += 1;
        self.in_flight += 1;
        self.write_more(i);
    }

    fn write_more(&mut self, i: usize) {
        let req = Arc::clone(&self.plan.request);
        let c = &mut self.conns[i];
        let Some(sock) = c.sock.as_mut() else {
            return;
        };
        while c.written < req.len() {
            match sock.write(&req[c.written..]) {
                Ok(0) => {
                    return self.fail(i, Failure::Protocol, "the connection closed while writing");
                }
                Ok(n) => c.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return self.fail(i, Failure::Protocol, &format!("write: {e}")),
            }
        }
        c.state = State::Reading;
    }

    fn read(&mut self, i: usize) {
        loop {
            let c = &mut self.conns[i];
            let Some(sock) = c.sock.as_mut() else {
                return;
            };
            let Some(space) = c.reader.space() else {
                return self.fail(i, Failure::Protocol, "the response head is over 32KiB");
            };
            let parsed = match sock.read(space) {
                Ok(0) => c.reader.eof(),
                Ok(n) => c.reader.filled(n),
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return self.fail(i, Failure::Protocol, &format!("read: {e}")),
            };
            match parsed {
                Parsed::Need => {}
                Parsed::Done { status, close } => return self.complete(i, status, close),
                Parsed::Bad(why) => return self.fail(i, Failure::Protocol, why),
            }
        }
    }

    /// An idle keep-alive connection became readable: the server closed it (reopen) or
    /// sent something unasked (a protocol error, then reopen).
    fn check_idle(&mut self, i: usize) {
        let c = &mut self.conns[i];
        let Some(sock) = c.sock.as_mut() else {
            return;
        };
        let Some(space) = c.reader.space() else {
            return;
        };
        match sock.read(space) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => {}
            Ok(0) | Err(_) => self.reopen(i),
            Ok(_) => {
                self.last_error = Some("the server sent bytes on an idle connection".into());
                self.errors.protocol += 1;
                self.sec.errors.protocol += 1;
                self.reopen(i);
            }
        }
    }

    fn complete(&mut self, i: usize, status: u16, close: bool) {
        let now = Instant::now();
        let c = &mut self.conns[i];
        let us = (now.duration_since(c.origin).as_micros() as u64).clamp(1, HIST_MAX_US);
        let _ = self.hist.record(us);
        let _ = self.sec.hist.record(us);
        self.status.add_status(status);
        self.sec.status.add_status(status);
        self.in_flight -= 1;
        if now >= self.sec_end {
            self.flush_second(now, false);
        }
        if close {
            self.reopen(i);
        } else {
            self.conns[i].state = State::Idle;
            self.on_idle(i, now);
        }
    }

    fn fail(&mut self, i: usize, kind: Failure, why: &str) {
        let state = self.conns[i].state;
        if matches!(state, State::Writing | State::Reading) {
            self.in_flight -= 1;
            match kind {
                Failure::Timeout => {
                    self.errors.timeout += 1;
                    self.sec.errors.timeout += 1;
                }
                Failure::Protocol => {
                    self.errors.protocol += 1;
                    self.sec.errors.protocol += 1;
                }
                Failure::Connect => {
                    self.errors.connect += 1;
                    self.sec.errors.connect += 1;
                }
            }
            self.last_error = Some(why.to_owned());
            self.reopen(i);
        } else if state == State::Connecting {
            self.connect_failed(i, why);
        }
    }

    fn close(&mut self, i: usize) {
        let c = &mut self.conns[i];
        if let Some(mut s) = c.sock.take() {
            let _ = self.poll.registry().deregister(&mut s);
        }
        c.state = State::Closed;
        c.reader.reset();
        self.idle.retain(|&j| j != i);
    }

    fn reopen(&mut self, i: usize) {
        self.close(i);
        let now = Instant::now();
        if self.may_send(now) {
            self.connect(i, now);
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Failure {
    Timeout,
    Protocol,
    Connect,
}
