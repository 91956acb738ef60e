//! Vendored packages against pinned requirements: pip names normalised (PEP 503),
//! `requirements.txt` pins (`name==version`), Python `*.dist-info/METADATA` and
//! `*.egg-info/PKG-INFO`, `node_modules/*/package.json`.

use std::collections::BTreeMap;

use serde_json::Value;

/// A package name as pip compares it: lowercase, runs of `-`, `_`, `.` as one `-`.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
        } else {
            if sep && !out.is_empty() {
                out.push('-');
            }
            sep = false;
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// One pinned requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pin {
    /// The name as written.
    pub(crate) name: String,
    /// The exact version.
    pub(crate) version: String,
    /// 1-based line in the requirements file.
    pub(crate) line: usize,
}

/// The pins of a `requirements.txt`, keyed by normalised name; `Err` names each line that
/// is not an exact pin. Comments, blank lines and option lines (`-r`, `--hash`, `-i`…)
/// are ignored; `\` continues a line; extras and environment markers are dropped.
pub(crate) fn pip_requirements(text: &str) -> (BTreeMap<String, Pin>, Vec<String>) {
    let mut pins = BTreeMap::new();
    let mut problems = Vec::new();
    let mut logical = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate().take(100_000) {
        if logical.is_empty() {
            start = i + 1;
        }
        let line = strip_comment(raw);
        if let Some(cont) = line.trim_end().strip_suffix('\\') {
            logical.push_str(cont);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let req = std::mem::take(&mut logical);
        let req = req.trim();
        if req.is_empty() || req.starts_with('-') {
            continue;
        }
        // Per-requirement options (`--hash=…`) and markers (`; python_version < "3.12"`).
        let req = req.split(" -").next().unwrap_or(req);
        let req = req.split(';').next().unwrap_or(req).trim();
        match req.split_once("==") {
            Some((name, version)) if !version.starts_with('=') || version.len() > 1 => {
                let name = name.split('[').next().unwrap_or(name).trim();
                let version = version.trim_start_matches('=').trim();
                if name.is_empty() || version.is_empty() || version.contains(['*', ',', ' ']) {
                    problems.push(format!("line {start}: `{req}` is not an exact pin"));
                    continue;
                }
                pins.insert(
                    normalize(name),
                    Pin {
                        name: name.to_owned(),
                        version: version.to_owned(),
                        line: start,
                    },
                );
            }
            _ => problems.push(format!(
                "line {start}: `{req}` is not pinned with `==` (vendored packages must match exact versions)"
            )),
        }
    }
    (pins, problems)
}

/// `#` starts a comment at the line's start or after whitespace (not inside a URL fragment).
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(i) => &line[..i],
        None => line,
    }
}

/// The pins of a `package.json`'s `dependencies`: exact versions only (`1.2.3`, `=1.2.3`).
pub(crate) fn npm_requirements(text: &str) -> (BTreeMap<String, Pin>, Vec<String>) {
    let mut pins = BTreeMap::new();
    let mut problems = Vec::new();
    let doc: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return (pins, vec![format!("not JSON: {e}")]),
    };
    if let Some(deps) = doc.get("dependencies").and_then(Value::as_object) {
        for (name, v) in deps {
            let version = v.as_str().unwrap_or_default().trim_start_matches('=');
            if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) || version.contains([' ', '|', '*', 'x']) {
                problems.push(format!("`{name}` is `{v}`, not an exact version"));
                continue;
            }
            pins.insert(
                name.to_lowercase(),
                Pin {
                    name: name.clone(),
                    version: version.to_owned(),
                    line: 0,
                },
            );
        }
    }
    (pins, problems)
}

/// A vendored package found in the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// The name as its metadata writes it.
    pub(crate) name: String,
    /// Its version.
    pub(crate) version: String,
    /// The metadata file it was read from.
    pub(crate) source: String,
}

/// If `path` (relative to the vendor directory) is a package's metadata file, its
/// normalised name and what it says.
pub(crate) fn metadata(path: &str, data: &[u8]) -> Option<(String, Found)> {
    let parts: Vec<&str> = path.split('/').collect();
    let text = std::str::from_utf8(data).ok()?;
    match parts.as_slice() {
        [dir, "METADATA"] if dir.ends_with(".dist-info") => python(text, path),
        [dir, "PKG-INFO"] if dir.ends_with(".egg-info") => python(text, path),
        ["node_modules", _, "package.json"] | ["node_modules", _, _, "package.json"]
            if parts.len() == 3 || parts[1].starts_with('@') =>
        {
            let doc: Value = serde_json::from_str(text).ok()?;
            let name = doc.get("name")?.as_str()?.to_owned();
            let version = doc.get("version")?.as_str()?.to_owned();
            Some((
                name.to_lowercase(),
                Found {
                    name,
                    version,
                    source: path.to_owned(),
                },
            ))
        }
        _ => None,
    }
}

/// `Name:` and `Version:` from the header block of core metadata (RFC 822 style).
fn python(text: &str, path: &str) -> Option<(String, Found)> {
    let mut name = None;
    let mut version = None;
    for line in text.lines().take(10_000) {
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Name:") {
            name = Some(v.trim().to_owned());
        } else if let Some(v) = line.strip_prefix("Version:") {
            version = Some(v.trim().to_owned());
        }
    }
    let name = name?;
    Some((
        normalize(&name),
        Found {
            name,
            version: version?,
            source: path.to_owned(),
        },
    ))
}

/// The differences between what is vendored and what is pinned, plus dev-only packages.
pub(crate) fn compare(
    pinned: &BTreeMap<String, Pin>,
    found: &BTreeMap<String, Found>,
    dev: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    for (key, pin) in pinned {
        match found.get(key) {
            None => out.push(format!("missing: {}=={} (pinned, not vendored)", pin.name, pin.version)),
            Some(f) if f.version != pin.version => out.push(format!(
                "wrong version: {} {} vendored, {} pinned",
                f.name, f.version, pin.version
            )),
            Some(_) => {}
        }
    }
    for (key, f) in found {
        if !pinned.contains_key(key) {
            out.push(format!("extra: {} {} (vendored, not pinned; {})", f.name, f.version, f.source));
        }
    }
    for d in dev {
        let key = normalize(d);
        if let Some(f) = found.get(&key).or_else(|| found.get(&d.to_lowercase())) {
            out.push(format!("dev-only: {} {} is vendored", f.name, f.version));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_normalised_as_pip_does() {
        assert_eq!(normalize("Flask_SQLAlchemy"), "flask-sqlalchemy");
        assert_eq!(normalize("zope.interface"), "zope-interface");
        assert_eq!(normalize("a-_.b"), "a-b");
    }

    #[test]
    fn requirements_pins_comments_options_and_problems() {
        let text = "# pinned\n--index-url https://pypi.org/simple\nFlask==3.0.3  # web\nrequests[socks]==2.32.3 \\\n    --hash=sha256:abc\nfoo==1.0; python_version < \"3.13\"\n\nbar>=1.0\n-r other.txt\n";
        let (pins, problems) = pip_requirements(text);
        let got: Vec<(&str, &str)> = pins.iter().map(|(k, p)| (k.as_str(), p.version.as_str())).collect();
        assert_eq!(got, [("flask", "3.0.3"), ("foo", "1.0"), ("requests", "2.32.3")]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("line 8") && problems[0].contains("bar>=1.0"), "{problems:?}");
    }
}
