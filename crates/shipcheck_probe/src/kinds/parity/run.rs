//! Reads both trees (on a plain thread bounded by the check's timeout) and compares
//! their files and links by SHA-256, type and permission bits; directories are not
//! compared (archives often omit them).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use shipcheck_archive::{EntryKind, Limits};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::{Diff, DiffKind, ParityFacts};
use super::spec::ParityProbe;
use crate::kinds::db_common::cap_text;

/// Differences listed in the evidence.
const EVIDENCE_DIFFS: usize = 200;

/// What is compared of one path.
#[derive(PartialEq, Eq)]
struct Seen {
    kind: &'static str,
    sha256: String,
    mode: Option<u32>,
}

pub(super) async fn observe(p: &ParityProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let probe = p.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("shipcheck-parity".into())
        .spawn(move || {
            let _ = tx.send(compare(&probe));
        })
        .map_err(|e| ProbeError::new(FailureClass::Protocol, format!("cannot start the parity thread: {e}")))?;
    let facts = match tokio::time::timeout(cx.timeout, rx).await {
        Err(_) => {
            return Err(ProbeError::new(
                FailureClass::Timeout,
                format!("comparing the trees did not finish within {}", shipcheck_plan::format_duration(cx.timeout)),
            ));
        }
        Ok(Err(_)) => return Err(ProbeError::new(FailureClass::Protocol, "the parity thread ended without a result")),
        Ok(Ok(r)) => r?,
    };
    let mut text = format!(
        "{} vs {}: {} paths compared, {} differences ({} allowed by {})\n",
        p.local.display(),
        p.deployed.display(),
        facts.compared,
        facts.diffs.len(),
        facts.diffs.iter().filter(|d| d.allowed).count(),
        if p.allow.is_empty() { "no glob".to_owned() } else { p.allow.join(", ") },
    );
    for d in facts.diffs.iter().take(EVIDENCE_DIFFS) {
        let _ = writeln!(text, "{}{}", d.shown(), if d.allowed { " [allowed]" } else { "" });
    }
    let truncated = cap_text(&mut text, cx.evidence_cap) || facts.diffs.len() > EVIDENCE_DIFFS;
    let count = |name: &str, n: usize| Measurement::new(name, n as f64, MeasureUnit::Count);
    let measurements = vec![
        count("compared", facts.compared),
        count("differences", facts.diffs.iter().filter(|d| !d.allowed).count()),
        count("allowed", facts.diffs.iter().filter(|d| d.allowed).count()),
        Measurement::new("total", facts.duration_ms, MeasureUnit::Ms),
    ];
    let mut observed = Observed::new(facts);
    observed.measurements = measurements;
    observed.evidence.push(Evidence { label: "parity".into(), text, truncated });
    Ok(observed)
}

fn read(path: &Path, max_files: usize) -> Result<BTreeMap<String, Seen>, ProbeError> {
    let limits = Limits { max_entries: max_files, ..Limits::default() };
    let tree = shipcheck_archive::open(path, limits).map_err(|e| {
        let class = if matches!(&e, shipcheck_archive::Error::Io { .. }) { FailureClass::Connect } else { FailureClass::Protocol };
        ProbeError::new(class, e.with_causes())
    })?;
    let mut out = BTreeMap::new();
    tree.for_each(|e| {
        let kind = match e.kind {
            EntryKind::File => "file",
            EntryKind::Symlink(_) | EntryKind::HardLink(_) => "link",
            EntryKind::Other => "special file",
            EntryKind::Dir => return Ok(()),
        };
        out.insert(e.path, Seen { kind, sha256: e.sha256, mode: e.mode });
        Ok(())
    })
    .map_err(|e| ProbeError::new(FailureClass::Protocol, e.with_causes()))?;
    Ok(out)
}

fn compare(p: &ParityProbe) -> Result<ParityFacts, ProbeError> {
    let start = Instant::now();
    // The two trees are read (and hashed) at once, one thread each.
    let (local, deployed) = std::thread::scope(|s| {
        let other = s.spawn(|| read(&p.deployed, p.max_files));
        let local = read(&p.local, p.max_files);
        let deployed = other.join().unwrap_or_else(|_| {
            Err(ProbeError::new(FailureClass::Protocol, "reading the deployed tree failed"))
        });
        (local, deployed)
    });
    let (local, deployed) = (local?, deployed?);
    let mut diffs = Vec::new();
    let mut push = |path: &str, kind, detail: String| {
        diffs.push(Diff { path: path.to_owned(), kind, detail, allowed: p.allow_set.is_match(path) });
    };
    for (path, l) in &local {
        match deployed.get(path) {
            None => push(path, DiffKind::Removed, String::new()),
            Some(d) if d.kind != l.kind => push(path, DiffKind::Type, format!("{} → {}", l.kind, d.kind)),
            Some(d) => {
                if d.sha256 != l.sha256 {
                    push(path, DiffKind::Changed, format!("sha256 {} → {}", &l.sha256[..12.min(l.sha256.len())], &d.sha256[..12.min(d.sha256.len())]));
                }
                if let (true, Some(lm), Some(dm)) = (p.modes, l.mode, d.mode)
                    && lm != dm
                {
                    push(path, DiffKind::Mode, format!("{lm:04o} → {dm:04o}"));
                }
            }
        }
    }
    for path in deployed.keys().filter(|k| !local.contains_key(*k)) {
        push(path, DiffKind::Added, String::new());
    }
    diffs.sort_by(|a, b| a.path.cmp(&b.path));
    let compared = local.len() + deployed.keys().filter(|k| !local.contains_key(*k)).count();
    Ok(ParityFacts { compared, diffs, duration_ms: start.elapsed().as_secs_f64() * 1000.0 })
}
