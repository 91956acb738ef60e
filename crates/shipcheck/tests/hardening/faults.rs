//! The HTTP fault matrix: one test per fault, the real binary against
//! `shipcheck_test_support::faults` (plain HTTP/1.1) and `faults_tls` (TLS, HTTP/2).

use std::time::Duration;

use shipcheck_test_support::faults::{Fault, FaultServer};
use shipcheck_test_support::faults_tls::{AfterHandshake, expired_leaf, tls_server};
use shipcheck_test_support::{Ca, self_signed};

use crate::run::{Outcome, expect, one_check, verify};

const TIMEOUT: Duration = Duration::from_secs(2);

/// Runs one `http` check (`extra` are more keys of its `http` mapping, `expect` its
/// expectations) against `url`; `files` are written next to the plan first.
fn http_case(name: &str, url: &str, extra: &str, expect: &str, files: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    for (f, text) in files {
        std::fs::write(dir.path().join(f), text).unwrap();
    }
    let probe = format!("http: {{ get: \"{url}\"{extra} }}\nexpect: {expect}");
    let plan = one_check(name, "2s", &probe);
    verify(dir.path(), &plan, &[], &[], Duration::from_secs(20))
}

fn fault_case(name: &str, fault: Fault) -> Outcome {
    let server = FaultServer::start(fault);
    http_case(
        name,
        &format!("{}/x", server.url()),
        "",
        "{ status: 200 }",
        &[],
    )
}

/// One fault, one test: the check's status and class, within the check's timeout.
macro_rules! fault_test {
    ($name:ident, $case:literal, $fault:expr, $status:literal, $class:literal) => {
        #[test]
        fn $name() {
            if !crate::can_measure() {
                return;
            }
            let o = fault_case($case, $fault);
            expect($case, &o, $status, $class, TIMEOUT);
        }
    };
}

fault_test!(
    fault_accept_and_never_answer,
    "accept, never answer",
    Fault::Silent,
    "error",
    "timeout"
);

fault_test!(
    fault_reset_mid_headers,
    "reset mid-headers",
    Fault::ResetMidHeaders,
    "error",
    "protocol"
);

fault_test!(
    fault_reset_mid_body,
    "reset mid-body",
    Fault::ResetMidBody,
    "error",
    "protocol"
);

fault_test!(
    fault_headers_dripped_one_byte_per_second,
    "headers dripped 1 B/s",
    Fault::DripHeaders(Duration::from_secs(1)),
    "error",
    "timeout"
);

fault_test!(
    fault_body_dripped,
    "body dripped 1 B/200 ms",
    Fault::DripBody(Duration::from_millis(200)),
    "error",
    "timeout"
);

fault_test!(
    fault_ten_gigabyte_content_length_trickled,
    "Content-Length 10 GB, trickle",
    Fault::HugeContentLength,
    "error",
    "timeout"
);

#[test]
fn fault_chunked_body_that_never_ends() {
    if !crate::can_measure() {
        return;
    }
    let o = fault_case("chunked body never ends", Fault::EndlessChunked);
    // The body is cut at `max_body` (1 MiB): the status is there, the rest is not read.
    expect("chunked body never ends", &o, "passed", "-", TIMEOUT);
    let evidence = o.report["checks"][0]["evidence"].to_string();
    assert!(
        evidence.contains("truncated") || evidence.contains("not read"),
        "{evidence}"
    );
}

fault_test!(
    fault_one_megabyte_header_line,
    "1 MiB header line",
    Fault::HugeHeaderLine,
    "error",
    "protocol"
);

fault_test!(
    fault_ten_thousand_headers,
    "10,000 headers",
    Fault::ManyHeaders,
    "error",
    "protocol"
);

fault_test!(
    fault_invalid_status_line,
    "invalid status line",
    Fault::InvalidStatusLine,
    "error",
    "protocol"
);

fault_test!(
    fault_http09_garbage,
    "HTTP/0.9-style garbage",
    Fault::Http09Garbage,
    "error",
    "protocol"
);

#[test]
fn fault_redirect_loop() {
    if !crate::can_measure() {
        return;
    }
    let server = FaultServer::start(Fault::RedirectLoop);
    let url = format!("{}/loop", server.url());
    let o = http_case(
        "redirect loop",
        &url,
        ", follow_redirects: 20",
        "{ status: 200 }",
        &[],
    );
    // Every redirect allowed was followed; the last answer is still a redirect, so the
    // expectation fails on it (the hops are the evidence), well before the timeout.
    expect(
        "redirect loop (follow_redirects: 20)",
        &o,
        "failed",
        "assertion",
        TIMEOUT,
    );
    assert_eq!(server.requests(), 21, "the first request and 20 redirects");
}

#[test]
fn fault_gzip_bomb() {
    if !crate::can_measure() {
        return;
    }
    let o = fault_case(
        "gzip bomb (64 MiB of zeros)",
        Fault::GzipBomb { decoded: 64 << 20 },
    );
    // Decoding stops at `max_body` (1 MiB); the evidence says the body was cut off.
    expect("gzip bomb (64 MiB decoded)", &o, "passed", "-", TIMEOUT);
    let evidence = o.report["checks"][0]["evidence"].to_string();
    assert!(
        evidence.contains("decoding stopped at max_body"),
        "{evidence}"
    );
}

#[test]
fn fault_tls_handshake_stall() {
    if !crate::can_measure() {
        return;
    }
    let server = FaultServer::start(Fault::Silent);
    let url = format!("https://{}/x", server.addr);
    let o = http_case("TLS handshake stall", &url, "", "{ status: 200 }", &[]);
    expect("TLS handshake stall", &o, "error", "timeout", TIMEOUT);
}

#[test]
fn fault_close_right_after_client_hello() {
    if !crate::can_measure() {
        return;
    }
    let server = FaultServer::start(Fault::CloseAfterFirstBytes);
    let url = format!("https://{}/x", server.addr);
    let o = http_case("close after ClientHello", &url, "", "{ status: 200 }", &[]);
    expect("close after ClientHello", &o, "error", "tls", TIMEOUT);
}

fn cert_case(name: &str, leaf: &shipcheck_test_support::Leaf, ca: &Ca) -> Outcome {
    let server = tls_server(leaf, AfterHandshake::Ok);
    let url = format!("https://{}/x", server.addr);
    http_case(
        name,
        &url,
        ", ca_file: ca.pem",
        "{ status: 200 }",
        &[("ca.pem", &ca.pem)],
    )
}

#[test]
fn fault_certificate_trusted_control() {
    if !crate::can_measure() {
        return;
    }
    let ca = Ca::new();
    let o = cert_case("valid certificate (control)", &ca.leaf(&["127.0.0.1"]), &ca);
    expect("valid certificate (control)", &o, "passed", "-", TIMEOUT);
}

#[test]
fn fault_certificate_expired() {
    if !crate::can_measure() {
        return;
    }
    let ca = Ca::new();
    let o = cert_case(
        "expired certificate",
        &expired_leaf(&ca, &["127.0.0.1"]),
        &ca,
    );
    expect("expired certificate", &o, "error", "tls", TIMEOUT);
    assert!(o.message().contains("expired"), "{}", o.message());
}

#[test]
fn fault_certificate_self_signed() {
    if !crate::can_measure() {
        return;
    }
    let ca = Ca::new();
    let o = cert_case("self-signed certificate", &self_signed(&["127.0.0.1"]), &ca);
    expect("self-signed certificate", &o, "error", "tls", TIMEOUT);
}

#[test]
fn fault_certificate_wrong_host() {
    if !crate::can_measure() {
        return;
    }
    let ca = Ca::new();
    let o = cert_case("wrong-host certificate", &ca.leaf(&["other.example"]), &ca);
    expect("wrong-host certificate", &o, "error", "tls", TIMEOUT);
}

fn h2_case(name: &str, then: AfterHandshake) -> Outcome {
    let ca = Ca::new();
    let server = tls_server(&ca.leaf(&["127.0.0.1"]), then);
    let url = format!("https://{}/x", server.addr);
    http_case(
        name,
        &url,
        ", ca_file: ca.pem",
        "{ status: 200 }",
        &[("ca.pem", &ca.pem)],
    )
}

#[test]
fn fault_http2_goaway() {
    if !crate::can_measure() {
        return;
    }
    let o = h2_case("HTTP/2 GOAWAY", AfterHandshake::GoAway);
    expect("HTTP/2 GOAWAY", &o, "error", "protocol", TIMEOUT);
}

#[test]
fn fault_http2_rst_stream() {
    if !crate::can_measure() {
        return;
    }
    let o = h2_case("HTTP/2 RST_STREAM", AfterHandshake::RstStream);
    expect("HTTP/2 RST_STREAM", &o, "error", "protocol", TIMEOUT);
}
