//! What a `load` check measured, and how its expectations read it.

use shipcheck_load::LoadResult;
use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};
use shipcheck_report::{MeasureUnit, Measurement, Point, Series};

/// The result of the run (or of the merged shards).
#[derive(Debug, Clone)]
pub struct LoadFacts {
    /// Counts, histogram and timeline.
    pub result: LoadResult,
    /// Wall time of the attempt.
    pub duration_ms: f64,
}

impl Facts for LoadFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `load` expectation looks at; each is also a measurement of the same name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum LoadQuery {
    /// A latency quantile (`p50` … `p99_9`), named.
    Quantile(&'static str, f64),
    /// The slowest request.
    Max,
    /// Failed over finished requests.
    ErrorRate,
    /// Finished requests per second.
    Rps,
    /// Open model: answered over due.
    RateAchieved,
    /// Finished requests.
    Requests,
}

impl LoadQuery {
    /// The query (and measurement) of an `expect:` key.
    pub(super) fn of(key: &str) -> Option<Self> {
        Some(match key {
            "p50" => LoadQuery::Quantile("p50", 0.5),
            "p90" => LoadQuery::Quantile("p90", 0.9),
            "p95" => LoadQuery::Quantile("p95", 0.95),
            "p99" => LoadQuery::Quantile("p99", 0.99),
            "p99_9" => LoadQuery::Quantile("p99_9", 0.999),
            "max" => LoadQuery::Max,
            "error_rate" => LoadQuery::ErrorRate,
            "rps" => LoadQuery::Rps,
            "rate_achieved" => LoadQuery::RateAchieved,
            "requests" => LoadQuery::Requests,
            _ => return None,
        })
    }

    fn name(&self) -> &'static str {
        match self {
            LoadQuery::Quantile(name, _) => name,
            LoadQuery::Max => "max",
            LoadQuery::ErrorRate => "error_rate",
            LoadQuery::Rps => "rps",
            LoadQuery::RateAchieved => "rate_achieved",
            LoadQuery::Requests => "requests",
        }
    }
}

impl Select for LoadQuery {
    fn subject(&self) -> String {
        match self {
            LoadQuery::RateAchieved => "rate achieved".into(),
            LoadQuery::ErrorRate => "error rate".into(),
            other => other.name().into(),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &LoadFacts = facts_as(facts, "load")?;
        let r = &f.result;
        let no_answer = || "no request was answered".to_owned();
        match self {
            LoadQuery::Quantile(_, q) => r
                .quantile_ms(*q)
                .map(|v| Selected::with_unit(round(v), Unit::Millis))
                .ok_or_else(no_answer),
            LoadQuery::Max => r
                .max_ms()
                .map(|v| Selected::with_unit(round(v), Unit::Millis))
                .ok_or_else(no_answer),
            LoadQuery::ErrorRate => Ok(Selected::with_unit(round(r.error_rate() * 100.0), Unit::Percent)),
            LoadQuery::Rps => Ok(Selected::one(round(r.rps()))),
            LoadQuery::Requests => Ok(Selected::one(r.requests())),
            LoadQuery::RateAchieved => r
                .rate_achieved()
                .map(|v| Selected::with_unit(round(v * 100.0), Unit::Percent))
                .ok_or_else(|| "the closed model has no target rate (use `rate:`)".into()),
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let r = &facts_as::<LoadFacts>(facts, "load").ok()?.result;
        match self {
            LoadQuery::RateAchieved => {
                let achieved = r.rate_achieved()?;
                let secs = r.duration_ms / 1000.0;
                (achieved < 1.0).then(|| {
                    format!(
                        "rate not achieved: {} of {} due requests answered, {:.1} req/s of {:.1} req/s asked",
                        r.status.total(),
                        r.scheduled,
                        r.status.total() as f64 / secs.max(1e-9),
                        r.rate.unwrap_or(0.0)
                    )
                })
            }
            LoadQuery::ErrorRate if r.failed() > 0 => Some(format!(
                "{} of {} failed: {} 4xx, {} 5xx, {} connect, {} timeout, {} protocol",
                r.failed(),
                r.requests(),
                r.status.s4xx,
                r.status.s5xx,
                r.errors.connect,
                r.errors.timeout,
                r.errors.protocol
            )),
            _ => None,
        }
    }

    fn measurement(&self) -> Option<&'static str> {
        Some(self.name())
    }
}

/// Two decimals: what reports show, so the judged value is the shown one.
fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The measurements of a result, named as the expectations.
pub(super) fn measurements(r: &LoadResult) -> Vec<Measurement> {
    let mut out = vec![
        Measurement::new("requests", r.requests() as f64, MeasureUnit::Count),
        Measurement::new("rps", round(r.rps()), MeasureUnit::Count),
    ];
    for (name, q) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99), ("p99_9", 0.999)] {
        if let Some(v) = r.quantile_ms(q) {
            out.push(Measurement::new(name, round(v), MeasureUnit::Ms));
        }
    }
    if let Some(v) = r.max_ms() {
        out.push(Measurement::new("max", round(v), MeasureUnit::Ms));
    }
    if let Some(v) = r.mean_ms() {
        out.push(Measurement::new("mean", round(v), MeasureUnit::Ms));
    }
    out.push(Measurement::new("error_rate", r.error_rate(), MeasureUnit::Ratio));
    if let Some(v) = r.rate_achieved() {
        out.push(Measurement::new("rate_achieved", v, MeasureUnit::Ratio));
        out.push(Measurement::new("scheduled", r.scheduled as f64, MeasureUnit::Count));
    }
    let s = &r.status;
    for (name, v) in [
        ("responses_1xx", s.s1xx),
        ("responses_2xx", s.s2xx),
        ("responses_3xx", s.s3xx),
        ("responses_4xx", s.s4xx),
        ("responses_5xx", s.s5xx),
        ("errors_connect", r.errors.connect),
        ("errors_timeout", r.errors.timeout),
        ("errors_protocol", r.errors.protocol),
    ] {
        if v > 0 || name == "responses_2xx" {
            out.push(Measurement::new(name, v as f64, MeasureUnit::Count));
        }
    }
    out
}

/// A count read from one second of the timeline.
type PerSecond = dyn Fn(&shipcheck_load::Second) -> u64;

/// The per-second timeline as report series: throughput, failures, p50 and p99.
pub(super) fn timeline(r: &LoadResult) -> Vec<Series> {
    let series = |name: &str, unit, f: &dyn Fn(&shipcheck_load::Second) -> f64| Series {
        name: name.into(),
        unit,
        points: r
            .timeline
            .iter()
            .map(|s| Point {
                t_ms: f64::from(s.t) * 1000.0,
                value: f(s),
            })
            .collect(),
    };
    let mut out = vec![
        series("requests per second", MeasureUnit::Count, &|s| s.requests() as f64),
        series("failed per second", MeasureUnit::Count, &|s| s.failed() as f64),
        series("p50", MeasureUnit::Ms, &|s| s.p50_ms),
        series("p99", MeasureUnit::Ms, &|s| s.p99_ms),
    ];
    let classes: [(&str, &PerSecond); 5] = [
        ("4xx per second", &|s| s.status.s4xx),
        ("5xx per second", &|s| s.status.s5xx),
        ("connect errors per second", &|s| s.errors.connect),
        ("timeouts per second", &|s| s.errors.timeout),
        ("protocol errors per second", &|s| s.errors.protocol),
    ];
    for (name, f) in classes {
        if r.timeline.iter().any(|s| f(s) > 0) {
            out.push(series(name, MeasureUnit::Count, &|s| f(s) as f64));
        }
    }
    out
}
