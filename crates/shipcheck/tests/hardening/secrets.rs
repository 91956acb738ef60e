//! The secret audit (issue 16.4): distinct secrets planted in every input channel a plan has
//! today, servers that echo them back everywhere a response can carry them, and every output
//! searched for each secret in raw, URL-encoded, base64, JSON-escaped and hex forms.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use shipcheck_test_support::faults::{Fault, FaultServer, ISSUED_TOKEN};
use shipcheck_test_support::kube_api::KubeApi;
use shipcheck_test_support::measure;

use crate::audit::{Channel, scan};

/// Declared secrets (`secrets:` in the plan, values from the environment).
const DECLARED: [(&str, &str, &str); 6] = [
    (
        "S_HEADER",
        "hdr-Secret/9Kq+Z\"1",
        "declared env secret in a header",
    ),
    (
        "S_JSON",
        "json-Secret&7Wv=Pq",
        "declared env secret in a JSON body",
    ),
    (
        "S_FORM",
        "form Secret+3Hn@x",
        "declared env secret in a form field",
    ),
    (
        "S_QUERY",
        "qry-Secret?5Lm#y",
        "declared env secret in a query parameter",
    ),
    ("S_WEBHOOK", "whk-Secret_4Rt!zz", "webhook signing key"),
    ("S_EXEC", "exec-Secret%8Yu~w", "exec environment"),
];

/// Secrets written literally in the plan, redacted because of where they are.
const URL_PW_HTTP: &str = "urlPwHttp5Tz";
const URL_PW_PG: &str = "urlPwPg6Qa";
const URL_PW_REDIS: &str = "urlPwRedis7Wc";
const BEARER: &str = "bearerLit8Nd3Xq";
const COOKIE: &str = "cookieLit9Fg2Hw";
const BASIC_PW: &str = "basicPw4Jk8Lm";

/// A Kubernetes Secret's value (also written into kubectl's last-applied annotation, as
/// `kubectl apply` leaves it), and the kubeconfig's bearer token.
const K8S_VALUE: &str = "k8sSecretVal3Pz";
const K8S_TOKEN: &str = "kubeTok9Xw2Re";

fn channels() -> Vec<Channel> {
    let mut c: Vec<Channel> = DECLARED
        .iter()
        .map(|(_, v, what)| Channel::new(what, v))
        .collect();
    c.push(Channel::new("URL password (http)", URL_PW_HTTP).with_basic("audit", URL_PW_HTTP));
    c.push(Channel::new("URL password (postgres DSN)", URL_PW_PG));
    c.push(Channel::new("URL password (redis DSN)", URL_PW_REDIS));
    c.push(Channel::new("bearer token", BEARER));
    c.push(Channel::new("cookie value", COOKIE));
    c.push(Channel::new("basic_auth password", BASIC_PW).with_basic("audit", BASIC_PW));
    c.push(Channel::new("capture marked secret", ISSUED_TOKEN));
    c.push(Channel::new("Kubernetes Secret value", K8S_VALUE));
    c.push(Channel::new("kubeconfig bearer token", K8S_TOKEN));
    c
}

/// The Kubernetes API double, serving Secret `audit-creds` in namespace `audit` as the API
/// does (values base64 in `data`, the applied manifest in an annotation).
fn kube_api() -> KubeApi {
    use base64::Engine as _;
    let api = KubeApi::start(K8S_TOKEN);
    let b64 = base64::engine::general_purpose::STANDARD.encode(K8S_VALUE);
    let applied = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "audit-creds", "namespace": "audit" },
        "stringData": { "password": K8S_VALUE },
    })
    .to_string();
    api.put(serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": "audit-creds",
            "namespace": "audit",
            "uid": "0d9f5c4e-5b1a-4c55-9d43-2f1f6b0e7a11",
            "resourceVersion": "4242",
            "creationTimestamp": "2026-12-01T10:00:00Z",
            "annotations": { "kubectl.kubernetes.io/last-applied-configuration": applied },
        },
        "data": { "password": b64, "username": "YXVkaXQ=" },
    }));
    api
}

fn plan(echo: &str, pg: &str, redis: &str, kubeconfig: &str) -> String {
    format!(
        r#"name: secret audit
secrets: [S_HEADER, S_JSON, S_FORM, S_QUERY, S_WEBHOOK, S_EXEC]
vars: {{ echo: "{echo}" }}
defaults: {{ timeout: 3s }}
checks:
  - id: header-json-query
    http:
      post: "{{{{ echo }}}}/error/a"
      headers: {{ X-Api-Key: "${{S_HEADER}}" }}
      query: {{ q: "${{S_QUERY}}" }}
      json: {{ user: audit, password: "${{S_JSON}}" }}
    expect: {{ status: 200 }}
  - id: form
    http:
      post: "{{{{ echo }}}}/redirect/form"
      form: {{ user: audit, password: "${{S_FORM}}" }}
    expect: {{ status: 200 }}
  - id: url-password
    http: {{ get: "http://audit:{URL_PW_HTTP}@{host}/redirect/url", follow_redirects: 2 }}
    expect: {{ json: {{ "$.echo": nothing }} }}
  - id: bearer-cookie
    http:
      get: "{{{{ echo }}}}/binary/b"
      headers: {{ Authorization: "Bearer {BEARER}", Cookie: "sid={COOKIE}" }}
    expect: {{ status: 201 }}
  - id: basic
    http:
      get: "{{{{ echo }}}}/error/basic"
      basic_auth: {{ user: audit, password: "{BASIC_PW}" }}
    expect: {{ status: 200 }}
  - id: login
    http: {{ post: "{{{{ echo }}}}/login", json: {{ user: audit }} }}
    capture: {{ token: {{ jsonpath: "$.access_token", secret: true }} }}
  - id: use-capture
    needs: [login]
    http:
      get: "{{{{ echo }}}}/redirect/cap?t={{{{ token }}}}"
      headers: {{ Authorization: "Bearer {{{{ token }}}}", X-Token: "{{{{ token }}}}" }}
    expect: {{ status: 200 }}
  - id: webhook
    webhook:
      url: "{{{{ echo }}}}/error/hook"
      secret: "${{S_WEBHOOK}}"
      preset: github
      json: {{ action: opened }}
    expect: {{ accepted: 200, rejected: 401 }}
  - id: exec-env
    exec:
      shell: 'printf "%s\n" "$AUDIT_TOKEN"; printf %s "$AUDIT_TOKEN" | base64; printf %s "$AUDIT_TOKEN" | od -An -tx1 | tr -d " \n"; echo'
      env: {{ AUDIT_TOKEN: "${{S_EXEC}}" }}
    expect: {{ stdout: {{ contains: "never printed" }} }}
  - id: postgres
    postgres: "postgres://audit:{URL_PW_PG}@{pg}/app?sslmode=disable"
    expect: {{ tables: [users] }}
  - id: redis
    redis: "redis://audit:{URL_PW_REDIS}@{redis}/0"
  - id: k8s-secret-keys
    kubernetes: {{ kubeconfig: "{kubeconfig}", namespace: audit, secret: audit-creds }}
    expect: {{ keys: [password, not-there] }}
  - id: k8s-secret-json
    kubernetes: {{ kubeconfig: "{kubeconfig}", namespace: audit, secret: audit-creds }}
    expect: {{ json: {{ "$.data.password": {{ exists: true }}, "$.metadata": {{ contains: "nothing-here" }} }} }}
  - id: k8s-wrong-token
    kubernetes: {{ kubeconfig: "{kubeconfig}", context: wrong-token, namespace: audit, secret: audit-creds }}
    expect: {{ found: true }}
"#,
        host = echo.trim_start_matches("http://"),
    )
}

/// A PostgreSQL "server" that asks for a cleartext password and sends it back in its error.
fn postgres_echo() -> FaultServer {
    FaultServer::start_with(|mut s, _, _| {
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let Some(mut startup) = read_message(&mut s, false) else {
            return;
        };
        if startup.len() >= 4 && startup[..4] == [0x04, 0xd2, 0x16, 0x2f] {
            // SSLRequest: no TLS here.
            let _ = s.write_all(b"N");
            let Some(again) = read_message(&mut s, false) else {
                return;
            };
            startup = again;
        }
        let _ = startup;
        let _ = s.write_all(&[b'R', 0, 0, 0, 8, 0, 0, 0, 3]); // AuthenticationCleartextPassword
        let Some(password) = read_message(&mut s, true) else {
            return;
        };
        let text = String::from_utf8_lossy(&password)
            .trim_end_matches('\0')
            .to_owned();
        let mut fields = Vec::new();
        for (k, v) in [
            (b'S', "FATAL".to_owned()),
            (b'V', "FATAL".to_owned()),
            (b'C', "28P01".to_owned()),
            (
                b'M',
                format!("password authentication failed: got \"{text}\""),
            ),
        ] {
            fields.push(k);
            fields.extend_from_slice(v.as_bytes());
            fields.push(0);
        }
        fields.push(0);
        let mut msg = vec![b'E'];
        msg.extend_from_slice(&((fields.len() + 4) as u32).to_be_bytes());
        msg.extend_from_slice(&fields);
        let _ = s.write_all(&msg);
        std::thread::sleep(Duration::from_millis(100));
    })
}

/// One PostgreSQL message (`typed`: with a type byte first), its payload; at most 64 KiB.
fn read_message(s: &mut TcpStream, typed: bool) -> Option<Vec<u8>> {
    if typed {
        let mut t = [0u8; 1];
        s.read_exact(&mut t).ok()?;
    }
    let mut len = [0u8; 4];
    s.read_exact(&mut len).ok()?;
    let len = (u32::from_be_bytes(len) as usize)
        .checked_sub(4)?
        .min(1 << 16);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some(body)
}

/// A Redis "server" that answers the first command with an error quoting it.
fn redis_echo() -> FaultServer {
    FaultServer::start_with(|mut s, _, _| {
        let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
        let mut buf = [0u8; 4096];
        let Ok(n) = s.read(&mut buf) else { return };
        let flat: String = String::from_utf8_lossy(&buf[..n])
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let _ = write!(s, "-ERR unknown command, got: {flat}\r\n");
        std::thread::sleep(Duration::from_millis(100));
    })
}

fn run(args: &[&str], env: &[(&str, &str)]) -> measure::Measured {
    let m = measure::run(
        Path::new(env!("CARGO_BIN_EXE_shipcheck")),
        args,
        env,
        Duration::from_secs(60),
        None,
    );
    assert!(!m.killed, "{args:?}: killed at the limit");
    m
}

/// Every output: stdout of `verify` in each format, stderr, every report file, the bundle's
/// files, `report` re-rendering in each format, and `watch`'s endpoints.
#[test]
fn secret_audit_zero_leaks_in_every_output() {
    if !crate::can_measure() {
        return;
    }
    let echo = FaultServer::start(Fault::Echo);
    let (pg, redis) = (postgres_echo(), redis_echo());
    let dir = tempfile::tempdir().unwrap();
    let kube = kube_api();
    let kubeconfig = kube.kubeconfig(dir.path(), "audit");
    let plan_path = dir.path().join("plan.yaml");
    let (pg_addr, redis_addr) = (pg.addr.to_string(), redis.addr.to_string());
    let kubeconfig = kubeconfig.to_str().unwrap();
    std::fs::write(
        &plan_path,
        plan(&echo.url(), &pg_addr, &redis_addr, kubeconfig),
    )
    .unwrap();
    let plan_arg = plan_path.to_str().unwrap();
    let env: Vec<(&str, &str)> = DECLARED.iter().map(|(k, v, _)| (*k, *v)).collect();
    let mut outputs: Vec<(String, String)> = Vec::new();
    let formats = [
        "terminal", "md", "json", "junit", "sarif", "github", "gitlab",
    ];
    for (i, format) in formats.iter().enumerate() {
        let out = dir.path().join(format!("out-{format}"));
        let bundle = dir.path().join(format!("bundle-{format}.tar.gz"));
        let mut args = vec![
            "verify",
            plan_arg,
            "--output",
            out.to_str().unwrap(),
            "--format",
            format,
            "--details",
            "all",
            "-v",
            "--color",
            "always",
        ];
        if i == 0 {
            args.extend(["--bundle", bundle.to_str().unwrap()]);
        }
        let m = run(&args, &env);
        assert_eq!(
            m.output.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&m.output.stderr)
        );
        outputs.push((
            format!("verify --format {format}: stdout"),
            String::from_utf8_lossy(&m.output.stdout).into_owned(),
        ));
        outputs.push((
            format!("verify --format {format}: stderr"),
            String::from_utf8_lossy(&m.output.stderr).into_owned(),
        ));
        if i == 0 {
            crate::audit::collect_dir(&out, "report files", &mut outputs);
            crate::audit::collect_bundle(&bundle, &mut outputs);
            for f in formats {
                let r = run(
                    &[
                        "report",
                        out.join("report.json").to_str().unwrap(),
                        "--format",
                        f,
                    ],
                    &[],
                );
                outputs.push((
                    format!("report --format {f}"),
                    String::from_utf8_lossy(&r.output.stdout).into_owned(),
                ));
            }
        }
    }
    crate::audit::collect_watch(plan_arg, &env, &mut outputs);
    // The run did see the echoes: the servers got the secrets and sent them back.
    assert!(echo.requests() >= 8, "{} requests", echo.requests());
    let json = &outputs
        .iter()
        .find(|(n, _)| n.ends_with("report.json"))
        .unwrap()
        .1;
    assert!(json.contains("[REDACTED]"));
    // The echoes reached the evidence: a binary body (hex dump), the error page, the
    // PostgreSQL and Redis errors quoting what they were sent.
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    let evidence = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| c.to_string())
            .unwrap_or_default()
    };
    if std::env::var_os("AUDIT_SHOW").is_some() {
        println!("{json}");
    }
    // What each check's evidence must show: the binary body (a hex dump), the PostgreSQL
    // error quoting what it was sent, the refused Redis AUTH (the client shows no server
    // text), the Secret's key names (under the subject `keys`), the refused kubeconfig
    // token, the HTML error page.
    for (id, shown) in [
        ("bearer-cookie", "binary body"),
        ("postgres", "password authentication failed"),
        ("redis", "\"class\":\"auth\""),
        ("k8s-secret-keys", "not-there"),
        ("k8s-secret-keys", "\"subject\":\"keys\""),
        ("k8s-wrong-token", "\"class\":\"auth\""),
        ("header-json-query", "<pre>"),
    ] {
        assert!(evidence(id).contains(shown), "{id}: {}", evidence(id));
    }
    let channels = channels();
    let leaks = scan(&channels, &outputs);
    crate::audit::print_matrix(&channels, &outputs);
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
