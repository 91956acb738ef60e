//! Canonical sample reports shared by the renderer tests. Every duration is fixed.

use std::collections::BTreeMap;

use shipcheck_report::{
    AssertionResult, Attempt, CaptureRecord, CheckError, CheckResult, Evidence, FailureClass,
    Finding, Measurement, PlanInfo, Report, RunInfo, Severity, Status,
};

fn run(environment: BTreeMap<String, String>) -> RunInfo {
    RunInfo {
        tool: "shipcheck".into(),
        version: "0.1.0".into(),
        command: "verify".into(),
        plan: Some(PlanInfo {
            name: "staging smoke".into(),
            path: "plans/staging.yaml".into(),
        }),
        environment,
        started_at: "2026-11-20T09:30:00Z".into(),
        duration_ms: 2345.6,
        host: "ci-runner-7".into(),
        subject: shipcheck_report::Subject::default(),
        interrupted: false,
        interrupt_reason: None,
    }
}

fn assertion(subject: &str, predicate: &str, expected: &str, actual: &str) -> AssertionResult {
    AssertionResult {
        subject: subject.into(),
        predicate: predicate.into(),
        expected: expected.into(),
        actual: actual.into(),
        passed: expected == actual,
    }
}

fn ms(name: &str, value: f64, target: Option<(&str, bool)>) -> Measurement {
    Measurement {
        name: name.into(),
        value,
        unit: shipcheck_report::MeasureUnit::Ms,
        target: target.map(|(t, _)| t.to_owned()),
        met: target.map(|(_, m)| m),
    }
}

fn attempt(number: u32, status: Status, duration_ms: f64, note: Option<&str>) -> Attempt {
    Attempt {
        number,
        status,
        duration_ms,
        note: note.map(str::to_owned),
    }
}

fn evidence(label: &str, text: &str) -> Evidence {
    Evidence {
        label: label.into(),
        text: text.into(),
        truncated: false,
    }
}

fn check(id: &str, kind: &str, status: Status, started_ms: f64, duration_ms: f64) -> CheckResult {
    let mut c = CheckResult::new(id, kind);
    c.status = status;
    c.started_ms = started_ms;
    c.duration_ms = duration_ms;
    if matches!(status, Status::Passed | Status::Failed | Status::Error) {
        c.attempts = vec![attempt(1, status, duration_ms, None)];
    }
    c
}

/// A run with every status, a failed assertion, a timeout error, a skip, a not-run,
/// measurements with and without targets, awkward evidence and lint findings.
pub(crate) fn mixed() -> Report {
    let mut environment = BTreeMap::new();
    environment.insert("cluster".into(), "kind (staging stand-in)".into());
    environment.insert("chart_version".into(), "1.4.2".into());
    environment.insert("images".into(), "api:1.4.2 | web:1.4.2".into());

    let mut liveness = check("liveness", "http", Status::Passed, 3.0, 12.4);
    liveness.title = "Liveness endpoint answers".into();
    liveness.assertions = vec![
        assertion("status", "equals", "200", "200"),
        assertion("json $.status", "equals", "\"ok\"", "\"ok\""),
    ];
    liveness.measurements = vec![
        ms("first_byte", 8.1, None),
        ms("total", 12.4, Some(("< 200ms", true))),
    ];
    liveness.evidence = vec![
        evidence("request", "GET /health/live HTTP/1.1\nhost: 127.0.0.1:8080"),
        evidence(
            "response",
            "HTTP/1.1 200 OK\ncontent-type: application/json\n\n{\"status\":\"ok\"}",
        ),
    ];

    let mut login = check("login", "http", Status::Failed, 15.2, 48.0);
    login.title = "Login returns a token".into();
    login.reason = Some("status: expected 200, got 500".into());
    login.error = Some(CheckError {
        class: FailureClass::Assertion,
        message: "2 of 3 assertions failed".into(),
    });
    login.attempts = vec![
        attempt(1, Status::Failed, 22.5, Some("status 500")),
        attempt(2, Status::Failed, 20.1, Some("status 500")),
    ];
    login.assertions = vec![
        assertion("status", "equals", "200", "500"),
        assertion("json $.token", "exists", "true", "no match"),
        assertion(
            "header content-type",
            "regex",
            "^application/json",
            "^application/json",
        ),
    ];
    login.measurements = vec![ms("total", 20.1, None), ms("first_byte", 19.0, None)];
    let body: Vec<String> = (1..=12).map(|i| format!("  trace line {i}")).collect();
    login.evidence = vec![
        evidence(
            "request",
            "POST /api/v1/auth/login HTTP/1.1\nauthorization: [REDACTED]\ncontent-type: application/json\n\n{\"username\":\"admin\",\"password\":\"[REDACTED]\"}",
        ),
        Evidence {
            label: "response".into(),
            text: format!(
                "HTTP/1.1 500 Internal Server Error\ncontent-type: text/plain\n\n```\n| column | value |\n```\n{}",
                body.join("\n")
            ),
            truncated: true,
        },
    ];

    let mut latency = check("ready-latency", "http", Status::Failed, 15.4, 341.7);
    latency.critical = false;
    latency.title = "Readiness answers within budget".into();
    latency.reason = Some("duration: expected under 200ms, got 341.7ms".into());
    latency.error = Some(CheckError {
        class: FailureClass::Assertion,
        message: "1 of 2 assertions failed".into(),
    });
    latency.assertions = vec![
        assertion("status", "equals", "200", "200"),
        assertion("duration", "under", "200ms", "341.7ms"),
    ];
    latency.measurements = vec![ms("total", 341.7, Some(("< 200ms", false)))];

    let mut upstream = check("upstream", "http", Status::Error, 15.6, 6012.0);
    upstream.title = "Upstream API reachable".into();
    upstream.error = Some(CheckError {
        class: FailureClass::Timeout,
        message: "no response from 127.0.0.1:8081 within 2s".into(),
    });
    upstream.attempts = (1..=3)
        .map(|n| {
            attempt(
                n,
                Status::Error,
                2004.0,
                Some("timeout: no response within 2s"),
            )
        })
        .collect();
    upstream.evidence = vec![evidence(
        "request",
        "GET /api/v1/status HTTP/1.1\nhost: 127.0.0.1:8081",
    )];

    let mut vehicles = check("vehicles", "http", Status::NotRun, 0.0, 0.0);
    vehicles.reason = Some("dependency `login` did not pass".into());

    let mut websocket = check("ws-stream", "websocket", Status::Skipped, 0.0, 0.0);
    websocket.critical = false;
    websocket.reason = Some("skip: WebSocket probe not available yet".into());

    let mut schema = check("schema", "sqlite", Status::Passed, 4.0, 1.3);
    schema.assertions = vec![assertion(
        "columns users",
        "contains",
        "[id, username, is_active]",
        "[id, username, is_active]",
    )];
    schema.captures = vec![
        CaptureRecord {
            name: "admin_id".into(),
            value: "1".into(),
            secret: false,
        },
        CaptureRecord {
            name: "token".into(),
            value: "[REDACTED]".into(),
            secret: true,
        },
    ];
    schema.evidence = vec![evidence(
        "query",
        "PRAGMA table_info(users);\n0|id|INTEGER\n1|username|TEXT\n2|is_active|BOOLEAN",
    )];

    let findings = vec![
        Finding {
            rule: "helm/icon-missing".into(),
            severity: Severity::Info,
            message: "Chart.yaml has no `icon`".into(),
            path: "chart/Chart.yaml".into(),
            line: 1,
            column: 1,
            end_line: None,
            end_column: None,
            snippet: None,
            help: Some("add an icon URL".into()),
            check_id: Some("lint".into()),
        },
        Finding {
            rule: "k8s/privileged-container".into(),
            severity: Severity::Error,
            message: "container `api` runs privileged".into(),
            path: "deploy/api.yaml".into(),
            line: 12,
            column: 9,
            end_line: Some(12),
            end_column: Some(25),
            snippet: Some("        privileged: true".into()),
            help: Some("remove `privileged: true`".into()),
            check_id: None,
        },
        Finding {
            rule: "compose/no-restart-policy".into(),
            severity: Severity::Warning,
            message: "service `worker` has no restart policy".into(),
            path: "compose.yaml".into(),
            line: 30,
            column: 3,
            end_line: None,
            end_column: None,
            snippet: None,
            help: None,
            check_id: None,
        },
    ];

    Report::new(
        run(environment),
        vec![
            liveness, login, latency, upstream, vehicles, websocket, schema,
        ],
        findings,
    )
}

/// A run where every check passed and nothing was found.
pub(crate) fn all_passed() -> Report {
    let mut live = check("liveness", "http", Status::Passed, 1.0, 4.2);
    live.assertions = vec![assertion("status", "equals", "200", "200")];
    live.measurements = vec![ms("total", 4.2, Some(("< 200ms", true)))];
    let mut ready = check("readiness", "http", Status::Passed, 1.1, 5.9);
    ready.assertions = vec![
        assertion("status", "equals", "200", "200"),
        assertion("json $.checks.database", "equals", "\"ok\"", "\"ok\""),
    ];
    ready.measurements = vec![ms("total", 5.9, None)];
    Report::new(run(BTreeMap::new()), vec![live, ready], Vec::new())
}

/// [`all_passed`], but `readiness` passed only on its second attempt (a 503 first).
pub(crate) fn flaky() -> Report {
    let mut report = all_passed();
    let ready = &mut report.checks[1];
    ready.attempts = vec![
        attempt(1, Status::Failed, 3.1, Some("status 503")),
        attempt(2, Status::Passed, 2.8, None),
    ];
    Report::new(report.run, report.checks, report.findings)
}

/// A `shipcheck lint` run: the findings of [`mixed`], the rules behind them and the
/// `--fail-on error` threshold.
pub(crate) fn lint_run() -> Report {
    let mut run = run(BTreeMap::new());
    run.command = "lint".into();
    run.plan = None;
    let findings = mixed().findings;
    let rules = findings
        .iter()
        .map(|f| shipcheck_report::RuleInfo {
            id: f.rule.clone(),
            name: f.rule.rsplit('/').next().unwrap_or_default().into(),
            summary: format!("Checks `{}`.", f.rule),
            help: format!(
                "## What it does\nChecks `{}`.\n\n## Why is this bad?\nIt breaks.",
                f.rule
            ),
            default_severity: f.severity,
        })
        .collect();
    Report::new(run, Vec::new(), findings)
        .with_rules(rules)
        .with_lint(shipcheck_report::LintRun {
            files_scanned: 3,
            fail_on: Some(Severity::Error),
        })
}
