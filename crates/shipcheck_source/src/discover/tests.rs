#![allow(clippy::unwrap_used, reason = "test code")]

use super::*;

#[test]
fn walks_dotfiles_and_honours_gitignore_outside_git() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join(".env.example"), "A=1\n").unwrap();
    std::fs::write(d.join(".gitignore"), "ignored.yaml\n").unwrap();
    std::fs::write(d.join("ignored.yaml"), "a: 1\n").unwrap();
    std::fs::create_dir(d.join("k8s")).unwrap();
    std::fs::write(d.join("k8s/app.yaml"), "a: 1\n").unwrap();
    let found = discover(&[d.to_owned()]).unwrap();
    let names: Vec<_> = found
        .iter()
        .map(|f| {
            f.path
                .strip_prefix(d)
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, [".env.example", ".gitignore", "k8s/app.yaml"]);
    assert!(matches!(
        discover(&[d.join("nope")]),
        Err(SourceError::NotFound { .. })
    ));
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Runs `f` on a thread and fails (instead of hanging) when it takes over 10 s.
fn within_10s<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("blocked for over 10 s")
}

/// Issue 18.9: a FIFO named as a lint path is refused at once, naming the path.
#[test]
fn issue18_9_named_fifo_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("deploy.yaml");
    mkfifo(&fifo);
    let p = fifo.clone();
    let err = within_10s(move || read_text(&p)).unwrap_err();
    assert!(matches!(err, SourceError::NotRegular { .. }), "{err:?}");
    assert!(err.to_string().contains("deploy.yaml"), "{err}");
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let p = fifo.clone();
    let err = within_10s(move || collect(&[p], &WalkLimits::default())).unwrap_err();
    assert!(matches!(err, SourceError::NotRegular { .. }), "{err:?}");
}

/// Issue 18.9 / 18.13: a FIFO, a dangling link and an unreadable file met during a walk
/// are reported as skipped, and the readable files are still read.
#[test]
fn issue18_13_walk_reports_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_owned();
    std::fs::write(d.join("ok.yaml"), "apiVersion: v1\nkind: List\n").unwrap();
    mkfifo(&d.join("pipe.yaml"));
    std::os::unix::fs::symlink(d.join("gone.yaml"), d.join("dangling.yaml")).unwrap();
    std::os::unix::fs::symlink(d.join("ok.yaml"), d.join("link.yaml")).unwrap();
    let locked = d.join("locked.yaml");
    std::fs::write(&locked, "apiVersion: v1\nkind: List\n").unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // As root, mode 000 is still readable: then only the other cases are asserted.
    let locked_unreadable = std::fs::File::open(&locked).is_err();
    let root = d.clone();
    let c = within_10s(move || collect(&[root], &WalkLimits::default())).unwrap();
    let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
    let read: Vec<String> = c.files.iter().map(|f| name(&f.path)).collect();
    let skipped: Vec<String> = c.skipped.iter().map(|s| name(&s.path)).collect();
    assert!(read.contains(&"ok.yaml".into()), "{read:?}");
    assert!(read.contains(&"link.yaml".into()), "{read:?}");
    assert!(skipped.contains(&"pipe.yaml".into()), "{skipped:?}");
    assert!(skipped.contains(&"dangling.yaml".into()), "{skipped:?}");
    assert_eq!(skipped.contains(&"locked.yaml".into()), locked_unreadable);
    assert!(c.skipped.iter().all(|s| !s.reason.is_empty()));
}

/// Issue 18.9: walks are bounded in files and bytes, and say so when a bound is hit.
#[test]
fn issue18_9_walk_bounds_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..5 {
        std::fs::write(dir.path().join(format!("{i}.env")), "A=1\n").unwrap();
    }
    let roots = [dir.path().to_owned()];
    let few_files = WalkLimits {
        max_files: 3,
        max_bytes: 1 << 20,
    };
    let c = collect(&roots, &few_files).unwrap();
    assert_eq!(c.files.len(), 3);
    assert_eq!(c.skipped.len(), 1);
    assert!(c.skipped[0].reason.contains("walk stopped after 3 files"));
    let few_bytes = WalkLimits {
        max_files: 100,
        max_bytes: 8,
    };
    let c = collect(&roots, &few_bytes).unwrap();
    assert_eq!(c.files.len(), 2);
    assert!(c.skipped[0].reason.contains("walk stopped after 8 bytes"));
}

/// Issue 18.8d: stdin (any reader) is read up to the cap plus one byte, then refused.
#[test]
fn issue18_8d_capped_reader_stops_at_the_cap() {
    let endless = std::io::repeat(b'a');
    let err = within_10s(move || read_capped(endless, Path::new("<stdin>"))).unwrap_err();
    assert!(matches!(err, SourceError::TooLarge { .. }), "{err:?}");
    assert_eq!(err.to_string(), "<stdin>: larger than 8388608 bytes");
    let exact = std::io::repeat(b'a').take(MAX_FILE_BYTES);
    assert_eq!(
        read_capped(exact, Path::new("<stdin>")).unwrap().len() as u64,
        MAX_FILE_BYTES
    );
}

/// Walked files with unrecognised names are read in full only when they start like a
/// Dockerfile.
#[test]
fn walk_reads_unnamed_files_only_when_they_look_like_dockerfiles() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("build"), "FROM alpine:3.19\nUSER app\n").unwrap();
    std::fs::write(dir.path().join("app.py"), "from os import path\n").unwrap();
    std::fs::write(dir.path().join("blob.bin"), vec![0u8; 100_000]).unwrap();
    let c = collect(&[dir.path().to_owned()], &WalkLimits::default()).unwrap();
    let read: Vec<_> = c
        .files
        .iter()
        .map(|f| f.path.file_name().unwrap())
        .collect();
    assert_eq!(read, ["build"]);
    assert!(c.skipped.is_empty());
}
