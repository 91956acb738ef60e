//! Entry names made safe: no absolute paths, no `..`, no links out of the tree.

/// The entry name as a clean relative path (`/`-separated, no `.`, `..` or empty
/// components; `\` read as a separator); `Err` says why the name escapes the tree.
/// `Ok("")` is the tree's root (`./`).
pub fn clean_entry_name(raw: &str) -> Result<String, &'static str> {
    if raw.contains('\0') {
        return Err("its name holds a NUL byte");
    }
    let name = raw.replace('\\', "/");
    if name.starts_with('/') {
        return Err("its path is absolute");
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic() {
        return Err("its path starts with a drive letter");
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("its path climbs out of the tree with `..`"),
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Whether a symbolic link at `entry` (a clean name) with `target` points outside the
/// tree: an absolute target, or one whose `..` climb above the root.
pub fn link_escapes(entry: &str, target: &str) -> bool {
    let target = target.replace('\\', "/");
    if target.starts_with('/') || target.contains('\0') {
        return true;
    }
    let mut stack: Vec<&str> = entry.split('/').collect();
    stack.pop(); // the link itself
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if stack.pop().is_none() {
                    return true;
                }
            }
            p => stack.push(p),
        }
    }
    false
}
