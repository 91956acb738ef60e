//! What a `helm` check observed — the release's decoded history — and how its
//! expectations read it. The user values (`config`) are never shown: only their hash and
//! key names reach the JSON document, notes and evidence.

use serde_json::{Value, json};
use shipcheck_helm::{Driver, History, Hook, Release};
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

/// What the check saw.
#[derive(Debug)]
pub struct HelmFacts {
    /// The release name asked for.
    pub release: String,
    /// Where its objects were read (`namespace shop`, or the file).
    pub source: String,
    /// The driver whose objects were read.
    pub driver: Driver,
    /// The decoded history.
    pub history: History,
    /// Hooks the check names (must have run and succeeded).
    pub hooks: Vec<String>,
    /// The revision the current one must be above (`after_revision`), when given.
    pub after_revision: Option<u64>,
    /// Time of the attempt.
    pub duration_ms: f64,
    /// The JSON document `json:` and captures read (no values, only hashes and key names).
    pub doc: Value,
}

impl HelmFacts {
    /// Why no revision can be judged: no object, or an object that could not be read (it
    /// may be the newest revision, so the current one is unknown).
    pub fn unreadable(&self) -> Option<String> {
        if !self.history.problems.is_empty() {
            let list: Vec<String> = self.history.problems.iter().map(ToString::to_string).collect();
            return Some(format!(
                "release `{}` has objects that could not be read: {}",
                self.release,
                list.join("; ")
            ));
        }
        if self.history.releases.is_empty() {
            return Some(format!(
                "no revision of release `{}` in {} ({}s labelled owner=helm,name={})",
                self.release,
                self.source,
                self.driver.object_kind(),
                self.release
            ));
        }
        None
    }

    fn current(&self) -> Result<&Release, String> {
        if let Some(why) = self.unreadable() {
            return Err(why);
        }
        self.history
            .current()
            .ok_or_else(|| format!("no revision of release `{}`", self.release))
    }

    /// Earlier revisions that are not `superseded`, one line each.
    pub fn not_superseded(&self) -> Vec<String> {
        self.history
            .earlier()
            .iter()
            .filter(|r| r.info.status != "superseded")
            .map(|r| format!("revision {} is {}", r.revision, r.info.status))
            .collect()
    }

    /// The hooks of the current revision that did not run and succeed, one line each:
    /// the named ones, or (when none is named) every one that ran.
    pub fn hook_failures(&self) -> Vec<String> {
        let Some(cur) = self.history.current() else {
            return Vec::new();
        };
        let rev = cur.revision;
        let mut out = Vec::new();
        for want in &self.hooks {
            if !cur.hooks.iter().any(|h| &h.name == want) {
                let names: Vec<&str> = cur.hooks.iter().map(|h| h.name.as_str()).collect();
                out.push(format!(
                    "revision {rev} has no hook `{want}` (its hooks: {})",
                    if names.is_empty() { "none".to_owned() } else { names.join(", ") }
                ));
            }
        }
        let judged = cur
            .hooks
            .iter()
            .filter(|h| self.hooks.is_empty() || self.hooks.contains(&h.name));
        for h in judged {
            if !h.ran() {
                if !self.hooks.is_empty() {
                    out.push(format!("revision {rev}: hook {} did not run", hook_label(h)));
                }
            } else if h.last_run.phase != "Succeeded" {
                let took = h
                    .duration_ms()
                    .map(|ms| format!(" after {:.1} s", ms / 1000.0))
                    .unwrap_or_default();
                let phase = if h.last_run.phase.is_empty() { "unknown" } else { &h.last_run.phase };
                out.push(format!("revision {rev}: hook {} {phase}{took}", hook_label(h)));
            }
        }
        out
    }
}

/// `worker-migrate (Job, pre-upgrade)`.
pub(super) fn hook_label(h: &Hook) -> String {
    format!("{} ({}, {})", h.name, h.kind, h.events.join(","))
}

/// One revision as the JSON document shows it.
pub(super) fn revision_json(r: &Release) -> Value {
    let time = |t: &Option<shipcheck_helm::Time>| t.as_ref().map(|t| t.text.clone());
    let hooks: Vec<Value> = r
        .hooks
        .iter()
        .map(|h| {
            json!({
                "name": h.name,
                "kind": h.kind,
                "events": h.events,
                "weight": h.weight,
                "phase": h.last_run.phase,
                "started_at": time(&h.last_run.started_at),
                "completed_at": time(&h.last_run.completed_at),
                "duration_ms": h.duration_ms(),
            })
        })
        .collect();
    json!({
        "revision": r.revision,
        "status": r.info.status,
        "description": r.info.description,
        "namespace": r.namespace,
        "chart": r.chart.name,
        "chart_version": r.chart.version,
        "app_version": r.chart.app_version,
        "first_deployed": time(&r.info.first_deployed),
        "last_deployed": time(&r.info.last_deployed),
        "rollback_revision": r.info.rollback_revision,
        "apply_method": r.apply_method,
        "values_hash": r.config.hash(),
        "value_keys": r.config.keys(),
        "hooks": hooks,
    })
}

/// The document of a whole history: `release`, `current`, `history` (lowest first).
pub(super) fn history_json(release: &str, h: &History) -> Value {
    json!({
        "release": release,
        "current": h.current().map(revision_json),
        "history": h.releases.iter().map(revision_json).collect::<Vec<_>>(),
        "problems": h.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

impl Facts for HelmFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn json(&self) -> Result<std::borrow::Cow<'_, Value>, String> {
        Ok(std::borrow::Cow::Borrowed(&self.doc))
    }
    fn capture(&self, c: &shipcheck_plan::Capture) -> Result<Value, String> {
        match &c.source {
            shipcheck_plan::CaptureSource::JsonPath(path) => {
                crate::capture::one_json(&self.doc, path, "matched nothing")
            }
            _ => Err("a helm check captures with JSONPath (e.g. `$.current.revision`)".into()),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `helm` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum HelmQuery {
    /// The current (highest) revision number.
    Revision,
    /// How many revisions are kept.
    Revisions,
    /// The current revision's status.
    Status,
    /// The current revision is above `after_revision`.
    NewRevision,
    /// Every earlier revision is `superseded`.
    EarlierSuperseded,
    /// The current revision's chart name.
    Chart,
    /// Its chart version.
    ChartVersion,
    /// Its app version.
    AppVersion,
    /// SHA-256 of its values' canonical JSON.
    ValuesHash,
    /// Its hooks ran and succeeded.
    HooksSucceeded,
}

impl Select for HelmQuery {
    fn subject(&self) -> String {
        match self {
            HelmQuery::Revision => "revision",
            HelmQuery::Revisions => "revisions",
            HelmQuery::Status => "release status",
            HelmQuery::NewRevision => "new revision",
            HelmQuery::EarlierSuperseded => "earlier revisions superseded",
            HelmQuery::Chart => "chart",
            HelmQuery::ChartVersion => "chart version",
            HelmQuery::AppVersion => "app version",
            HelmQuery::ValuesHash => "values hash",
            HelmQuery::HooksSucceeded => "hooks succeeded",
        }
        .into()
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &HelmFacts = facts_as(facts, "helm")?;
        let cur = f.current()?;
        Ok(match self {
            HelmQuery::Revision => Selected::one(cur.revision),
            HelmQuery::Revisions => Selected::one(f.history.releases.len() as u64),
            HelmQuery::Status => Selected::one(cur.info.status.clone()),
            HelmQuery::NewRevision => {
                let Some(after) = f.after_revision else {
                    return Err("the check has no `after_revision`".into());
                };
                Selected::one(cur.revision > after)
            }
            HelmQuery::EarlierSuperseded => Selected::one(f.not_superseded().is_empty()),
            HelmQuery::Chart => Selected::one(cur.chart.name.clone()),
            HelmQuery::ChartVersion => Selected::one(cur.chart.version.clone()),
            HelmQuery::AppVersion => Selected::one(cur.chart.app_version.clone()),
            HelmQuery::ValuesHash => Selected::one(cur.config.hash()),
            HelmQuery::HooksSucceeded => Selected::one(f.hook_failures().is_empty()),
        })
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &HelmFacts = facts_as(facts, "helm").ok()?;
        let cur = f.history.current()?;
        let lines = match self {
            HelmQuery::Status if cur.info.status != "deployed" => vec![format!(
                "revision {}: {}",
                cur.revision, cur.info.description
            )],
            HelmQuery::NewRevision => f
                .after_revision
                .filter(|a| cur.revision <= *a)
                .map(|a| vec![format!("revision {} is not above {a}", cur.revision)])
                .unwrap_or_default(),
            HelmQuery::EarlierSuperseded => f.not_superseded(),
            HelmQuery::HooksSucceeded => {
                let mut bad = f.hook_failures();
                if !bad.is_empty() && !cur.info.description.is_empty() {
                    bad.push(format!("Helm: {}", cur.info.description));
                }
                bad
            }
            _ => Vec::new(),
        };
        (!lines.is_empty()).then(|| lines.join("; "))
    }
}
