//! shipcheck's own deployment files — the Dockerfile and every manifest in
//! `deploy/kubernetes/` — pass `shipcheck lint` with no finding at all (info included),
//! which also validates the manifests against the Kubernetes schemas the linter vendors.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

#[test]
fn the_dockerfile_and_the_manifests_lint_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let manifests = root.join("deploy/kubernetes");
    let count = std::fs::read_dir(&manifests).unwrap().count();
    assert!(
        count >= 6,
        "deploy/kubernetes holds the manifests ({count} files)"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_shipcheck"))
        .args(["lint", "--format", "json", "--fail-on", "info"])
        .arg(root.join("Dockerfile"))
        .arg(&manifests)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.is_empty(), "findings: {findings:#?}");
    assert_eq!(out.status.code(), Some(0));
}
