//! The lint YAML parser: a multi-document stream into span-aware trees, aliases shared and
//! bounded; every node walked, its span sliced and turned into a line and column.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shipcheck_source::yaml::{Node, parse_yaml};
use shipcheck_source::{FileId, FileKind, SourceFile};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SourceFile::new(
        FileId(0),
        "fuzz.yaml",
        text.to_owned(),
        FileKind::Kubernetes,
    );
    let stream = parse_yaml(&file);
    for doc in &stream.documents {
        let _ = file.slice(doc.range);
        let mut nodes = 0usize;
        doc.root.walk(&mut |n: &Node| {
            nodes += 1;
            let _ = file.slice(n.range());
            let _ = file.line_col(n.range().start);
            let _ = (n.as_str(), n.as_i64(), n.as_bool(), n.is_null());
            for (k, _) in n.entries() {
                let _ = k.as_str();
            }
        });
        let _ = doc.root.path(&["spec", "template", "spec", "containers"]);
        let _ = nodes;
    }
    if let Some(e) = &stream.error {
        let _ = format!("{e:?}");
    }
});
