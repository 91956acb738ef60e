//! The driver in a real headless Chromium, on `data:` pages (no server needed): a console
//! error and an uncaught exception are named, a blocked host is listed, the screenshot is a
//! PNG of the viewport's size, and no process of the browser outlives it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::path::Path;
use std::time::Duration;

use shipcheck_browser::{Chromium, Error, LaunchConfig, Step, Visit, find_chromium};
use shipcheck_test_support::skip_or_fail;

fn config() -> Option<LaunchConfig> {
    match find_chromium(None, std::env::var_os("SHIPCHECK_CHROMIUM")) {
        Ok(program) => Some(LaunchConfig {
            program,
            viewport: (1280, 800),
            start_timeout: Duration::from_secs(30),
        }),
        Err(_) => {
            skip_or_fail("chromium");
            None
        }
    }
}

fn visit(url: &str) -> Visit {
    Visit {
        url: url.into(),
        hosts: vec!["127.0.0.1".into()],
        wait_for: None,
        steps: Vec::new(),
        inspect: Vec::new(),
        step_timeout: Duration::from_secs(10),
        screenshot_cap: 2 << 20,
    }
}

/// Width and height from a PNG's IHDR chunk (after the 8-byte signature and the chunk's
/// length and type).
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// [`leftovers`] once SIGKILL has been delivered: polls for at most 5 seconds (a killed
/// process takes a moment to die on a loaded machine).
fn leftovers_after_kill(pgid: u32, profile: &Path) -> Vec<u32> {
    let until = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left = leftovers(pgid, profile);
        if left.is_empty() || std::time::Instant::now() >= until {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Pids of live processes in process group `pgid` or whose command line names `profile`.
fn leftovers(pgid: u32, profile: &Path) -> Vec<u32> {
    let profile = profile.to_string_lossy().into_owned();
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // Fields after the `(comm)`: state, ppid, pgrp.
        let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
        let fields: Vec<&str> = after.split_whitespace().collect();
        let zombie = fields.first() == Some(&"Z");
        let in_group = fields.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid);
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let names = String::from_utf8_lossy(&cmdline).contains(&profile);
        if !zombie && (in_group || names) {
            out.push(pid);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_with_errors_is_reported_and_the_browser_leaves_nothing_behind() {
    let Some(cfg) = config() else { return };
    let chromium = Chromium::launch(&cfg).await.unwrap();
    let (pid, profile) = (chromium.pid(), chromium.profile_dir().to_path_buf());
    assert!(
        !leftovers(pid, &profile).is_empty(),
        "the browser is not running"
    );

    let page = "data:text/html,<title>Broken</title><h1 id=h>Hello there</h1>\
        <img src='http://blocked.invalid/x.png'>\
        <script>console.error('boom', 42); setTimeout(() => { throw new Error('late') }, 0)</script>";
    let mut v = visit(page);
    v.wait_for = Some("#h".into());
    v.inspect = vec!["#h".into(), "#nope".into()];
    let r = chromium.visit(&v).await.unwrap();
    assert_eq!(r.problem, None);
    assert_eq!(r.title, "Broken");
    assert!(
        r.console_errors
            .iter()
            .any(|e| e == "console.error: boom 42"),
        "{:?}",
        r.console_errors
    );
    assert!(
        r.console_errors
            .iter()
            .any(|e| e.contains("uncaught Error: late")),
        "{:?}",
        r.console_errors
    );
    assert!(
        r.failed_requests
            .iter()
            .any(|f| f.url == "http://blocked.invalid/x.png"
                && f.error.as_deref().is_some_and(|e| e.contains("blocked"))),
        "{:?}",
        r.failed_requests
    );
    assert_eq!(r.found[0].text.as_deref(), Some("Hello there"));
    assert_eq!(r.found[1].text, None);
    let timing = r.timing.unwrap();
    assert!(timing.load_ms >= timing.dom_content_loaded_ms && timing.dom_content_loaded_ms > 0.0);
    assert_eq!(png_size(r.screenshot.as_deref().unwrap()), (1280, 800));

    // A step that cannot succeed stops the flow, bounded by the step timeout.
    let mut v = visit("data:text/html,<title>t</title><p>nothing</p>");
    v.step_timeout = Duration::from_millis(800);
    v.steps = vec![Step::Click {
        selector: "#missing".into(),
    }];
    let r = chromium.visit(&v).await.unwrap();
    let problem = r.problem.unwrap();
    assert!(
        problem.contains("step 1 (click `#missing`) failed"),
        "{problem}"
    );

    drop(chromium);
    assert_eq!(
        leftovers_after_kill(pid, &profile),
        Vec::<u32>::new(),
        "Chromium processes left behind"
    );
    assert!(!profile.exists(), "the profile was not removed");
}

#[tokio::test]
async fn a_cancelled_visit_kills_the_browser() {
    let Some(cfg) = config() else { return };
    let chromium = Chromium::launch(&cfg).await.unwrap();
    let (pid, profile) = (chromium.pid(), chromium.profile_dir().to_path_buf());
    let mut v = visit("data:text/html,<p>waiting</p>");
    v.wait_for = Some("#never".into());
    // The run's cancellation drops the future that holds the browser.
    let held = async move { chromium.visit(&v).await };
    assert!(
        tokio::time::timeout(Duration::from_millis(1500), held)
            .await
            .is_err()
    );
    assert_eq!(
        leftovers_after_kill(pid, &profile),
        Vec::<u32>::new(),
        "Chromium processes left behind"
    );
}

#[test]
fn a_missing_chromium_names_the_package() {
    let err = find_chromium(Some(Path::new("/nonexistent/chromium")), None).unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("apt-get install chromium") && msg.contains("/nonexistent/chromium"),
        "{msg}"
    );
}
