//! What a `package` check observed, and the queries and judges its expectations use.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde_json::Value;
use shipcheck_plan::kind::{Facts, Judge, Select, Selected, facts_as};

use super::vendored::{Found, Pin, compare};
use crate::kinds::db_common::facts::DbFacts;

/// One line of the checksum file, verified.
#[derive(Debug, Clone)]
pub(crate) struct ChecksumLine {
    /// The name the line checks.
    pub(crate) name: String,
    /// The SHA-256 the line says.
    pub(crate) expected: String,
    /// The SHA-256 measured, or why there is none (missing, unreadable).
    pub(crate) actual: Result<String, String>,
}

/// What one read of the package found.
#[derive(Debug)]
pub(crate) struct PackageFacts {
    /// Every entry path (files, directories, links).
    pub(crate) paths: BTreeSet<String>,
    /// The checksum file's lines, verified (`None`: no `checksum:`; `Err`: unreadable).
    pub(crate) checksum: Option<Result<Vec<ChecksumLine>, String>>,
    /// The build-info document, or why there is none.
    pub(crate) build_info: Result<Value, String>,
    /// Pinned requirements (`None`: no `requirements:`; `Err`: unreadable).
    pub(crate) pinned: Option<Result<BTreeMap<String, Pin>, String>>,
    /// Lines of the requirements file that are not exact pins.
    pub(crate) pin_problems: Vec<String>,
    /// Vendored packages found, by normalised name.
    pub(crate) vendored: BTreeMap<String, Found>,
    /// Secrets found inside (masked), as `path:line:column rule message`.
    pub(crate) secrets: Vec<String>,
    /// Text files scanned for secrets.
    pub(crate) scanned: usize,
    /// The embedded database (`None`: no `sqlite:`; `Err`: missing or unreadable).
    pub(crate) db: Option<Result<DbFacts, String>>,
    /// Time of the attempt.
    pub(crate) duration_ms: f64,
}

impl Default for PackageFacts {
    fn default() -> Self {
        Self {
            paths: BTreeSet::new(),
            checksum: None,
            build_info: Err("not read".into()),
            pinned: None,
            pin_problems: Vec::new(),
            vendored: BTreeMap::new(),
            secrets: Vec::new(),
            scanned: 0,
            db: None,
            duration_ms: 0.0,
        }
    }
}

impl Facts for PackageFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        self.build_info.as_ref().map(Cow::Borrowed).map_err(Clone::clone)
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn package(facts: &dyn Facts) -> Result<&PackageFacts, String> {
    facts_as(facts, "package")
}

/// What a `package` expectation is about (the subject of a judge, or a selected value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PackageQuery {
    /// `ok`, or what does not match.
    Checksum,
    /// Subjects of judges.
    BuildInfo,
    Vendored,
    Files,
    Secrets,
}

impl Select for PackageQuery {
    fn subject(&self) -> String {
        match self {
            PackageQuery::Checksum => "checksum",
            PackageQuery::BuildInfo => "build_info",
            PackageQuery::Vendored => "vendored packages",
            PackageQuery::Files => "required files",
            PackageQuery::Secrets => "secrets inside",
        }
        .into()
    }
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f = package(facts)?;
        match self {
            PackageQuery::Checksum => match &f.checksum {
                None => Err("the check names no `checksum:` file".into()),
                Some(Err(e)) => Err(e.clone()),
                Some(Ok(lines)) => Ok(Selected::one(checksum_verdict(lines))),
            },
            _ => Err(format!("`{}` is judged, not selected", self.subject())),
        }
    }
}

/// `ok`, or every line that does not match.
fn checksum_verdict(lines: &[ChecksumLine]) -> String {
    let bad: Vec<String> = lines
        .iter()
        .filter_map(|l| match &l.actual {
            Ok(a) if *a == l.expected => None,
            Ok(a) => Some(format!(
                "mismatch: {} has sha256 {a}, the checksum file says {}",
                l.name, l.expected
            )),
            Err(e) => Some(format!("{}: {e}", l.name)),
        })
        .collect();
    if bad.is_empty() {
        "ok".into()
    } else {
        bad.join("; ")
    }
}

/// `build_info: { FIELD: TYPE }`: each field present with its type.
#[derive(Debug)]
pub(super) struct BuildInfoFields(pub(super) Vec<(String, FieldType)>);

/// The type a build-info field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldType {
    String,
    Number,
    Integer,
    Boolean,
    /// An RFC 3339 date-time text (`2026-01-31T12:00:00Z`).
    Timestamp,
    /// A hexadecimal commit id of 7 to 64 characters.
    Commit,
}

impl FieldType {
    pub(super) const NAMES: &[&str] = &["string", "number", "integer", "boolean", "timestamp", "commit"];

    pub(super) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "string" => Self::String,
            "number" => Self::Number,
            "integer" => Self::Integer,
            "boolean" => Self::Boolean,
            "timestamp" => Self::Timestamp,
            "commit" => Self::Commit,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    fn holds(self, v: &Value) -> bool {
        match self {
            Self::String => v.is_string(),
            Self::Number => v.is_number(),
            Self::Integer => v.is_i64() || v.is_u64(),
            Self::Boolean => v.is_boolean(),
            Self::Timestamp => v.as_str().is_some_and(|s| {
                crate::kinds::timestamp::is_rfc3339(s)
            }),
            Self::Commit => v.as_str().is_some_and(|s| {
                (7..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit())
            }),
        }
    }
}

impl Judge for BuildInfoFields {
    fn describe(&self) -> (String, String) {
        let want: Vec<String> = self.0.iter().map(|(k, t)| format!("{k}: {}", t.name())).collect();
        ("has fields".into(), want.join(", "))
    }
    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let doc = match package(facts).and_then(|f| f.build_info.clone()) {
            Ok(d) => d,
            Err(e) => return (false, e),
        };
        let mut bad = Vec::new();
        for (field, ty) in &self.0 {
            match doc.get(field) {
                None => bad.push(format!("missing field `{field}`")),
                Some(v) if !ty.holds(v) => bad.push(format!("`{field}` is {v}, not a {}", ty.name())),
                Some(_) => {}
            }
        }
        if bad.is_empty() {
            (true, "every field present with its type".into())
        } else {
            (false, bad.join("; "))
        }
    }
}

/// `vendored: exact` / `{ dev: [...] }`: the vendored set equals the pinned one.
#[derive(Debug)]
pub(super) struct VendoredExact {
    pub(super) dev: Vec<String>,
}

impl Judge for VendoredExact {
    fn describe(&self) -> (String, String) {
        let mut want = "exactly the pinned requirements".to_owned();
        if !self.dev.is_empty() {
            want.push_str(&format!(", none of {}", self.dev.join(", ")));
        }
        ("match".into(), want)
    }
    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let f = match package(facts) {
            Ok(f) => f,
            Err(e) => return (false, e),
        };
        let pinned = match &f.pinned {
            None => return (false, "the check names no `requirements:` file".into()),
            Some(Err(e)) => return (false, e.clone()),
            Some(Ok(p)) => p,
        };
        let mut diffs: Vec<String> = f.pin_problems.iter().map(|p| format!("requirements {p}")).collect();
        diffs.extend(compare(pinned, &f.vendored, &self.dev));
        if diffs.is_empty() {
            (true, format!("{} packages, each at its pinned version", pinned.len()))
        } else {
            (false, diffs.join("; "))
        }
    }
}

/// `files: [PATH, …]`: each present in the package.
#[derive(Debug)]
pub(super) struct HasFiles(pub(super) Vec<String>);

impl Judge for HasFiles {
    fn describe(&self) -> (String, String) {
        ("present".into(), self.0.join(", "))
    }
    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let f = match package(facts) {
            Ok(f) => f,
            Err(e) => return (false, e),
        };
        let missing: Vec<&str> = self.0.iter().filter(|p| !f.paths.contains(*p)).map(String::as_str).collect();
        if missing.is_empty() {
            (true, "all present".into())
        } else {
            (false, format!("missing: {}", missing.join(", ")))
        }
    }
}

/// `secrets: none`: the `secrets/*` lint rules find nothing in the package's text files.
#[derive(Debug)]
pub(super) struct NoSecrets;

impl Judge for NoSecrets {
    fn describe(&self) -> (String, String) {
        ("equals".into(), "none".into())
    }
    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        match package(facts) {
            Err(e) => (false, e),
            Ok(f) if f.secrets.is_empty() => (true, format!("none in {} text files", f.scanned)),
            Ok(f) => (false, f.secrets.join("; ")),
        }
    }
}

/// A `sqlite` expectation's query, read from the package's embedded database.
#[derive(Debug)]
pub(super) struct InDb(pub(super) Arc<dyn Select>);

fn db(facts: &dyn Facts) -> Result<&DbFacts, String> {
    match &package(facts)?.db {
        None => Err("the check names no `sqlite:` database inside the package".into()),
        Some(Err(e)) => Err(e.clone()),
        Some(Ok(db)) => Ok(db),
    }
}

impl Select for InDb {
    fn subject(&self) -> String {
        format!("sqlite {}", self.0.subject())
    }
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        self.0.select(db(facts)?)
    }
    fn note(&self, facts: &dyn Facts) -> Option<String> {
        self.0.note(db(facts).ok()?)
    }
}

/// A `sqlite` expectation's judge, on the package's embedded database.
#[derive(Debug)]
pub(super) struct InDbJudge(pub(super) Arc<dyn Judge>);

impl Judge for InDbJudge {
    fn describe(&self) -> (String, String) {
        self.0.describe()
    }
    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        match db(facts) {
            Ok(d) => self.0.judge(d),
            Err(e) => (false, e),
        }
    }
}
