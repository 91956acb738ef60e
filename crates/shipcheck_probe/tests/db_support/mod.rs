//! Data-layer test helpers: load a one-check plan and run its probe. The private
//! PostgreSQL and Redis servers come from `shipcheck_test_support`.
#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::unwrap_used)] // test set-up panics

use std::time::Duration;

use shipcheck_plan::{Check, load_str};
use shipcheck_probe::{Observed, ProbeContext, ProbeError, evaluate, observe};
use shipcheck_report::AssertionResult;

/// Loads a plan holding one check (YAML text of the check, indented under `checks:`),
/// relative paths against `dir`.
pub fn check(dir: &std::path::Path, yaml: &str) -> Check {
    let src = format!("name: t\nchecks:\n{yaml}");
    let env = |_: &str| None;
    let plan = load_str(&src, &dir.join("plan.yaml"), &env, shipcheck_probe::KINDS)
        .unwrap_or_else(|e| panic!("plan does not load: {e}\n{src}"));
    plan.checks.into_iter().next().expect("one check")
}

/// Runs the check's probe once and evaluates its expectations.
pub async fn run(
    check: &Check,
    timeout: Duration,
) -> Result<(Observed, Vec<AssertionResult>), ProbeError> {
    let lookup = |_: &str| None;
    let cx = ProbeContext {
        timeout,
        plan_start: std::time::SystemTime::now(),
        lookup: &lookup,
        evidence_cap: 64 * 1024,
        sensitive: &[],
        chain: &shipcheck_plan::kind::ChainState::default(),
        stop: &shipcheck_plan::kind::Stop::default(),
    };
    let observed = observe(check.probe.as_ref(), &cx).await?;
    let results = evaluate(&check.expect, observed.facts.as_ref());
    Ok((observed, results))
}
