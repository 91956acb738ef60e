//! A tar file, gzipped or not: entries in stream order, sizes bounded before reading.

use std::io::Read;
use std::path::Path;

use tar::EntryType;

use crate::{Budget, Entry, EntryKind, Error, bare_entry, clean_entry_name, file_entry};

pub(crate) fn walk(
    path: &Path,
    gzip: bool,
    budget: &mut Budget<'_>,
    visit: &mut dyn FnMut(Entry) -> Result<(), Error>,
) -> Result<(), Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let reader: Box<dyn Read> = if gzip {
        Box::new(flate2::read::GzDecoder::new(std::io::BufReader::new(file)))
    } else {
        Box::new(std::io::BufReader::new(file))
    };
    let mut archive = tar::Archive::new(reader);
    let format = |e: std::io::Error| Error::Format {
        archive: path.to_path_buf(),
        message: format!(
            "not a readable tar{} file: {e}",
            if gzip { ".gz" } else { "" }
        ),
    };
    for item in archive.entries().map_err(format)? {
        let mut entry = item.map_err(format)?;
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = clean_entry_name(&raw).map_err(|why| budget.unsafe_entry(&raw, why))?;
        if name.is_empty() {
            continue;
        }
        budget.entry(&name)?;
        let header = entry.header();
        let mode = header.mode().ok().map(|m| m & 0o7777);
        let kind = header.entry_type();
        let size = header.size().map_err(format)?;
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned());
        let out = match kind {
            EntryType::Directory => bare_entry(name, EntryKind::Dir, mode),
            EntryType::Symlink | EntryType::Link => {
                let target = link.unwrap_or_default();
                budget.link(&name, &target, kind == EntryType::Link, mode)?
            }
            EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse => {
                budget.declared(&name, size)?;
                let data = budget.read(&name, &mut entry)?;
                file_entry(name, mode, data)
            }
            _ => bare_entry(name, EntryKind::Other, mode),
        };
        visit(out)?;
    }
    Ok(())
}
