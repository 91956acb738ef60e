//! The `browser` kind in a real headless Chromium against pages nginx serves on loopback:
//! a console error and a missing asset fail naming them, a login flow passes with its
//! password redacted, the screenshot is a PNG of the viewport's size, and a missing
//! Chromium is an error naming the package.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use shipcheck_plan::kind::Observed;
use shipcheck_plan::Check;
use shipcheck_report::{AssertionResult, FailureClass, Redactor};
use shipcheck_test_support::{Listen, Nginx, skip_or_fail};

use crate::kinds::test_util::check;

const LOGIN: &str = r#"<!doctype html><html><head><title>Demo shop</title>
<script src="/app.js"></script></head><body>
<form id="login"><input id="user"><input id="password" type="password"><button type="submit">Log in</button></form>
<div id="out"></div></body></html>"#;

const APP: &str = r#"document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('login').addEventListener('submit', (e) => {
    e.preventDefault();
    const u = document.getElementById('user').value, p = document.getElementById('password').value;
    const out = document.getElementById('out');
    if (p === 's3cret-Pa55') { out.innerHTML = '<section id="dashboard"><h2>Welcome ' + u + ', key ' + p + '</h2></section>'; document.title = 'Dashboard'; }
    else { out.textContent = 'wrong password'; }
  });
});"#;

fn chromium_present() -> bool {
    let found = shipcheck_browser::find_chromium(None, std::env::var_os(super::run::CHROMIUM_ENV)).is_ok();
    if !found {
        skip_or_fail("chromium");
    }
    found
}

fn site() -> Option<Nginx> {
    let b = Nginx::builder();
    let root = b.dir().join("site");
    b.file("site/index.html", LOGIN)
        .file("site/app.js", APP)
        .file(
            "site/broken.html",
            "<!doctype html><title>Broken</title><link rel=stylesheet href=/missing.css><p>hi</p>",
        )
        .file("site/external.html", "<!doctype html><title>Ext</title><img src=\"http://127.0.0.1:1/x.png\">")
        .file(
            "site/throws.html",
            "<!doctype html><title>Throws</title><script>console.error('config.apiBase is undefined')</script>",
        )
        .server(
            Listen::Http,
            format!(
                "types {{ text/html html; application/javascript js; text/css css; }}\n\
                 root {};",
                root.display()
            ),
        )
        .start()
}

async fn run(c: &Check) -> (Observed, Vec<AssertionResult>) {
    let o = crate::kinds::test_util::run(c).await.unwrap();
    let r = crate::kinds::test_util::results(c, &o);
    (o, r)
}

fn failed<'a>(r: &'a [AssertionResult], subject: &str) -> &'a AssertionResult {
    r.iter().find(|a| a.subject == subject).unwrap_or_else(|| panic!("no {subject} in {r:?}"))
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_in_real_chromium() {
    if !chromium_present() {
        return;
    }
    let Some(nginx) = site() else { return };
    let base = nginx.url();

    // A console error fails the implied `console_errors: 0`, naming it.
    let c = check(&format!("    browser: \"{base}/throws.html\"\n"));
    let (_, r) = run(&c).await;
    let a = failed(&r, "console errors");
    assert!(!a.passed && a.actual.contains("config.apiBase is undefined"), "{a:?}");
    assert!(failed(&r, "failed requests").passed, "{r:?}");

    // A missing stylesheet fails `failed_requests: 0`, with its URL and status.
    let c = check(&format!("    browser: \"{base}/broken.html\"\n"));
    let (o, r) = run(&c).await;
    let a = failed(&r, "failed requests");
    assert!(!a.passed && a.actual.contains(&format!("{base}/missing.css → 404")), "{a:?}");
    assert!(o.evidence[0].text.contains("missing.css → 404"), "{}", o.evidence[0].text);

    // The login flow passes; the password is a secret, blanked before the screenshot.
    let c = check(&format!(
        "    browser:\n      url: \"{base}/\"\n      wait_for: \"#login\"\n      steps:\n        \
         - fill: {{ selector: \"#user\", text: alice, secret: false }}\n        \
         - fill: {{ selector: \"#password\", text: s3cret-Pa55 }}\n        \
         - click: \"#login button\"\n        - wait_for: \"#dashboard\"\n    \
         expect:\n      title: Dashboard\n      text: {{ \"#dashboard h2\": {{ contains: Welcome alice }}, \"#nope\": {{ exists: false }} }}\n      \
         load: {{ under: 5s }}\n"
    ));
    let (o, r) = run(&c).await;
    assert!(r.iter().all(|a| a.passed), "{r:?}");
    assert_eq!(o.sent_secrets, vec!["s3cret-Pa55".to_owned()]);
    let mut redactor = Redactor::new();
    for s in &o.sent_secrets {
        redactor.add_secret(s);
    }
    let shown = redactor.redact_str(&failed(&r, "text of #dashboard h2").actual);
    assert!(shown.contains("Welcome alice") && !shown.contains("s3cret-Pa55"), "{shown}");
    assert!(o.measurements.iter().any(|m| m.name == "dom_content_loaded"));
    let shot = &o.attachments[0];
    assert_eq!((shot.label.as_str(), shot.media_type.as_str()), ("screenshot", "image/png"));
    assert_eq!(png_size(&shot.data().unwrap()), (1280, 800));

    // The wrong password: the flow stops at the step that waited in vain.
    let c = check(&format!(
        "    browser:\n      url: \"{base}/\"\n      step_timeout: 1s\n      steps:\n        \
         - fill: {{ selector: \"#password\", text: wrong }}\n        - click: \"#login button\"\n        \
         - wait_for: \"#dashboard\"\n      viewport: 800x600\n"
    ));
    let (o, r) = run(&c).await;
    let a = failed(&r, "page flow");
    assert!(!a.passed && a.actual.contains("step 3 (wait for `#dashboard`) failed"), "{a:?}");
    assert_eq!(png_size(&o.attachments[0].data().unwrap()), (800, 600));

    // Only the page's host and port are reachable: another port is blocked and listed.
    let c = check(&format!("    browser: \"{base}/external.html\"\n"));
    let (_, r) = run(&c).await;
    let a = failed(&r, "failed requests");
    assert!(a.actual.contains("http://127.0.0.1:1/x.png → blocked"), "{a:?}");
}

#[tokio::test]
async fn a_missing_chromium_is_an_error_naming_the_package() {
    let c = check("    browser: { url: \"http://127.0.0.1:9/\", chromium: /nonexistent/chromium }\n");
    let err = crate::kinds::test_util::run(&c).await.unwrap_err();
    assert_eq!(err.class, FailureClass::Connect);
    assert!(err.message.contains("apt-get install chromium"), "{}", err.message);
}
