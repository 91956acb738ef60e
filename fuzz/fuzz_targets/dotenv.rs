//! The `.env` parser: entries with comments, quotes and `export`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck_source::dotenv::parse_env;
use shipcheck_source::{FileId, FileKind, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let kind = FileKind::Env { template: false };
    let file = SourceFile::new(FileId(0), ".env", text.to_owned(), kind);
    let parsed = parse_env(&file);
    let _ = format!("{parsed:?}");
});
