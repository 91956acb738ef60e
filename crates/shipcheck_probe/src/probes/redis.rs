//! The `redis` probe: `redis://` or `rediss://` (TLS through the shared transport, so dns,
//! connect and tls failures are classified as for HTTP), AUTH (password or ACL user), PING
//! with its round-trip time, INFO fields, and the keys the expectations name. It only
//! sends read commands.

use std::collections::BTreeMap;
use std::time::Instant;

use percent_encoding::percent_decode_str;
use serde_json::Value;
use shipcheck_plan::{KeyAspect, Query, RedisProbe, template};
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::ProbeContext;
use super::pg_tls::{Verify, config as tls_config};
use super::resp::{Reply, Resp};
use crate::db_facts::RedisFacts;
use crate::observation::{Observation, Observed, ProbeError};
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

pub(super) async fn observe(p: &RedisProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let t = target(p, cx)?;
    let secrets: Vec<String> = t.password.iter().cloned().collect();
    let with_secrets = |mut e: ProbeError| {
        e.sent_secrets.extend(secrets.iter().cloned());
        e
    };
    let start = Instant::now();
    let facts = match tokio::time::timeout(cx.timeout, run(p, &t, start)).await {
        Err(_) => {
            return Err(with_secrets(ProbeError::new(
                FailureClass::Timeout,
                format!("{}: timed out after {:?}", t.shown, cx.timeout),
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
        text.push_str(&format!("key {k} {aspect:?}: {v}\n"));
    }
    Ok(Observed {
        evidence: vec![Evidence {
            label: "redis".into(),
            text,
            truncated: false,
        }],
        measurements: vec![
            Measurement {
                name: "ping".into(),
                value: facts.ping_ms,
                unit: "ms".into(),
                target: None,
                met: None,
            },
            Measurement {
                name: "total".into(),
                value: facts.duration_ms,
                unit: "ms".into(),
                target: None,
                met: None,
            },
        ],
        observation: Observation::Redis(facts),
        sent_secrets: secrets,
    })
}

fn io_err(t: &Target) -> impl Fn(std::io::Error) -> ProbeError + '_ {
    move |e| protocol(format!("{}: {e}", t.shown))
}

async fn run(p: &RedisProbe, t: &Target, start: Instant) -> Result<RedisFacts, ProbeError> {
    let extra_ca_pem = match &p.ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            ProbeError::new(
                FailureClass::Tls,
                format!("reading {}: {e}", path.display()),
            )
        })?),
        None => None,
    };
    let tcp = super::db_net::tcp(&t.host, t.port).await?;
    let stream = if t.tls {
        let verify = if p.insecure {
            Verify::Nothing
        } else {
            Verify::Full
        };
        let config = tls_config(verify, extra_ca_pem.as_deref())
            .map_err(|e| ProbeError::new(FailureClass::Tls, e))?;
        DbStream::Tls(Box::new(super::db_net::tls(tcp, &t.host, config).await?))
    } else {
        DbStream::Plain(tcp)
    };
    let mut r = Resp::new(stream);
    let err = io_err(t);
    if let Some(pw) = &t.password {
        let reply = match &t.user {
            Some(u) => r.cmd(&[b"AUTH", u.as_bytes(), pw.as_bytes()]).await,
            None => r.cmd(&[b"AUTH", pw.as_bytes()]).await,
        }
        .map_err(&err)?;
        if let Reply::Error(e) = reply {
            return Err(ProbeError::new(
                FailureClass::Auth,
                format!("{}: AUTH refused: {e}", t.shown),
            ));
        }
    }
    if t.db != 0 {
        let db = t.db.to_string();
        if let Reply::Error(e) = r.cmd(&[b"SELECT", db.as_bytes()]).await.map_err(&err)? {
            return Err(protocol(format!("{}: SELECT {db}: {e}", t.shown)));
        }
    }
    let ping_start = Instant::now();
    let pong = r.cmd(&[b"PING"]).await.map_err(&err)?;
    let ping_ms = ping_start.elapsed().as_secs_f64() * 1000.0;
    match pong {
        Reply::Simple(s) if s == "PONG" => {}
        Reply::Error(e) if e.starts_with("NOAUTH") || e.starts_with("WRONGPASS") => {
            return Err(ProbeError::new(
                FailureClass::Auth,
                format!("{}: {e}", t.shown),
            ));
        }
        other => return Err(protocol(format!("{}: PING answered {other:?}", t.shown))),
    }
    let info = match r.cmd(&[b"INFO"]).await.map_err(&err)? {
        Reply::Bulk(Some(b)) => parse_info(&String::from_utf8_lossy(&b)),
        Reply::Error(e) => return Err(protocol(format!("{}: INFO: {e}", t.shown))),
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
        if let Query::Key(name, _) = q
            && !seen.contains(&name.as_str())
        {
            seen.push(name);
            key_facts(&mut r, name, &mut facts.keys)
                .await
                .map_err(&err)?;
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(facts)
}

/// `EXISTS`, `TYPE`, `TTL` and the length command for the key's type.
async fn key_facts<S>(
    r: &mut Resp<S>,
    name: &str,
    out: &mut BTreeMap<(String, KeyAspect), Value>,
) -> std::io::Result<()>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let k = name.as_bytes();
    let kind = r.cmd(&[b"TYPE", k]).await?.text().unwrap_or_default();
    let exists = kind != "none" && !kind.is_empty();
    out.insert((name.to_owned(), KeyAspect::Exists), Value::Bool(exists));
    out.insert(
        (name.to_owned(), KeyAspect::Type),
        Value::String(kind.clone()),
    );
    let ttl = match r.cmd(&[b"TTL", k]).await? {
        Reply::Int(i) => i,
        _ => -2,
    };
    out.insert((name.to_owned(), KeyAspect::Ttl), Value::from(ttl));
    let cmd: &[u8] = match kind.as_str() {
        "list" => b"LLEN",
        "set" => b"SCARD",
        "zset" => b"ZCARD",
        "hash" => b"HLEN",
        "stream" => b"XLEN",
        "string" => b"STRLEN",
        _ => b"",
    };
    let len = if cmd.is_empty() {
        0
    } else {
        match r.cmd(&[cmd, k]).await? {
            Reply::Int(i) => i,
            _ => 0,
        }
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
    use super::*;

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
