//! Snapshot tests of rendered plan errors, one per error class. Each snapshot shows the
//! message, the file:line:column and the code frame pointing at the offending node.

use std::path::Path;

use shipcheck_plan::load_str;
use shipcheck_probe::KINDS;

/// Load `src` with a fake environment and return the rendered errors.
fn errors_with(src: &str, vars: &[(&str, &str)]) -> String {
    let env = |name: &str| {
        vars.iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| (*v).to_owned())
    };
    match load_str(src, Path::new("plan.yaml"), &env, KINDS) {
        Ok(_) => panic!("the plan should not load:\n{src}"),
        Err(e) => {
            // Every error has a real position inside the source.
            for err in &e.errors {
                assert!(err.line >= 1 && err.column >= 1, "{err:?}");
                assert!(err.span.end <= src.len(), "{err:?}");
            }
            e.to_string()
        }
    }
}

fn errors(src: &str) -> String {
    errors_with(src, &[])
}

#[test]
fn yaml_syntax_error() {
    insta::assert_snapshot!(errors(
        "name: p\nchecks:\n  - id: a\n    http: { get: \"http://h/\"\n    expect: {}\n"
    ));
}

#[test]
fn unknown_keys_with_suggestions() {
    insta::assert_snapshot!(errors(
        r#"name: p
chekcs: []
checks:
  - id: login
    http: { get: "http://h/", header: { a: b } }
    expcet: { status: 200 }
    capture: { t: { jsonpath: "$.t", secrett: true } }
"#
    ));
}

#[test]
fn wrong_types() {
    insta::assert_snapshot!(errors(
        r#"name: [not, a, string]
checks:
  - id: a
    critical: "yes"
    needs: { b: 1 }
    http: { get: "http://h/", follow_redirects: -1, headers: [a] }
    expect: { status: 99, json: { "$.a": { exists: maybe } } }
"#
    ));
}

#[test]
fn bad_durations_and_sizes() {
    insta::assert_snapshot!(errors(
        r#"name: p
defaults: { timeout: 5 }
checks:
  - id: a
    timeout: 5 sec
    retry: { attempts: 2, delay: soon }
    http: { get: "http://h/", max_body: 1 MiBs }
    expect: { duration: { under: 200 }, body_size: { under: 1 lightyear } }
"#
    ));
}

#[test]
fn duplicate_ids() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: health
    http: { get: "http://h/a" }
  - id: other
    http: { get: "http://h/b" }
  - id: health
    http: { get: "http://h/c" }
"#
    ));
}

#[test]
fn unknown_needs() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: login
    http: { post: "http://h/login" }
  - id: vehicles
    needs: [logn, missing]
    http: { get: "http://h/v" }
"#
    ));
}

#[test]
fn cyclic_needs() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: a
    needs: [b]
    http: { get: "http://h/a" }
  - id: b
    needs: [c]
    http: { get: "http://h/b" }
  - id: c
    needs: [a]
    http: { get: "http://h/c" }
  - id: self
    needs: [self]
    http: { get: "http://h/s" }
"#
    ));
}

#[test]
fn no_probe_and_several_probes() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: nothing
    expect: { status: 200 }
  - id: both
    http: { get: "http://h/" }
    sqlite: app.db
"#
    ));
}

#[test]
fn http_request_shape() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: bodies
    http: { post: "http://h/", json: { a: 1 }, body: "raw" }
  - id: methods
    http: { get: "http://h/", post: "http://h/" }
  - id: nourl
    http: { method: GET }
  - id: relative
    http: { get: "/health" }
"#
    ));
}

#[test]
fn http_client_keys_and_expectations_shape() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: auth
    http: { get: "http://h/", basic_auth: { user: "a:b" } }
  - id: cert
    http: { get: "https://h/", cert: client.pem }
  - id: multi
    http: { post: "http://h/", multipart: { doc: { content_type: text/csv } }, body: x }
  - id: many
    http: { get: "http://h/", samples: 5000 }
  - id: none
    http: { get: "http://h/", samples: 0 }
  - id: err
    http: { get: "http://h/" }
    expect: { error: refused, latency: { p99: { under: 1s } }, json: { "$.id": "{{ nope }}" } }
"#
    ));
}

#[test]
fn undefined_template_variables() {
    insta::assert_snapshot!(errors(
        r#"name: p
vars: { api: "http://h" }
checks:
  - id: login
    http: { post: "{{ api }}/login" }
    capture: { token: "$.token" }
  - id: no-needs
    http: { get: "{{ api }}/me", headers: { authorization: "Bearer {{ token }}" } }
  - id: typo
    http: { get: "{{ apu }}/x", json: { a: "{{ a.b }}" } }
"#
    ));
}

#[test]
fn environment_variables() {
    insta::assert_snapshot!(errors_with(
        r#"name: p
vars:
  api: "${API_BASE_URL}"
  token: "${API_TOKEN:?create a token in the admin UI}"
  ok: "${HOME:-/root} costs $$5"
checks:
  - id: a
    http: { get: "http://h/${PATH_PREFIX" }
"#,
        &[("HOME", "/home/me")]
    ));
}

#[test]
fn secrets_unset_empty_or_too_short() {
    insta::assert_snapshot!(errors_with(
        r#"name: p
secrets: [ADMIN_PASSWORD, DB_PASSWORD, PIN, "not-a-name"]
checks:
  - id: a
    http: { get: "http://h/" }
"#,
        &[("DB_PASSWORD", ""), ("PIN", "123")]
    ));
}

/// Issue 9.14: an unset secret used in several places gave one error per use; it is one
/// error per variable, at its declaration, naming the lines that use it.
#[test]
fn one_error_per_unset_secret_not_one_per_use() {
    insta::assert_snapshot!(errors(
        r#"name: p
secrets: [API_TOKEN]
vars: { auth: "Bearer ${API_TOKEN}" }
checks:
  - id: a
    http: { get: "http://h/", headers: { X-Token: "${API_TOKEN}", X-Other: "${API_TOKEN}" } }
  - id: b
    http: { get: "http://h/${BASE_PATH}", headers: { X-Token: "${API_TOKEN}" } }
  - id: c
    http: { get: "http://h/${BASE_PATH}" }
"#
    ));
}

#[test]
fn predicates_and_regexes() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: a
    http: { get: "http://h/" }
    expect:
      headers: { x-id: { regex: "([a-z]+" } }
      json: { "$.a": { equals: 1, exsits: true }, "status": ok, "$.b": { count: { at_lest: 1 } } }
      status: { count: 1 }
      tables: [users]
    capture: { c: { regex: "(x)", group: 3 } }
"#
    ));
}

/// Issue 9.3: an invalid JSONPath was a critical failure at run time with a parser dump; it
/// is a plan error at its position, with the bracketed form as the hint.
#[test]
fn invalid_jsonpaths_and_regexes_at_load_time() {
    insta::assert_snapshot!(errors(
        r#"name: p
checks:
  - id: a
    http: { get: "http://h/" }
    expect:
      json: { "$.headers.X-Trace": "abc", "$.items[?(@.id ==": 1, "$.ok": true }
      body: { regex: "a(?=b)" }
    capture:
      trace: "$.headers.X-Trace"
      id: { jsonpath: "$..[" }
      n: { regex: "id=([0-9]+" }
"#
    ));
}

#[test]
fn variables_referring_to_each_other() {
    insta::assert_snapshot!(errors(
        r#"name: p
vars:
  a: "{{ b }}/x"
  b: "{{ a }}/y"
  c: "{{ nowhere }}"
  d: "{{ token }}"
checks:
  - id: login
    http: { get: "http://h/" }
    capture: { token: "$.t" }
"#
    ));
}

#[test]
fn document_structure() {
    insta::assert_snapshot!(errors(
        "name: p\nname: q\nchecks:\n  - id: a\n    http: { get: \"http://h/\" }\n---\nname: second\n"
    ));
}

#[test]
fn missing_required_keys() {
    insta::assert_snapshot!(errors("environment: { cluster: kind }\n"));
}

#[test]
fn alias_bomb_is_bounded() {
    let mut src = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..8 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        src.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    insta::assert_snapshot!(errors(&src));
}

#[test]
fn deep_nesting_is_bounded() {
    let src = format!("name: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let out = errors(&src);
    // Either our own depth bound or the YAML parser's recursion limit stops it.
    assert!(
        out.contains("nests deeper than 128 levels") || out.contains("recursion limit exceeded"),
        "{out}"
    );
}

#[test]
fn oversized_plan_is_rejected() {
    let src = format!("name: p\n# {}\n", "x".repeat(5 * 1024 * 1024));
    let out = errors(&src);
    assert!(out.contains("larger than 4 MiB"), "{out}");
}

#[test]
fn secret_values_from_the_environment_are_not_shown_in_errors() {
    let out = errors_with(
        "name: p\ncheck: 1\nchecks:\n  - id: a\n    timeout: \"${SECRET_TIMEOUT}\"\n    http: { get: \"http://h/\" }\n",
        &[("SECRET_TIMEOUT", "hunter2-value")],
    );
    assert!(!out.contains("hunter2"), "{out}");
    assert!(out.contains("a value from the environment"), "{out}");
}

/// Issue 18.6: a literal URL password, or a literal copy of a declared secret's value,
/// is masked in the code frame and the message, and the frame still points right.
#[test]
fn url_passwords_and_declared_secret_copies_are_masked_in_code_frames() {
    let src = "name: p\nsecrets: [ADMIN_PASSWORD]\nchecks:\n  - id: db\n    postgres: { url: \"postgres://app:pl4nted-pw-8812@db:5432/app\", bogus: 1 }\n  - id: login\n    http: { post: \"http://h/login\", json: { password: \"adm1n-literal-5521\" } }\n    timeout: adm1n-literal-5521\n";
    let out = errors_with(src, &[("ADMIN_PASSWORD", "adm1n-literal-5521")]);
    assert!(!out.contains("pl4nted-pw-8812"), "{out}");
    assert!(!out.contains("adm1n-literal-5521"), "{out}");
    assert!(out.contains("postgres://app:***************@db"), "{out}");
    assert!(
        out.contains("bogus"),
        "the frame still shows the offending key: {out}"
    );
}

#[test]
fn positions_count_characters_not_bytes() {
    let src = "name: p\nenvironment: { owner: \"Zoë Ünïcode 🚀\", x: [1] }\nchecks:\n  - { id: a, http: { get: \"http://h/\" } }\n";
    let Err(e) = load_str(src, Path::new("plan.yaml"), &|_| None, KINDS) else {
        panic!("should fail");
    };
    assert_eq!((e.errors[0].line, e.errors[0].column), (2, 43));
    assert_eq!(&src[e.errors[0].span.clone()], "[1]");
    insta::assert_snapshot!(e.to_string());
}

#[test]
fn crlf_line_endings_and_empty_plans() {
    let out = errors(
        "name: p\r\nchecks:\r\n  - id: a\r\n    timeout: nope\r\n    http: { get: \"http://h/\" }\r\n",
    );
    assert!(out.contains("plan.yaml:4:14"), "{out}");
    assert!(out.contains("4 |     timeout: nope\n"), "{out}");
    assert!(errors("").contains("the plan is empty"));
    assert!(errors("# only a comment\n").contains("the plan is empty"));
    assert!(errors("[1, 2]").contains("a plan must be a mapping"));
}

#[test]
fn tls_probe_shape() {
    insta::assert_snapshot!(errors(
        "name: p\nchecks:\n  - id: a\n    tls: \"two words\"\n  - id: b\n    tls: { port: 0, hots: x }\n  - id: c\n    tls: example.com\n    expect: { min_version: SSLv3, accepts: { TLSv9: true }, status: 200, valid: yes }\n    capture: { x: \"$.a\" }\n"
    ));
}

#[test]
fn tcp_and_dns_probe_shape() {
    insta::assert_snapshot!(errors(
        "name: p\nchecks:\n  - id: a\n    tcp: db.internal\n  - id: b\n    dns: { name: x.test, type: MX, nameserver: \"ns.example\" }\n  - id: c\n    dns: x.test\n    expect: { includes: [not-an-ip], open: true }\n"
    ));
}

#[test]
fn websocket_probe_shape() {
    insta::assert_snapshot!(errors(
        "name: p\nchecks:\n  - id: a\n    websocket: \"ftp://h/\"\n  - id: b\n    websocket: { url: \"ws://h/\", max_messages: 0, within: 0s, sned: x }\n  - id: c\n    websocket: \"ws://h/\"\n    expect: { messages: { at_least: two }, closed: maybe, status: 200 }\n"
    ));
}

#[test]
fn webhook_probe_shape() {
    insta::assert_snapshot!(errors(
        "name: p\nchecks:\n  - id: a\n    webhook: { url: \"http://h/\", json: {} }\n  - id: b\n    webhook: { url: \"http://h/\", secret: s, preset: gitlab, json: {} }\n  - id: c\n    webhook: { url: \"http://h/\", secret: s, header: X-Sig, signature: \"{sig}\", body: x }\n  - id: d\n    webhook: { url: \"http://h/\", secret: s, preset: github }\n    expect: { accepted: 2xx, rejected: [401, 4xx], messages: 1 }\n"
    ));
}

#[test]
fn metrics_and_openapi_probe_shape() {
    insta::assert_snapshot!(errors(
        "name: p\nchecks:\n  - id: a\n    metrics: \"ftp://h/m\"\n  - id: b\n    metrics: \"http://h/m\"\n    expect: { series: { '9bad': 1, 'up{job=x}': 1 }, operations: [x] }\n  - id: c\n    openapi: { url: \"http://h/o\", max_body: 0 }\n"
    ));
}

#[test]
fn hygiene_and_cors_shape() {
    insta::assert_snapshot!(errors(
        "name: p\nchecks:\n  - id: a\n    http: { get: \"http://h/\" }\n    expect: { hsts: { max_age: { under: 1d }, preload: true }, cookies: { \"*\": { same_site: Lax }, s: { same_site: Loose } } }\n  - id: b\n    cors: { url: \"http://h/\" }\n  - id: c\n    tls: h\n    expect: { security_headers: true }\n"
    ));
}
