//! What a `parity` check observed: each difference between the trees with its kind, and
//! whether an `allow` glob covers it.

use shipcheck_plan::kind::{Facts, Judge, Select, Selected, facts_as};

/// How a path differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DiffKind {
    /// Only in the deployed tree.
    Added,
    /// Only in the local tree.
    Removed,
    /// Content differs (SHA-256).
    Changed,
    /// Permission bits differ.
    Mode,
    /// A file in one tree, a link or directory in the other.
    Type,
}

impl DiffKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            DiffKind::Added => "added",
            DiffKind::Removed => "removed",
            DiffKind::Changed => "changed",
            DiffKind::Mode => "mode",
            DiffKind::Type => "type",
        }
    }
}

/// One difference.
#[derive(Debug, Clone)]
pub(crate) struct Diff {
    pub(crate) path: String,
    pub(crate) kind: DiffKind,
    /// Details (`0644 → 0755`).
    pub(crate) detail: String,
    /// Covered by an `allow` glob.
    pub(crate) allowed: bool,
}

impl Diff {
    pub(crate) fn shown(&self) -> String {
        if self.detail.is_empty() {
            format!("{} {}", self.kind.as_str(), self.path)
        } else {
            format!("{} {} ({})", self.kind.as_str(), self.path, self.detail)
        }
    }
}

/// The comparison.
#[derive(Debug, Default)]
pub(crate) struct ParityFacts {
    /// Paths compared (the union of both trees' files and links).
    pub(crate) compared: usize,
    /// Every difference, in path order.
    pub(crate) diffs: Vec<Diff>,
    pub(crate) duration_ms: f64,
}

impl Facts for ParityFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The subject of the `differences` judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Differences;

impl Select for Differences {
    fn subject(&self) -> String {
        "differences".into()
    }
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &ParityFacts = facts_as(facts, "parity")?;
        Ok(Selected::one(f.diffs.iter().filter(|d| !d.allowed).count()))
    }
}

/// `differences: none`: every difference is allowed.
#[derive(Debug)]
pub(super) struct NoDifferences;

impl Judge for NoDifferences {
    fn describe(&self) -> (String, String) {
        ("equals".into(), "none (beyond the allowed ones)".into())
    }
    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let f: &ParityFacts = match facts_as(facts, "parity") {
            Ok(f) => f,
            Err(e) => return (false, e),
        };
        let bad: Vec<String> = f.diffs.iter().filter(|d| !d.allowed).map(Diff::shown).collect();
        let allowed = f.diffs.len() - bad.len();
        if bad.is_empty() {
            (true, format!("identical in {} paths ({allowed} allowed differences)", f.compared))
        } else {
            (false, format!("{} differences: {}", bad.len(), bad.join("; ")))
        }
    }
}
