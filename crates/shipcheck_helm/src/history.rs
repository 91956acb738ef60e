//! A release's history: the revisions decoded from its storage objects, in revision
//! order, and the objects that could not be read.

use serde_json::Value;

use crate::decode::{Driver, Limits, decode_object};
use crate::error::DecodeError;
use crate::release::Release;

/// Most storage objects read for one release (Helm keeps 10 by default).
const MAX_OBJECTS: usize = 1024;

/// One storage object of the release that could not be read.
#[derive(Debug)]
pub struct Problem {
    /// The object's name (`sh.helm.release.v1.shop.v2`).
    pub object: String,
    /// What went wrong.
    pub error: ProblemKind,
}

/// Why an object of the release was not used.
#[derive(Debug)]
pub enum ProblemKind {
    /// It could not be decoded.
    Decode(DecodeError),
    /// It decoded, but contradicts its labels or another object.
    Inconsistent(String),
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            ProblemKind::Decode(e) => write!(f, "{}: {}", self.object, e.with_causes()),
            ProblemKind::Inconsistent(m) => write!(f, "{}: {m}", self.object),
        }
    }
}

/// A release's revisions, lowest first.
#[derive(Debug, Default)]
pub struct History {
    /// The release's name.
    pub name: String,
    /// Decoded revisions, sorted by revision number, one per number.
    pub releases: Vec<Release>,
    /// Objects labelled as this release's that could not be used.
    pub problems: Vec<Problem>,
    /// How many of the given objects were this release's (`owner=helm`, `name=<name>`).
    pub objects: usize,
}

fn label<'a>(obj: &'a Value, key: &str) -> Option<&'a str> {
    obj["metadata"]["labels"][key].as_str()
}

impl History {
    /// The history of release `name` from storage objects as the API lists them (the
    /// `items` of a LIST, or of `kubectl get -o json`): those labelled `owner=helm` and
    /// `name=<name>` (and, when they say their `kind`, of the driver's kind) are decoded.
    pub fn from_objects(items: &[Value], name: &str, driver: Driver, limits: &Limits) -> History {
        let mut h = History {
            name: name.to_owned(),
            ..History::default()
        };
        let mine = items.iter().filter(|o| {
            label(o, "owner") == Some("helm")
                && label(o, "name") == Some(name)
                && o["kind"].as_str().is_none_or(|k| k == driver.object_kind())
        });
        for obj in mine {
            h.objects += 1;
            let object = obj["metadata"]["name"]
                .as_str()
                .unwrap_or("(unnamed)")
                .to_owned();
            if h.objects > MAX_OBJECTS {
                h.problems.push(Problem {
                    object,
                    error: ProblemKind::Inconsistent(format!(
                        "more than {MAX_OBJECTS} revisions; the rest were not read"
                    )),
                });
                break;
            }
            let inconsistent = |m: String| Problem {
                object: object.clone(),
                error: ProblemKind::Inconsistent(m),
            };
            let rel = match decode_object(obj, driver, limits) {
                Ok(r) => r,
                Err(e) => {
                    h.problems.push(Problem {
                        object,
                        error: ProblemKind::Decode(e),
                    });
                    continue;
                }
            };
            if rel.name != name {
                h.problems.push(inconsistent(format!(
                    "labelled release `{name}` but holds release `{}`",
                    rel.name
                )));
                continue;
            }
            if let Some(v) = label(obj, "version")
                && v != rel.revision.to_string()
            {
                h.problems.push(inconsistent(format!(
                    "labelled version {v} but holds revision {}",
                    rel.revision
                )));
                continue;
            }
            if h.releases.iter().any(|r| r.revision == rel.revision) {
                h.problems.push(inconsistent(format!(
                    "a second object for revision {}",
                    rel.revision
                )));
                continue;
            }
            h.releases.push(rel);
        }
        h.releases.sort_by_key(|r| r.revision);
        h
    }

    /// The current revision: the highest one.
    pub fn current(&self) -> Option<&Release> {
        self.releases.last()
    }

    /// Revision `n`, if decoded.
    pub fn revision(&self, n: u64) -> Option<&Release> {
        self.releases.iter().find(|r| r.revision == n)
    }

    /// The revisions before the current one.
    pub fn earlier(&self) -> &[Release] {
        match self.releases.split_last() {
            Some((_, rest)) => rest,
            None => &[],
        }
    }
}
