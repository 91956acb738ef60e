//! What a run measured, serialisable (histograms in the V2 format, base64) and mergeable
//! exactly across workers and shards.

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer as _, V2Serializer};
use serde::{Deserialize, Serialize};

use crate::LoadError;

/// Latencies are recorded in microseconds, up to an hour, at 3 significant digits.
pub(crate) const HIST_MAX_US: u64 = 3_600_000_000;

/// A fresh latency histogram.
#[allow(
    clippy::expect_used,
    reason = "constant bounds that hdrhistogram accepts"
)]
pub(crate) fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIST_MAX_US, 3).expect("valid histogram bounds")
}

/// Responses by status class.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    /// 1xx answers (interim answers are not final; counted when they end an exchange).
    #[serde(rename = "1xx")]
    pub s1xx: u64,
    /// 2xx answers.
    #[serde(rename = "2xx")]
    pub s2xx: u64,
    /// 3xx answers.
    #[serde(rename = "3xx")]
    pub s3xx: u64,
    /// 4xx answers.
    #[serde(rename = "4xx")]
    pub s4xx: u64,
    /// 5xx answers.
    #[serde(rename = "5xx")]
    pub s5xx: u64,
}

impl StatusCounts {
    pub(crate) fn add_status(&mut self, code: u16) {
        match code / 100 {
            1 => self.s1xx += 1,
            2 => self.s2xx += 1,
            3 => self.s3xx += 1,
            4 => self.s4xx += 1,
            _ => self.s5xx += 1,
        }
    }
    fn add(&mut self, o: &Self) {
        self.s1xx += o.s1xx;
        self.s2xx += o.s2xx;
        self.s3xx += o.s3xx;
        self.s4xx += o.s4xx;
        self.s5xx += o.s5xx;
    }
    /// Every response.
    pub fn total(&self) -> u64 {
        self.s1xx + self.s2xx + self.s3xx + self.s4xx + self.s5xx
    }
}

/// Requests that got no response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorCounts {
    /// A connection could not be opened.
    pub connect: u64,
    /// No complete answer within the request timeout (or by the end of the drain).
    pub timeout: u64,
    /// The connection broke or the answer was not HTTP/1.1.
    pub protocol: u64,
}

impl ErrorCounts {
    fn add(&mut self, o: &Self) {
        self.connect += o.connect;
        self.timeout += o.timeout;
        self.protocol += o.protocol;
    }
    /// Every transport error.
    pub fn total(&self) -> u64 {
        self.connect + self.timeout + self.protocol
    }
}

/// One second of the timeline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Second {
    /// Seconds since the run started (this second is `[t, t+1)`).
    pub t: u32,
    /// Responses by status class finished in this second.
    pub status: StatusCounts,
    /// Transport errors in this second.
    pub errors: ErrorCounts,
    /// Median latency of this second's responses, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile latency of this second's responses, in milliseconds (after a
    /// shard merge: the highest of the shards' figures).
    pub p99_ms: f64,
}

impl Second {
    /// Requests finished in this second (responses and transport errors).
    pub fn requests(&self) -> u64 {
        self.status.total() + self.errors.total()
    }
    /// Requests that failed (transport errors, 4xx and 5xx answers).
    pub fn failed(&self) -> u64 {
        self.errors.total() + self.status.s4xx + self.status.s5xx
    }
}

/// Which shards a result covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardInfo {
    /// 0-based shard index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

/// The measured outcome of a run (or of merged shard runs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadResult {
    /// Format version of this JSON.
    pub format: u32,
    /// The URL under load.
    pub url: String,
    /// The HTTP method.
    pub method: String,
    /// `closed` or `open`.
    pub model: String,
    /// Open model: the peak rate asked for (requests per second, all shards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Connections opened per run (summed over shards).
    pub connections: u64,
    /// The shards this result covers (one entry for an unsharded run: `0/1`).
    pub shards: Vec<ShardInfo>,
    /// Wall time of the run in milliseconds, from the first request to the end of the
    /// drain (the longest shard after a merge).
    pub duration_ms: f64,
    /// Open model: requests due by the schedule; closed model: requests started.
    pub scheduled: u64,
    /// Requests written to a connection.
    pub sent: u64,
    /// Responses by status class.
    pub status: StatusCounts,
    /// Requests without a response.
    pub errors: ErrorCounts,
    /// Latencies in microseconds (from the intended start in the open model).
    #[serde(with = "hist_b64")]
    pub histogram: Histogram<u64>,
    /// Per-second throughput, errors and latency.
    pub timeline: Vec<Second>,
}

/// The current format of saved results.
pub(crate) const FORMAT: u32 = 1;

impl LoadResult {
    /// Requests finished: responses and transport errors.
    pub fn requests(&self) -> u64 {
        self.status.total() + self.errors.total()
    }
    /// Failed requests: transport errors and 4xx/5xx answers.
    pub fn failed(&self) -> u64 {
        self.errors.total() + self.status.s4xx + self.status.s5xx
    }
    /// Failed requests over finished requests (0 when nothing finished).
    pub fn error_rate(&self) -> f64 {
        match self.requests() {
            0 => 0.0,
            n => self.failed() as f64 / n as f64,
        }
    }
    /// Finished requests per second of wall time.
    pub fn rps(&self) -> f64 {
        if self.duration_ms <= 0.0 {
            0.0
        } else {
            self.requests() as f64 / (self.duration_ms / 1000.0)
        }
    }
    /// Open model: responses (of any status) over requests due; `None` in the closed model.
    pub fn rate_achieved(&self) -> Option<f64> {
        (self.model == "open").then(|| {
            if self.scheduled == 0 {
                1.0
            } else {
                (self.status.total() as f64 / self.scheduled as f64).min(1.0)
            }
        })
    }
    /// The latency at quantile `q` (0–1) in milliseconds; `None` without responses.
    pub fn quantile_ms(&self, q: f64) -> Option<f64> {
        (!self.histogram.is_empty()).then(|| self.histogram.value_at_quantile(q) as f64 / 1000.0)
    }
    /// The highest latency in milliseconds; `None` without responses.
    pub fn max_ms(&self) -> Option<f64> {
        (!self.histogram.is_empty()).then(|| self.histogram.max() as f64 / 1000.0)
    }
    /// The mean latency in milliseconds; `None` without responses.
    pub fn mean_ms(&self) -> Option<f64> {
        (!self.histogram.is_empty()).then(|| self.histogram.mean() / 1000.0)
    }

    /// Adds shard results into one: counts and histograms add exactly, the timeline adds
    /// second by second, the duration is the longest shard's.
    pub fn merge(parts: Vec<LoadResult>) -> Result<LoadResult, LoadError> {
        let mut iter = parts.into_iter();
        let mut out = iter
            .next()
            .ok_or_else(|| LoadError::Result("nothing to merge".into()))?;
        for p in iter {
            if p.url != out.url || p.method != out.method || p.model != out.model {
                return Err(LoadError::Result(format!(
                    "results of different runs: {} {} ({}) and {} {} ({})",
                    out.method, out.url, out.model, p.method, p.url, p.model
                )));
            }
            if let Some(dup) = p.shards.iter().find(|s| out.shards.contains(s)) {
                return Err(LoadError::Result(format!(
                    "shard {}/{} appears twice",
                    dup.index, dup.count
                )));
            }
            out.shards.extend(p.shards);
            out.rate = match (out.rate, p.rate) {
                (Some(a), Some(b)) => Some(a + b),
                (a, b) => a.or(b),
            };
            out.connections += p.connections;
            out.duration_ms = out.duration_ms.max(p.duration_ms);
            out.scheduled += p.scheduled;
            out.sent += p.sent;
            out.status.add(&p.status);
            out.errors.add(&p.errors);
            out.histogram
                .add(&p.histogram)
                .map_err(|e| LoadError::Result(format!("histograms do not add: {e:?}")))?;
            for s in p.timeline {
                match out.timeline.iter_mut().find(|o| o.t == s.t) {
                    Some(o) => {
                        let weight = |x: &Second| x.status.total() as f64;
                        let (wa, wb) = (weight(o), weight(&s));
                        if wa + wb > 0.0 {
                            o.p50_ms = (o.p50_ms * wa + s.p50_ms * wb) / (wa + wb);
                        }
                        o.p99_ms = o.p99_ms.max(s.p99_ms);
                        o.status.add(&s.status);
                        o.errors.add(&s.errors);
                    }
                    None => out.timeline.push(s),
                }
            }
        }
        out.shards.sort_by_key(|s| s.index);
        out.timeline.sort_by_key(|s| s.t);
        Ok(out)
    }

    /// Reads a result saved as JSON.
    pub fn from_json(text: &str) -> Result<LoadResult, LoadError> {
        let r: LoadResult =
            serde_json::from_str(text).map_err(|e| LoadError::Result(e.to_string()))?;
        if r.format != FORMAT {
            return Err(LoadError::Result(format!(
                "format {} (this version reads format {FORMAT})",
                r.format
            )));
        }
        Ok(r)
    }

    /// The result as JSON (histogram serialised).
    pub fn to_json(&self) -> Result<String, LoadError> {
        serde_json::to_string_pretty(self).map_err(|e| LoadError::Result(e.to_string()))
    }
}

/// Serde for a histogram: V2 serialisation, base64.
mod hist_b64 {
    use super::*;

    pub(super) fn serialize<S: serde::Serializer>(
        h: &Histogram<u64>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::new();
        V2Serializer::new()
            .serialize(h, &mut bytes)
            .map_err(|e| serde::ser::Error::custom(format!("histogram: {e:?}")))?;
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(
        d: D,
    ) -> Result<Histogram<u64>, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("histogram is not base64: {e}")))?;
        let mut h: Histogram<u64> = Deserializer::new()
            .deserialize(&mut bytes.as_slice())
            .map_err(|e| serde::de::Error::custom(format!("histogram: {e:?}")))?;
        h.auto(true);
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn result(values: &[u64], shard: u32, count: u32) -> LoadResult {
        let mut histogram = histogram();
        let mut status = StatusCounts::default();
        for v in values {
            histogram.record(*v).unwrap();
            status.add_status(200);
        }
        LoadResult {
            format: FORMAT,
            url: "http://127.0.0.1/".into(),
            method: "GET".into(),
            model: "open".into(),
            rate: Some(100.0 / f64::from(count)),
            connections: 4,
            shards: vec![ShardInfo {
                index: shard,
                count,
            }],
            duration_ms: 1000.0,
            scheduled: values.len() as u64,
            sent: values.len() as u64,
            status,
            errors: ErrorCounts::default(),
            histogram,
            timeline: vec![Second {
                t: 0,
                status,
                ..Second::default()
            }],
        }
    }

    #[test]
    fn shards_saved_as_json_merge_into_exactly_the_whole() {
        // A spread of latencies from 50 µs to 2 s, dealt to 4 shards round-robin.
        let all: Vec<u64> = (0..20_000u64)
            .map(|i| 50 + (i * i * 7919) % 2_000_000)
            .collect();
        let whole = result(&all, 0, 1);
        let shards: Vec<LoadResult> = (0..4u32)
            .map(|s| {
                let mine: Vec<u64> = all.iter().copied().skip(s as usize).step_by(4).collect();
                let r = result(&mine, s, 4);
                LoadResult::from_json(&r.to_json().unwrap()).unwrap()
            })
            .collect();
        let merged = LoadResult::merge(shards).unwrap();
        assert_eq!(merged.requests(), whole.requests());
        assert_eq!(merged.histogram, whole.histogram);
        for q in [0.5, 0.9, 0.95, 0.99, 0.999, 1.0] {
            assert_eq!(merged.quantile_ms(q), whole.quantile_ms(q), "q={q}");
        }
        assert_eq!(merged.rate, Some(100.0));
        assert_eq!(merged.timeline[0].status.s2xx, 20_000);
        assert_eq!(merged.shards.len(), 4);
    }

    #[test]
    fn the_same_shard_twice_or_another_run_does_not_merge() {
        let a = result(&[1, 2], 0, 2);
        let e = LoadResult::merge(vec![a.clone(), a.clone()]).unwrap_err();
        assert!(e.to_string().contains("shard 0/2 appears twice"), "{e}");
        let mut b = result(&[1], 1, 2);
        b.url = "http://127.0.0.1:81/".into();
        assert!(LoadResult::merge(vec![a, b]).is_err());
        assert!(LoadResult::from_json("{\"format\": 9}").is_err());
    }
}
