//! The nginx the CLI tests verify against: a private one on a loopback port, stopped on drop.

use shipcheck_test_support::Listen;
pub use shipcheck_test_support::Nginx;

/// The server block the tests use; `ROOT` is replaced with the document root.
const SERVER: &str = r#"
    default_type application/octet-stream;
    location = /health { default_type application/json; return 200 '{"status":"ok","checks":{"database":"ok"}}'; }
    location = /items { default_type application/json; return 200 '[{"id":1,"name":"a"},{"id":2,"name":"b"}]'; }
    location = /broken { default_type application/json; return 500 '{"detail":"internal error"}'; }
    location = /login { default_type application/json; return 200 '{"access_token":"tok-5f1e2d3c4b5a","token_type":"bearer"}'; }
    location = /protected {
        default_type application/json;
        if ($http_authorization != "Bearer tok-5f1e2d3c4b5a") { return 401 '{"detail":"unauthorized"}'; }
        return 200 '{"user":"admin"}';
    }
    location = /echo {
        default_type application/json;
        return 200 '{"header":"$http_x_secret","query":"$args","b64":"$http_x_b64","auth":"$http_authorization"}';
    }
    location /api/ {
        if ($request_method = OPTIONS) {
            add_header Access-Control-Allow-Origin $http_origin;
            add_header Access-Control-Allow-Methods "GET, POST, OPTIONS";
            add_header Access-Control-Allow-Headers "authorization, content-type";
            add_header Access-Control-Max-Age 600;
            return 204;
        }
        default_type application/json;
        return 200 '{"ok":true}';
    }
    location = /slow.json { root ROOT; limit_rate_after 0; limit_rate 4k; }
"#;

/// Starts nginx serving [`SERVER`], or returns `None` (after `skip_or_fail`) when it is not
/// installed.
pub fn start() -> Option<Nginx> {
    // nginx lets the first second's worth (4 KiB) through at once, then the rest at 4 KiB/s:
    // ~6 KB takes about half a second, a real slow response.
    let builder = Nginx::builder().file(
        "html/slow.json",
        format!("{{\"pad\":\"{}\"}}", "x".repeat(6000)),
    );
    let root = builder.dir().join("html").display().to_string();
    builder
        .server(Listen::Http, SERVER.replace("ROOT", &root))
        .start()
}
