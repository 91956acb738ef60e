//! Issues 18.9 and 18.16: a `ca_file` that is a FIFO is refused at once (it used to block
//! past every timeout), and a server that closes the connection during the TLS handshake
//! is the same verdict in `tls` and `http`: `error` with class `tls`, not a certificate
//! assertion. A sqlite path that is a FIFO is reported as one, not as missing.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::time::Duration;

use shipcheck_report::FailureClass;
use support::*;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

/// Runs the probe on its own thread and runtime; fails (instead of hanging) if it
/// blocks, even in a blocking call that no async timeout can interrupt.
async fn run_bounded(c: &shipcheck_plan::Check) -> Result<(), shipcheck_probe::ProbeError> {
    let c = c.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _ = tx.send(rt.block_on(run(&c)).map(|_| ()));
    });
    tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("the probe blocked for 10 s")
}

fn mkfifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
}

#[tokio::test]
async fn a_fifo_ca_file_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("ca.pem"));
    let port = closed_port().await.port();
    for probe in [
        format!("tls: {{ host: \"127.0.0.1:{port}\", ca_file: ca.pem }}"),
        format!("http: {{ get: \"https://127.0.0.1:{port}/\", ca_file: ca.pem }}"),
    ] {
        let c = check(
            &format!("  - id: c\n    timeout: 1s\n    {probe}\n"),
            dir.path(),
        );
        let e = run_bounded(&c).await.expect_err("a FIFO is no CA file");
        assert_eq!(e.class, FailureClass::Protocol, "{probe}: {e:?}");
        assert!(e.message.contains("ca.pem"), "{}", e.message);
        assert!(
            e.message.contains("not a regular file (a FIFO)"),
            "{}",
            e.message
        );
    }
}

/// Accepts, reads the ClientHello, and closes.
async fn closing_server() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf).await;
        }
    });
    addr
}

#[tokio::test]
async fn a_connection_closed_during_the_handshake_is_a_tls_error_in_tls_and_http() {
    let addr = closing_server().await;
    let dir = tempfile::tempdir().unwrap();
    for probe in [
        format!("tls: {{ host: \"127.0.0.1:{}\" }}", addr.port()),
        format!("http: {{ get: \"https://127.0.0.1:{}/\" }}", addr.port()),
    ] {
        let c = check(
            &format!("  - id: c\n    timeout: 2s\n    {probe}\n"),
            dir.path(),
        );
        let e = run_bounded(&c)
            .await
            .expect_err("a closed handshake is not an observation to assert on");
        assert_eq!(e.class, FailureClass::Tls, "{probe}: {e:?}");
        assert!(e.message.contains("closed"), "{probe}: {}", e.message);
    }
}

#[tokio::test]
async fn a_fifo_sqlite_path_is_reported_as_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("app.db"));
    let c = check(
        "  - id: db\n    timeout: 1s\n    sqlite: app.db\n",
        dir.path(),
    );
    let e = run_bounded(&c).await.expect_err("a FIFO is no database");
    assert_eq!(e.class, FailureClass::Connect, "{e:?}");
    assert!(e.message.contains("app.db"), "{}", e.message);
    assert!(
        e.message.contains("is not a regular file") && !e.message.contains("does not exist"),
        "{}",
        e.message
    );
}
