//! Loopback servers for probe tests: an rcgen PKI, rustls servers, a stalling server, and a
//! private nginx for protocol versions rustls cannot serve.
#![allow(dead_code, unreachable_pub, clippy::expect_used, clippy::unwrap_used)] // test set-up panics

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rcgen::CertificateParams;
use serde_json::Value;
use shipcheck_plan::{Check, load_str};
use shipcheck_probe::{Observed, ProbeContext, ProbeError, evaluate, observe};
use shipcheck_report::AssertionResult;
use shipcheck_test_support::Listen;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A server task, aborted on drop.
pub struct Server {
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Server {
    /// A server task listening on `addr`.
    pub fn new(addr: SocketAddr, task: JoinHandle<()>) -> Self {
        Server { addr, task }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub use shipcheck_test_support::Nginx;

#[allow(unused_imports)] // each test binary uses a different part
pub use shipcheck_test_support::{Ca, Leaf, self_signed};

/// Validity `from_days`..`to_days` around now.
pub fn valid_between(params: &mut CertificateParams, from_days: i64, to_days: i64) {
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(from_days);
    params.not_after = now + time::Duration::days(to_days);
}

/// A rustls server with `leaf`, offering `alpn`; it completes handshakes and reads until EOF.
pub async fn tls_server(leaf: &Leaf, alpn: &[&[u8]]) -> Server {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(vec![leaf.cert.clone()], leaf.key())
    .expect("server cert");
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    let mut buf = [0u8; 1024];
                    while matches!(tls.read(&mut buf).await, Ok(n) if n > 0) {}
                }
            });
        }
    });
    Server { addr, task }
}

/// Accepts connections, reads the ClientHello, and never answers.
pub async fn stalling_server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf).await;
            held.push(stream);
        }
    });
    Server { addr, task }
}

/// A loopback port nobody listens on.
pub async fn closed_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("addr")
}

/// Loads a one-check plan (YAML of the check, indented under `checks:`).
pub fn check(check_yaml: &str, dir: &Path) -> Check {
    let src = format!("name: t\nchecks:\n{check_yaml}");
    let plan = match load_str(
        &src,
        &dir.join("plan.yaml"),
        &|_| None,
        shipcheck_probe::KINDS,
    ) {
        Ok(p) => p,
        Err(e) => panic!("plan does not load: {e:?}\n{src}"),
    };
    plan.checks.into_iter().next().expect("one check")
}

/// Runs the check's probe once.
pub async fn run(check: &Check) -> Result<(Observed, Vec<AssertionResult>), ProbeError> {
    run_in(check, &RunEnv::default()).await
}

/// What a probe sees of the run besides its check: captured values, sensitive values and
/// the state of its `needs` chain.
#[derive(Default)]
pub struct RunEnv {
    pub values: Vec<(String, Value)>,
    pub sensitive: Vec<String>,
    pub chain: shipcheck_probe::ChainState,
}

/// Runs the check's probe once in `env`.
pub async fn run_in(
    check: &Check,
    env: &RunEnv,
) -> Result<(Observed, Vec<AssertionResult>), ProbeError> {
    let lookup = |name: &str| -> Option<Value> {
        env.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let cx = ProbeContext {
        timeout: check.timeout,
        plan_start: std::time::SystemTime::now(),
        lookup: &lookup,
        evidence_cap: 8192,
        sensitive: &env.sensitive,
        chain: &env.chain,
        stop: &shipcheck_plan::kind::Stop::default(),
    };
    let observed = observe(check.probe.as_ref(), &cx).await?;
    let results = evaluate(&check.expect, observed.facts.as_ref());
    Ok((observed, results))
}

/// A private nginx with one `server` block per entry: TLS with `leaf` and the given extra
/// directives (and `location / { return 200 ok; }`), or plain HTTP when the entry starts with
/// `plain;` (the directives are then all of it). Killed by PID on drop.
pub fn start_nginx(leaf: &Leaf, servers: &[&str]) -> Option<Nginx> {
    let mut builder = Nginx::builder().tls_identity(&leaf.cert_pem, &leaf.key_pem);
    for extra in servers {
        builder = match extra.strip_prefix("plain;") {
            Some(plain) => builder.server(Listen::Http, plain),
            None => builder.server(
                Listen::Https,
                format!("{extra} location / {{ return 200 ok; }}"),
            ),
        };
    }
    builder.start()
}
