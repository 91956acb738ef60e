//! Issue 18.8a/c and 18.9: hostile plans and files cannot take unbounded memory or block:
//! alias expansion is bounded in bytes, the plan file is read only up to its limit and
//! only if it is a regular file, and an expected-schema file that is a FIFO is refused.
#![allow(clippy::unwrap_used)] // test set-up panics

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use shipcheck_plan::{load_file, load_str};

/// Runs `f` on a thread; fails the test (instead of hanging it) if it blocks.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    within_secs(10, what, f)
}

fn within_secs<T: Send + 'static>(
    secs: u64,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|_| panic!("{what} took over {secs} s"))
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn an_anchor_aliased_many_times_is_bounded_by_its_expanded_size() {
    // 1 MiB of text aliased 40 times: 41 nodes, far inside the node limit, 41 MiB of text.
    let aliases: String = (0..40).map(|i| format!("  v{i}: *big\n")).collect();
    let src = format!(
        "name: p\nenvironment: {{ big: &big \"{}\" }}\nvars:\n{aliases}checks:\n  - {{ id: a, tcp: \"127.0.0.1:1\" }}\n",
        "x".repeat(1 << 20)
    );
    let Err(e) = load_str(
        &src,
        Path::new("plan.yaml"),
        &|_| None,
        shipcheck_probe::KINDS,
    ) else {
        panic!("a plan expanding to 41 MiB of text loaded");
    };
    let out = e.to_string();
    assert!(
        out.contains("the plan expands to more than 16 MiB of text"),
        "{}",
        &out[..out.len().min(400)]
    );
}

#[test]
fn the_plan_file_must_be_a_regular_file_read_up_to_its_limit() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("plan.yaml");
    mkfifo(&fifo);
    let out = within("loading a FIFO plan", move || {
        load_file(&fifo, &|_| None, shipcheck_probe::KINDS)
            .unwrap_err()
            .to_string()
    });
    assert!(out.contains("not a regular file (a FIFO)"), "{out}");
    let out = within("loading /dev/zero", || {
        load_file(Path::new("/dev/zero"), &|_| None, shipcheck_probe::KINDS)
            .unwrap_err()
            .to_string()
    });
    assert!(out.contains("not a regular file (a device)"), "{out}");
    let big = dir.path().join("big.yaml");
    std::fs::write(&big, vec![b'#'; 5 * 1024 * 1024]).unwrap();
    let out = load_file(&big, &|_| None, shipcheck_probe::KINDS)
        .unwrap_err()
        .to_string();
    assert!(out.contains("larger than 4 MiB"), "{out}");
}

#[test]
fn an_expected_schema_fifo_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let fifo: PathBuf = dir.path().join("schema.yaml");
    mkfifo(&fifo);
    let plan = dir.path().join("plan.yaml");
    let out = within("loading a plan whose schema is a FIFO", move || {
        let src = "name: t\nchecks:\n  - id: s\n    sqlite: app.db\n    expect: { schema: schema.yaml }\n";
        load_str(src, &plan, &|_| None, shipcheck_probe::KINDS)
            .unwrap_err()
            .to_string()
    });
    assert!(out.contains("schema.yaml"), "{out}");
    assert!(out.contains("not a regular file (a FIFO)"), "{out}");
}

#[test]
fn a_wide_mapping_is_checked_for_duplicate_keys_in_linear_time() {
    // 200,000 keys (2.5 MB, inside the 4 MiB limit) and one duplicate at the end.
    let keys: String = (0..200_000).map(|i| format!("  k{i}: v\n")).collect();
    let src = format!(
        "name: p\nenvironment:\n{keys}  k7: again\nchecks:\n  - {{ id: a, tcp: \"127.0.0.1:1\" }}\n"
    );
    // About 1.5 s in a debug build; the quadratic scan took minutes.
    let out = within_secs(60, "checking 200,000 keys", move || {
        match load_str(
            &src,
            Path::new("plan.yaml"),
            &|_| None,
            shipcheck_probe::KINDS,
        ) {
            Ok(_) => String::from("loaded"),
            Err(e) => e.to_string(),
        }
    });
    assert!(out.contains("duplicate key `k7`"), "{out}");
    assert!(out.contains("first defined on line 10"), "{out}");
}
