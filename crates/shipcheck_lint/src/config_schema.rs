//! The keys of `.shipcheck.yaml` as the loader dispatches on them, and the file's JSON
//! Schema (`shipcheck schema config`) built from the same enums and word tables plus the
//! rule registry, so a key the loader reads cannot be missing from the schema.

use serde_json::{Map, Value, json};
use shipcheck_report::Severity;

use crate::Rule;

/// The `$id` of the config schema.
pub const CONFIG_SCHEMA_ID: &str = "https://shipcheck.invalid/schema/config.json";

/// Words that set a rule's severity (and enable it).
pub(crate) const SEVERITY_WORDS: &[(&str, Severity)] = &[
    ("error", Severity::Error),
    ("warning", Severity::Warning),
    ("warn", Severity::Warning),
    ("info", Severity::Info),
];

/// Words that turn a rule on or off.
pub(crate) const ENABLE_WORDS: &[(&str, bool)] = &[
    ("off", false),
    ("disable", false),
    ("disabled", false),
    ("on", true),
    ("enable", true),
    ("enabled", true),
];

/// Declares a key enum: its variants, their YAML names, and `ALL`.
macro_rules! keys {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum $name { $($(#[$vm])* $v),* }
        impl $name {
            /// Every key, in documentation order.
            pub(crate) const ALL: &'static [$name] = &[$($name::$v),*];
            /// The key as written in the file.
            pub(crate) fn name(self) -> &'static str {
                match self { $($name::$v => $s),* }
            }
            /// The key named `s`.
            pub(crate) fn from_name(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|k| k.name() == s)
            }
        }
    };
}

keys!(
    /// Top-level keys.
    TopKey {
        /// Per-rule settings.
        Rules = "rules",
        /// Per-path ignores.
        Ignore = "ignore",
        /// Rule options.
        Options = "options",
        /// Image → Dockerfile links.
        Images = "images",
    }
);

keys!(
    /// Keys of a rule setting written as a mapping.
    RuleKey {
        /// `enabled: true|false`.
        Enabled = "enabled",
        /// `severity: error|warning|info`.
        Severity = "severity",
    }
);

keys!(
    /// Keys of one `ignore:` entry.
    IgnoreKey {
        /// Globs of paths.
        Paths = "paths",
        /// Rule patterns.
        Rules = "rules",
    }
);

keys!(
    /// Keys of `options:`.
    OptionKey {
        /// Namespaces that count as production.
        ProductionNamespace = "production_namespace",
        /// The target Kubernetes version.
        KubernetesVersion = "kubernetes_version",
        /// Registries images may come from.
        AllowedRegistries = "allowed_registries",
    }
);

fn top_key(k: TopKey) -> Value {
    match k {
        TopKey::Rules => json!({
            "type": "object",
            "description": "Per-rule settings: a rule id, `family/*` or `*`, mapped to a severity, `on`/`off`, a boolean, or `{ enabled, severity }`.",
            "propertyNames": rule_pattern(),
            "properties": Rule::ALL.iter().map(|r| (r.code().to_owned(), json!({
                "$ref": "#/$defs/rule_setting",
                "description": crate::explain::summary(*r),
            }))).collect::<Map<_, _>>(),
            "additionalProperties": { "$ref": "#/$defs/rule_setting" },
        }),
        TopKey::Ignore => json!({
            "type": "array",
            "description": "Paths (globs, relative to this file) where rules do not apply.",
            "items": {
                "type": "object",
                "properties": IgnoreKey::ALL.iter().map(|k| (k.name().to_owned(), ignore_key(*k))).collect::<Map<_, _>>(),
            },
        }),
        TopKey::Options => json!({
            "type": "object",
            "description": "Rule options.",
            "properties": OptionKey::ALL.iter().map(|k| (k.name().to_owned(), option_key(*k))).collect::<Map<_, _>>(),
            "additionalProperties": false,
        }),
        TopKey::Images => json!({
            "type": "object",
            "description": "Image name → Dockerfile path (relative to this file), for cross-file rules.",
            "additionalProperties": { "type": "string" },
        }),
    }
}

fn ignore_key(k: IgnoreKey) -> Value {
    match k {
        IgnoreKey::Paths => json!({
            "type": "array", "items": { "type": "string" },
            "description": "Globs of paths, relative to this file.",
        }),
        IgnoreKey::Rules => json!({
            "type": "array", "items": rule_pattern(),
            "description": "Rule ids, `family/*` or `*` (default: every rule).",
        }),
    }
}

fn option_key(k: OptionKey) -> Value {
    match k {
        OptionKey::ProductionNamespace => json!({
            "type": "string",
            "description": format!("A regex: namespaces matching it are production (default `{}`).", crate::DEFAULT_PRODUCTION_NAMESPACE),
        }),
        OptionKey::KubernetesVersion => json!({
            "type": "string", "pattern": "^[0-9]+\\.[0-9]+$",
            "description": "The target Kubernetes version, e.g. \"1.33\" (quoted).",
        }),
        OptionKey::AllowedRegistries => json!({
            "type": "array", "items": { "type": "string" },
            "description": "Registries (prefixes) images may come from; empty allows all.",
        }),
    }
}

fn rule_key(k: RuleKey) -> Value {
    match k {
        RuleKey::Enabled => json!({ "type": "boolean" }),
        RuleKey::Severity => json!({
            "enum": SEVERITY_WORDS.iter().map(|(w, _)| *w).collect::<Vec<_>>(),
        }),
    }
}

/// A rule id, `family/*`, `*` or `all`.
fn rule_pattern() -> Value {
    let mut names: Vec<String> = Rule::ALL.iter().map(|r| r.code().to_owned()).collect();
    let mut families: Vec<String> = Rule::ALL
        .iter()
        .map(|r| format!("{}/*", r.code().split('/').next().unwrap_or_default()))
        .collect();
    families.sort();
    families.dedup();
    names.extend(families);
    names.extend(["*".to_owned(), "all".to_owned()]);
    json!({ "type": "string", "enum": names })
}

/// The `.shipcheck.yaml` schema (JSON Schema draft 2020-12).
pub fn config_schema() -> Value {
    let words: Vec<&str> = SEVERITY_WORDS
        .iter()
        .map(|(w, _)| *w)
        .chain(ENABLE_WORDS.iter().map(|(w, _)| *w))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": CONFIG_SCHEMA_ID,
        "title": "shipcheck .shipcheck.yaml",
        "type": ["object", "null"],
        "properties": TopKey::ALL.iter().map(|k| (k.name().to_owned(), top_key(*k))).collect::<Map<_, _>>(),
        "additionalProperties": false,
        "$defs": {
            "rule_setting": {
                "anyOf": [
                    { "type": "boolean" },
                    { "enum": words },
                    {
                        "type": "object",
                        "properties": RuleKey::ALL.iter().map(|k| (k.name().to_owned(), rule_key(*k))).collect::<Map<_, _>>(),
                        "additionalProperties": false,
                    },
                ],
            },
        },
    })
}
