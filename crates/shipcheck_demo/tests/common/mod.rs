//! A minimal HTTP/1.1 client over real loopback sockets, so the tests depend on no other
//! shipcheck crate: one request per connection (`Connection: close`), bounded in time and size.

#![allow(
    dead_code,
    unreachable_pub,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::time::Duration;

use shipcheck_demo::{DemoOptions, DemoServer, Scenario};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

const IO_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_RESPONSE: u64 = 1024 * 1024;

/// A started server and the temporary directory holding its files.
pub struct Demo {
    pub server: DemoServer,
    pub dir: tempfile::TempDir,
}

pub async fn start(scenario: Scenario) -> Demo {
    start_with_delay(scenario, Duration::ZERO).await
}

pub async fn start_with_delay(scenario: Scenario, delay: Duration) -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let server = shipcheck_demo::start(DemoOptions {
        scenario,
        delay,
        data_dir: dir.path().to_owned(),
        port: 0,
    })
    .await
    .unwrap();
    Demo { server, dir }
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }
}

/// `host:port` of an `http://` or `https://` URL.
pub fn authority(url: &str) -> &str {
    url.split_once("://").unwrap().1
}

/// One request to `base_url` (plain HTTP).
pub async fn send(
    base_url: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply {
    let host = authority(base_url);
    let stream = tokio::time::timeout(IO_TIMEOUT, TcpStream::connect(host))
        .await
        .unwrap()
        .unwrap();
    exchange(stream, host, method, path, headers, body).await
}

pub async fn get(base_url: &str, path: &str) -> Reply {
    send(base_url, "GET", path, &[], None).await
}

pub async fn post_json(base_url: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    send(base_url, "POST", path, &all, Some(body)).await
}

/// Logs in as the seeded admin and returns the raw reply.
pub async fn login(demo: &Demo, password: &str) -> Reply {
    let body = serde_json::json!({ "username": demo.server.admin_username, "password": password });
    post_json(
        &demo.server.http_url,
        "/api/v1/auth/login",
        &[],
        &body.to_string(),
    )
    .await
}

/// Writes one HTTP/1.1 request on `stream` and reads the whole response.
pub async fn exchange<S>(
    mut stream: S,
    host: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Reply
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method == "POST" {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    let mut raw = Vec::new();
    tokio::time::timeout(IO_TIMEOUT, async {
        stream.write_all(request.as_bytes()).await?;
        stream.flush().await?;
        (&mut stream).take(MAX_RESPONSE).read_to_end(&mut raw).await
    })
    .await
    .expect("response within the timeout")
    .expect("response read");
    parse(&raw)
}

fn parse(raw: &[u8]) -> Reply {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let line_end = data.windows(2).position(|w| w == b"\r\n").unwrap();
        let size_text = std::str::from_utf8(&data[..line_end]).unwrap();
        let size = usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap();
        data = &data[line_end + 2..];
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
    panic!("too many chunks");
}
