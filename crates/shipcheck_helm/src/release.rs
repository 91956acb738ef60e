//! One release revision as Helm 3 and Helm 4 write it (Helm's `pkg/release/v1` JSON field
//! names): what shipcheck reads of it. Unknown fields are ignored, so newer Helm versions
//! still decode.

use serde::{Deserialize, Deserializer};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::values::Values;

/// One revision of a release.
#[derive(Debug, Clone, Deserialize)]
pub struct Release {
    /// The release name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// The namespace it is installed in.
    #[serde(default, deserialize_with = "nullable")]
    pub namespace: String,
    /// The revision number (Helm's `version`).
    #[serde(default, rename = "version")]
    pub revision: u64,
    /// Status, times and description of the revision.
    #[serde(default, deserialize_with = "nullable")]
    pub info: Info,
    /// The chart's metadata.
    #[serde(default, deserialize_with = "nullable")]
    pub chart: Chart,
    /// The user-supplied values (`config`): never shown, only hashed and named.
    #[serde(default)]
    pub config: Values,
    /// The chart's hooks with their last run.
    #[serde(default, deserialize_with = "nullable")]
    pub hooks: Vec<Hook>,
    /// `ssa` or `csa` (Helm 4: server-side or client-side apply).
    #[serde(default)]
    pub apply_method: Option<String>,
}

/// A revision's `info`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Info {
    /// `deployed`, `superseded`, `failed`, `pending-upgrade`…
    #[serde(default, deserialize_with = "nullable")]
    pub status: String,
    /// What Helm wrote about the operation (`Upgrade complete`, `Rollback to 1`, the error).
    #[serde(default, deserialize_with = "nullable")]
    pub description: String,
    /// When the release was first installed.
    #[serde(default, deserialize_with = "time_opt")]
    pub first_deployed: Option<Time>,
    /// When this revision was deployed.
    #[serde(default, deserialize_with = "time_opt")]
    pub last_deployed: Option<Time>,
    /// When it was uninstalled (kept history).
    #[serde(default, deserialize_with = "time_opt")]
    pub deleted: Option<Time>,
    /// The revision a rollback returned to (Helm 4).
    #[serde(default)]
    pub rollback_revision: Option<u64>,
}

/// A chart's identity, from its `metadata`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chart {
    /// `metadata.name`.
    pub name: String,
    /// `metadata.version` (the chart's version).
    pub version: String,
    /// `metadata.appVersion`.
    pub app_version: String,
    /// `metadata.apiVersion` (`v2`; `v3` for Helm 4 charts).
    pub api_version: String,
}

impl<'de> Deserialize<'de> for Chart {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize, Default)]
        struct Meta {
            #[serde(default, deserialize_with = "nullable")]
            name: String,
            #[serde(default, deserialize_with = "nullable")]
            version: String,
            #[serde(default, rename = "appVersion", deserialize_with = "nullable")]
            app_version: String,
            #[serde(default, rename = "apiVersion", deserialize_with = "nullable")]
            api_version: String,
        }
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default, deserialize_with = "nullable")]
            metadata: Meta,
        }
        let m = Raw::deserialize(d)?.metadata;
        Ok(Chart {
            name: m.name,
            version: m.version,
            app_version: m.app_version,
            api_version: m.api_version,
        })
    }
}

/// A hook (a Job, usually) and its last run.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Hook {
    /// The hook resource's name.
    #[serde(default, deserialize_with = "nullable")]
    pub name: String,
    /// Its kind (`Job`, `Pod`…).
    #[serde(default, deserialize_with = "nullable")]
    pub kind: String,
    /// Events it runs on (`pre-upgrade`, `post-install`…).
    #[serde(default, deserialize_with = "nullable")]
    pub events: Vec<String>,
    /// Its weight (order among hooks of an event).
    #[serde(default)]
    pub weight: i64,
    /// When and how it last ran.
    #[serde(default, deserialize_with = "nullable")]
    pub last_run: LastRun,
}

/// A hook's `last_run`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LastRun {
    /// When it started.
    #[serde(default, deserialize_with = "time_opt")]
    pub started_at: Option<Time>,
    /// When it completed.
    #[serde(default, deserialize_with = "time_opt")]
    pub completed_at: Option<Time>,
    /// `Succeeded`, `Failed`, `Running`, `Unknown`; empty when it never ran.
    #[serde(default, deserialize_with = "nullable")]
    pub phase: String,
}

impl Hook {
    /// Whether Helm ran it (a phase or a start time is recorded).
    pub fn ran(&self) -> bool {
        !self.last_run.phase.is_empty() || self.last_run.started_at.is_some()
    }

    /// Milliseconds from start to completion, when both are recorded.
    pub fn duration_ms(&self) -> Option<f64> {
        let (s, c) = (
            self.last_run.started_at.as_ref()?,
            self.last_run.completed_at.as_ref()?,
        );
        let d = c.at - s.at;
        Some(d.as_seconds_f64() * 1000.0)
    }
}

/// A time Helm recorded: as written (RFC 3339), and parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Time {
    /// The text Helm wrote.
    pub text: String,
    /// The instant.
    pub at: OffsetDateTime,
}

/// `null` as the type's default (Go writes `null` for nil slices, maps and pointers).
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A Go `time.Time`: absent, `null`, `""` (Helm 4 reads it as zero) and Go's zero time
/// `0001-01-01T00:00:00Z` (what Helm 3 writes for an unset time) are all "not recorded".
fn time_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Time>, D::Error> {
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    if text.is_empty() {
        return Ok(None);
    }
    let at = OffsetDateTime::parse(&text, &Rfc3339)
        .map_err(|e| serde::de::Error::custom(format!("invalid time `{text}`: {e}")))?;
    if at.year() <= 1 {
        return Ok(None);
    }
    Ok(Some(Time { text, at }))
}
