//! A directory on disk: walked in name order, links listed and never followed.

use std::path::Path;

use crate::{Budget, Entry, EntryKind, Error, bare_entry, file_entry};

pub(crate) fn walk(
    root: &Path,
    budget: &mut Budget<'_>,
    visit: &mut dyn FnMut(Entry) -> Result<(), Error>,
) -> Result<(), Error> {
    // Iterative, depth bounded by the budget's depth check on each name.
    let mut stack: Vec<String> = vec![String::new()];
    while let Some(rel) = stack.pop() {
        let dir = if rel.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&rel)
        };
        let mut names: Vec<String> = Vec::new();
        for item in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))? {
            let item = item.map_err(|e| Error::io(&dir, e))?;
            let Ok(name) = item.file_name().into_string() else {
                return Err(budget
                    .unsafe_entry(&item.path().display().to_string(), "its name is not UTF-8"));
            };
            names.push(name);
            if names.len() > budget.limits.max_entries {
                return Err(Error::TooMany {
                    archive: root.to_path_buf(),
                    limit: budget.limits.max_entries,
                });
            }
        }
        names.sort();
        let mut subdirs = Vec::new();
        for name in names {
            let path = if rel.is_empty() {
                name
            } else {
                format!("{rel}/{name}")
            };
            budget.entry(&path)?;
            let disk = root.join(&path);
            let meta = std::fs::symlink_metadata(&disk).map_err(|e| Error::io(&disk, e))?;
            let mode = Some(std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777);
            let ft = meta.file_type();
            let entry = if ft.is_symlink() {
                let target = std::fs::read_link(&disk).map_err(|e| Error::io(&disk, e))?;
                budget.link(&path, &target.to_string_lossy(), false, mode)?
            } else if ft.is_dir() {
                subdirs.push(path.clone());
                bare_entry(path, EntryKind::Dir, mode)
            } else if ft.is_file() {
                budget.declared(&path, meta.len())?;
                let file = std::fs::File::open(&disk).map_err(|e| Error::io(&disk, e))?;
                let data = budget.read(&path, file)?;
                file_entry(path, mode, data)
            } else {
                bare_entry(path, EntryKind::Other, mode)
            };
            visit(entry)?;
        }
        // Depth-first in name order: push in reverse so the first name is walked first.
        stack.extend(subdirs.into_iter().rev());
    }
    Ok(())
}
