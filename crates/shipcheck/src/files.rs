//! File discipline for every command: bounded reads of named input files (regular files
//! only, at most a limit) and atomic report files that never follow a planted symlink.

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::path::Path;

use anyhow::{Context as _, bail};

/// The most bytes `shipcheck report` reads from a saved run.
pub(crate) const MAX_REPORT_BYTES: u64 = 64 * 1024 * 1024;
/// The most bytes read from a `--config` file.
pub(crate) const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// Checks that `path` names a regular file (after symlinks) of at most `limit` bytes, so
/// that reading it cannot block (FIFO) or run forever (`/dev/zero`).
pub(crate) fn check_regular(path: &Path, limit: u64) -> anyhow::Result<()> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if !meta.is_file() {
        bail!(
            "{} is not a regular file (a FIFO, device or directory cannot be read here)",
            path.display()
        );
    }
    if meta.len() > limit {
        bail!(
            "{} is larger than the limit of {} bytes",
            path.display(),
            limit
        );
    }
    Ok(())
}

/// Reads `path` as UTF-8 text: regular files only, at most `limit` bytes (it reads at most
/// `limit + 1` to tell), never blocking on a FIFO or a device.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> anyhow::Result<String> {
    check_regular(path, limit)?;
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    // The file may have been swapped between the check and the open.
    let opened = file
        .metadata()
        .with_context(|| format!("cannot read {}", path.display()))?;
    if !opened.is_file() {
        bail!("{} is not a regular file", path.display());
    }
    let mut buf = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .with_context(|| format!("cannot read {}", path.display()))?;
    if u64::try_from(buf.len()).unwrap_or(u64::MAX) > limit {
        bail!(
            "{} is larger than the limit of {} bytes",
            path.display(),
            limit
        );
    }
    String::from_utf8(buf).with_context(|| format!("{} is not UTF-8 text", path.display()))
}

/// Replaces `dir/name` with `contents` atomically: the text goes to a temporary file in
/// `dir`, which is then renamed over the destination. A symlink planted at the destination
/// is replaced, never followed.
pub(crate) fn write_atomic(dir: &Path, name: &str, contents: &[u8]) -> anyhow::Result<()> {
    let path = dir.join(name);
    let mut tmp = tempfile::Builder::new()
        .prefix(".shipcheck-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.write_all(contents)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // Report files are meant to be shared (CI artifacts); temp files start as 0600.
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.persist(&path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_symlink_at_the_destination_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("report.json")).unwrap();
        write_atomic(dir.path(), "report.json", b"{}").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        let dest = dir.path().join("report.json");
        assert!(
            !std::fs::symlink_metadata(&dest)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(dest).unwrap(), "{}");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn reads_are_bounded_and_refuse_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b'x'; 11]).unwrap();
        assert!(read_bounded(&big, 10).is_err());
        assert_eq!(read_bounded(&big, 11).unwrap().len(), 11);
        let err = read_bounded(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }
}
