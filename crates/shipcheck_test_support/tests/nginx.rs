//! The nginx launcher: every server block answers on its own port, and dropping it leaves
//! no process behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::time::Duration;

use shipcheck_test_support::{Listen, Nginx, listening};

fn get(port: u16, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut out = String::new();
    s.take(64 * 1024).read_to_string(&mut out).unwrap();
    out
}

#[test]
fn two_plain_blocks_answer_and_stop_on_drop() {
    let Some(nginx) = Nginx::builder()
        .file("html/a.txt", "from a file")
        .server(
            Listen::Http,
            "location = /x { return 200 'one'; } location = /a.txt { root html; }",
        )
        .server(Listen::Http, "location = /x { return 200 'two'; }")
        .start()
    else {
        return;
    };
    let [a, b] = nginx.ports[..] else {
        panic!("{:?}", nginx.ports)
    };
    assert_ne!(a, b);
    assert!(get(a, "/x").ends_with("one"));
    assert!(get(b, "/x").ends_with("two"));
    assert!(get(a, "/a.txt").ends_with("from a file"));
    assert_eq!(nginx.url_of(1), format!("http://127.0.0.1:{b}"));
    let pid = nginx.pid();
    drop(nginx);
    assert!(!std::path::Path::new(&format!("/proc/{pid}")).exists());
    assert!(!listening(a) && !listening(b));
}
