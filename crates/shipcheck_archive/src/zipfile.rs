//! A zip file: entry count and declared sizes checked from the central directory before
//! anything is decompressed; content read within the limits whatever the headers say.

use std::path::Path;

use crate::{Budget, Entry, EntryKind, Error, bare_entry, clean_entry_name, file_entry};

/// `S_IFMT` and `S_IFLNK` of a Unix mode.
const S_IFMT: u32 = 0o170_000;
const S_IFLNK: u32 = 0o120_000;

pub(crate) fn walk(
    path: &Path,
    budget: &mut Budget<'_>,
    visit: &mut dyn FnMut(Entry) -> Result<(), Error>,
) -> Result<(), Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let format = |e: zip::result::ZipError| Error::Format {
        archive: path.to_path_buf(),
        message: format!("not a readable zip file: {e}"),
    };
    let mut archive = zip::ZipArchive::new(file).map_err(format)?;
    if archive.len() > budget.limits.max_entries {
        return Err(Error::TooMany {
            archive: path.to_path_buf(),
            limit: budget.limits.max_entries,
        });
    }
    for i in 0..archive.len() {
        let mut zf = archive.by_index(i).map_err(format)?;
        let raw = String::from_utf8_lossy(zf.name_raw()).into_owned();
        let name = clean_entry_name(&raw).map_err(|why| budget.unsafe_entry(&raw, why))?;
        if name.is_empty() {
            continue;
        }
        budget.entry(&name)?;
        let mode = zf.unix_mode();
        let is_link = mode.is_some_and(|m| m & S_IFMT == S_IFLNK);
        let perms = mode.map(|m| m & 0o7777);
        budget.declared(&name, zf.size())?;
        let entry = if zf.is_dir() {
            bare_entry(name, EntryKind::Dir, perms)
        } else if is_link {
            let target = budget.read(&name, &mut zf)?;
            budget.link(&name, &String::from_utf8_lossy(&target), false, perms)?
        } else {
            let data = budget.read(&name, &mut zf)?;
            file_entry(name, perms, data)
        };
        visit(entry)?;
    }
    Ok(())
}
