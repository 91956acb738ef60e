//! What an `http` check keeps of its exchange: evidence text (credentials redacted, binary
//! bodies as bounded excerpts, decoding and dropped headers named) and measurements.

use std::fmt::Write as _;

use shipcheck_http::{Exchange, body_excerpt};
use shipcheck_report::{MeasureUnit, Evidence, Measurement, REDACTED};

/// Headers whose values are credentials: never shown, always redacted.
pub(super) const CREDENTIAL_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// `name` in `unit`, with no target yet.
pub(super) fn measurement(name: &str, value: f64, unit: MeasureUnit) -> Measurement {
    Measurement::new(name, value, unit)
}

pub(super) fn measurements(ex: &Exchange) -> Vec<Measurement> {
    let Some(hop) = ex.hops.last() else {
        return Vec::new();
    };
    let t = &hop.timings;
    let mut out = Vec::new();
    for (name, v) in [
        ("dns", t.dns_ms),
        ("connect", t.connect_ms),
        ("tls", t.tls_ms),
        ("first_byte", t.first_byte_ms),
        ("total", Some(t.total_ms)),
    ] {
        if let Some(value) = v {
            out.push(measurement(name, value, MeasureUnit::Ms));
        }
    }
    out.push(measurement(
        "body_size",
        hop.response.body_bytes_read as f64,
        MeasureUnit::Bytes,
    ));
    if let Some(d) = &hop.response.decoding {
        out.push(measurement("decoded_size", d.decoded_bytes as f64, MeasureUnit::Bytes));
    }
    if ex.hops.len() > 1 {
        out.push(measurement(
            "redirects",
            (ex.hops.len() - 1) as f64,
            MeasureUnit::Count,
        ));
    }
    out
}

fn header_lines(out: &mut String, headers: &[(String, String)]) {
    for (k, v) in headers {
        let shown = if CREDENTIAL_HEADERS.contains(&k.to_ascii_lowercase().as_str()) {
            REDACTED
        } else {
            v.as_str()
        };
        let _ = writeln!(out, "{k}: {shown}");
    }
}

/// The body as a bounded excerpt: text escaped, binary as a hex dump naming its type.
fn body_text(out: &mut String, body: &[u8], content_type: Option<&str>, cap: usize) -> bool {
    if body.is_empty() {
        return false;
    }
    out.push('\n');
    let (text, cut) = body_excerpt(body, content_type, cap);
    out.push_str(&text);
    if cut {
        // The marker right after the cut is where the redactor masks a cut secret's prefix.
        let _ = write!(
            out,
            "\n… ({} more bytes not shown)",
            body.len().saturating_sub(cap)
        );
    }
    cut
}

fn content_type(headers: &[(String, String)]) -> Option<&str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
}

pub(super) fn request_text(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    cap: usize,
) -> (String, bool) {
    let mut out = format!("{method} {url}\n");
    header_lines(&mut out, headers);
    let cut = body_text(&mut out, body, content_type(headers), cap);
    (out, cut)
}

pub(super) fn evidence(ex: &Exchange, cap: usize) -> Vec<Evidence> {
    let mut out = Vec::new();
    let n = ex.hops.len();
    for (i, hop) in ex.hops.iter().enumerate() {
        let suffix = if n > 1 {
            format!(" (hop {} of {n})", i + 1)
        } else {
            String::new()
        };
        let r = &hop.request;
        let (mut text, truncated) = request_text(&r.method, &r.url, &r.headers, &r.body, cap);
        if !hop.dropped_headers.is_empty() {
            let _ = write!(
                text,
                "\n[not sent to this origin] {}",
                hop.dropped_headers.join(", ")
            );
        }
        if let Some(proxy) = &hop.via_proxy {
            let _ = write!(text, "\n[via proxy] {proxy}");
        }
        out.push(Evidence {
            label: format!("request{suffix}"),
            text,
            truncated,
        });
        let resp = &hop.response;
        let mut text = format!("{} {}\n", resp.version, resp.status);
        header_lines(&mut text, &resp.headers);
        let mut truncated = body_text(&mut text, &resp.body, content_type(&resp.headers), cap);
        if let Some(d) = &resp.decoding {
            let _ = write!(text, "\n[decoded] {}", d.summary());
        }
        if resp.body_truncated {
            let _ = write!(
                text,
                "\n… (body cut at max_body after {} bytes)",
                resp.body_bytes_read
            );
            truncated = true;
        }
        let t = &hop.timings;
        let ms = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1} ms"));
        let _ = write!(
            text,
            "\n\n[timings] dns {} · connect {} · tls {} · first byte {} · total {:.1} ms",
            ms(t.dns_ms),
            ms(t.connect_ms),
            ms(t.tls_ms),
            ms(t.first_byte_ms),
            t.total_ms
        );
        out.push(Evidence {
            label: format!("response{suffix}"),
            text,
            truncated,
        });
    }
    out
}
