//! `helm template` output split at its `# Source:` comments, each chunk then parsed as YAML.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck_source::helm::split_helm_stream;
use shipcheck_source::yaml::parse_yaml;
use shipcheck_source::{FileId, FileKind, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(chunks) = split_helm_stream(text) else {
        return;
    };
    for (i, chunk) in chunks.into_iter().enumerate() {
        let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
        let file = SourceFile::new(id, chunk.source, chunk.text, FileKind::Kubernetes);
        let _ = parse_yaml(&file);
    }
});
