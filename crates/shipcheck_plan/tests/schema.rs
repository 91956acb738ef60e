//! The plan schema accepts every key the loader accepts: for each kind, the keys its parser
//! allows (read from the loader's own "allowed keys" help) are all in the schema, which is
//! what lets it say `additionalProperties: false` without rejecting a valid plan.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use serde_json::Value;

/// The keys the loader allows in a kind's mapping, from its unknown-key error.
fn allowed_keys(kind: &str) -> Vec<String> {
    let src = format!("name: x\nchecks:\n  - id: a\n    {kind}: {{ zz_not_a_key: 1 }}\n");
    let env = |_: &str| Some("example-secret-value".to_owned());
    let errors = shipcheck_plan::load_str(&src, Path::new("p.yaml"), &env, shipcheck_probe::KINDS)
        .unwrap_err();
    let help = errors
        .errors
        .iter()
        .filter(|e| e.message.contains("zz_not_a_key"))
        .find_map(|e| e.help.clone())
        .unwrap_or_else(|| panic!("{kind}: no unknown-key error:\n{errors}"));
    help.strip_prefix("allowed keys: ")
        .unwrap_or_else(|| panic!("{kind}: {help}"))
        .split(", ")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_key_a_kind_parses_is_in_the_schema() {
    let schema = shipcheck_plan::plan_schema(shipcheck_probe::KINDS);
    for kind in shipcheck_probe::KINDS.iter() {
        let name = kind.name();
        let props = &schema["$defs"][format!("probe.{name}")]["properties"];
        assert_eq!(
            schema["$defs"][format!("probe.{name}")]["additionalProperties"],
            Value::Bool(false)
        );
        for key in allowed_keys(name) {
            assert!(
                props.get(&key).is_some(),
                "the {name} probe accepts `{key}` but the schema does not document it"
            );
        }
        for key in kind.expect_keys() {
            assert!(
                schema["$defs"][format!("expect.{name}")]["properties"]
                    .get(key)
                    .is_some(),
                "{name}: expect `{key}`"
            );
        }
    }
}

#[test]
fn the_check_envelope_matches_the_loader() {
    let schema = shipcheck_plan::plan_schema(shipcheck_probe::KINDS);
    // An unknown check key lists what the loader allows: the envelope and every kind.
    let src = "name: x\nchecks:\n  - { id: a, tcp: \"h:1\", zz_not_a_key: 1 }\n";
    let errors =
        shipcheck_plan::load_str(src, Path::new("p.yaml"), &|_| None, shipcheck_probe::KINDS)
            .unwrap_err();
    let help = errors.errors[0].help.clone().unwrap();
    let allowed: Vec<&str> = help
        .strip_prefix("allowed keys: ")
        .unwrap()
        .split(", ")
        .collect();
    let props = schema["$defs"]["check"]["properties"].as_object().unwrap();
    let mut documented: Vec<&str> = props.keys().map(String::as_str).collect();
    let mut allowed_sorted = allowed.clone();
    documented.sort_unstable();
    allowed_sorted.sort_unstable();
    assert_eq!(documented, allowed_sorted);
}
