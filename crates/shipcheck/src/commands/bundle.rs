//! `shipcheck bundle verify out.tar.gz`: is the bundle exactly what shipcheck wrote?

use std::path::PathBuf;

use crate::bundle;
use crate::exit;

/// Arguments of `shipcheck bundle`.
#[derive(Debug, clap::Args)]
pub(crate) struct BundleArgs {
    /// What to do with the bundle.
    #[command(subcommand)]
    pub(crate) action: BundleAction,
}

/// `shipcheck bundle …`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum BundleAction {
    /// Check every file against MANIFEST.sha256: exit 0 intact, 1 changed, added or removed
    /// files, 2 unreadable.
    Verify {
        /// A bundle written by `--bundle` (verify, demo or lint).
        bundle: PathBuf,
    },
}

/// Runs `shipcheck bundle`.
pub(crate) fn run(args: &BundleArgs) -> anyhow::Result<i32> {
    let BundleAction::Verify { bundle: path } = &args.action;
    let v = match bundle::verify(path) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e:#}");
            return Ok(exit::USAGE);
        }
    };
    let mut text = String::new();
    for (what, list) in [
        ("changed", &v.changed),
        ("added", &v.added),
        ("removed", &v.removed),
        ("unexpected", &v.unexpected),
    ] {
        for name in list {
            text.push_str(&format!("{what}: {name}\n"));
        }
    }
    if v.ok() {
        text.push_str(&format!(
            "{}: intact ({} files match {})\n",
            path.display(),
            v.intact,
            bundle::MANIFEST
        ));
    } else {
        text.push_str(&format!(
            "{}: NOT intact ({} changed, {} added, {} removed, {} unexpected; {} intact)\n",
            path.display(),
            v.changed.len(),
            v.added.len(),
            v.removed.len(),
            v.unexpected.len(),
            v.intact
        ));
    }
    let _ = exit::write_stdout(text.as_bytes())?;
    Ok(if v.ok() { exit::OK } else { exit::FAILED })
}
