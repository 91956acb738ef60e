//! Private PostgreSQL and Redis instances for data-layer tests (started on free loopback
//! ports in temporary directories, stopped by PID on drop), test certificates, and a
//! helper that loads a one-check plan and runs its probe.
#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::unwrap_used)] // test set-up panics

pub mod postgres;
pub mod redis;

use std::net::TcpListener;
use std::time::Duration;

use shipcheck_plan::{Check, load_str};
use shipcheck_probe::{Observed, ProbeContext, ProbeError, evaluate, observe};
use shipcheck_report::AssertionResult;

/// Panics under CI=true (the install step is missing), otherwise says the test is skipped.
pub fn skip_or_fail(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is required under CI=true (the install step is missing)");
    }
    eprintln!("SKIPPED: {what} is not available on this machine");
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    l.local_addr().expect("local addr").port()
}

/// Whether something accepts connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    std::net::TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_millis(200),
    )
    .is_ok()
}

/// Loads a plan holding one check (YAML text of the check, indented under `checks:`),
/// relative paths against `dir`.
pub fn check(dir: &std::path::Path, yaml: &str) -> Check {
    let src = format!("name: t\nchecks:\n{yaml}");
    let env = |_: &str| None;
    let plan = load_str(&src, &dir.join("plan.yaml"), &env)
        .unwrap_or_else(|e| panic!("plan does not load: {e}\n{src}"));
    plan.checks.into_iter().next().expect("one check")
}

/// Runs the check's probe once and evaluates its expectations.
pub async fn run(
    check: &Check,
    timeout: Duration,
) -> Result<(Observed, Vec<AssertionResult>), ProbeError> {
    let lookup = |_: &str| None;
    let cx = ProbeContext {
        timeout,
        lookup: &lookup,
        evidence_cap: 64 * 1024,
    };
    let observed = observe(&check.probe, &cx).await?;
    let results = evaluate(&check.expect, &observed.observation);
    Ok((observed, results))
}

/// A CA and a server certificate for 127.0.0.1/localhost, as PEM files in `dir`:
/// `ca.pem`, `server.pem`, `server.key`.
pub fn write_certs(dir: &std::path::Path) {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "shipcheck data test CA");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().unwrap();
    let mut leaf =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = leaf.signed_by(&key, &issuer).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
}
