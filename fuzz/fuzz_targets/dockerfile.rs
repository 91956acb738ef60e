//! The Dockerfile parser: directives, instructions, continuations, heredocs, flags and
//! exec/shell form; every range it reports sliced from the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck_source::dockerfile::parse_dockerfile;
use shipcheck_source::{FileId, FileKind, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new(
        FileId(0),
        "Dockerfile",
        text.to_owned(),
        FileKind::Dockerfile,
    );
    let parsed = parse_dockerfile(&file);
    for i in &parsed.instructions {
        let _ = (i.is("RUN"), i.flag("from"));
        let _ = format!("{i:?}");
    }
    let _ = format!("{:?} {:?}", parsed.directives, parsed.errors);
});
