//! The `package` kind on real packages the tests build: directories and zips with a
//! checksum file, build info, vendored metadata, a SQLite database; broken ones too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::io::Write as _;
use std::path::Path;

use shipcheck_plan::load_str;
use shipcheck_report::AssertionResult;

use crate::KINDS;
use crate::kinds::test_util::{check_in as check, results, run};




fn failed(r: &[AssertionResult]) -> Vec<String> {
    r.iter().filter(|a| !a.passed).map(|a| format!("{}: {}", a.subject, a.actual)).collect()
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn dist_info(root: &Path, name: &str, version: &str) {
    write(
        root,
        &format!("vendor/{name}-{version}.dist-info/METADATA"),
        &format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nlong description\n"),
    );
}

/// A package as FIELD system 4 builds it.
fn package(root: &Path) {
    write(root, "passenger_wsgi.py", "from app import application\n");
    write(
        root,
        "build_info.json",
        r#"{"timestamp": "2026-01-31T12:00:00Z", "commit": "0123abcd", "build_type": "release", "runtime_version": "3.12.3"}"#,
    );
    write(root, "requirements.txt", "# pinned\nFlask==3.0.3\nrequests==2.32.3  # http\n");
    dist_info(root, "flask", "3.0.3");
    dist_info(root, "requests", "2.32.3");
    write(root, "vendor/flask/__init__.py", "VERSION = '3.0.3'\n");
    std::fs::create_dir_all(root.join("data")).unwrap();
    let db = rusqlite::Connection::open(root.join("data/app.db")).unwrap();
    db.execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL); INSERT INTO users (username) VALUES ('admin');")
        .unwrap();
}

fn zip_dir(root: &Path, out: &Path) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for e in shipcheck_archive::open(root, shipcheck_archive::Limits::default()).unwrap().entries().unwrap() {
        if e.kind == shipcheck_archive::EntryKind::File {
            w.start_file(e.path.as_str(), opts).unwrap();
            w.write_all(&e.data).unwrap();
        }
    }
    w.finish().unwrap();
}

const PLAN: &str = "    package: { path: dist/deploy.zip, checksum: dist/deploy.zip.sha256, requirements: requirements.txt, vendor: vendor, sqlite: data/app.db }
    expect:
      build_info: { timestamp: timestamp, commit: commit, build_type: string, runtime_version: string }
      json: { \"$.build_type\": release }
      vendored: { dev: [pytest, black] }
      files: [passenger_wsgi.py]
      sqlite: { tables: [users], integrity_check: ok, rows: { table: users, where: \"username = 'admin'\", at_least: 1 } }
";

fn build(dir: &Path) {
    let tree = dir.join("pkg");
    package(&tree);
    std::fs::create_dir_all(dir.join("dist")).unwrap();
    zip_dir(&tree, &dir.join("dist/deploy.zip"));
    let sum = shipcheck_archive::sha256_file(&dir.join("dist/deploy.zip"), 1 << 30).unwrap();
    std::fs::write(dir.join("dist/deploy.zip.sha256"), format!("{sum}  deploy.zip\n")).unwrap();
}

#[tokio::test]
async fn a_good_package_passes_every_expectation_as_zip_and_as_directory() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path());
    let c = check(dir.path(), PLAN);
    let o = run(&c).await.unwrap();
    let r = results(&c, &o);
    assert!(failed(&r).is_empty(), "{:?}\n{}", failed(&r), o.evidence[0].text);
    let subjects: Vec<&str> = r.iter().map(|a| a.subject.as_str()).collect();
    for s in ["checksum", "vendored packages", "secrets inside", "build_info", "required files", "sqlite table users"] {
        assert!(subjects.contains(&s), "{s} in {subjects:?}");
    }
    // The same tree as a directory (no checksum file there).
    let c = check(dir.path(), &PLAN.replace("dist/deploy.zip, checksum: dist/deploy.zip.sha256", "pkg"));
    let o = run(&c).await.unwrap();
    assert!(failed(&results(&c, &o)).is_empty(), "{:?}", failed(&results(&c, &o)));
}

#[tokio::test]
async fn a_broken_package_names_each_defect() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("pkg");
    package(&tree);
    // build_info without its commit; one version off, one missing, one extra, a dev package.
    write(&tree, "build_info.json", r#"{"timestamp": "yesterday", "build_type": "release", "runtime_version": "3.12.3"}"#);
    std::fs::remove_dir_all(tree.join("vendor/flask-3.0.3.dist-info")).unwrap();
    dist_info(&tree, "Flask", "3.0.2");
    std::fs::remove_dir_all(tree.join("vendor/requests-2.32.3.dist-info")).unwrap();
    dist_info(&tree, "six", "1.16.0");
    dist_info(&tree, "pytest", "8.3.2");
    write(&tree, "requirements.txt", "Flask==3.0.3\nrequests==2.32.3\nsix==1.16.0\n");
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    zip_dir(&tree, &dir.path().join("dist/deploy.zip"));
    std::fs::write(dir.path().join("dist/deploy.zip.sha256"), format!("{}  deploy.zip\n", "ab".repeat(32))).unwrap();
    let c = check(dir.path(), PLAN);
    let o = run(&c).await.unwrap();
    let bad = failed(&results(&c, &o)).join("\n");
    assert!(bad.contains("checksum: mismatch: deploy.zip has sha256"), "{bad}");
    assert!(bad.contains("missing field `commit`") && bad.contains("`timestamp` is \"yesterday\", not a timestamp"), "{bad}");
    assert!(bad.contains("wrong version: Flask 3.0.2 vendored, 3.0.3 pinned"), "{bad}");
    assert!(bad.contains("missing: requests==2.32.3"), "{bad}");
    assert!(bad.contains("extra: pytest 8.3.2") && bad.contains("dev-only: pytest 8.3.2 is vendored"), "{bad}");
    assert!(!bad.contains("six"), "six is pinned and vendored: {bad}");
}

#[tokio::test]
async fn secrets_inside_are_found_and_masked_and_a_missing_entry_point_named() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("pkg");
    package(&tree);
    let token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
    write(&tree, "app/settings.py", &format!("GITHUB_TOKEN = '{token}'\n"));
    std::fs::remove_file(tree.join("passenger_wsgi.py")).unwrap();
    let c = check(dir.path(), "    package: pkg\n    expect: { files: [passenger_wsgi.py] }\n");
    let o = run(&c).await.unwrap();
    let bad = failed(&results(&c, &o)).join("\n");
    assert!(bad.contains("secrets inside: app/settings.py:1:17 secrets/known-token-format"), "{bad}");
    assert!(bad.contains("required files: missing: passenger_wsgi.py"), "{bad}");
    assert!(!bad.contains(token) && !o.evidence[0].text.contains(token), "{bad}");
}

#[tokio::test]
async fn an_escaping_archive_is_an_error_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let z = dir.path().join("evil.zip");
    let mut w = zip::ZipWriter::new(std::fs::File::create(&z).unwrap());
    w.start_file("../../outside.py", zip::write::SimpleFileOptions::default()).unwrap();
    w.write_all(b"x").unwrap();
    w.finish().unwrap();
    let c = check(dir.path(), "    package: evil.zip\n");
    let e = run(&c).await.unwrap_err();
    assert!(e.message.contains("unsafe entry `../../outside.py`"), "{e}");
    let c = check(dir.path(), "    package: missing.zip\n");
    assert_eq!(run(&c).await.unwrap_err().class, shipcheck_report::FailureClass::Connect);
}

#[test]
fn plan_mistakes_are_plan_errors() {
    let load = |yaml: &str| {
        let src = format!("name: t\nchecks:\n  - id: c\n{yaml}");
        load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS).unwrap_err().to_string()
    };
    assert!(load("    package: { checksum: x }\n").contains("has no `path`"));
    assert!(load("    package: { path: p, sqlite: ../x.db }\n").contains("path inside the package"));
    assert!(load("    package: p\n    expect: { build_info: { commit: sha } }\n").contains("not a build_info field type"));
    assert!(load("    package: p\n    expect: { sqlite: { tabels: [x] } }\n").contains("tabels"));
}
