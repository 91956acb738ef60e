//! Bounded reads of the files a plan names (the plan itself, expected-schema files, CA
//! files): only regular files, and never more than a limit. A FIFO or a device would
//! block a read forever, past every timeout, and `/dev/zero` never ends.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Reads a regular file of at most `limit` bytes. A FIFO, socket, device or directory
/// is refused before it is opened (opening a FIFO blocks), and reading stops after
/// `limit + 1` bytes, so a growing or endless file costs at most that much memory.
pub fn read_regular_file(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let file = File::open(path)?;
    // The path may have been replaced between the two looks: check what was opened.
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    let mut buf = Vec::with_capacity(usize::try_from(meta.len().min(limit)).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("larger than {}", human(limit)),
        ));
    }
    Ok(buf)
}

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    let t = meta.file_type();
    let what = if t.is_dir() {
        "a directory"
    } else {
        special_kind(&t)
    };
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("not a regular file ({what})"),
    )
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

fn human(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes.is_multiple_of(1024 * 1024) {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_directories_are_refused_and_big_files_stop_at_the_limit() {
        let e = read_regular_file(Path::new("/dev/zero"), 16).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a device)");
        let dir = tempfile::tempdir().unwrap();
        let e = read_regular_file(dir.path(), 16).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a directory)");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 64]).unwrap();
        let e = read_regular_file(&big, 16).unwrap_err();
        assert_eq!(e.to_string(), "larger than 16 bytes");
        assert_eq!(read_regular_file(&big, 64).unwrap().len(), 64);
    }
}
