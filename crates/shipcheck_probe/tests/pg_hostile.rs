//! Issue 18.8b: a PostgreSQL server whose first message header claims a huge length is
//! refused at the header, before any buffer of that size is reserved (it used to make
//! the probe allocate what the header claimed, ~2.1 GB for ~2 GiB).
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::time::Duration;

use shipcheck_report::FailureClass;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Reads the startup message, then answers with a header claiming `claimed` bytes.
async fn hostile_server(claimed: u32) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut len = [0u8; 4];
                if s.read_exact(&mut len).await.is_err() {
                    return;
                }
                let mut rest = vec![0u8; (u32::from_be_bytes(len) as usize).saturating_sub(4)];
                let _ = s.read_exact(&mut rest).await;
                let mut msg = vec![b'R'];
                msg.extend_from_slice(&claimed.to_be_bytes());
                msg.extend_from_slice(&[0, 0, 0, 0]);
                let _ = s.write_all(&msg).await;
                tokio::time::sleep(Duration::from_secs(30)).await;
            });
        }
    });
    port
}

#[tokio::test]
async fn a_message_header_claiming_a_huge_length_is_refused() {
    // 256 MiB: enough to show the bound, small enough not to hurt when it is missing.
    let port = hostile_server(256 * 1024 * 1024).await;
    let dir = tempfile::tempdir().unwrap();
    let c = check(
        &format!(
            "  - id: pg\n    timeout: 3s\n    postgres: {{ url: \"postgres://app@127.0.0.1:{port}/app?sslmode=disable\" }}\n"
        ),
        dir.path(),
    );
    let e = run(&c).await.expect_err("a hostile server is no database");
    assert_eq!(e.class, FailureClass::Protocol, "{e:?}");
    assert!(e.message.contains("over the 16 MiB limit"), "{}", e.message);
}
