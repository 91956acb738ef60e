//! The `redis` probe: `redis://` or `rediss://` (TLS through the shared transport, so dns,
//! connect and tls failures are classified as for HTTP), AUTH (password or ACL user), PING
//! with its round-trip time, INFO fields, and the keys the expectations name. It only
//! sends read commands. The RESP protocol, AUTH and SELECT are the `redis` crate's
//! (`MultiplexedConnection` over our stream); this file opens the stream, caps the bytes
//! read from it, and classifies failures.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use percent_encoding::percent_decode_str;
use serde_json::Value;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, Measurement};

use redis::aio::MultiplexedConnection;
use redis::{
    AsyncConnectionConfig, Cmd, ErrorKind, RedisConnectionInfo, RedisError, RedisResult,
    Value as RValue,
};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::facts::{KeyAspect, RedisFacts, RedisQuery};
use super::spec::RedisProbe;
use crate::kinds::db_common::net;
use crate::kinds::db_common::tls::{Verify, config as tls_config};
use shipcheck_http::Stream as DbStream;

fn protocol(msg: impl Into<String>) -> ProbeError {
    ProbeError::new(FailureClass::Protocol, msg)
}

/// Connection settings after rendering templates.
struct Target {
    host: String,
    port: u16,
    tls: bool,
    db: u32,
    user: Option<String>,
    password: Option<String>,
    shown: String,
}

fn target(p: &RedisProbe, cx: &ProbeContext<'_>) -> Result<Target, ProbeError> {
    let render = |s: &str| {
        template::render_str(s, cx.lookup)
            .map_err(|e| protocol(format!("rendering the redis probe: {e}")))
    };
    let raw = render(&p.url)?;
    let url = url::Url::parse(&raw).map_err(|e| protocol(format!("invalid redis URL: {e}")))?;
    let tls = match url.scheme() {
        "redis" => false,
        "rediss" => true,
        other => {
            return Err(protocol(format!(
                "unsupported scheme `{other}` (redis or rediss)"
            )));
        }
    };
    let host = url
        .host_str()
        .ok_or_else(|| protocol("the redis URL has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url.port().unwrap_or(6379);
    let db = match url.path().trim_start_matches('/') {
        "" => 0,
        d => d
            .parse()
            .map_err(|_| protocol(format!("`{d}` is not a redis database number")))?,
    };
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let mut user = (!url.username().is_empty()).then(|| decode(url.username()));
    let mut password = url.password().map(decode);
    if let Some(u) = &p.username {
        user = Some(render(u)?);
    }
    if let Some(pw) = &p.password {
        password = Some(render(pw)?);
    }
    let shown = format!(
        "{}://{}{host}:{port}/{db}",
        url.scheme(),
        user.as_deref().map(|u| format!("{u}@")).unwrap_or_default()
    );
    Ok(Target {
        host,
        port,
        tls,
        db,
        user,
        password: password.filter(|p| !p.is_empty()),
        shown,
    })
}

/// One attempt: connect (TLS for `rediss://`), AUTH, PING, INFO and the named keys.
pub(super) async fn observe(p: &RedisProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let t = target(p, cx)?;
    let secrets: Vec<String> = t.password.iter().cloned().collect();
    let with_secrets = |mut e: ProbeError| {
        e.sent_secrets.extend(secrets.iter().cloned());
        e
    };
    let start = Instant::now();
    let facts = match tokio::time::timeout(cx.timeout, run(p, &t, start, cx.timeout)).await {
        Err(_) => {
            return Err(with_secrets(ProbeError::new(
                FailureClass::Timeout,
                format!(
                    "{}: timed out after {}",
                    t.shown,
                    shipcheck_plan::format_duration(cx.timeout)
                ),
            )));
        }
        Ok(r) => r.map_err(with_secrets)?,
    };
    let mut text = format!(
        "-- {} redis {} PING {:.1}ms\n",
        t.shown,
        facts.server_version.as_deref().unwrap_or("?"),
        facts.ping_ms
    );
    for ((k, aspect), v) in &facts.keys {
        text.push_str(&format!("key {k} {}: {v}\n", aspect.name()));
    }
    let measurements = vec![
        Measurement {
            name: "ping".into(),
            value: facts.ping_ms,
            unit: shipcheck_report::MeasureUnit::Ms,
            target: None,
            met: None,
        },
        Measurement {
            name: "total".into(),
            value: facts.duration_ms,
            unit: shipcheck_report::MeasureUnit::Ms,
            target: None,
            met: None,
        },
    ];
    let mut observed = Observed::new(facts);
    observed.evidence.push(Evidence {
        label: "redis".into(),
        text,
        truncated: false,
    });
    observed.measurements = measurements;
    observed.sent_secrets = secrets;
    Ok(observed)
}

/// Most bytes the server may send over the whole probe (INFO is a few KiB). The crate's
/// parser has no size limit of its own, so the stream it reads from enforces this one.
const MAX_READ: u64 = 4 * 1024 * 1024;

/// A stream that fails once more than `left` bytes have been read from it.
struct Capped<S> {
    inner: S,
    left: u64,
}

impl<S: AsyncRead + Unpin> AsyncRead for Capped<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            let got = (buf.filled().len() - before) as u64;
            match this.left.checked_sub(got) {
                Some(left) => this.left = left,
                None => {
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("the server sent more than {MAX_READ} bytes"),
                    )));
                }
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Capped<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Aborts the connection's driver task when the probe ends (also on timeout or error).
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Whether a server error means "not authenticated" or "bad credentials".
/// A Redis reply for a message: the text of a string reply, the kind of anything else.
fn shown_value(v: &RValue) -> String {
    let text = |t: &str| {
        let t: String = t.chars().take(60).collect();
        format!("`{}`", t.escape_debug())
    };
    match v {
        RValue::SimpleString(t) => text(t),
        RValue::BulkString(b) => text(&String::from_utf8_lossy(b)),
        RValue::ServerError(e) => format!("the error {}", text(&e.to_string())),
        RValue::Nil => "nil".to_owned(),
        RValue::Okay => "`OK`".to_owned(),
        RValue::Int(i) => format!("the integer {i}"),
        RValue::Array(_) | RValue::Set(_) => "a list".to_owned(),
        RValue::Map(_) => "a map".to_owned(),
        _ => "an unexpected reply".to_owned(),
    }
}

fn is_auth_code(code: Option<&str>) -> bool {
    matches!(code, Some("NOAUTH" | "WRONGPASS"))
}

/// Classify an error from the redis crate: refused credentials are `auth`, the crate's
/// response timeout is `timeout`, anything else (I/O after connecting, a reply that is not
/// RESP, a server error) is `protocol`. The message never holds the password: the crate
/// reports a refused AUTH without its arguments.
fn redis_err<'a>(t: &'a Target, what: &'a str) -> impl Fn(RedisError) -> ProbeError + 'a {
    move |e| {
        let class = if e.kind() == ErrorKind::AuthenticationFailed || is_auth_code(e.code()) {
            FailureClass::Auth
        } else if e.is_timeout() {
            FailureClass::Timeout
        } else {
            FailureClass::Protocol
        };
        ProbeError::new(class, format!("{}: {what}: {e}", t.shown))
    }
}

/// Send one command and return its reply, server errors included as `Value::ServerError`.
async fn call(con: &mut MultiplexedConnection, c: &Cmd) -> RedisResult<RValue> {
    con.send_packed_command(c).await
}

async fn run(
    p: &RedisProbe,
    t: &Target,
    start: Instant,
    timeout: Duration,
) -> Result<RedisFacts, ProbeError> {
    let extra_ca_pem = crate::probes::read_ca_file(p.ca_file.as_deref())?;
    // Our own transport (as the postgres probe): dns, connect and tls failures are
    // classified the same way for every probe, the trust store is the web PKI plus
    // `ca_file`, and the reply cap can sit under the crate's parser.
    let tcp = net::tcp(&t.host, t.port).await?;
    let stream = if t.tls {
        let verify = if p.insecure {
            Verify::Nothing
        } else {
            Verify::Full
        };
        let config = tls_config(verify, extra_ca_pem.as_deref())
            .map_err(|e| ProbeError::new(FailureClass::Tls, e))?;
        DbStream::Tls(Box::new(net::tls(tcp, &t.host, config).await?))
    } else {
        DbStream::Plain(tcp)
    };
    let stream = Capped {
        inner: stream,
        left: MAX_READ,
    };
    // RESP2; AUTH (with the ACL user if any) and SELECT are sent by the crate on connect.
    // No `CLIENT SETINFO`: the probe sends nothing but AUTH, SELECT and read commands.
    let mut info = RedisConnectionInfo::default()
        .set_db(i64::from(t.db))
        .set_skip_set_lib_name();
    if let Some(pw) = &t.password {
        info = info.set_password(pw);
        if let Some(u) = &t.user {
            info = info.set_username(u);
        }
    }
    let config = AsyncConnectionConfig::new().set_response_timeout(Some(timeout));
    let (mut con, driver) = MultiplexedConnection::new_with_config(&info, stream, config)
        .await
        .map_err(redis_err(t, "connecting"))?;
    let _driver = AbortOnDrop(tokio::spawn(driver).abort_handle());

    let ping_start = Instant::now();
    let pong = call(&mut con, &redis::cmd("PING"))
        .await
        .map_err(redis_err(t, "PING"))?;
    let ping_ms = ping_start.elapsed().as_secs_f64() * 1000.0;
    match pong {
        RValue::SimpleString(s) if s == "PONG" => {}
        RValue::ServerError(e) if is_auth_code(Some(e.code())) => {
            return Err(ProbeError::new(
                FailureClass::Auth,
                format!("{}: {e}", t.shown),
            ));
        }
        other => {
            return Err(protocol(format!(
                "{}: PING answered {} instead of PONG",
                t.shown,
                shown_value(&other)
            )));
        }
    }
    let info = match call(&mut con, &redis::cmd("INFO"))
        .await
        .map_err(redis_err(t, "INFO"))?
    {
        RValue::BulkString(b) => parse_info(&String::from_utf8_lossy(&b)),
        RValue::VerbatimString { text, .. } => parse_info(&text),
        RValue::ServerError(e) => return Err(protocol(format!("{}: INFO: {e}", t.shown))),
        _ => BTreeMap::new(),
    };
    let mut facts = RedisFacts {
        server_version: info.get("redis_version").map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        ping_ms,
        info,
        ..RedisFacts::default()
    };
    let mut seen: Vec<&str> = Vec::new();
    for q in &p.fetch {
        if let RedisQuery::Key(name, _) = q
            && !seen.contains(&name.as_str())
        {
            seen.push(name);
            key_facts(&mut con, name, &mut facts.keys)
                .await
                .map_err(redis_err(t, &format!("key {name}")))?;
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(facts)
}

/// The reply as an integer, if it is one.
fn int(v: &RValue) -> Option<i64> {
    match v {
        RValue::Int(i) => Some(*i),
        _ => None,
    }
}

/// `TYPE`, `TTL` and the length command for the key's type. A server error (say an ACL
/// that forbids one of them) leaves that aspect at its "absent" value, as before.
async fn key_facts(
    con: &mut MultiplexedConnection,
    name: &str,
    out: &mut BTreeMap<(String, KeyAspect), Value>,
) -> RedisResult<()> {
    let kind = match call(con, redis::cmd("TYPE").arg(name)).await? {
        RValue::SimpleString(s) => s,
        RValue::Okay => "OK".to_owned(),
        RValue::BulkString(b) => String::from_utf8_lossy(&b).into_owned(),
        _ => String::new(),
    };
    let exists = kind != "none" && !kind.is_empty();
    out.insert((name.to_owned(), KeyAspect::Exists), Value::Bool(exists));
    out.insert(
        (name.to_owned(), KeyAspect::Type),
        Value::String(kind.clone()),
    );
    let ttl = int(&call(con, redis::cmd("TTL").arg(name)).await?).unwrap_or(-2);
    out.insert((name.to_owned(), KeyAspect::Ttl), Value::from(ttl));
    let len_cmd = match kind.as_str() {
        "list" => "LLEN",
        "set" => "SCARD",
        "zset" => "ZCARD",
        "hash" => "HLEN",
        "stream" => "XLEN",
        "string" => "STRLEN",
        _ => "",
    };
    let len = if len_cmd.is_empty() {
        0
    } else {
        int(&call(con, redis::cmd(len_cmd).arg(name)).await?).unwrap_or(0)
    };
    out.insert((name.to_owned(), KeyAspect::Length), Value::from(len));
    Ok(())
}

/// `field:value` lines of INFO; integers and decimals become numbers.
fn parse_info(text: &str) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let v = v.trim();
            let value = if let Ok(i) = v.parse::<i64>() {
                Value::from(i)
            } else if let Ok(f) = v.parse::<f64>()
                && f.is_finite()
            {
                Value::from(f)
            } else {
                Value::String(v.to_owned())
            };
            out.insert(k.trim().to_owned(), value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// Issue 9.6: an unexpected PING reply was shown in Rust's Debug form.
    #[test]
    fn unexpected_replies_are_described_in_words() {
        use super::{RValue, shown_value};
        assert_eq!(shown_value(&RValue::SimpleString("PANG".into())), "`PANG`");
        assert_eq!(shown_value(&RValue::Int(7)), "the integer 7");
        assert_eq!(shown_value(&RValue::Nil), "nil");
        assert_eq!(shown_value(&RValue::Array(Vec::new())), "a list");
        assert!(!shown_value(&RValue::BulkString(b"x\ny".to_vec())).contains('\n'));
    }

    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

    fn target() -> Target {
        Target {
            host: "127.0.0.1".into(),
            port: 6379,
            tls: false,
            db: 0,
            user: None,
            password: None,
            shown: "redis://127.0.0.1:6379/0".into(),
        }
    }

    /// A connection over an in-memory pipe, with no set-up commands (no AUTH, SELECT or
    /// CLIENT SETINFO), so the fake server only sees the probe's commands.
    async fn connect(client: DuplexStream, timeout: Duration) -> MultiplexedConnection {
        let info = RedisConnectionInfo::default().set_skip_set_lib_name();
        let config = AsyncConnectionConfig::new().set_response_timeout(Some(timeout));
        let stream = Capped {
            inner: client,
            left: MAX_READ,
        };
        let (con, driver) = MultiplexedConnection::new_with_config(&info, stream, config)
            .await
            .unwrap();
        tokio::spawn(driver);
        con
    }

    #[tokio::test]
    async fn a_reply_past_the_cap_is_a_protocol_error() {
        let (client, mut server) = tokio::io::duplex(64 * 1024);
        let fake = tokio::spawn(async move {
            let mut got = [0u8; 14];
            server.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"*1\r\n$4\r\nINFO\r\n");
            let n = MAX_READ as usize + 1024;
            let _ = server.write_all(format!("${n}\r\n").as_bytes()).await;
            let chunk = vec![b'x'; 64 * 1024];
            for _ in 0..=(n / chunk.len()) {
                if server.write_all(&chunk).await.is_err() {
                    return true; // the client hung up part-way
                }
            }
            false
        });
        let mut con = connect(client, Duration::from_secs(5)).await;
        let t = target();
        let err = call(&mut con, &redis::cmd("INFO"))
            .await
            .map_err(redis_err(&t, "INFO"))
            .unwrap_err();
        assert_eq!(err.class, FailureClass::Protocol, "{err:?}");
        assert!(err.message.contains("more than"), "{}", err.message);
        drop(con);
        assert!(fake.await.unwrap(), "the whole oversized reply was read");
    }

    #[tokio::test]
    async fn a_silent_server_is_a_timeout_and_noauth_is_auth() {
        let (client, mut server) = tokio::io::duplex(4096);
        let fake = tokio::spawn(async move {
            let mut got = [0u8; 14];
            server.read_exact(&mut got).await.unwrap();
            assert_eq!(&got, b"*1\r\n$4\r\nPING\r\n");
            server
                .write_all(b"-NOAUTH Authentication required.\r\n")
                .await
                .unwrap();
            // Read the next command and never answer it.
            server.read_exact(&mut got).await.unwrap();
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
        let mut con = connect(client, Duration::from_millis(200)).await;
        let t = target();
        let RValue::ServerError(e) = call(&mut con, &redis::cmd("PING")).await.unwrap() else {
            panic!("PING did not answer with an error")
        };
        assert!(is_auth_code(Some(e.code())));
        let started = Instant::now();
        let err = call(&mut con, &redis::cmd("INFO"))
            .await
            .map_err(redis_err(&t, "INFO"))
            .unwrap_err();
        assert_eq!(err.class, FailureClass::Timeout, "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
        fake.abort();
    }

    #[test]
    fn info_fields_are_typed() {
        let info = parse_info(
            "# Server\r\nredis_version:7.0.15\r\nrole:master\r\nconnected_slaves:0\r\nmem_fragmentation_ratio:1.5\r\n",
        );
        assert_eq!(info["role"], Value::from("master"));
        assert_eq!(info["connected_slaves"], Value::from(0));
        assert_eq!(info["redis_version"], Value::from("7.0.15"));
        assert_eq!(info["mem_fragmentation_ratio"], Value::from(1.5));
    }
}
