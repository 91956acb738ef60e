//! shipcheck's load generator.
//!
//! [`run`] sends HTTP/1.1 requests over keep-alive connections from one worker thread per
//! core (each a plain `mio` event loop: the request is serialised once, responses are
//! parsed with `httparse`, nothing is allocated per request) and returns a [`LoadResult`]:
//! counts by outcome, an HDR histogram of latencies merged from the workers, and a
//! per-second timeline.
//!
//! Two models: **closed** (`connections` loops, each sending its next request when the
//! previous answer arrives, like wrk) and **open** (requests due at a [`Schedule`]d rate,
//! latency measured from each request's *intended* start, like wrk2, so a stalled server
//! shows in the percentiles instead of silently slowing the sender down). Every run is
//! bounded by a duration and/or a request count, every request by a timeout.
//!
//! A run may be one shard of several ([`Shard`]): it then sends its slice of the rate,
//! connections and request count, and [`LoadResult::merge`] adds shard results exactly
//! (histograms are serialised in the V2 format, base64).
//!
//! It does not judge results, print, or decide which hosts may be loaded: callers check
//! targets with [`check_target`] before calling [`run`].

mod conn;
mod error;
mod live;
mod result;
mod schedule;
mod target;
mod worker;

mod engine;

pub use engine::{Config, MAX_CONNECTIONS, MAX_DURATION, Model, Shard, run};
pub use error::LoadError;
pub use live::{LiveTotals, live_totals};
pub use result::{ErrorCounts, LoadResult, Second, StatusCounts};
pub use schedule::{Schedule, Stage};
pub use target::{Target, check_target, is_loopback_host};
