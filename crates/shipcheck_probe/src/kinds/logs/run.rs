//! Reads the log (the end of a file, or a command's output as the `exec` kind runs it)
//! and judges each line in the window: error pattern, format, level.

use std::fmt::Write as _;
use std::io::{Read, Seek, SeekFrom};
use std::sync::LazyLock;
use std::time::Instant;

use regex::Regex;
use serde_json::Value;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::{EXAMPLES, LogFacts};
use super::spec::{Format, LogsProbe, Since, Source};
use crate::kinds::db_common::cap_text;
use crate::kinds::exec::ExecFacts;
use crate::kinds::timestamp;

/// Longest line kept as an example.
const EXAMPLE_CHARS: usize = 300;

static LEVEL: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL)\b").ok());

pub(super) async fn observe(p: &LogsProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let (text, origin, cut) = match &p.source {
        Source::File(path) => {
            let path = path.clone();
            let max = p.max_bytes;
            let read = tokio::task::spawn_blocking(move || tail(&path, max));
            match tokio::time::timeout(cx.timeout, read).await {
                Err(_) => return Err(ProbeError::new(FailureClass::Timeout, "reading the log timed out")),
                Ok(Err(e)) => return Err(ProbeError::new(FailureClass::Protocol, format!("log reader failed: {e}"))),
                Ok(Ok(r)) => r?,
            }
        }
        Source::Exec(exec) => {
            let o = crate::kinds::exec::run::observe(exec, cx).await?;
            let f: &ExecFacts = o.facts.as_any().downcast_ref().ok_or_else(|| ProbeError::new(FailureClass::Protocol, "exec facts"))?;
            if f.exit_code != Some(0) {
                let first = o.evidence.first().map(|e| e.text.clone()).unwrap_or_default();
                return Err(ProbeError {
                    class: FailureClass::Protocol,
                    message: format!("the log command failed ({})", f.exit_code.map_or("ended by a signal".into(), |c| format!("exit code {c}"))),
                    evidence: o.evidence,
                    sent_secrets: Vec::new(),
                    partial: None,
                }
                .with_note(first));
            }
            let cut = f.stdout_cut;
            let mut text = f.stdout.clone();
            if cut {
                // The kept tail starts mid-line.
                text = text.split_once('\n').map(|(_, rest)| rest.to_owned()).unwrap_or_default();
            }
            (text, o.evidence.first().map(|e| e.text.lines().next().unwrap_or("").to_owned()).unwrap_or_default(), cut)
        }
    };
    let since = match p.since {
        Since::All => None,
        Since::PlanStart => Some(cx.plan_start.duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())),
        Since::At(t) => Some(t),
        Since::Ago(d) => Some(timestamp::now() - d.as_secs_f64()),
    };
    let mut facts = judge(p, &text, since);
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let mut ev = format!(
        "{origin}: {} lines read{}, {} judged{}\nerror lines: {}\n",
        facts.read,
        if cut { " (the end of the log, within max_bytes)" } else { "" },
        facts.judged,
        match since {
            None => String::new(),
            Some(_) if !facts.stamped => " (no timestamps: all of them)".into(),
            Some(t) => format!(" (stamped since {})", shown_time(t)),
        },
        facts.errors
    );
    for e in &facts.error_examples {
        let _ = writeln!(ev, "  {e}");
    }
    if let Some(n) = facts.invalid {
        let _ = writeln!(ev, "lines not in the format: {n}");
        for e in &facts.invalid_examples {
            let _ = writeln!(ev, "  {e}");
        }
    }
    let levels: Vec<String> = facts.levels.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(ev, "levels: {}", if levels.is_empty() { "none found".into() } else { levels.join(", ") });
    let truncated = cap_text(&mut ev, cx.evidence_cap);
    let count = |name: String, n: usize| Measurement::new(name, n as f64, MeasureUnit::Count);
    let mut measurements = vec![count("lines".into(), facts.judged), count("errors".into(), facts.errors)];
    measurements.extend(facts.levels.iter().map(|(k, v)| count(format!("level {k}"), *v)));
    measurements.push(Measurement::new("total", facts.duration_ms, MeasureUnit::Ms));
    let mut observed = Observed::new(facts);
    observed.measurements = measurements;
    observed.evidence.push(Evidence { label: "logs".into(), text: ev, truncated });
    Ok(observed)
}

/// Unix seconds as RFC 3339 UTC.
fn shown_time(t: f64) -> String {
    time::OffsetDateTime::from_unix_timestamp(t as i64)
        .ok()
        .and_then(|d| d.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| format!("{t:.0} (Unix time)"))
}

trait WithNote {
    fn with_note(self, note: String) -> Self;
}

impl WithNote for ProbeError {
    fn with_note(mut self, note: String) -> Self {
        if self.evidence.is_empty() && !note.is_empty() {
            self.evidence.push(Evidence { label: "exec".into(), text: note, truncated: false });
        }
        self
    }
}

/// The last `max` bytes of a file (from the first whole line), whether it was cut, and
/// its name.
fn tail(path: &std::path::Path, max: u64) -> Result<(String, String, bool), ProbeError> {
    let shown = path.display().to_string();
    let mut f = std::fs::File::open(path).map_err(|e| ProbeError::new(FailureClass::Connect, format!("cannot open log file {shown}: {e}")))?;
    let meta = f.metadata().map_err(|e| ProbeError::new(FailureClass::Connect, format!("cannot read log file {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(ProbeError::new(FailureClass::Connect, format!("log file {shown} is not a regular file")));
    }
    let cut = meta.len() > max;
    if cut {
        f.seek(SeekFrom::Start(meta.len() - max))
            .map_err(|e| ProbeError::new(FailureClass::Connect, format!("cannot read log file {shown}: {e}")))?;
    }
    let mut bytes = Vec::new();
    f.take(max)
        .read_to_end(&mut bytes)
        .map_err(|e| ProbeError::new(FailureClass::Connect, format!("cannot read log file {shown}: {e}")))?;
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if cut {
        text = text.split_once('\n').map(|(_, rest)| rest.to_owned()).unwrap_or_default();
    }
    Ok((text, shown, cut))
}

/// A JSON line's timestamp and level fields.
fn json_fields(v: &Value) -> (Option<f64>, Option<String>) {
    let ts = ["timestamp", "time", "ts", "@timestamp", "asctime"].iter().find_map(|k| match v.get(k)? {
        Value::String(s) => timestamp::find(s),
        // Seconds, or milliseconds when it is too large to be seconds.
        Value::Number(n) => n.as_f64().map(|x| if x > 1e11 { x / 1000.0 } else { x }),
        _ => None,
    });
    let level = ["level", "levelname", "severity", "lvl"].iter().find_map(|k| v.get(k)?.as_str().map(str::to_owned));
    (ts, level)
}

fn example(n: usize, line: &str) -> String {
    let mut s: String = line.chars().take(EXAMPLE_CHARS).collect();
    if s.len() < line.len() {
        s.push('…');
    }
    format!("line {n}: {s}")
}

/// Judges each line: stamped lines before `since` are outside the window; an unstamped
/// line belongs with the line before it (a traceback); with no stamp at all, every line
/// is judged.
pub(super) fn judge(p: &LogsProbe, text: &str, since: Option<f64>) -> LogFacts {
    let mut f = LogFacts { invalid: p.format.as_ref().map(|_| 0), ..LogFacts::default() };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    f.read = lines.len();
    let mut current: Option<f64> = None;
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        let json: Option<Value> = match (&p.format, line.trim_start().starts_with('{')) {
            (Some(Format::Json), _) | (_, true) => serde_json::from_str(line).ok(),
            _ => None,
        };
        let (ts, json_level) = json.as_ref().map_or((None, None), json_fields);
        if let Some(t) = ts.or_else(|| timestamp::find(line)) {
            current = Some(t);
            f.stamped = true;
        }
        if let (Some(since), Some(t)) = (since, current)
            && t < since
        {
            continue;
        }
        f.judged += 1;
        if p.error_pattern.is_match(line) {
            f.errors += 1;
            if f.error_examples.len() < EXAMPLES {
                f.error_examples.push(example(n, line));
            }
        }
        let valid = match &p.format {
            None => true,
            Some(Format::Json) => json.as_ref().is_some_and(Value::is_object),
            Some(Format::Regex(r)) => r.is_match(line),
        };
        if !valid {
            if let Some(c) = f.invalid.as_mut() {
                *c += 1;
            }
            if f.invalid_examples.len() < EXAMPLES {
                f.invalid_examples.push(example(n, line));
            }
        }
        let level = json_level.or_else(|| LEVEL.as_ref()?.find(line).map(|m| m.as_str().to_owned()));
        if let Some(level) = level {
            let mut level = level.to_ascii_uppercase();
            if level == "WARN" {
                level = "WARNING".into();
            }
            *f.levels.entry(level).or_default() += 1;
        }
    }
    f
}
