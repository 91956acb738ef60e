//! The rest of the fault matrix: refused connections, DNS (a nameserver that never answers,
//! NXDOMAIN, an unresolvable name), a WebSocket cut mid-frame, and PostgreSQL and Redis
//! "servers" that accept and never speak.

use std::time::Duration;

use shipcheck_test_support::faults::{Fault, FaultServer};
use shipcheck_test_support::faults_dns::{DnsFault, DnsServer};
use shipcheck_test_support::faults_tls::websocket_cut_mid_stream;
use shipcheck_test_support::free_port;

use crate::run::{Outcome, expect, one_check, verify};

const TIMEOUT: Duration = Duration::from_secs(2);

fn case(name: &str, probe: &str) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let plan = one_check(name, "2s", probe);
    verify(dir.path(), &plan, &[], &[], Duration::from_secs(20))
}

#[test]
fn fault_connection_refused() {
    if !crate::can_measure() {
        return;
    }
    let url = format!("http://127.0.0.1:{}/x", free_port());
    let o = case("connection refused", &format!("http: {{ get: \"{url}\" }}"));
    expect("connection refused", &o, "error", "connect", TIMEOUT);
}

#[test]
fn fault_dns_nameserver_never_answers() {
    if !crate::can_measure() {
        return;
    }
    let ns = DnsServer::start(DnsFault::Silent);
    let probe = format!(
        "dns: {{ name: api.example.test, nameserver: \"{}\" }}",
        ns.addr
    );
    let o = case("DNS timeout", &probe);
    expect(
        "DNS nameserver never answers",
        &o,
        "error",
        "timeout",
        TIMEOUT,
    );
}

#[test]
fn fault_dns_nxdomain() {
    if !crate::can_measure() {
        return;
    }
    let ns = DnsServer::start(DnsFault::NxDomain);
    let probe = format!(
        "dns: {{ name: api.example.test, nameserver: \"{}\" }}",
        ns.addr
    );
    let o = case("DNS NXDOMAIN", &probe);
    expect("DNS NXDOMAIN", &o, "failed", "assertion", TIMEOUT);
    assert!(
        o.report["checks"][0].to_string().contains("NXDOMAIN"),
        "{}",
        o.report["checks"][0]
    );
}

#[test]
fn fault_http_name_that_does_not_resolve() {
    if !crate::can_measure() {
        return;
    }
    // `.invalid` never resolves (RFC 6761), whatever resolver the machine has.
    let o = case(
        "unresolvable host",
        "http: { get: \"http://shipcheck-fault.invalid/x\" }",
    );
    expect(
        "HTTP host NXDOMAIN (system resolver)",
        &o,
        "error",
        "dns",
        TIMEOUT,
    );
}

#[test]
fn fault_websocket_closed_mid_stream() {
    if !crate::can_measure() {
        return;
    }
    let server = websocket_cut_mid_stream();
    let probe = format!(
        "websocket: \"ws://{}/stream\"\nexpect: {{ messages: 2 }}",
        server.addr
    );
    let o = case("WebSocket cut mid-frame", &probe);
    expect(
        "WebSocket closed mid-stream",
        &o,
        "failed",
        "assertion",
        TIMEOUT,
    );
}

#[test]
fn fault_postgres_accepts_and_never_speaks() {
    if !crate::can_measure() {
        return;
    }
    let server = FaultServer::start(Fault::Silent);
    let probe = format!(
        "postgres: \"postgres://app:pw@{}/app?sslmode=disable\"\nexpect: {{ tables: [users] }}",
        server.addr
    );
    let o = case("PostgreSQL silent", &probe);
    expect(
        "PostgreSQL accepts, never speaks",
        &o,
        "error",
        "timeout",
        TIMEOUT,
    );
}

#[test]
fn fault_redis_accepts_and_never_speaks() {
    if !crate::can_measure() {
        return;
    }
    let server = FaultServer::start(Fault::Silent);
    let probe = format!("redis: \"redis://{}\"", server.addr);
    let o = case("Redis silent", &probe);
    expect(
        "Redis accepts, never speaks",
        &o,
        "error",
        "timeout",
        TIMEOUT,
    );
}
