//! Positive tests: plans that load, and the AST they load into.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use shipcheck_plan::{
    Body, CaptureSource, Plan, Predicate, Quantity, Query, StatusPattern, Unit, load_file, load_str,
};
use shipcheck_probe::KINDS;
use shipcheck_probe::kinds::cors::CorsProbe;
use shipcheck_probe::kinds::dns::DnsProbe;
use shipcheck_probe::kinds::http::HttpProbe;
use shipcheck_probe::kinds::metrics::MetricsProbe;
use shipcheck_probe::kinds::openapi::OpenApiProbe;
use shipcheck_probe::kinds::sqlite::SqliteProbe;
use shipcheck_probe::kinds::tcp::TcpProbe;
use shipcheck_probe::kinds::tls::TlsProbe;
use shipcheck_probe::kinds::webhook::WebhookProbe;
use shipcheck_probe::kinds::websocket::WsProbe;

fn env(name: &str) -> Option<String> {
    match name {
        "ADMIN_PASSWORD" => Some("s3cret-pass".into()),
        "HOST" => Some("db.internal".into()),
        _ => None,
    }
}

fn load(src: &str) -> Plan {
    match load_str(src, Path::new("plans/staging.yaml"), &env, KINDS) {
        Ok(plan) => plan,
        Err(e) => panic!("plan should load:\n{e}"),
    }
}

/// The example at the top of docs/plan.md.
const DOCS_EXAMPLE: &str = r#"
name: vehicle-diagnostics staging
environment: { cluster: kind/staging, chart: webapp-1.0.0, backend_image: backend:1.4.2 }
vars:
  api: "${API_BASE_URL:-http://127.0.0.1:18000}"
secrets: [ADMIN_PASSWORD]
defaults: { timeout: 5s, retry: { attempts: 3, delay: 1s } }
checks:
  - id: liveness
    http: { get: "{{ api }}/health/live" }
    expect: { status: 200, json: { "$.status": ok }, duration: { under: 200ms } }
  - id: login
    http:
      post: "{{ api }}/api/v1/auth/login"
      json: { username: admin, password: "${ADMIN_PASSWORD}" }
    expect: { status: 200 }
    capture: { token: { jsonpath: "$.access_token", secret: true } }
  - id: vehicles
    needs: [login]
    http: { get: "{{ api }}/api/v1/vehicles", headers: { Authorization: "Bearer {{ token }}" } }
    expect: { status: 200, json: { "$": { length: { at_least: 2 } } } }
  - id: schema
    sqlite: app.db
    expect: { columns: { users: [user_id, username, password_hash, is_active] } }
"#;

fn http(plan: &Plan, i: usize) -> &HttpProbe {
    probe(plan, i)
}

/// Check `i`'s probe as the kind's own type, when it is one.
fn kind_probe<T: 'static>(plan: &Plan, i: usize) -> Option<&T> {
    plan.checks[i].probe.as_any().downcast_ref::<T>()
}

/// The probe of check `i`, as the kind's own type.
fn probe<T: 'static>(plan: &Plan, i: usize) -> &T {
    let p = &plan.checks[i].probe;
    match p.as_any().downcast_ref::<T>() {
        Some(t) => t,
        None => panic!("check {i} is {}", p.kind()),
    }
}

fn sqlite(plan: &Plan, i: usize) -> &SqliteProbe {
    probe(plan, i)
}

/// What a query looks at, as reports name it (kind queries are private to their kind).
fn subj(q: &Query) -> String {
    match q {
        Query::Kind(k) => k.0.subject(),
        Query::JsonPath(p) => format!("json {p}"),
        other => format!("{other:?}"),
    }
}

#[test]
fn docs_example_loads() {
    let plan = load(DOCS_EXAMPLE);
    assert_eq!(plan.name, "vehicle-diagnostics staging");
    assert_eq!(plan.base_dir, PathBuf::from("plans"));
    assert_eq!(plan.environment["backend_image"], "backend:1.4.2");
    assert_eq!(plan.vars["api"], json!("http://127.0.0.1:18000"));
    assert_eq!(plan.secret_names, vec!["ADMIN_PASSWORD"]);
    assert_eq!(plan.secret_values, vec!["s3cret-pass"]);
    let ids: Vec<&str> = plan.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["liveness", "login", "vehicles", "schema"]);

    let live = &plan.checks[0];
    assert_eq!(live.title, "liveness");
    assert!(live.critical);
    assert_eq!(live.timeout, Duration::from_secs(5));
    assert_eq!(live.retry.attempts, 3);
    assert_eq!(live.retry.delay, Duration::from_secs(1));
    assert_eq!((live.pos.line, live.pos.column), (9, 5));
    let h = http(&plan, 0);
    assert_eq!(h.method, "GET");
    assert_eq!(h.url, "{{ api }}/health/live");
    assert_eq!(h.max_body, 1024 * 1024);
    assert_eq!(h.follow_redirects, 0);
    let qp: Vec<(String, Predicate)> = live
        .expect
        .iter()
        .map(|a| (subj(&a.query), a.predicate.clone()))
        .collect();
    assert_eq!(
        qp,
        vec![
            ("status".into(), Predicate::Equals(json!(200))),
            ("json $.status".into(), Predicate::Equals(json!("ok"))),
            (
                "Duration".into(),
                Predicate::Under(Quantity {
                    value: 200.0,
                    unit: Unit::Millis
                })
            ),
        ]
    );
    assert_eq!(
        (live.expect[0].pos.line, live.expect[0].pos.column),
        (11, 23)
    );

    let login = http(&plan, 1);
    assert_eq!(login.method, "POST");
    match &login.body {
        Some(Body::Json(v)) => {
            assert_eq!(v, &json!({"username": "admin", "password": "s3cret-pass"}))
        }
        other => panic!("unexpected body {other:?}"),
    }
    let cap = &plan.checks[1].capture[0];
    assert_eq!(cap.name, "token");
    assert_eq!(cap.source, CaptureSource::JsonPath("$.access_token".into()));
    assert!(cap.secret);

    let vehicles = &plan.checks[2];
    assert_eq!(vehicles.needs, vec!["login"]);
    assert_eq!(
        http(&plan, 2).headers,
        vec![("authorization".to_owned(), "Bearer {{ token }}".to_owned())]
    );
    assert_eq!(vehicles.expect[1].query, Query::JsonPath("$".into()));
    assert_eq!(
        vehicles.expect[1].predicate,
        Predicate::Length(Box::new(Predicate::AtLeast(Quantity {
            value: 2.0,
            unit: Unit::Number
        })))
    );

    assert_eq!(sqlite(&plan, 3).path, PathBuf::from("plans/app.db"));
    assert_eq!(subj(&plan.checks[3].expect[0].query), "columns of users");
    assert_eq!(
        format!("{:?}", plan.checks[3].expect[0].predicate),
        "Judge(has_columns user_id, username, password_hash, is_active)"
    );
}

#[test]
fn every_predicate_form_of_the_docs_expect_example() {
    let plan = load(
        r#"
name: p
checks:
  - id: api
    http: { get: "http://127.0.0.1/x" }
    expect:
      status: 2xx
      headers: { content-type: { regex: "^application/json" }, x-request-id: { exists: true } }
      json:
        "$.status": ok
        "$.checks.database": { one_of: [ok, degraded] }
        "$.items": { length: { at_least: 2, at_most: 100 } }
        "$.items[*].id": { count: 3 }
        "$.meta": { equals: { page: 1 } }
        "$.literal": { page: 1 }
        "$.n": { not_equals: 0, over: 1, under: 10, contains: "5" }
      body: { contains: 'data-app="vehicle-diagnostics"' }
      body_size: { under: 256KiB }
      duration: { under: 200ms }
"#,
    );
    let got: Vec<(String, Predicate)> = plan.checks[0]
        .expect
        .iter()
        .map(|a| (subj(&a.query), a.predicate.clone()))
        .collect();
    let num = |value| Quantity {
        value,
        unit: Unit::Number,
    };
    let jp = |p: &str| format!("json {p}");
    assert_eq!(
        got,
        vec![
            (
                "status".into(),
                Predicate::StatusIn(vec![StatusPattern::Class(2)])
            ),
            (
                "header content-type".into(),
                Predicate::Regex("^application/json".into())
            ),
            ("header x-request-id".into(), Predicate::Exists(true)),
            (jp("$.status"), Predicate::Equals(json!("ok"))),
            (
                jp("$.checks.database"),
                Predicate::OneOf(vec![json!("ok"), json!("degraded")])
            ),
            (
                jp("$.items"),
                Predicate::Length(Box::new(Predicate::AtLeast(num(2.0))))
            ),
            (
                jp("$.items"),
                Predicate::Length(Box::new(Predicate::AtMost(num(100.0))))
            ),
            (
                jp("$.items[*].id"),
                Predicate::Count(Box::new(Predicate::Equals(json!(3))))
            ),
            (jp("$.meta"), Predicate::Equals(json!({"page": 1}))),
            (jp("$.literal"), Predicate::Equals(json!({"page": 1}))),
            (jp("$.n"), Predicate::NotEquals(json!(0))),
            (jp("$.n"), Predicate::Over(num(1.0))),
            (jp("$.n"), Predicate::Under(num(10.0))),
            (jp("$.n"), Predicate::Contains("5".into())),
            (
                "body".into(),
                Predicate::Contains("data-app=\"vehicle-diagnostics\"".into())
            ),
            (
                "body_size".into(),
                Predicate::Under(Quantity {
                    value: 262_144.0,
                    unit: Unit::Bytes
                })
            ),
            (
                "Duration".into(),
                Predicate::Under(Quantity {
                    value: 200.0,
                    unit: Unit::Millis
                })
            ),
        ]
    );
}

#[test]
fn status_forms() {
    let plan = load(
        r#"
name: p
checks:
  - { id: a, http: { get: "http://h/" }, expect: { status: [200, "2xx", 3XX] } }
  - { id: b, http: { get: "http://h/" }, expect: { status: { one_of: [200, 204] } } }
  - { id: c, http: { get: "http://h/" }, expect: { status: { at_least: 200, under: 300 } } }
  - { id: d, http: { get: "http://h/" }, expect: { status: "404" } }
"#,
    );
    let p = |i: usize| {
        plan.checks[i]
            .expect
            .iter()
            .map(|a| a.predicate.clone())
            .collect::<Vec<_>>()
    };
    use StatusPattern::{Class, Code};
    assert_eq!(
        p(0),
        vec![Predicate::StatusIn(vec![Code(200), Class(2), Class(3)])]
    );
    assert_eq!(p(1), vec![Predicate::StatusIn(vec![Code(200), Code(204)])]);
    assert_eq!(
        p(2),
        vec![
            Predicate::AtLeast(Quantity {
                value: 200.0,
                unit: Unit::Number
            }),
            Predicate::Under(Quantity {
                value: 300.0,
                unit: Unit::Number
            })
        ]
    );
    assert_eq!(p(3), vec![Predicate::StatusIn(vec![Code(404)])]);
}

#[test]
fn count_and_length_objects_give_one_assertion_per_inner_predicate() {
    let plan = load(
        r#"
name: p
checks:
  - id: a
    http: { get: "http://h/" }
    expect: { json: { "$.x[*]": { count: { at_least: 1, at_most: 5 } }, "$.s": { length: 3 } } }
"#,
    );
    let preds: Vec<_> = plan.checks[0]
        .expect
        .iter()
        .map(|a| a.predicate.clone())
        .collect();
    let num = |value| Quantity {
        value,
        unit: Unit::Number,
    };
    // The first is the implied `status: 2xx`.
    assert_eq!(
        preds,
        vec![
            Predicate::StatusIn(vec![shipcheck_plan::StatusPattern::Class(2)]),
            Predicate::Count(Box::new(Predicate::AtLeast(num(1.0)))),
            Predicate::Count(Box::new(Predicate::AtMost(num(5.0)))),
            Predicate::Length(Box::new(Predicate::Equals(json!(3)))),
        ]
    );
}

#[test]
fn captures_short_and_long_form() {
    let plan = load(
        r#"
name: p
checks:
  - id: a
    http: { get: "http://h/" }
    capture:
      token: "$.access_token"
      request_id: { header: X-Request-Id }
      csrf: { regex: 'name="csrf" value="([^"]+)"' }
      whole: { regex: "v[0-9]+" }
      second: { regex: "(a)(b)", group: 2, secret: true }
"#,
    );
    let caps: Vec<(String, CaptureSource, bool)> = plan.checks[0]
        .capture
        .iter()
        .map(|c| (c.name.clone(), c.source.clone(), c.secret))
        .collect();
    assert_eq!(
        caps,
        vec![
            (
                "token".into(),
                CaptureSource::JsonPath("$.access_token".into()),
                false
            ),
            (
                "request_id".into(),
                CaptureSource::Header("x-request-id".into()),
                false
            ),
            (
                "csrf".into(),
                CaptureSource::Regex {
                    pattern: "name=\"csrf\" value=\"([^\"]+)\"".into(),
                    group: 1
                },
                false
            ),
            (
                "whole".into(),
                CaptureSource::Regex {
                    pattern: "v[0-9]+".into(),
                    group: 0
                },
                false
            ),
            (
                "second".into(),
                CaptureSource::Regex {
                    pattern: "(a)(b)".into(),
                    group: 2
                },
                true
            ),
        ]
    );
    assert_eq!(plan.checks[0].capture[1].pos.line, 8);
}

#[test]
fn defaults_when_nothing_is_set() {
    let plan = load("name: p\nchecks:\n  - id: a\n    http: { get: \"http://h/\" }\n");
    let c = &plan.checks[0];
    assert_eq!(c.title, "a");
    assert!(c.critical);
    assert_eq!(c.timeout, Duration::from_secs(10));
    assert_eq!(c.retry.attempts, 1);
    assert_eq!(c.retry.delay, Duration::ZERO);
    assert!(c.until.is_none() && c.skip.is_none() && c.capture.is_empty());
    // An http check with no expectation expects `status: 2xx` (issue 9.1).
    assert_eq!(c.expect.len(), 1);
    assert_eq!(
        c.expect[0].predicate,
        Predicate::StatusIn(vec![shipcheck_plan::StatusPattern::Class(2)])
    );
    let h = http(&plan, 0);
    assert_eq!(
        (h.max_body, h.follow_redirects, h.insecure),
        (1024 * 1024, 0, false)
    );
    assert!(h.ca_file.is_none() && h.body.is_none());
}

#[test]
fn long_form_http_and_check_options() {
    let plan = load(
        r#"
name: p
checks:
  - id: a
    title: Create a thing
    critical: false
    timeout: 1m30s
    until: { within: 60s, every: 2s }
    skip: not on staging
    http:
      method: put
      url: "https://${HOST}/things"
      headers: { X-Trace: "1" }
      query: { page: 2, q: "a b" }
      form: { name: thing, count: 3 }
      follow_redirects: 5
      insecure: true
      ca_file: certs/ca.pem
      max_body: 64KB
  - id: b
    retry: { attempts: 2 }
    http: { url: "http://h/", body: "raw $$5 {{ a_var }}" }
vars: { a_var: 1 }
"#,
    );
    let c = &plan.checks[0];
    assert_eq!(c.title, "Create a thing");
    assert!(!c.critical);
    assert_eq!(c.timeout, Duration::from_secs(90));
    let until = c.until.unwrap_or_else(|| panic!("until"));
    assert_eq!(
        (until.within, until.every),
        (Duration::from_secs(60), Duration::from_secs(2))
    );
    assert_eq!(c.skip.as_deref(), Some("not on staging"));
    let h = http(&plan, 0);
    assert_eq!(h.method, "PUT");
    assert_eq!(h.url, "https://db.internal/things");
    assert_eq!(h.headers, vec![("x-trace".to_owned(), "1".to_owned())]);
    assert_eq!(
        h.query,
        vec![
            ("page".to_owned(), "2".to_owned()),
            ("q".to_owned(), "a b".to_owned())
        ]
    );
    match &h.body {
        Some(Body::Form(f)) => assert_eq!(f[1], ("count".to_owned(), "3".to_owned())),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        (h.follow_redirects, h.insecure, h.max_body),
        (5, true, 64_000)
    );
    assert_eq!(h.ca_file.as_deref(), Some(Path::new("plans/certs/ca.pem")));
    let b = http(&plan, 1);
    assert_eq!(b.method, "GET");
    assert_eq!(plan.checks[1].retry.attempts, 2);
    match &b.body {
        Some(Body::Raw(s)) => assert_eq!(s, "raw $5 {{ a_var }}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn env_values_stay_literal_and_are_never_reparsed() {
    let env = |name: &str| match name {
        "WEIRD" => Some("x: [1, {{ not_a_var }}".to_owned()),
        _ => None,
    };
    let plan = load_str(
        "name: \"${WEIRD}\"\nvars: { v: \"${WEIRD}\" }\nchecks:\n  - { id: a, http: { get: \"http://h/${WEIRD}\" } }\n",
        Path::new("p.yaml"),
        &env,
        KINDS,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(plan.name, "x: [1, \\{{ not_a_var }}");
    assert_eq!(plan.base_dir, PathBuf::from("."));
    let rendered = shipcheck_plan::template::render_value(&plan.vars["v"], &|_| None);
    assert_eq!(rendered, Ok(json!("x: [1, {{ not_a_var }}")));
}

#[test]
fn captures_through_transitive_needs_are_allowed() {
    let plan = load(
        r#"
name: p
vars: { base: "http://h", url: "{{ base }}/v1" }
checks:
  - { id: login, http: { post: "{{ url }}/login" }, capture: { token: "$.t" } }
  - { id: me, needs: [login], http: { get: "{{ url }}/me" } }
  - { id: cars, needs: me, http: { get: "{{ url }}/cars", headers: { authorization: "Bearer {{token}}" } } }
"#,
    );
    assert_eq!(plan.checks[2].needs, vec!["me"]);
}

#[test]
fn read_error_names_the_path() {
    let Err(e) = load_file(Path::new("/nonexistent/plan.yaml"), &env, KINDS) else {
        panic!("should fail");
    };
    assert_eq!(e.errors.len(), 1);
    assert_eq!(e.errors[0].line, 0);
    assert!(e.to_string().contains("/nonexistent/plan.yaml"), "{e}");
}

#[test]
fn load_file_reads_and_resolves_relative_to_the_file() {
    let dir = std::env::temp_dir().join(format!("shipcheck-plan-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join("plan.yaml");
    std::fs::write(
        &path,
        "name: f\nchecks:\n  - { id: s, sqlite: { path: data/app.db } }\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let plan = load_file(&path, &env, KINDS).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sqlite(&plan, 0).path, dir.join("data/app.db"));
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn expected_values_are_templates_checked_at_load_and_escaped_with_a_backslash() {
    // Expected values are rendered at run time (`"$.id": "{{ id }}"` compares with a
    // capture), so their names are checked at load like the request's; `\{{` is literal.
    let plan = load(
        r#"
name: p
vars: { x: 1 }
checks:
  - id: a
    http: { get: "http://h/" }
    expect: { body: { contains: "\\{{ not_a_var }}" }, json: { "$.t": "{{ x }}" } }
"#,
    );
    // [0] is the implied `status: 2xx`.
    assert_eq!(
        plan.checks[0].expect[1].predicate,
        Predicate::Contains("\\{{ not_a_var }}".into())
    );
    assert_eq!(
        plan.checks[0].expect[2].predicate,
        Predicate::Equals(json!("{{ x }}"))
    );
    let lookup = |n: &str| (n == "x").then(|| json!(1));
    assert_eq!(
        plan.checks[0].expect[2].predicate.render(&lookup),
        Ok(Predicate::Equals(json!(1)))
    );
    assert_eq!(
        plan.checks[0].expect[1].predicate.render(&lookup),
        Ok(Predicate::Contains("{{ not_a_var }}".into()))
    );
    let err = load_str(
        "name: p\nchecks:\n  - id: a\n    http: { get: \"http://h/\" }\n    expect: { json: { \"$.t\": \"{{ nope }}\" } }\n",
        Path::new("plan.yaml"),
        &env,
        KINDS,
    )
    .expect_err("undefined name in an expected value");
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn tls_probe_short_and_long_forms_with_expectations() {
    let plan = load(
        r#"
name: t
checks:
  - id: short
    tls: "example.com:8443"
  - id: long
    tls: { host: 127.0.0.1, port: 9443, sni: localhost, ca_file: certs/ca.pem, alpn: [http/1.1] }
    expect:
      valid: false
      expires_in: { at_least: 14d }
      min_version: TLSv1.2
      version: { one_of: [TLSv1.2, TLSv1.3] }
      issuer: { contains: test CA }
      accepts: { TLSv1.0: false, "1.1": false }
      json: { "$.chain[0].key_type": EC }
"#,
    );
    let short: &TlsProbe = probe(&plan, 0);
    assert_eq!(short.host, "example.com:8443");
    assert_eq!(short.alpn, ["h2", "http/1.1"]);
    // `valid: true` is implied when not written
    assert_eq!(plan.checks[0].expect.len(), 1);
    assert_eq!(subj(&plan.checks[0].expect[0].query), "certificate valid");
    assert_eq!(
        plan.checks[0].expect[0].predicate,
        Predicate::Equals(json!(true))
    );

    let long: &TlsProbe = probe(&plan, 1);
    assert_eq!(long.port, Some(9443));
    assert_eq!(long.sni.as_deref(), Some("localhost"));
    assert_eq!(long.ca_file, Some(PathBuf::from("plans/certs/ca.pem")));
    let e = &plan.checks[1].expect;
    let queries: Vec<String> = e.iter().map(|a| subj(&a.query)).collect();
    assert_eq!(
        queries,
        [
            "certificate valid",
            "expires in",
            "minimum tls version",
            "tls version",
            "issuer",
            "accepts TLSv1.0",
            "accepts TLSv1.1",
            "json $.chain[0].key_type",
        ]
    );
    assert_eq!(format!("{:?}", e[5].query), "Kind(Accepts(\"TLSv1.0\"))");
    assert_eq!(e[0].predicate, Predicate::Equals(json!(false)));
    assert_eq!(
        e[1].predicate,
        Predicate::AtLeast(Quantity {
            value: 14.0 * 86_400_000.0,
            unit: Unit::Millis
        })
    );
    assert_eq!(
        e[2].predicate,
        Predicate::AtLeast(Quantity {
            value: 1.2,
            unit: Unit::Number
        })
    );
}

#[test]
fn tcp_and_dns_probes_load_with_implied_expectations() {
    let plan = load(
        r#"
name: t
checks:
  - id: port
    tcp: "db.internal:5432"
  - id: closed
    tcp: { host: 127.0.0.1, port: 6379 }
    expect: { open: false }
  - id: name
    dns: { name: app.example.com, type: aaaa, nameserver: "127.0.0.1:5353" }
    expect: { includes: ["::1"], excludes: [10.0.0.1], json: { "$.rcode": NOERROR } }
  - id: short
    dns: app.example.com
"#,
    );
    let t: &TcpProbe = probe(&plan, 0);
    assert_eq!((t.host.as_str(), t.port), ("db.internal:5432", None));
    assert_eq!(subj(&plan.checks[0].expect[0].query), "port open");
    assert_eq!(plan.checks[1].expect.len(), 1);
    assert_eq!(
        plan.checks[1].expect[0].predicate,
        Predicate::Equals(json!(false))
    );
    let d: &DnsProbe = probe(&plan, 2);
    assert_eq!(d.record, "AAAA");
    assert_eq!(d.nameserver.as_deref(), Some("127.0.0.1:5353"));
    let e = &plan.checks[2].expect;
    assert_eq!(subj(&e[0].query), "resolves");
    assert_eq!(subj(&e[1].query), "address ::1");
    assert_eq!(e[1].predicate, Predicate::Exists(true));
    assert_eq!(e[2].predicate, Predicate::Exists(false));
    let short: &DnsProbe = probe(&plan, 3);
    assert_eq!(
        (short.record.as_str(), short.nameserver.as_ref()),
        ("A", None)
    );
}

#[test]
fn websocket_probe_loads_with_messages_and_captures() {
    let plan = load(
        r#"
name: t
checks:
  - id: login
    http: { post: "http://h/login" }
    capture: { token: "$.access_token" }
  - id: stream
    needs: [login]
    websocket:
      url: "ws://h/ws/responses/1"
      query: { token: "{{ token }}" }
      headers: { Authorization: "Bearer {{ token }}" }
      send: [ping, { subscribe: "{{ token }}" }]
      within: 5s
      max_messages: 10
      max_message: 1KiB
    expect:
      messages: { at_least: 2 }
      closed: true
      json: { "$[0].state": accepted }
    capture: { state: "$[0].state" }
"#,
    );
    let w: &WsProbe = probe(&plan, 1);
    assert_eq!(w.query, [("token".to_owned(), "{{ token }}".to_owned())]);
    assert_eq!(w.headers[0].0, "authorization");
    assert_eq!(w.send.len(), 2);
    assert_eq!(w.within, Some(Duration::from_secs(5)));
    assert_eq!((w.max_messages, w.max_message), (10, 1024));
    let e = &plan.checks[1].expect;
    assert_eq!(subj(&e[0].query), "messages");
    assert_eq!(
        e[0].predicate,
        Predicate::Count(Box::new(Predicate::AtLeast(Quantity {
            value: 2.0,
            unit: Unit::Number
        })))
    );
    assert_eq!(subj(&e[1].query), "closed cleanly");
    assert_eq!(plan.checks[1].capture.len(), 1);
}

#[test]
fn webhook_probe_presets_and_implied_expectations() {
    let plan = load(
        r#"
name: t
secrets: [ADMIN_PASSWORD]
checks:
  - id: gh
    webhook: { url: "http://h/hook", secret: "${ADMIN_PASSWORD}", preset: github, json: { a: 1 } }
  - id: stripe
    webhook: { url: "http://h/hook", secret: "${ADMIN_PASSWORD}", preset: stripe, body: "x", deliver: tampered }
    expect: { rejected: 400 }
  - id: custom
    webhook:
      url: "http://h/hook"
      secret: "${ADMIN_PASSWORD}"
      header: X-Signature
      signature: "v1={signature}"
      signing_string: "{timestamp}:{body}"
      body: "x"
"#,
    );
    let Some::<&WebhookProbe>(gh) = kind_probe(&plan, 0) else {
        panic!("not webhook");
    };
    assert_eq!(gh.secret, "s3cret-pass");
    assert_eq!(gh.header, "x-hub-signature-256");
    assert_eq!(gh.signature, "sha256={signature}");
    assert_eq!(gh.signing_string, "{body}");
    let queries: Vec<String> = plan.checks[0]
        .expect
        .iter()
        .map(|a| subj(&a.query))
        .collect();
    assert_eq!(
        queries,
        [
            "status of the signed delivery",
            "status of the tampered delivery"
        ]
    );
    let Some::<&WebhookProbe>(st) = kind_probe(&plan, 1) else {
        panic!("not webhook");
    };
    assert_eq!(st.signature, "t={timestamp},v1={signature}");
    assert_eq!((st.send_signed, st.send_tampered), (false, true));
    assert_eq!(plan.checks[1].expect.len(), 1);
    assert_eq!(
        plan.checks[1].expect[0].predicate,
        Predicate::Equals(json!(400))
    );
    let Some::<&WebhookProbe>(custom) = kind_probe(&plan, 2) else {
        panic!("not webhook");
    };
    assert_eq!(custom.header, "x-signature");
    assert_eq!(custom.signing_string, "{timestamp}:{body}");
}

#[test]
fn metrics_and_openapi_probes_load_with_implied_validity() {
    let plan = load(
        r#"
name: t
checks:
  - id: m
    metrics: "http://h/metrics"
    expect:
      series:
        'http_requests_total{method="GET",code!="500"}': { at_least: 1 }
        up: 1
  - id: o
    openapi: { url: "http://h/openapi.json", max_body: 1MiB, headers: { Authorization: "Bearer x" } }
    expect: { valid: false, operations: [listVehicles, "GET /a"], json: { "$.info.title": demo } }
"#,
    );
    let Some(MetricsProbe(m)) = kind_probe(&plan, 0) else {
        panic!("not metrics");
    };
    assert_eq!(m.max_body, 4 * 1024 * 1024);
    let q: Vec<String> = plan.checks[0]
        .expect
        .iter()
        .map(|a| subj(&a.query))
        .collect();
    assert_eq!(
        q,
        [
            "document valid",
            "series http_requests_total{method=\"GET\",code!=\"500\"}",
            "series up",
        ]
    );
    let Some(OpenApiProbe(o)) = kind_probe(&plan, 1) else {
        panic!("not openapi");
    };
    assert_eq!(o.max_body, 1024 * 1024);
    let e = &plan.checks[1].expect;
    assert_eq!(subj(&e[0].query), "document valid");
    assert_eq!(e[0].predicate, Predicate::Equals(json!(false)));
    assert_eq!(subj(&e[1].query), "operation listVehicles");
    assert_eq!(e.len(), 4);
}

#[test]
fn https_hygiene_and_cors_load() {
    let plan = load(
        r#"
name: t
checks:
  - id: h
    http: { get: "http://h/" }
    expect:
      hsts: { max_age: { at_least: 15552000 }, include_subdomains: true }
      https_redirect: { port: 8443 }
      security_headers: true
      cookies: { session: { secure: true, same_site: [Lax, Strict] }, "*": { http_only: true } }
  - id: c
    cors: { url: "http://h/api", origin: "http://localhost:3000", method: delete, headers: [Authorization] }
    expect: { credentials: true }
"#,
    );
    let q: Vec<String> = plan.checks[0]
        .expect
        .iter()
        .map(|a| subj(&a.query))
        .collect();
    assert_eq!(
        q,
        [
            "hsts max-age",
            "hsts includeSubDomains",
            "redirect to https",
            "security headers",
            "cookie session secure",
            "cookie session same_site",
            "cookie * http_only",
        ]
    );
    let redirect = &plan.checks[0].expect[2].query;
    assert_eq!(format!("{redirect:?}"), "Kind(HttpsRedirect(Some(8443)))");
    assert_eq!(
        plan.checks[0].expect[5].predicate,
        Predicate::OneOf(vec![json!("Lax"), json!("Strict")])
    );
    let Some::<&CorsProbe>(c) = kind_probe(&plan, 1) else {
        panic!("not cors");
    };
    assert_eq!(
        (c.method.as_str(), c.headers.as_slice()),
        ("DELETE", &["authorization".to_owned()][..])
    );
    let q: Vec<String> = plan.checks[1]
        .expect
        .iter()
        .map(|a| subj(&a.query))
        .collect();
    assert_eq!(
        q,
        [
            "allow-credentials",
            "preflight allowed",
            "disallowed origin not echoed"
        ]
    );
}

/// Issue 9.15: `release`, `version` and `commit` say what the plan verifies, kept as
/// written (`1.20` is not the number 1.2; a commit keeps its leading zero).
#[test]
fn release_version_and_commit_are_kept_as_declared() {
    let plan = load(
        r#"
name: p
release: fleet-api
version: 1.20
commit: 0123456
checks:
  - id: a
    http: { get: "http://h/" }
"#,
    );
    assert_eq!(plan.release.as_deref(), Some("fleet-api"));
    assert_eq!(plan.version.as_deref(), Some("1.20"));
    assert_eq!(plan.commit.as_deref(), Some("0123456"));
    let plan = load(
        "name: p\nversion: \"2.0.0-rc.1\"\nchecks:\n  - id: a\n    http: { get: \"http://h/\" }\n",
    );
    assert_eq!(plan.version.as_deref(), Some("2.0.0-rc.1"));
    assert_eq!(plan.release, None);
    assert_eq!(plan.commit, None);
}
