//! Reads a package once, on a plain thread bounded by the check's timeout: every entry
//! hashed, the checksum file verified, build info, pins, vendored metadata and the
//! embedded database read, text files scanned for secrets.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use shipcheck_archive::{EntryKind, Format, sha256_file};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::{ChecksumLine, PackageFacts};
use super::spec::PackageProbe;
use super::vendored::{metadata, npm_requirements, pip_requirements};
use crate::kinds::db_common::cap_text;
use crate::kinds::sqlite::SqliteProbe;

/// Largest text file scanned for secrets, largest checksum file, most secrets listed.
const MAX_SCAN_BYTES: usize = 1024 * 1024;
const MAX_CHECKSUM_FILE: u64 = 1024 * 1024;
const MAX_SECRETS: usize = 100;
/// Largest file hashed for a checksum line naming a file next to the checksum file.
const MAX_HASHED_FILE: u64 = 64 * 1024 * 1024 * 1024;

pub(super) async fn observe(p: &PackageProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let probe = p.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    // A plain thread, as the lint kind does: abandoned at the timeout, never joined.
    std::thread::Builder::new()
        .name("shipcheck-package".into())
        .spawn(move || {
            let _ = tx.send(read(&probe));
        })
        .map_err(|e| ProbeError::new(FailureClass::Protocol, format!("cannot start the package thread: {e}")))?;
    let (facts, summary) = match tokio::time::timeout(cx.timeout, rx).await {
        Err(_) => {
            return Err(ProbeError::new(
                FailureClass::Timeout,
                format!("reading {} did not finish within {}", p.path.display(), shipcheck_plan::format_duration(cx.timeout)),
            ));
        }
        Ok(Err(_)) => return Err(ProbeError::new(FailureClass::Protocol, "the package thread ended without a result")),
        Ok(Ok(r)) => r?,
    };
    let mut text = summary;
    let truncated = cap_text(&mut text, cx.evidence_cap);
    let count = |name: &str, n: usize| Measurement::new(name, n as f64, MeasureUnit::Count);
    let measurements = vec![
        count("entries", facts.paths.len()),
        count("vendored", facts.vendored.len()),
        count("secrets", facts.secrets.len()),
        Measurement::new("total", facts.duration_ms, MeasureUnit::Ms),
    ];
    let mut observed = Observed::new(facts);
    observed.measurements = measurements;
    observed.evidence.push(Evidence { label: "package".into(), text, truncated });
    Ok(observed)
}

fn read(p: &PackageProbe) -> Result<(PackageFacts, String), ProbeError> {
    let start = Instant::now();
    let shown = p.path.display().to_string();
    let tree = shipcheck_archive::open(&p.path, p.limits).map_err(|e| {
        let class = if matches!(&e, shipcheck_archive::Error::Io { .. }) { FailureClass::Connect } else { FailureClass::Protocol };
        ProbeError::new(class, e.with_causes())
    })?;
    let mut facts = PackageFacts::default();
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    let mut build_info: Option<Vec<u8>> = None;
    let mut requirements: Option<Vec<u8>> = None;
    let mut db_bytes: Option<Vec<u8>> = None;
    let vendor_prefix = if p.vendor.is_empty() { String::new() } else { format!("{}/", p.vendor) };
    tree.for_each(|e| {
        facts.paths.insert(e.path.clone());
        if e.kind != EntryKind::File {
            return Ok(());
        }
        hashes.insert(e.path.clone(), e.sha256.clone());
        if let Some(rel) = e.path.strip_prefix(&vendor_prefix)
            && let Some((key, found)) = metadata(rel, &e.data)
        {
            facts.vendored.entry(key).or_insert(found);
        }
        if e.data.len() <= MAX_SCAN_BYTES
            && !e.data.contains(&0)
            && let Ok(text) = std::str::from_utf8(&e.data)
        {
            facts.scanned += 1;
            for hit in shipcheck_lint::secrets_in_text(text) {
                if facts.secrets.len() < MAX_SECRETS {
                    facts.secrets.push(format!("{}:{}:{} {} {}", e.path, hit.line, hit.column, hit.rule, hit.message));
                }
            }
        }
        if e.path == p.build_info {
            build_info = Some(e.data);
        } else if Some(&e.path) == p.requirements.as_ref() {
            requirements = Some(e.data);
        } else if Some(&e.path) == p.sqlite.as_ref() {
            db_bytes = Some(e.data);
        }
        Ok(())
    })
    .map_err(|e| ProbeError::new(FailureClass::Protocol, e.with_causes()))?;

    facts.checksum = p.checksum.as_deref().map(|c| checksums(c, &hashes));
    facts.build_info = match build_info {
        None => Err(format!("no `{}` in the package", p.build_info)),
        Some(b) => serde_json::from_slice(&b).map_err(|e| format!("`{}` is not JSON: {e}", p.build_info)),
    };
    if let Some(req) = &p.requirements {
        facts.pinned = Some(match requirements {
            None => Err(format!("no `{req}` in the package")),
            Some(b) => {
                let text = String::from_utf8_lossy(&b);
                let (pins, problems) = if req.ends_with(".json") { npm_requirements(&text) } else { pip_requirements(&text) };
                facts.pin_problems = problems;
                Ok(pins)
            }
        });
    }
    if let Some(db) = &p.sqlite {
        facts.db = Some(database(p, &tree, db, db_bytes));
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let summary = summary(&shown, tree.format(), &facts);
    Ok((facts, summary))
}

/// Verifies each `HASH  NAME` line: NAME is an entry of the package, or a file next to
/// the checksum file (the archive itself).
fn checksums(file: &Path, hashes: &BTreeMap<String, String>) -> Result<Vec<ChecksumLine>, String> {
    let bytes = shipcheck_plan::read_regular_file(file, MAX_CHECKSUM_FILE)
        .map_err(|e| format!("cannot read the checksum file {}: {e}", file.display()))?;
    let text = String::from_utf8_lossy(&bytes);
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((hash, name)) = line.split_once(' ') else {
            return Err(format!("{}:{}: not `SHA256  NAME` (sha256sum format)", file.display(), i + 1));
        };
        let name = name.trim_start_matches(' ').trim_start_matches('*');
        if hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(format!("{}:{}: `{hash}` is not a SHA-256 in hex", file.display(), i + 1));
        }
        let clean = shipcheck_archive::clean_entry_name(name).unwrap_or_default();
        let actual = match hashes.get(&clean) {
            Some(h) => Ok(h.clone()),
            None => {
                let disk = dir.join(name);
                if disk.is_file() {
                    sha256_file(&disk, MAX_HASHED_FILE).map_err(|e| e.with_causes())
                } else {
                    Err("missing (neither in the package nor next to the checksum file)".into())
                }
            }
        };
        lines.push(ChecksumLine { name: name.to_owned(), expected: hash.to_ascii_lowercase(), actual });
    }
    if lines.is_empty() {
        return Err(format!("the checksum file {} lists nothing", file.display()));
    }
    Ok(lines)
}

/// The embedded database, read as the `sqlite` kind reads a file (a copy for archives).
fn database(
    p: &PackageProbe,
    tree: &shipcheck_archive::Tree,
    name: &str,
    bytes: Option<Vec<u8>>,
) -> Result<crate::kinds::db_common::facts::DbFacts, String> {
    let copy;
    let path = if tree.format() == Format::Dir {
        tree.path().join(name)
    } else {
        let data = bytes.ok_or_else(|| format!("no `{name}` in the package"))?;
        let mut f = tempfile::NamedTempFile::new().map_err(|e| format!("cannot copy `{name}` out of the archive: {e}"))?;
        std::io::Write::write_all(&mut f, &data).map_err(|e| format!("cannot copy `{name}` out of the archive: {e}"))?;
        copy = f;
        copy.path().to_path_buf()
    };
    let probe = SqliteProbe { path, query: None, fetch: p.fetch.clone() };
    crate::kinds::sqlite::run::read(&probe, None)
        .map_err(|e| e.message.replace(&probe.path.display().to_string(), name))
}

fn summary(shown: &str, format: Format, f: &PackageFacts) -> String {
    let kind = match format {
        Format::Dir => "directory",
        Format::Zip => "zip",
        Format::Tar { gzip: true } => "tar.gz",
        Format::Tar { gzip: false } => "tar",
    };
    let mut s = format!("{shown} ({kind}): {} entries, {} text files scanned\n", f.paths.len(), f.scanned);
    if let Some(c) = &f.checksum {
        match c {
            Ok(lines) => {
                for l in lines {
                    let actual = l.actual.as_deref().unwrap_or_else(|e| e);
                    let _ = writeln!(s, "checksum {}: expected {} actual {actual}", l.name, l.expected);
                }
            }
            Err(e) => {
                let _ = writeln!(s, "checksum: {e}");
            }
        }
    }
    match &f.build_info {
        Ok(v) => {
            let _ = writeln!(s, "build_info: {v}");
        }
        Err(e) => {
            let _ = writeln!(s, "build_info: {e}");
        }
    }
    if !f.vendored.is_empty() {
        let list: Vec<String> = f.vendored.values().map(|v| format!("{}=={}", v.name, v.version)).collect();
        let _ = writeln!(s, "vendored: {}", list.join(", "));
    }
    for sec in &f.secrets {
        let _ = writeln!(s, "secret: {sec}");
    }
    if let Some(Ok(db)) = &f.db {
        let tables: Vec<&str> = db.tables.keys().map(String::as_str).collect();
        let _ = writeln!(s, "sqlite tables: {}", tables.join(", "));
    }
    s
}
