//! "The linter does not grade its own homework": shipcheck rules run over the test
//! fixtures of other linters in the shared corpus (Polaris, kube-score, kube-linter,
//! Checkov, docker-compose-linter), labelled by those projects' file and object names.
//!
//! For each mapped rule the test reports whether it finds something on the failure
//! fixtures and stays silent on the success fixtures, prints the table, and asserts that
//! at least 90% of mapped failure fixtures are found and that no success fixture gets an
//! error-severity finding of the mapped rule.
//!
//! The corpus lives outside the repository (`../shared/corpus` from the repo root). When
//! it is missing the test prints a notice and passes, except under `CI=true`.

#![allow(clippy::unwrap_used, reason = "test code")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use shipcheck_lint::{LintOptions, Severity, lint_paths};

fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.join("MANIFEST.tsv").is_file() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "corpus missing at {} (required when CI=true)",
        dir.display()
    );
    eprintln!("notice: corpus not found at {}; skipping", dir.display());
    None
}

/// Which fixtures of another linter exercise the check a shipcheck rule corresponds to.
struct Mapping {
    /// The shipcheck rule.
    rule: &'static str,
    /// The other linter and its check.
    check: &'static str,
    /// Corpus directory (`k8s/zegl__kube-score`).
    dir: &'static str,
    /// File-name prefixes of failure fixtures.
    failure: &'static [&'static str],
    /// File-name prefixes of success fixtures.
    success: &'static [&'static str],
}

const fn m(
    rule: &'static str,
    check: &'static str,
    dir: &'static str,
    failure: &'static [&'static str],
    success: &'static [&'static str],
) -> Mapping {
    Mapping {
        rule,
        check,
        dir,
        failure,
        success,
    }
}

const POLARIS: &str = "k8s/FairwindsOps__polaris";
const KUBE_SCORE: &str = "k8s/zegl__kube-score";
const KUBE_LINTER: &str = "k8s/stackrox__kube-linter";
const CHECKOV: &str = "dockerfile/bridgecrewio__checkov";
const DCLINT: &str = "compose/zavoloklom__docker-compose-linter";

macro_rules! polaris {
    ($rule:literal, $check:literal) => {
        m(
            $rule,
            concat!("polaris ", $check),
            POLARIS,
            &[concat!("test__checks__", $check, "__failure")],
            &[concat!("test__checks__", $check, "__success")],
        )
    };
}

macro_rules! checkov {
    ($rule:literal, $check:literal) => {
        m(
            $rule,
            concat!("checkov ", $check),
            CHECKOV,
            &[
                concat!("tests__dockerfile__checks__example_", $check, "__failure"),
                concat!(
                    "tests__dockerfile__graph_builder__checks__resources__",
                    $check,
                    "__fail"
                ),
            ],
            &[
                concat!("tests__dockerfile__checks__example_", $check, "__success"),
                concat!(
                    "tests__dockerfile__graph_builder__checks__resources__",
                    $check,
                    "__pass"
                ),
            ],
        )
    };
}

/// kube-linter fixtures mix objects that must fire and objects named `dont-fire…`; the
/// file counts as a failure fixture and its `dont-fire` objects as success fixtures.
macro_rules! kube_linter {
    ($rule:literal, $file:literal) => {
        m(
            $rule,
            concat!("kube-linter ", $file),
            KUBE_LINTER,
            &[concat!("tests__checks__", $file, ".")],
            &[],
        )
    };
}

fn mappings() -> Vec<Mapping> {
    vec![
        // Polaris: test/checks/<check>/failure*.yaml and success*.yaml
        polaris!(
            "k8s/service-account-token-automounted",
            "automountServiceAccountToken"
        ),
        polaris!("k8s/cpu-request-missing", "cpuRequestsMissing"),
        polaris!("k8s/memory-request-missing", "memoryRequestsMissing"),
        polaris!("k8s/memory-limit-missing", "memoryLimitsMissing"),
        polaris!("k8s/dangerous-capability", "dangerousCapabilities"),
        polaris!("k8s/host-namespace-shared", "hostIPCSet"),
        polaris!("k8s/host-namespace-shared", "hostNetworkSet"),
        polaris!("k8s/host-namespace-shared", "hostPIDSet"),
        polaris!("k8s/hostpath-volume", "hostPathSet"),
        polaris!("k8s/host-port-used", "hostPortSet"),
        polaris!("k8s/liveness-probe-missing", "livenessProbeMissing"),
        polaris!("k8s/readiness-probe-missing", "readinessProbeMissing"),
        polaris!("k8s/writable-root-filesystem", "notReadOnlyRootFilesystem"),
        polaris!(
            "k8s/privilege-escalation-allowed",
            "privilegeEscalationAllowed"
        ),
        polaris!("k8s/privileged-container", "runAsPrivileged"),
        polaris!("k8s/runs-as-root", "runAsRootAllowed"),
        polaris!("k8s/latest-image-tag", "tagNotSpecified"),
        polaris!("k8s/pdb-missing", "missingPodDisruptionBudget"),
        polaris!(
            "k8s/pdb-blocks-eviction",
            "pdbMinAvailableGreaterThanHPAMinReplicas"
        ),
        polaris!("k8s/plaintext-secret-in-env", "sensitiveContainerEnvVar"),
        polaris!("k8s/ingress-without-tls", "tlsSettingsMissing"),
        polaris!("k8s/pod-anti-affinity-missing", "topologySpreadConstraint"),
        // kube-score: score/testdata/<what it exercises>.yaml
        m(
            "k8s/liveness-probe-missing",
            "kube-score probes",
            KUBE_SCORE,
            &[
                "score__testdata__pod-probes-missing-live.",
                "score__testdata__pod-probes-all-missing.",
            ],
            &["score__testdata__pod-probes-both."],
        ),
        m(
            "k8s/readiness-probe-missing",
            "kube-score probes",
            KUBE_SCORE,
            &[
                "score__testdata__pod-probes-missing-ready.",
                "score__testdata__pod-probes-all-missing.",
            ],
            &["score__testdata__pod-probes-both."],
        ),
        m(
            "k8s/latest-image-tag",
            "kube-score image tag",
            KUBE_SCORE,
            &["score__testdata__pod-image-tag-latest."],
            &["score__testdata__pod-image-tag-fixed."],
        ),
        m(
            "k8s/privileged-container",
            "kube-score security context",
            KUBE_SCORE,
            &["score__testdata__pod-security-context-privileged."],
            &["score__testdata__pod-security-context-all-good."],
        ),
        m(
            "k8s/writable-root-filesystem",
            "kube-score security context",
            KUBE_SCORE,
            &["score__testdata__pod-security-context-writeablerootfilesystem."],
            &["score__testdata__pod-security-context-all-good."],
        ),
        m(
            "k8s/memory-limit-missing",
            "kube-score resources",
            KUBE_SCORE,
            &[
                "score__testdata__pod-test-resources-none.",
                "score__testdata__pod-test-resources-no-limits.",
            ],
            &["score__testdata__pod-test-resources-limits-and-requests."],
        ),
        m(
            "k8s/cpu-request-missing",
            "kube-score resources",
            KUBE_SCORE,
            &[
                "score__testdata__pod-test-resources-none.",
                "score__testdata__pod-test-resources-only-limits.",
            ],
            &["score__testdata__pod-test-resources-limits-and-requests."],
        ),
        m(
            "k8s/duplicate-env-key",
            "kube-score env",
            KUBE_SCORE,
            &["score__testdata__pod-env-duplicated."],
            &["score__testdata__pod-probes-both."],
        ),
        m(
            "k8s/pod-anti-affinity-missing",
            "kube-score antiaffinity",
            KUBE_SCORE,
            &[
                "score__testdata__deployment-host-antiaffinity-not-set.",
                "score__testdata__statefulset-host-antiaffinity-not-set.",
            ],
            &["score__testdata__deployment-host-antiaffinity-required."],
        ),
        m(
            "k8s/hpa-with-replicas",
            "kube-score hpa",
            KUBE_SCORE,
            &["score__testdata__deployment-with-hpa-has-replicas."],
            &["score__testdata__deployment-with-hpa-not-has-replicas."],
        ),
        m(
            "k8s/pdb-missing",
            "kube-score pdb",
            KUBE_SCORE,
            &["score__testdata__deployment-poddisruptionbudget-v1-no-policy."],
            &["score__testdata__deployment-poddisruptionbudget-v1-matches."],
        ),
        m(
            "k8s/cronjob-starting-deadline-missing",
            "kube-score cronjob",
            KUBE_SCORE,
            &["score__testdata__cronjob-batchv1-deadline-not-set."],
            &[],
        ),
        m(
            "k8s/service-selects-nothing",
            "kube-score service",
            KUBE_SCORE,
            &["score__testdata__service-not-target-deployment."],
            &["score__testdata__service-target-deployment."],
        ),
        m(
            "k8s/unsafe-rollout-strategy",
            "kube-score rollout",
            KUBE_SCORE,
            &["score__testdata__service-target-deployment-not-rolling."],
            &["score__testdata__service-target-deployment."],
        ),
        m(
            "k8s/deprecated-api-version",
            "kube-score stable version",
            KUBE_SCORE,
            &[
                "score__testdata__deployment-extensions-v1beta1.",
                "score__testdata__deployment-appsv1beta1.",
            ],
            &["score__testdata__service-target-deployment."],
        ),
        // kube-linter: tests/checks/<check>.yml
        kube_linter!("k8s/docker-socket-mounted", "docker-sock"),
        kube_linter!("k8s/privileged-container", "privileged-container"),
        kube_linter!("k8s/latest-image-tag", "latest-tag"),
        kube_linter!("k8s/host-namespace-shared", "host-ipc"),
        kube_linter!("k8s/host-namespace-shared", "host-network"),
        kube_linter!("k8s/host-namespace-shared", "host-pid"),
        kube_linter!("k8s/liveness-probe-missing", "no-liveness-probe"),
        kube_linter!("k8s/readiness-probe-missing", "no-readiness-probe"),
        kube_linter!("k8s/writable-root-filesystem", "no-read-only-root-fs"),
        kube_linter!(
            "k8s/privilege-escalation-allowed",
            "privilege-escalation-container"
        ),
        kube_linter!("k8s/runs-as-root", "run-as-non-root"),
        kube_linter!("k8s/cpu-request-missing", "unset-cpu-requirements"),
        kube_linter!("k8s/memory-request-missing", "unset-memory-requirements"),
        kube_linter!("k8s/duplicate-env-key", "duplicate-env-var"),
        kube_linter!("k8s/plaintext-secret-in-env", "env-var-secret"),
        kube_linter!("k8s/service-selects-nothing", "dangling-service"),
        kube_linter!("k8s/hpa-target-missing", "dangling-hpa"),
        kube_linter!("k8s/ingress-backend-missing", "dangling-ingress"),
        kube_linter!("k8s/selector-mismatch", "mismatching-selector"),
        kube_linter!("k8s/pod-anti-affinity-missing", "no-anti-affinity"),
        kube_linter!("k8s/unsafe-rollout-strategy", "no-rolling-update-strategy"),
        kube_linter!("k8s/hostpath-volume", "sensitive-host-mounts"),
        kube_linter!("k8s/probe-port-not-exposed", "liveness-port"),
        // Checkov Dockerfile checks: …__failure__/__fail__ and …__success__/__pass__
        checkov!("dockerfile/ssh-port-exposed", "ExposePort22"),
        checkov!("dockerfile/healthcheck-missing", "HealthcheckExists"),
        checkov!("dockerfile/base-image-unpinned", "ReferenceLatestTag"),
        checkov!("dockerfile/last-user-root", "RootUser"),
        checkov!("dockerfile/user-missing", "UserExists"),
        checkov!("dockerfile/sudo-in-run", "RunUsingSudo"),
        checkov!("dockerfile/tls-verification-disabled", "RunUnsafeCurl"),
        checkov!("dockerfile/tls-verification-disabled", "RunUnsafeWget"),
        checkov!("dockerfile/tls-verification-disabled", "RunPipTrustedHost"),
        checkov!("dockerfile/tls-verification-disabled", "EnvPipTrustedHost"),
        checkov!("dockerfile/tls-verification-disabled", "EnvGitSslNoVerify"),
        // docker-compose-linter: tests/mocks/docker-compose.yml (violations) and .correct.yml
        m(
            "compose/duplicate-container-name",
            "dclint no-duplicate-container-names",
            DCLINT,
            &["tests__mocks__docker-compose.yml"],
            &["tests__mocks__docker-compose.correct.yml"],
        ),
        m(
            "compose/duplicate-published-port",
            "dclint no-duplicate-exported-ports",
            DCLINT,
            &["tests__mocks__docker-compose.yml"],
            &["tests__mocks__docker-compose.correct.yml"],
        ),
        m(
            "compose/image-tag-unpinned",
            "dclint service-image-require-explicit-tag",
            DCLINT,
            &["tests__mocks__docker-compose.yml"],
            &["tests__mocks__docker-compose.correct.yml"],
        ),
    ]
}

/// Files in `dir` whose names start with one of `prefixes`.
fn files(corpus: &Path, dir: &str, prefixes: &[&str]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(corpus.join(dir))
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    let name = p
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    prefixes.iter().any(|pre| name.starts_with(pre))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Line ranges (1-based, inclusive) of the YAML documents whose `metadata.name` starts
/// with `dont-fire` (kube-linter's label for objects that must not be reported).
fn dont_fire_ranges(text: &str) -> Vec<(u32, u32)> {
    let mut docs: Vec<(u32, u32, bool)> = Vec::new();
    let mut start = 1u32;
    let mut dont = false;
    let mut n = 0u32;
    for (i, line) in text.lines().enumerate() {
        n = u32::try_from(i).unwrap() + 1;
        if line.trim_end() == "---" {
            docs.push((start, n - 1, dont));
            start = n + 1;
            dont = false;
        } else if line.trim_start().starts_with("name: dont-fire") && line.starts_with("  name") {
            dont = true;
        }
    }
    docs.push((start, n, dont));
    docs.into_iter()
        .filter(|d| d.2)
        .map(|d| (d.0, d.1))
        .collect()
}

/// Findings of one file: (rule, line, severity).
fn lint(path: &Path) -> Vec<(String, u32, Severity)> {
    let outcome = lint_paths(&[path.to_owned()], &LintOptions::default()).unwrap();
    outcome
        .findings
        .into_iter()
        .map(|f| (f.rule, f.line, f.severity))
        .collect()
}

#[derive(Default)]
struct Row {
    failures: usize,
    found: usize,
    successes: usize,
    silent: usize,
    errors_on_success: Vec<String>,
    missed: Vec<String>,
}

#[test]
fn other_linters_fixtures() {
    let Some(corpus) = corpus() else { return };
    let mut cache: BTreeMap<PathBuf, Vec<(String, u32, Severity)>> = BTreeMap::new();
    let mut rows: Vec<(String, String, Row)> = Vec::new();
    for map in mappings() {
        let mut row = Row::default();
        let fail = files(&corpus, map.dir, map.failure);
        assert!(
            !fail.is_empty(),
            "{}: no failure fixture for {:?}",
            map.check,
            map.failure
        );
        for f in &fail {
            let findings = cache.entry(f.clone()).or_insert_with(|| lint(f));
            row.failures += 1;
            if findings.iter().any(|(r, _, _)| r == map.rule) {
                row.found += 1;
            } else {
                row.missed
                    .push(f.file_name().unwrap().to_string_lossy().into_owned());
            }
            // kube-linter: objects named `dont-fire…` inside the failure file.
            if map.dir == KUBE_LINTER {
                let text = std::fs::read_to_string(f).unwrap();
                for (a, b) in dont_fire_ranges(&text) {
                    row.successes += 1;
                    let hits: Vec<_> = findings
                        .iter()
                        .filter(|(r, l, _)| r == map.rule && (a..=b).contains(l))
                        .collect();
                    if hits.is_empty() {
                        row.silent += 1;
                    }
                    for (_, l, s) in hits {
                        if *s == Severity::Error {
                            row.errors_on_success.push(format!("{}:{l}", f.display()));
                        }
                    }
                }
            }
        }
        for f in files(&corpus, map.dir, map.success) {
            let findings = cache.entry(f.clone()).or_insert_with(|| lint(&f));
            row.successes += 1;
            let hits: Vec<_> = findings.iter().filter(|(r, _, _)| r == map.rule).collect();
            if hits.is_empty() {
                row.silent += 1;
            }
            for (_, l, s) in hits {
                if *s == Severity::Error {
                    row.errors_on_success.push(format!("{}:{l}", f.display()));
                }
            }
        }
        rows.push((map.rule.to_owned(), map.check.to_owned(), row));
    }

    println!(
        "\n| shipcheck rule | other linter's check | found on failure | silent on success | errors on success |"
    );
    println!("|---|---|---|---|---|");
    let (mut failures, mut found) = (0, 0);
    let mut errors = Vec::new();
    for (rule, check, row) in &rows {
        println!(
            "| `{rule}` | {check} | {}/{} | {}/{} | {} |",
            row.found,
            row.failures,
            row.silent,
            row.successes,
            row.errors_on_success.len()
        );
        failures += row.failures;
        found += row.found;
        for m in &row.missed {
            println!("|   missed | {m} | | | |");
        }
        errors.extend(row.errors_on_success.iter().map(|e| format!("{rule}: {e}")));
    }
    let pct = found * 100 / failures.max(1);
    println!(
        "\n{found}/{failures} mapped failure fixtures found ({pct}%); {} error findings on success fixtures",
        errors.len()
    );
    assert!(
        found * 10 >= failures * 9,
        "only {found}/{failures} mapped failure fixtures found (target ≥ 90%)"
    );
    assert!(
        errors.is_empty(),
        "error-severity findings on success fixtures: {errors:#?}"
    );
}
