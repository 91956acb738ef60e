//! Evidence bundles: written by `--bundle` on demo and lint; `bundle verify` passes an
//! untouched bundle and names every file changed, added or removed by tampering (the
//! tampered bundles are rebuilt with the system `tar`, as someone editing one would).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::runs::{demo, lint, scratch};
use crate::support::shipcheck;

fn verify(bundle: &Path) -> (Option<i32>, String) {
    let run = shipcheck(
        &["bundle", "verify", bundle.to_str().unwrap()],
        &[],
        Path::new("."),
    );
    (
        run.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        ),
    )
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

fn untar(bundle: &Path, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    let st = Command::new("tar")
        .arg("-xzf")
        .arg(bundle)
        .arg("-C")
        .arg(into)
        .status()
        .unwrap();
    assert!(st.success());
}

fn retar(dir: &Path, to: &Path) {
    let st = Command::new("tar")
        .arg("-czf")
        .arg(to)
        .arg("-C")
        .arg(dir)
        .args(files(dir))
        .status()
        .unwrap();
    assert!(st.success());
}

/// Extracts `bundle` into a fresh directory under `name`.
fn extracted(bundle: &Path, name: &str) -> PathBuf {
    let dir = scratch(name).join("x");
    untar(bundle, &dir);
    dir
}

#[test]
fn a_demo_bundle_holds_reports_evidence_and_a_manifest() {
    let run = demo("schema-drift");
    let (code, text) = verify(&run.bundle());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("intact"), "{text}");
    let dir = extracted(&run.bundle(), "bundle-contents");
    let names = files(&dir);
    for f in ["report.md", "report.json", "junit.xml", "MANIFEST.sha256"] {
        assert!(names.contains(&f.to_owned()), "{f} missing: {names:?}");
    }
    // The report files are the ones written to --output.
    assert_eq!(
        std::fs::read(dir.join("report.json")).unwrap(),
        std::fs::read(run.report()).unwrap()
    );
    // Evidence of the failing schema check, one file per transcript, redacted like the report.
    let evidence: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with("evidence/"))
        .collect();
    assert!(
        evidence.iter().any(|n| n.contains("-schema/")),
        "{evidence:?}"
    );
    let all: String = evidence
        .iter()
        .map(|n| std::fs::read_to_string(dir.join(n)).unwrap())
        .collect();
    // Each transcript is the report's own (already redacted) evidence, whole.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.report()).unwrap()).unwrap();
    let mut transcripts = 0;
    for check in report["checks"].as_array().unwrap() {
        for ev in check["evidence"].as_array().unwrap() {
            assert!(all.contains(ev["text"].as_str().unwrap()), "{ev}");
            transcripts += 1;
        }
    }
    assert_eq!(transcripts, evidence.len());
    // The manifest is in `sha256sum` format: the system tool agrees with it.
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "--quiet", "MANIFEST.sha256"])
        .current_dir(&dir)
        .output();
    if let Ok(out) = check {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn tampering_is_detected_file_by_file() {
    let run = demo("healthy");
    let base = extracted(&run.bundle(), "bundle-tamper");
    let work = base.parent().unwrap().to_path_buf();
    let evidence = files(&base)
        .into_iter()
        .find(|n| n.starts_with("evidence/"))
        .expect("the healthy run has evidence");

    // Repacking an untouched copy keeps it intact: only content counts.
    let same = work.join("same.tar.gz");
    retar(&base, &same);
    assert_eq!(verify(&same).0, Some(0));

    // One changed file.
    let changed = work.join("changed");
    untar(&run.bundle(), &changed);
    let md = changed.join("report.md");
    let edited = std::fs::read_to_string(&md)
        .unwrap()
        .replacen("ready", "READY", 1);
    std::fs::write(&md, edited).unwrap();
    let changed_tgz = work.join("changed.tar.gz");
    retar(&changed, &changed_tgz);
    let (code, text) = verify(&changed_tgz);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("changed: report.md"), "{text}");
    assert!(text.contains("1 changed, 0 added, 0 removed"), "{text}");

    // One added file.
    let added = work.join("added");
    untar(&run.bundle(), &added);
    std::fs::write(added.join("evidence/extra.txt"), "planted").unwrap();
    let added_tgz = work.join("added.tar.gz");
    retar(&added, &added_tgz);
    let (code, text) = verify(&added_tgz);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("added: evidence/extra.txt"), "{text}");
    assert!(text.contains("0 changed, 1 added, 0 removed"), "{text}");

    // One removed file.
    let removed = work.join("removed");
    untar(&run.bundle(), &removed);
    std::fs::remove_file(removed.join(&evidence)).unwrap();
    let removed_tgz = work.join("removed.tar.gz");
    retar(&removed, &removed_tgz);
    let (code, text) = verify(&removed_tgz);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains(&format!("removed: {evidence}")), "{text}");
    assert!(text.contains("0 changed, 0 added, 1 removed"), "{text}");

    // Garbage is not a bundle, and a bundle without its manifest proves nothing (exit 2).
    let junk = work.join("junk.tar.gz");
    std::fs::write(&junk, b"not gzip at all").unwrap();
    let (code, text) = verify(&junk);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("not a readable .tar.gz bundle"), "{text}");
    let no_manifest = work.join("no-manifest");
    untar(&run.bundle(), &no_manifest);
    std::fs::remove_file(no_manifest.join("MANIFEST.sha256")).unwrap();
    let no_manifest_tgz = work.join("no-manifest.tar.gz");
    retar(&no_manifest, &no_manifest_tgz);
    let (code, text) = verify(&no_manifest_tgz);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("has no MANIFEST.sha256"), "{text}");
}

#[test]
fn a_lint_bundle_verifies() {
    let run = lint();
    assert_eq!(run.code, Some(1), "the project has an error-level finding");
    let (code, text) = verify(&run.bundle());
    assert_eq!(code, Some(0), "{text}");
    let names = files(&extracted(&run.bundle(), "bundle-lint"));
    assert_eq!(
        names,
        [
            "MANIFEST.sha256",
            "junit.xml",
            "report.html",
            "report.json",
            "report.sarif"
        ]
    );
}
