//! "Does the server accept TLS 1.x?" with a hand-built ClientHello, as testssl.sh does:
//! rustls cannot speak TLS 1.0/1.1, and the answer needs only the server's first message.
//! A ServerHello choosing the offered version means accepted; an alert, a lower or higher
//! version, or a closed connection means refused. Nothing after the ServerHello is read.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Largest TLS record we read (2^14 plus expansion).
const MAX_RECORD: usize = 16384 + 2048;

/// The wire code of a version name (`TLSv1.0` → 0x0301).
pub(super) fn wire(version: &str) -> Option<u16> {
    match version {
        "TLSv1.0" => Some(0x0301),
        "TLSv1.1" => Some(0x0302),
        "TLSv1.2" => Some(0x0303),
        "TLSv1.3" => Some(0x0304),
        _ => None,
    }
}

/// Whether the server at `addr` accepts `version` (wire code). `Err` only when nothing
/// could be asked (no connection, timeout).
pub(super) async fn accepts(
    addr: std::net::SocketAddr,
    sni: Option<&str>,
    version: u16,
    timeout: Duration,
) -> Result<Result<(), String>, String> {
    let attempt = async {
        let mut stream = TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connect to {addr}: {e}"))?;
        stream
            .write_all(&client_hello(sni, version))
            .await
            .map_err(|e| format!("sending ClientHello to {addr}: {e}"))?;
        Ok(read_answer(&mut stream, version).await)
    };
    tokio::time::timeout(timeout, attempt)
        .await
        .map_err(|_| format!("no answer from {addr} within {} ms", timeout.as_millis()))?
}

/// Reads the server's first record from `stream` and interprets it (generic over the
/// reader so that the fuzz target can feed it bytes).
pub(super) async fn read_answer<R>(stream: &mut R, version: u16) -> Result<(), String>
where
    R: tokio::io::AsyncRead + Unpin,
{
    let mut head = [0u8; 5];
    if stream.read_exact(&mut head).await.is_err() {
        return Err("connection closed without an answer".into());
    }
    let len = usize::from(u16::from_be_bytes([head[3], head[4]]));
    if len > MAX_RECORD {
        return Err(format!("record of {len} bytes is not TLS"));
    }
    let mut body = vec![0u8; len];
    if stream.read_exact(&mut body).await.is_err() {
        return Err("connection closed mid-record".into());
    }
    interpret(head[0], &body, version)
}

/// Reads the first record the server sent: `Ok` when it is a ServerHello for `version`.
fn interpret(content_type: u8, body: &[u8], version: u16) -> Result<(), String> {
    match content_type {
        21 => {
            let desc = body.get(1).copied().unwrap_or(0);
            Err(format!("alert {} ({desc})", alert_name(desc)))
        }
        22 => {
            // handshake: type(1) len(3) version(2) random(32) sid_len(1) sid cipher(2) comp(1) ext…
            if body.first() != Some(&2) || body.len() < 4 + 2 + 32 + 1 {
                return Err("first handshake message is not a ServerHello".into());
            }
            let legacy = u16::from_be_bytes([body[4], body[5]]);
            let mut at = 4 + 2 + 32;
            let sid = usize::from(body[at]);
            at += 1 + sid + 2 + 1;
            let chosen = selected_version(body.get(at..).unwrap_or_default()).unwrap_or(legacy);
            if chosen == version {
                Ok(())
            } else {
                Err(format!("server chose {}", name(chosen)))
            }
        }
        other => Err(format!("record type {other} is not TLS")),
    }
}

/// The `supported_versions` extension of a ServerHello, if present.
fn selected_version(ext: &[u8]) -> Option<u16> {
    let total = usize::from(u16::from_be_bytes([*ext.first()?, *ext.get(1)?]));
    let mut rest = ext.get(2..2 + total)?;
    while rest.len() >= 4 {
        let kind = u16::from_be_bytes([rest[0], rest[1]]);
        let len = usize::from(u16::from_be_bytes([rest[2], rest[3]]));
        let data = rest.get(4..4 + len)?;
        if kind == 0x002b && len == 2 {
            return Some(u16::from_be_bytes([data[0], data[1]]));
        }
        rest = &rest[4 + len..];
    }
    None
}

fn name(v: u16) -> String {
    match v {
        0x0300 => "SSLv3".into(),
        0x0301 => "TLSv1.0".into(),
        0x0302 => "TLSv1.1".into(),
        0x0303 => "TLSv1.2".into(),
        0x0304 => "TLSv1.3".into(),
        other => format!("version 0x{other:04x}"),
    }
}

fn alert_name(desc: u8) -> &'static str {
    match desc {
        40 => "handshake_failure",
        47 => "illegal_parameter",
        50 => "decode_error",
        70 => "protocol_version",
        71 => "insufficient_security",
        80 => "internal_error",
        86 => "inappropriate_fallback",
        112 => "unrecognized_name",
        _ => "other",
    }
}

/// Not cryptographic: the ClientHello random and key share only need to look like bytes.
fn pseudo_random(out: &mut [u8]) {
    let mut x = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0x9e37_79b9_7f4a_7c15, |d| d.as_nanos() as u64)
        | 1;
    for b in out {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
}

fn push_u16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_be_bytes());
}

fn extension(out: &mut Vec<u8>, kind: u16, data: &[u8]) {
    push_u16(out, kind);
    push_u16(out, data.len() as u16);
    out.extend_from_slice(data);
}

/// A ClientHello offering exactly `version` with the usual cipher suites for it.
pub(super) fn client_hello(sni: Option<&str>, version: u16) -> Vec<u8> {
    let tls13 = version >= 0x0304;
    let suites: &[u16] = if tls13 {
        &[0x1301, 0x1302, 0x1303]
    } else {
        &[
            0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c,
            0x009d, 0x002f, 0x0035, 0x0033, 0x0039, 0x000a, 0x00ff,
        ]
    };
    let mut ext = Vec::new();
    if let Some(name) = sni.filter(|n| n.parse::<std::net::IpAddr>().is_err()) {
        let name = name.as_bytes();
        let mut data = Vec::new();
        push_u16(&mut data, (name.len() + 3) as u16);
        data.push(0);
        push_u16(&mut data, name.len() as u16);
        data.extend_from_slice(name);
        extension(&mut ext, 0x0000, &data);
    }
    extension(
        &mut ext,
        0x000a,
        &[0, 6, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18],
    );
    extension(&mut ext, 0x000b, &[1, 0]);
    let sigs: [u16; 10] = [
        0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201, 0x0203,
    ];
    let mut data = Vec::new();
    push_u16(&mut data, (sigs.len() * 2) as u16);
    for s in sigs {
        push_u16(&mut data, s);
    }
    extension(&mut ext, 0x000d, &data);
    extension(&mut ext, 0xff01, &[0]);
    if tls13 {
        extension(&mut ext, 0x002b, &[2, 0x03, 0x04]);
        extension(&mut ext, 0x002d, &[1, 1]);
        let mut key = [0u8; 32];
        pseudo_random(&mut key);
        let mut data = Vec::new();
        push_u16(&mut data, 36);
        push_u16(&mut data, 0x001d);
        push_u16(&mut data, 32);
        data.extend_from_slice(&key);
        extension(&mut ext, 0x0033, &data);
    }

    let mut hello = Vec::new();
    push_u16(&mut hello, version.min(0x0303));
    let mut random = [0u8; 32];
    pseudo_random(&mut random);
    hello.extend_from_slice(&random);
    if tls13 {
        hello.push(32);
        hello.extend_from_slice(&random);
    } else {
        hello.push(0);
    }
    push_u16(&mut hello, (suites.len() * 2) as u16);
    for s in suites {
        push_u16(&mut hello, *s);
    }
    hello.extend_from_slice(&[1, 0]);
    push_u16(&mut hello, ext.len() as u16);
    hello.extend_from_slice(&ext);

    let mut handshake = vec![1];
    handshake.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    handshake.extend_from_slice(&hello);
    let mut record = vec![22, 0x03, 0x01];
    push_u16(&mut record, handshake.len() as u16);
    record.extend_from_slice(&handshake);
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_lengths_are_consistent() {
        let r = client_hello(Some("localhost"), 0x0301);
        assert_eq!(r[0], 22);
        assert_eq!(usize::from(u16::from_be_bytes([r[3], r[4]])), r.len() - 5);
        assert_eq!(r[5], 1);
        assert_eq!(&r[9..11], &[0x03, 0x01]);
    }

    #[test]
    fn answers_are_interpreted() {
        assert_eq!(
            interpret(21, &[2, 70], 0x0301),
            Err("alert protocol_version (70)".into())
        );
        let mut hello = vec![2, 0, 0, 0, 0x03, 0x02];
        hello.extend_from_slice(&[0; 32]);
        hello.extend_from_slice(&[0, 0xc0, 0x13, 0]);
        assert_eq!(interpret(22, &hello, 0x0302), Ok(()));
        assert_eq!(
            interpret(22, &hello, 0x0301),
            Err("server chose TLSv1.1".into())
        );
        // TLS 1.3: legacy version 1.2 plus supported_versions = 1.3
        let mut h13 = vec![2, 0, 0, 0, 0x03, 0x03];
        h13.extend_from_slice(&[0; 32]);
        h13.extend_from_slice(&[0, 0x13, 0x01, 0, 0, 6, 0x00, 0x2b, 0, 2, 0x03, 0x04]);
        assert_eq!(interpret(22, &h13, 0x0304), Ok(()));
        assert!(interpret(23, &[], 0x0301).is_err());
    }
}
