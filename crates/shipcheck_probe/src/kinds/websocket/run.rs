//! The `websocket` probe: a handshake (tokio-tungstenite `client_async` over the timed
//! connection of `shipcheck_http::open`), the plan's messages sent, then messages collected
//! until the server closes, `within` elapses or `max_messages` arrive. Silence is a fact (zero
//! messages), so `messages: { at_least: 2 }` fails saying so.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use shipcheck_http::OpenOptions;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, Measurement};
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use super::facts::WsFacts;
use super::spec::{WsMessage, WsProbe};

/// Headers whose values are credentials.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];
/// Time kept for closing the session after collecting.
const CLOSE_MARGIN: Duration = Duration::from_millis(200);

fn protocol(msg: String) -> ProbeError {
    ProbeError::new(FailureClass::Protocol, msg)
}

/// One session: handshake, the plan's messages sent, then messages collected.
pub(super) async fn observe(p: &WsProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let render = |s: &str| {
        template::render_str(s, cx.lookup).map_err(|e| protocol(format!("rendering: {e}")))
    };
    let mut url = url::Url::parse(&render(&p.url)?)
        .map_err(|e| protocol(format!("invalid URL {}: {e}", p.url)))?;
    let tls = match url.scheme() {
        "ws" | "http" => false,
        "wss" | "https" => true,
        other => return Err(protocol(format!("{other}: is not a WebSocket scheme"))),
    };
    let scheme = if tls { "wss" } else { "ws" };
    url.set_scheme(scheme)
        .map_err(|()| protocol(format!("cannot use {scheme}: with {url}")))?;
    if !p.query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in &p.query {
            pairs.append_pair(k, &render(v)?);
        }
    }
    let host = url
        .host_str()
        .ok_or_else(|| protocol(format!("{url} has no host")))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = url
        .port_or_known_default()
        .unwrap_or(if tls { 443 } else { 80 });
    let mut sent_secrets = Vec::new();
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| protocol(format!("invalid WebSocket request: {e}")))?;
    for (k, v) in &p.headers {
        let value = render(v)?;
        if CREDENTIAL_HEADERS.contains(&k.as_str()) {
            sent_secrets.push(value.clone());
            if let Some((_, token)) = value.split_once(' ') {
                sent_secrets.push(token.trim().to_owned());
            }
        }
        let name = tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(k.as_bytes())
            .map_err(|e| protocol(format!("header {k}: {e}")))?;
        let value =
            HeaderValue::from_str(&value).map_err(|e| protocol(format!("header {k}: {e}")))?;
        request.headers_mut().append(name, value);
    }
    let extra_ca_pem = crate::probes::read_ca_file(p.ca_file.as_deref())?;
    let fail = |mut e: ProbeError, secrets: &[String]| {
        e.sent_secrets = secrets.to_vec();
        e
    };
    let conn = shipcheck_http::open(
        &host,
        port,
        &OpenOptions {
            timeout: cx.timeout,
            tls,
            server_name: None,
            alpn: vec!["http/1.1".into()],
            insecure: p.insecure,
            extra_ca_pem,
        },
    )
    .await
    .map_err(|e| fail(ProbeError::new(e.class(), e.to_string()), &sent_secrets))?;

    let max_message = usize::try_from(p.max_message).unwrap_or(usize::MAX);
    let mut config = WebSocketConfig::default();
    config.max_message_size = Some(max_message);
    config.max_frame_size = Some(max_message);
    let left = cx.timeout.saturating_sub(start.elapsed());
    let handshake = tokio_tungstenite::client_async_with_config(request, conn.stream, Some(config));
    let (mut ws, response) = match tokio::time::timeout(left, handshake).await {
        Err(_) => {
            return Err(fail(
                ProbeError::new(
                    FailureClass::Timeout,
                    format!(
                        "no WebSocket handshake answer from {host}:{port} within {} ms",
                        cx.timeout.as_millis()
                    ),
                ),
                &sent_secrets,
            ));
        }
        Ok(Err(WsError::Http(resp))) => {
            return Err(fail(
                protocol(format!(
                    "{host}:{port} refused the WebSocket upgrade with HTTP {}",
                    resp.status().as_u16()
                )),
                &sent_secrets,
            ));
        }
        Ok(Err(e)) => {
            return Err(fail(
                protocol(format!("WebSocket handshake with {host}:{port}: {e}")),
                &sent_secrets,
            ));
        }
        Ok(Ok(pair)) => pair,
    };
    let mut facts = WsFacts {
        url: url.to_string(),
        status: response.status().as_u16(),
        ..WsFacts::default()
    };
    for m in &p.send {
        let text = match m {
            WsMessage::Text(t) => render(t)?,
            WsMessage::Json(v) => template::render_value(v, cx.lookup)
                .map_err(|e| protocol(format!("rendering: {e}")))?
                .to_string(),
        };
        ws.send(Message::text(text)).await.map_err(|e| {
            fail(
                protocol(format!("sending to {host}:{port}: {e}")),
                &sent_secrets,
            )
        })?;
        facts.sent += 1;
    }

    let budget = cx.timeout.saturating_sub(start.elapsed() + CLOSE_MARGIN);
    let within = p.within.map_or(budget, |w| w.min(budget));
    facts.ended = collect(&mut ws, &mut facts, p.max_messages, within).await;
    if facts.close.is_none() {
        let _ = tokio::time::timeout(CLOSE_MARGIN, ws.close(None)).await;
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(Observed {
        evidence: vec![evidence(&facts, cx.evidence_cap)],
        measurements: vec![
            Measurement {
                name: "messages".into(),
                value: facts.messages.len() as f64,
                unit: shipcheck_report::MeasureUnit::Count,
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
        ],
        sent_secrets,
        ..Observed::new(facts)
    })
}

/// Collects the server's messages into `facts` until it closes, `within` elapses or
/// `max_messages` arrive; returns why collection stopped. Generic over the message stream
/// so that the fuzz target can feed it frames from bytes.
pub(super) async fn collect<S>(
    ws: &mut S,
    facts: &mut WsFacts,
    max_messages: u32,
    within: Duration,
) -> String
where
    S: futures_util::Stream<Item = Result<Message, WsError>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + within;
    // Bounded by `max_messages` and the deadline.
    loop {
        if facts.messages.len() >= max_messages as usize {
            break format!("max_messages ({max_messages}) reached");
        }
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => break format!("{} ms elapsed", within.as_millis()),
            Ok(None) => break "connection ended without a close frame".into(),
            Ok(Some(Ok(Message::Text(t)))) => {
                let text = t.as_str();
                facts.messages.push(
                    serde_json::from_str(text)
                        .unwrap_or_else(|_| serde_json::Value::String(text.to_owned())),
                );
            }
            Ok(Some(Ok(Message::Binary(b)))) => facts.messages.push(serde_json::Value::String(
                format!("<{} binary bytes>", b.len()),
            )),
            Ok(Some(Ok(Message::Close(frame)))) => {
                let (code, reason) = frame.map_or((CloseCode::Status, String::new()), |f| {
                    (f.code, f.reason.as_str().to_owned())
                });
                // A close frame without a code (1005) ends the session as cleanly as 1000 does.
                facts.closed_cleanly = matches!(
                    code,
                    CloseCode::Normal | CloseCode::Away | CloseCode::Status
                );
                facts.close = Some((u16::from(code), reason));
                break "closed by the server".into();
            }
            Ok(Some(Ok(_ping_pong_or_frame))) => {}
            Ok(Some(Err(e))) => break format!("error: {e}"),
        }
    }
}

pub(super) fn evidence(f: &WsFacts, cap: usize) -> Evidence {
    let mut text = format!("GET {} → {}\nsent {} message(s)\n", f.url, f.status, f.sent);
    let mut truncated = false;
    for (i, m) in f.messages.iter().enumerate() {
        let line = m.to_string();
        if text.len() + line.len() > cap {
            let _ = writeln!(text, "… ({} more messages not shown)", f.messages.len() - i);
            truncated = true;
            break;
        }
        let _ = writeln!(text, "[{}] {line}", i + 1);
    }
    let close = f.close.as_ref().map_or_else(
        || "no close frame".to_owned(),
        |(c, r)| format!("close {c} {r}"),
    );
    let _ = write!(text, "ended: {} ({close})", f.ended);
    Evidence {
        label: "websocket".into(),
        text,
        truncated,
    }
}
