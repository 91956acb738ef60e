//! Shared probe-key helpers (paths, name/value pairs).

use std::path::{Path, PathBuf};

use crate::ctx::Ctx;
use crate::yaml::Node;

/// Resolve a path from the plan against the plan's directory.
pub fn resolve(base_dir: &Path, p: &str) -> PathBuf {
    let p = Path::new(p);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base_dir.join(p)
    }
}

/// Whether `name` is a valid HTTP header name (RFC 9110 token).
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// `(name, template)` pairs of a mapping (headers, query, form).
pub fn pairs(ctx: &mut Ctx<'_>, n: &Node, what: &str, header_names: bool) -> Vec<(String, String)> {
    let Some(entries) = ctx.map(n, what) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (k, v) in entries {
        let Some(mut name) = k.scalar_text() else {
            ctx.expected(k, what, "a mapping of names to values");
            continue;
        };
        if header_names {
            if !is_token(&name) {
                ctx.error(
                    k.span,
                    format!("`{name}` is not a valid header name"),
                    "invalid header name",
                );
                continue;
            }
            name = name.to_ascii_lowercase();
        }
        if let Some(value) = ctx.template(v, &format!("{what}.{name}")) {
            out.push((name, value));
        }
    }
    out
}
