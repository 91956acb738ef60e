//! The plan's JSON Schema (`shipcheck schema plan`), built from the loader's own key lists
//! (top level, `defaults`, the check envelope, `retry`, `until`, `capture`) and from each
//! registered kind: its name, its documented plan keys ([`KindDoc::keys`]) and the
//! `expect:` keys it accepts ([`ProbeKind::expect_keys`], described by
//! [`KindDoc::expectations`]). A key the loader accepts cannot be missing from the schema:
//! every list here is the loader's list, and the tests check each key is described.
//!
//! The schema validates structure (keys, exactly one probe per check, which `expect:` keys
//! apply to which probe) and the types that hold before `${…}` expansion; values the loader
//! checks further (durations, URLs, predicates) are described, not constrained.

use serde_json::{Map, Value, json};

use crate::capture::CAPTURE_KEYS;
use crate::check::{CHECK_HEAD_KEYS, CHECK_TAIL_KEYS, MAX_ATTEMPTS, RETRY_KEYS, UNTIL_KEYS};
use crate::kind::{KeyDoc, Kinds, ProbeKind};
use crate::lifecycle::STEP_KEYS;
use crate::load::{DEFAULTS_KEYS, MAX_CONCURRENCY, TOP_KEYS};

/// The `$id` of the plan schema.
pub const PLAN_SCHEMA_ID: &str = "https://shipcheck.invalid/schema/plan.json";

/// A duration as plans write it.
fn duration(doc: &str) -> Value {
    json!({ "type": "string", "description": format!("{doc} (a duration: 250ms, 5s, 1m30s)") })
}

/// `schema`, or a string with a `${…}` in it: integers and booleans may come from the
/// environment (`critical: "${CRITICAL}"`), checked by the loader after expansion.
fn or_env(mut schema: Value) -> Value {
    let description = schema
        .as_object_mut()
        .and_then(|o| o.remove("description"))
        .unwrap_or_default();
    json!({
        "description": description,
        "anyOf": [schema, { "type": "string", "pattern": "\\$\\{[A-Za-z_]" }],
    })
}

/// The schema and description of a loader key, `None` for a key this table does not know
/// (a test keeps that from happening).
fn key_schema(section: &str, key: &str) -> Option<Value> {
    let text = |d: &str| json!({ "type": "string", "description": d });
    let scalar = |d: &str| json!({ "type": ["string", "number"], "description": d });
    let v = match (section, key) {
        ("plan", "name") => text("The plan's name, shown in every report."),
        ("plan", "release") => scalar("What is being verified: the release (shown as declared)."),
        ("plan", "version") => scalar("What is being verified: the version (shown as declared)."),
        ("plan", "commit") => scalar("What is being verified: the commit (shown as declared)."),
        ("plan", "environment") => json!({
            "type": "object",
            "description": "Facts about the environment, as declared (shown in the report header).",
            "additionalProperties": { "type": ["string", "number", "boolean"] },
        }),
        ("plan", "vars") => json!({
            "type": "object",
            "description": "Plan variables, used as `{{ name }}` in checks.",
            "propertyNames": { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
        }),
        ("plan", "secrets") => json!({
            "type": "array",
            "description": "Environment variables holding secrets: they must be set, and their values are redacted from every output.",
            "items": { "type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" },
        }),
        ("plan", "defaults") => json!({ "$ref": "#/$defs/defaults" }),
        ("plan", "checks") => json!({
            "type": "array",
            "description": "The checks, run as a dependency graph (`needs`).",
            "minItems": 1,
            "items": { "$ref": "#/$defs/check" },
        }),
        ("plan", "setup") => json!({
            "type": "array",
            "description": "Steps run in order before any check (commands, background processes, temporary directories); a failed one makes every check not-run.",
            "items": { "$ref": "#/$defs/step" },
        }),
        ("plan", "teardown") => json!({
            "type": "array",
            "description": "Steps run after the checks, always (after failures, Ctrl-C and the global timeout).",
            "items": { "$ref": "#/$defs/step" },
        }),
        ("step", "id") => text("The step's id (default setup-N / teardown-N)."),
        ("step", "command") => json!({
            "type": "array", "items": { "type": "string" },
            "description": "A program and its arguments (no shell); templates allowed.",
        }),
        ("step", "shell") => text("A line run by `sh -c`."),
        ("step", "tempdir") => text(
            "A new temporary directory whose path is this variable name; removed at the teardown.",
        ),
        ("step", "background") => or_env(json!({
            "type": "boolean",
            "description": "Start the command and leave it running until the teardown (setup only).",
        })),
        ("step", "dir") => text("Working directory (template, relative to the plan)."),
        ("step", "env") => json!({
            "type": "object",
            "description": "Extra environment variables (value templates).",
            "additionalProperties": { "type": "string" },
        }),
        ("step", "timeout") => duration("Bound on a foreground step (default 60s)"),
        ("defaults" | "check", "timeout") => duration("Bound on one attempt (default 10s)"),
        ("defaults" | "check", "retry") => json!({ "$ref": "#/$defs/retry" }),
        ("defaults", "concurrency") => or_env(json!({
            "type": "integer", "minimum": 1, "maximum": MAX_CONCURRENCY,
            "description": "At most this many checks run at once (default 8).",
        })),
        ("check", "id") => json!({
            "type": "string", "pattern": "^[A-Za-z0-9._-]+$",
            "description": "The check's unique id (letters, digits, `-`, `_`, `.`).",
        }),
        ("check", "title") => text("A human title (default: the id)."),
        ("check", "needs") => json!({
            "description": "Ids of checks that must pass first.",
            "anyOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }],
        }),
        ("check", "critical") => or_env(json!({
            "type": "boolean",
            "description": "Whether a failure makes the deployment not ready (default true).",
        })),
        ("check", "until") => json!({ "$ref": "#/$defs/until" }),
        ("check", "skip") => scalar("Skip this check, with this reason."),
        ("check", "exclusive") => or_env(json!({
            "type": "boolean",
            "description": "Run alone, with no other check in flight (default false).",
        })),
        ("check", "expect") => json!({ "$ref": "#/$defs/expect" }),
        ("check", "capture") => json!({
            "type": "object",
            "description": "Values for later checks: `name: \"$.json.path\"` or `name: { jsonpath | header | regex, group, secret }`.",
            "additionalProperties": {
                "anyOf": [
                    { "type": "string" },
                    {
                        "type": "object",
                        "properties": CAPTURE_KEYS.iter().map(|k| ((*k).to_owned(), capture_key(k))).collect::<Map<_, _>>(),
                        "additionalProperties": false,
                    },
                ],
            },
        }),
        ("retry", "attempts") => or_env(json!({
            "type": "integer", "minimum": 1, "maximum": MAX_ATTEMPTS,
            "description": "Attempts in all (default 1).",
        })),
        ("retry", "delay") => duration("Pause between attempts (default 0s)"),
        ("until", "within") => {
            duration("Keep polling until the expectations hold, for at most this long")
        }
        ("until", "every") => duration("Pause between polls (default 1s)"),
        _ => return None,
    };
    Some(v)
}

fn capture_key(key: &str) -> Value {
    match key {
        "group" => or_env(
            json!({ "type": "integer", "minimum": 0, "description": "The regex group to capture." }),
        ),
        "secret" => or_env(
            json!({ "type": "boolean", "description": "Redact the value from every output." }),
        ),
        other => json!({ "type": "string", "description": format!("Capture by {other}.") }),
    }
}

/// `{ properties, additionalProperties: false }` over `keys` of `section`.
fn closed_object(section: &str, keys: &[&str], description: &str) -> Value {
    let props: Map<String, Value> = keys
        .iter()
        .map(|k| {
            let schema = key_schema(section, k).unwrap_or_else(|| json!({}));
            ((*k).to_owned(), schema)
        })
        .collect();
    json!({
        "type": "object",
        "description": description,
        "properties": props,
        "additionalProperties": false,
    })
}

/// The names a [`KeyDoc`] documents (`get | post`, `cert, key`).
fn names(doc: &KeyDoc) -> impl Iterator<Item = &'static str> {
    doc.name
        .split([',', '|'])
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

fn described(doc: &KeyDoc) -> Value {
    json!({ "description": format!("{}: {}", doc.value, doc.doc) })
}

/// A kind's value: a mapping of its documented keys (or the short forms some kinds take).
fn probe_schema(kind: &dyn ProbeKind) -> Value {
    let doc = kind.doc();
    let mut props = Map::new();
    for k in doc.keys {
        for name in names(k) {
            props.insert(name.to_owned(), described(k));
        }
    }
    json!({
        "description": doc.summary,
        "type": ["object", "string", "array"],
        "properties": props,
        "additionalProperties": false,
    })
}

/// The `expect:` keys of one kind.
fn expect_schema(kind: &dyn ProbeKind) -> Value {
    let doc = kind.doc();
    let props: Map<String, Value> = kind
        .expect_keys()
        .iter()
        .map(|key| {
            let d = doc
                .expectations
                .iter()
                .find(|e| names(e).any(|n| n == *key))
                .map_or_else(|| json!({}), described);
            ((*key).to_owned(), d)
        })
        .collect();
    json!({ "type": "object", "properties": props, "additionalProperties": false })
}

/// The plan schema (JSON Schema draft 2020-12) for the kinds in `kinds`.
pub fn plan_schema(kinds: Kinds) -> Value {
    let mut defs = Map::new();
    defs.insert(
        "defaults".into(),
        closed_object("defaults", DEFAULTS_KEYS, "Defaults for every check."),
    );
    defs.insert(
        "retry".into(),
        closed_object("retry", RETRY_KEYS, "Retry a check that did not pass."),
    );
    defs.insert(
        "until".into(),
        json!({
            "allOf": [closed_object("until", UNTIL_KEYS, "Poll until the expectations hold (replaces `retry`).")],
            "required": ["within"],
        }),
    );
    // `expect:` of any kind (for completion); each kind narrows it below.
    let mut all_expect = Map::new();
    for kind in kinds.iter() {
        if let Some(Value::Object(p)) = expect_schema(kind).get("properties") {
            for (k, v) in p {
                all_expect.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }
    defs.insert(
        "expect".into(),
        json!({
            "type": "object",
            "description": "What must hold for the check to pass (the probe implies more when none is written).",
            "properties": all_expect,
            "additionalProperties": false,
        }),
    );
    let mut check_props = Map::new();
    for k in CHECK_HEAD_KEYS {
        check_props.insert((*k).to_owned(), key_schema("check", k).unwrap_or_default());
    }
    let mut one_probe = Vec::new();
    let mut narrow = Vec::new();
    for kind in kinds.iter() {
        let name = kind.name();
        defs.insert(format!("probe.{name}"), probe_schema(kind));
        defs.insert(format!("expect.{name}"), expect_schema(kind));
        check_props.insert(
            name.to_owned(),
            json!({ "$ref": format!("#/$defs/probe.{name}") }),
        );
        one_probe.push(json!({ "required": [name] }));
        narrow.push(json!({
            "if": { "required": [name] },
            "then": { "properties": { "expect": { "$ref": format!("#/$defs/expect.{name}") } } },
        }));
    }
    for k in CHECK_TAIL_KEYS {
        check_props.insert((*k).to_owned(), key_schema("check", k).unwrap_or_default());
    }
    defs.insert(
        "check".into(),
        json!({
            "type": "object",
            "description": "One check: an id, exactly one probe, and its expectations.",
            "required": ["id"],
            "properties": check_props,
            "additionalProperties": false,
            "oneOf": one_probe,
            "allOf": narrow,
        }),
    );
    defs.insert(
        "step".into(),
        closed_object(
            "step",
            STEP_KEYS,
            "A setup or teardown step: exactly one of command, shell, tempdir.",
        ),
    );
    let top = closed_object("plan", TOP_KEYS, "A shipcheck plan (docs/plan.md).");
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": PLAN_SCHEMA_ID,
        "title": "shipcheck plan",
        "required": ["name", "checks"],
        "$defs": defs,
    });
    if let (Value::Object(s), Value::Object(t)) = (&mut schema, top) {
        s.extend(t);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_loader_key_is_described() {
        for (section, keys) in [
            ("plan", TOP_KEYS),
            ("defaults", DEFAULTS_KEYS),
            ("check", CHECK_HEAD_KEYS),
            ("check", CHECK_TAIL_KEYS),
            ("retry", RETRY_KEYS),
            ("until", UNTIL_KEYS),
            ("step", STEP_KEYS),
        ] {
            for key in keys {
                assert!(
                    key_schema(section, key).is_some(),
                    "`{key}` of {section} has no schema"
                );
            }
        }
    }
}
