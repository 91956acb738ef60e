//! The `parity` kind on real trees: identical, allowed and failing differences of each
//! kind, a directory against a tarball, the cap on files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test set-up panics

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use shipcheck_plan::load_str;

use crate::{KINDS, evaluate};
use crate::kinds::test_util::{check_in as check, run};



fn tree(root: &Path) {
    for (rel, text) in [("app.py", "print(1)\n"), ("data/app.db", "db"), ("static/site.css", "body{}"), ("logs/app.log", "start\n")] {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

#[tokio::test]
async fn identical_trees_pass_and_a_tarball_of_the_same_tree_is_identical() {
    let dir = tempfile::tempdir().unwrap();
    tree(&dir.path().join("a"));
    tree(&dir.path().join("b"));
    let c = check(dir.path(), "    parity: { local: a, deployed: b }\n");
    let o = run(&c).await.unwrap();
    let r = evaluate(&c.expect, o.facts.as_ref());
    assert!(r[0].passed, "{r:?}");
    assert!(r[0].actual.starts_with("identical in 4 paths"), "{r:?}");
    let tgz = dir.path().join("b.tar.gz");
    let gz = flate2::write::GzEncoder::new(std::fs::File::create(&tgz).unwrap(), flate2::Compression::fast());
    let mut t = tar::Builder::new(gz);
    t.append_dir_all(".", dir.path().join("b")).unwrap();
    t.into_inner().unwrap().finish().unwrap();
    let c = check(dir.path(), "    parity: { local: a, deployed: b.tar.gz }\n");
    let o = run(&c).await.unwrap();
    let r = evaluate(&c.expect, o.facts.as_ref());
    assert!(r[0].passed, "{r:?}");
}

#[tokio::test]
async fn differences_are_listed_by_kind_and_only_unallowed_ones_fail() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    tree(&a);
    tree(&b);
    std::fs::write(b.join("data/app.db"), "production data").unwrap(); // allowed
    std::fs::write(b.join("logs/app.log"), "more\n").unwrap(); // allowed
    std::fs::write(b.join(".env"), "SECRET=x\n").unwrap(); // allowed, added
    std::fs::write(b.join("app.py"), "print(2)\n").unwrap(); // changed
    std::fs::remove_file(b.join("static/site.css")).unwrap(); // removed
    std::fs::write(b.join("debug.py"), "import pdb\n").unwrap(); // added
    std::fs::set_permissions(b.join("data/app.db"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let c = check(dir.path(), "    parity: { local: a, deployed: b, allow: [\"*.db\", \"logs/**\", .env] }\n");
    let o = run(&c).await.unwrap();
    let r = evaluate(&c.expect, o.facts.as_ref());
    assert!(!r[0].passed);
    let short = |t: &str| shipcheck_archive::sha256_hex(t.as_bytes())[..12].to_owned();
    let expected = format!(
        "3 differences: changed app.py (sha256 {} → {}); added debug.py; removed static/site.css",
        short("print(1)\n"),
        short("print(2)\n")
    );
    assert_eq!(r[0].actual, expected, "{r:?}");
    let ev = &o.evidence[0].text;
    assert!(ev.contains("added .env [allowed]") && ev.contains("mode data/app.db (0644 → 0600) [allowed]"), "{ev}");
    assert!(o.measurements.iter().any(|m| m.name == "differences" && m.value == 3.0));
}

#[tokio::test]
async fn the_file_cap_is_an_error_not_a_silent_cut() {
    let dir = tempfile::tempdir().unwrap();
    tree(&dir.path().join("a"));
    tree(&dir.path().join("b"));
    let c = check(dir.path(), "    parity: { local: a, deployed: b, max_files: 2 }\n");
    let e = run(&c).await.unwrap_err();
    assert!(e.message.contains("more than 2 entries"), "{e}");
}

#[test]
fn plan_mistakes_are_plan_errors() {
    let load = |yaml: &str| {
        let src = format!("name: t\nchecks:\n  - id: c\n{yaml}");
        load_str(&src, Path::new("plan.yaml"), &|_| None, KINDS).unwrap_err().to_string()
    };
    assert!(load("    parity: { local: a }\n").contains("has no `deployed`"));
    assert!(load("    parity: { local: a, deployed: b, allow: [\"a[\"] }\n").contains("not a valid glob"));
}
