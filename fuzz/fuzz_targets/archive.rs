//! The package/archive reader: the input written to a file named `input.tar` and opened as
//! `shipcheck package` opens an artifact (zip or gzip by their magic bytes, tar otherwise),
//! every entry read within small limits.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use shipcheck_archive::{Limits, open};

fn dir() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("no temporary directory for the fuzz input: {e}"),
    })
    .path()
}

fuzz_target!(|data: &[u8]| {
    let path = dir().join("input.tar");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let limits = Limits {
        max_entries: 1_000,
        max_entry_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        max_depth: 64,
    };
    let Ok(tree) = open(&path, limits) else {
        return;
    };
    let _ = tree.for_each(|e| {
        let _ = (e.path.len(), e.sha256.len(), e.data.len());
        Ok(())
    });
});
