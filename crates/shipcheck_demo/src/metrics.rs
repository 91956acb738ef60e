//! Request metrics kept by the demo's middleware, rendered as Prometheus text exposition
//! (format 0.0.4) by hand: one counter and one histogram are not worth a dependency.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Histogram upper bounds, in seconds (Prometheus client defaults).
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// `http_requests_total` and `http_request_duration_seconds`, by label set.
#[derive(Default)]
pub(crate) struct Metrics {
    inner: Mutex<Series>,
}

#[derive(Default)]
struct Series {
    /// (method, path, status) → count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// (method, path) → histogram.
    durations: BTreeMap<(String, String), Histogram>,
}

#[derive(Default)]
struct Histogram {
    /// Cumulative counts per bucket of [`BUCKETS`] (the `+Inf` bucket is `count`).
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Metrics {
    /// Records one finished request. `path` must come from a bounded set (route templates).
    pub(crate) fn observe(&self, method: &str, path: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut series = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *series
            .requests
            .entry((method.to_owned(), path.to_owned(), status))
            .or_default() += 1;
        let histogram = series
            .durations
            .entry((method.to_owned(), path.to_owned()))
            .or_default();
        for (bound, bucket) in BUCKETS.iter().zip(histogram.buckets.iter_mut()) {
            if secs <= *bound {
                *bucket += 1;
            }
        }
        histogram.sum += secs;
        histogram.count += 1;
    }

    /// The exposition text.
    pub(crate) fn render(&self) -> String {
        let series = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = String::new();
        out.push_str("# HELP http_requests_total Total HTTP requests handled, by method, route and status.\n");
        out.push_str("# TYPE http_requests_total counter\n");
        for ((method, path, status), count) in &series.requests {
            let _ = writeln!(
                out,
                "http_requests_total{{method=\"{}\",path=\"{}\",status=\"{status}\"}} {count}",
                escape(method),
                escape(path)
            );
        }
        out.push_str("# HELP http_request_duration_seconds HTTP request duration in seconds, by method and route.\n");
        out.push_str("# TYPE http_request_duration_seconds histogram\n");
        for ((method, path), histogram) in &series.durations {
            let labels = format!("method=\"{}\",path=\"{}\"", escape(method), escape(path));
            for (bound, count) in BUCKETS.iter().zip(histogram.buckets) {
                let _ = writeln!(
                    out,
                    "http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                histogram.count
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_sum{{{labels}}} {}",
                histogram.sum
            );
            let _ = writeln!(
                out,
                "http_request_duration_seconds_count{{{labels}}} {}",
                histogram.count
            );
        }
        out
    }
}

/// Escapes a label value (backslash, double quote, newline).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/health/live", 200, Duration::from_millis(3));
        metrics.observe("GET", "/health/live", 200, Duration::from_millis(300));
        metrics.observe("POST", "/api/v1/auth/login", 401, Duration::from_millis(20));
        let text = metrics.render();
        assert!(text.contains("# TYPE http_requests_total counter\n"));
        assert!(text.contains(
            "http_requests_total{method=\"GET\",path=\"/health/live\",status=\"200\"} 2\n"
        ));
        assert!(text.contains(
            "http_requests_total{method=\"POST\",path=\"/api/v1/auth/login\",status=\"401\"} 1\n"
        ));
        let live = "method=\"GET\",path=\"/health/live\"";
        assert!(text.contains(&format!(
            "http_request_duration_seconds_bucket{{{live},le=\"0.005\"}} 1\n"
        )));
        assert!(text.contains(&format!(
            "http_request_duration_seconds_bucket{{{live},le=\"0.25\"}} 1\n"
        )));
        assert!(text.contains(&format!(
            "http_request_duration_seconds_bucket{{{live},le=\"0.5\"}} 2\n"
        )));
        assert!(text.contains(&format!(
            "http_request_duration_seconds_bucket{{{live},le=\"+Inf\"}} 2\n"
        )));
        assert!(text.contains(&format!(
            "http_request_duration_seconds_count{{{live}}} 2\n"
        )));
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
