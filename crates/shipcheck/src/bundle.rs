//! Evidence bundles: one `.tar.gz` with the report files, every check's redacted evidence
//! (one file per transcript) and `MANIFEST.sha256` (the `sha256sum` format, so
//! `sha256sum -c MANIFEST.sha256` works on an extracted bundle too); and their verification.
//!
//! Reading is bounded: at most [`MAX_ENTRIES`] entries and [`MAX_UNPACKED_BYTES`] of content.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use sha2::{Digest as _, Sha256};
use shipcheck_render::{Format, RenderConfig};
use shipcheck_report::Report;

/// The manifest's name inside a bundle.
pub(crate) const MANIFEST: &str = "MANIFEST.sha256";
/// The most entries read from a bundle.
const MAX_ENTRIES: usize = 100_000;
/// The most bytes of file content read from a bundle.
const MAX_UNPACKED_BYTES: u64 = 1024 * 1024 * 1024;
/// The most bytes of the compressed bundle read.
pub(crate) const MAX_BUNDLE_BYTES: u64 = 512 * 1024 * 1024;

/// Lower-case hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file name from free text: letters, digits, `.`, `_`, `-`; everything else `_`.
fn file_part(s: &str) -> String {
    let part: String = s
        .chars()
        .take(60)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    match part.trim_start_matches('.') {
        "" => "_".to_owned(),
        p => p.to_owned(),
    }
}

/// The files of a bundle, in archive order (manifest excluded).
fn contents(report: &Report, files: &[(&str, Format)]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let cfg = RenderConfig::default();
    let mut out = Vec::new();
    for (name, format) in files {
        let text = shipcheck_render::render_to_string(*format, report, &cfg)
            .with_context(|| format!("rendering {name} for the bundle"))?;
        out.push(((*name).to_owned(), text.into_bytes()));
    }
    for (i, check) in report.checks.iter().enumerate() {
        for (j, ev) in check.evidence.iter().enumerate() {
            let path = format!(
                "evidence/{:03}-{}/{:02}-{}.txt",
                i + 1,
                file_part(&check.id),
                j + 1,
                file_part(&ev.label)
            );
            let mut text = ev.text.clone();
            if ev.truncated {
                text.push_str("\n[truncated at the evidence cap]\n");
            }
            out.push((path, text.into_bytes()));
        }
    }
    Ok(out)
}

/// Writes the bundle of `report` (its `files` rendered, its evidence, the manifest) to
/// `path`, replacing it atomically.
pub(crate) fn write(path: &Path, report: &Report, files: &[(&str, Format)]) -> anyhow::Result<()> {
    let entries = contents(report, files)?;
    let manifest: String = entries
        .iter()
        .map(|(name, bytes)| format!("{}  {name}\n", sha256_hex(bytes)))
        .collect();
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for (name, bytes) in entries
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .chain([(MANIFEST, manifest.as_bytes())])
    {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, name, bytes)
            .with_context(|| format!("adding {name} to the bundle"))?;
    }
    let gz = tar.into_inner().context("finishing the bundle")?;
    let bytes = gz.finish().context("compressing the bundle")?;
    let (dir, name) = match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => (
            if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            },
            name.to_string_lossy(),
        ),
        _ => bail!("--bundle {} is not a file path", path.display()),
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create directory {}", dir.display()))?;
    crate::files::write_atomic(dir, &name, &bytes)
}

/// What verifying a bundle found.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Verification {
    /// Files listed and intact.
    pub(crate) intact: usize,
    /// Files whose content no longer matches the manifest.
    pub(crate) changed: Vec<String>,
    /// Files in the bundle the manifest does not list.
    pub(crate) added: Vec<String>,
    /// Files the manifest lists that are not in the bundle.
    pub(crate) removed: Vec<String>,
    /// Entries that are not regular files, or appear twice.
    pub(crate) unexpected: Vec<String>,
}

impl Verification {
    /// Whether the bundle is exactly what was written.
    pub(crate) fn ok(&self) -> bool {
        self.changed.is_empty()
            && self.added.is_empty()
            && self.removed.is_empty()
            && self.unexpected.is_empty()
    }
}

/// Parses `MANIFEST.sha256` lines (`<64 hex>  <path>`).
fn parse_manifest(text: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let Some((hash, name)) = line.split_once("  ") else {
            bail!("{MANIFEST}:{}: expected `<sha256>  <path>`", i + 1);
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("{MANIFEST}:{}: `{hash}` is not a SHA-256 digest", i + 1);
        }
        if out
            .insert(name.to_owned(), hash.to_ascii_lowercase())
            .is_some()
        {
            bail!("{MANIFEST}:{}: `{name}` is listed twice", i + 1);
        }
    }
    Ok(out)
}

/// Reads the bundle at `path` and compares every file with its manifest. An unreadable
/// file, a bundle that is not a gzip tar, or one without a manifest is an error.
pub(crate) fn verify(path: &Path) -> anyhow::Result<Verification> {
    crate::files::check_regular(path, MAX_BUNDLE_BYTES)?;
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let gz = flate2::read::GzDecoder::new(file.take(MAX_BUNDLE_BYTES));
    let mut archive = tar::Archive::new(gz);
    let mut hashes: BTreeMap<String, String> = BTreeMap::new();
    let mut manifest = None;
    let mut result = Verification::default();
    let mut budget = MAX_UNPACKED_BYTES;
    let not_bundle = || format!("{} is not a readable .tar.gz bundle", path.display());
    for (n, entry) in archive.entries().with_context(not_bundle)?.enumerate() {
        if n >= MAX_ENTRIES {
            bail!("{} has more than {MAX_ENTRIES} entries", path.display());
        }
        let mut entry = entry.with_context(not_bundle)?;
        let name = entry.path().with_context(not_bundle)?.display().to_string();
        if entry.header().entry_type() != tar::EntryType::Regular {
            result
                .unexpected
                .push(format!("{name} (not a regular file)"));
            continue;
        }
        let mut bytes = Vec::new();
        (&mut entry)
            .take(budget.saturating_add(1))
            .read_to_end(&mut bytes)
            .with_context(not_bundle)?;
        budget = budget
            .checked_sub(bytes.len() as u64)
            .with_context(|| format!("{} unpacks to more than 1 GiB", path.display()))?;
        if name == MANIFEST {
            let text = String::from_utf8(bytes).context("the manifest is not UTF-8 text")?;
            if manifest.replace(parse_manifest(&text)?).is_some() {
                result.unexpected.push(format!("{name} (appears twice)"));
            }
            continue;
        }
        if hashes.insert(name.clone(), sha256_hex(&bytes)).is_some() {
            result.unexpected.push(format!("{name} (appears twice)"));
        }
    }
    let Some(manifest) = manifest else {
        bail!("{} has no {MANIFEST}", path.display());
    };
    for (name, want) in &manifest {
        match hashes.get(name) {
            None => result.removed.push(name.clone()),
            Some(got) if got != want => result.changed.push(name.clone()),
            Some(_) => result.intact += 1,
        }
    }
    result.added = hashes
        .keys()
        .filter(|k| !manifest.contains_key(*k))
        .cloned()
        .collect();
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_safe_file_parts() {
        assert_eq!(file_part("../etc/passwd"), "_etc_passwd");
        assert_eq!(file_part("redirect 1"), "redirect_1");
        assert_eq!(file_part(""), "_");
    }

    #[test]
    fn a_bad_manifest_line_is_an_error() {
        assert!(parse_manifest("abc  report.json\n").is_err());
        let ok = parse_manifest(&format!("{}  a\n", "0".repeat(64))).unwrap();
        assert_eq!(ok.len(), 1);
    }
}
