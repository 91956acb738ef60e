//! Issue 18.1 and 18.7: no secret and no terminal control sequence leaves the runner in
//! an event, and credential material the plan never declared (cookie values, the
//! decoded Basic password, a cookie the server set, the leaves of an object captured as
//! secret) is redacted from the results. A hostile server on loopback echoes everything.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use base64::Engine as _;
use shipcheck_runner::{Cancel, RunEvent, RunEventKind, RunOptions, execute};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const ADMIN_PASSWORD: &str = "adm1n-Pa55-planted-7781";
const LATE_TOKEN: &str = "tok-late-captured-4417";
const COOKIE_VALUE: &str = "ck-sess-planted-9043";
const BASIC_PASSWORD: &str = "b4sic-planted-pw-2210";
const SET_COOKIE_VALUE: &str = "srv-set-cookie-6652";
const OBJECT_LEAF: &str = "obj-leaf-key-3390";
const ESC: char = '\u{1b}';

/// Reads one request; returns its head (lowercased) and body.
async fn read_request(sock: &mut TcpStream) -> (String, Vec<u8>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return (String::new(), Vec::new());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let len = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    (head, body)
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The hostile server: echoes bodies, decoded credentials and cookie values back.
async fn server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (head, body) = read_request(&mut sock).await;
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let mut extra = String::new();
                let reply = match path.as_str() {
                    // The body, echoed, with terminal escapes around it.
                    "/echo" => format!(
                        "{{\"echo\":{},\"note\":\"\\u001b]0;owned\\u0007 \\u001b[2J\"}}",
                        String::from_utf8_lossy(&body)
                    ),
                    "/token" => format!("{{\"token\":\"{LATE_TOKEN}\"}}"),
                    // The same token, late: its capture comes after `peek` has finished.
                    "/slowtoken" => {
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                        format!("{{\"token\":\"{LATE_TOKEN}\"}}")
                    }
                    "/whoami" => {
                        let cookie = header(&head, "cookie").unwrap_or_default();
                        let session = cookie
                            .split(';')
                            .find_map(|c| c.trim().strip_prefix("session="))
                            .unwrap_or_default();
                        let basic = header(&head, "authorization")
                            .and_then(|a| a.strip_prefix("Basic "))
                            .and_then(|t| base64::engine::general_purpose::STANDARD.decode(t).ok())
                            .map(|b| String::from_utf8_lossy(&b).into_owned())
                            .unwrap_or_default();
                        let password = basic.split_once(':').map(|(_, p)| p).unwrap_or_default();
                        format!("{{\"you\":\"{session}\",\"pw\":\"{password}\"}}")
                    }
                    // The secret right where a cap cuts: 8 KiB evidence, 200-char values.
                    "/cap" => format!(
                        "{{\"pad\":\"{}{ADMIN_PASSWORD}\"}}",
                        "p".repeat(8192 - 9 - 12)
                    ),
                    "/short" => format!("{{\"long\":\"{}{ADMIN_PASSWORD}\"}}", "s".repeat(188)),
                    "/maxbody" => format!("{}{ADMIN_PASSWORD}", "m".repeat(88)),
                    "/hook" => format!("{}{ADMIN_PASSWORD}", "w".repeat(8192 - 12)),
                    "/login" => {
                        extra = format!("set-cookie: sid={SET_COOKIE_VALUE}; Path=/; HttpOnly\r\n");
                        format!("{{\"hint\":\"your sid is {SET_COOKIE_VALUE}\"}}")
                    }
                    _ => format!("{{\"creds\":{{\"user\":\"svc\",\"key\":\"{OBJECT_LEAF}\"}}}}"),
                };
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{reply}",
                    reply.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    url
}

fn plan(yaml: &str, url: &str) -> shipcheck_plan::Plan {
    let url = url.to_owned();
    let env = move |name: &str| match name {
        "URL" => Some(url.clone()),
        "ADMIN_PASSWORD" => Some(ADMIN_PASSWORD.to_owned()),
        _ => None,
    };
    shipcheck_plan::load_str(yaml, Path::new("plan.yaml"), &env, shipcheck_probe::KINDS)
        .unwrap_or_else(|e| panic!("{e}"))
}

fn describe(ev: &RunEvent) -> String {
    match &ev.kind {
        RunEventKind::CheckFinished(r) => serde_json::to_string(r).unwrap(),
        k => format!("{k:?}"),
    }
}

/// Runs the hostile plan; returns every event (described) and the results as JSON.
async fn run_hostile_plan() -> (Vec<String>, String) {
    let url = server().await;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("deploy:{BASIC_PASSWORD}"));
    let yaml = format!(
        r#"name: t
secrets: [ADMIN_PASSWORD]
checks:
  - id: login
    retry: {{ attempts: 2, delay: 10ms }}
    http: {{ post: "${{URL}}/echo", json: {{ username: admin, password: "${{ADMIN_PASSWORD}}" }} }}
    expect: {{ json: {{ "$.echo.password": nope, "$.note": nope }} }}
  - id: peek
    retry: {{ attempts: 2, delay: 10ms }}
    http: {{ get: "${{URL}}/token" }}
    expect: {{ json: {{ "$.token": nope }} }}
  - id: grab
    http: {{ get: "${{URL}}/slowtoken" }}
    capture: {{ token: {{ jsonpath: "$.token", secret: true }} }}
  - id: whoami
    http: {{ get: "${{URL}}/whoami", headers: {{ Cookie: "theme=dark; session={COOKIE_VALUE}", Authorization: "Basic {basic}" }} }}
  - id: setcookie
    http: {{ get: "${{URL}}/login" }}
  - id: object
    http: {{ get: "${{URL}}/obj" }}
    capture: {{ creds: {{ jsonpath: "$.creds", secret: true }} }}
"#
    );
    let p = plan(&yaml, &url);
    let mut events = Vec::new();
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |ev| {
        events.push(describe(&ev));
    })
    .await;
    (events, serde_json::to_string(&out.checks).unwrap())
}

#[tokio::test]
async fn retry_notes_and_every_event_are_redacted_and_free_of_terminal_controls() {
    let (events, _) = run_hostile_plan().await;
    let retries = events
        .iter()
        .filter(|e| e.contains("CheckRetrying"))
        .count();
    assert!(retries >= 2, "{events:#?}");
    for e in &events {
        assert!(!e.contains(ADMIN_PASSWORD), "secret in an event: {e}");
        assert!(
            !e.contains(LATE_TOKEN),
            "a value captured later as secret: {e}"
        );
        assert!(
            !e.contains(ESC) && !e.contains('\u{7}'),
            "terminal control: {e:?}"
        );
    }
}

#[tokio::test]
async fn cookie_values_basic_passwords_set_cookies_and_captured_objects_are_redacted() {
    let (_, results) = run_hostile_plan().await;
    for leak in [
        ADMIN_PASSWORD,
        COOKIE_VALUE,
        BASIC_PASSWORD,
        SET_COOKIE_VALUE,
        OBJECT_LEAF,
    ] {
        assert!(!results.contains(leak), "{leak} in the results: {results}");
    }
    // The echoing checks really ran and carried the planted values back.
    assert!(results.contains("[REDACTED]"));
}

/// Issue 18.3: a secret cut by the 8 KiB evidence cap, by `max_body` or by the
/// 200-character value shortening loses its prefix too (redaction used to run after the
/// cut, when the whole secret was no longer there to find).
#[tokio::test]
async fn a_secret_cut_by_a_cap_leaks_no_prefix() {
    let url = server().await;
    let yaml = r#"name: t
secrets: [ADMIN_PASSWORD]
checks:
  - id: cap
    http: { get: "${URL}/cap" }
  - id: short
    http: { get: "${URL}/short" }
    expect: { json: { "$.long": nope } }
  - id: maxbody
    http: { get: "${URL}/maxbody", max_body: 100 }
  - id: hook
    webhook: { url: "${URL}/hook", secret: hook-signing-key, preset: github, json: {} }
"#;
    let p = plan(yaml, &url);
    let mut events = Vec::new();
    let out = execute(&p, &RunOptions::default(), &Cancel::default(), |ev| {
        events.push(describe(&ev));
    })
    .await;
    let results = serde_json::to_string(&out.checks).unwrap();
    // Every check really cut the secret (the evidence or value is marked cut).
    assert!(results.contains("more bytes not shown"), "{results}");
    assert!(results.contains("body cut at max_body"), "{results}");
    assert!(results.contains("… (211 chars)"), "{results}");
    assert!(results.contains("wwww"), "the webhook ran: {results}");
    let prefix = &ADMIN_PASSWORD[..6];
    assert!(
        !results.contains(prefix),
        "a secret prefix in the results: {results}"
    );
    for e in &events {
        assert!(!e.contains(prefix), "a secret prefix in an event: {e}");
    }
}
