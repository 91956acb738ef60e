use std::time::Instant;

use super::*;
use crate::text::{FileId, FileKind, SourceFile};

fn file(text: &str) -> SourceFile {
    SourceFile::new(FileId(0), "t.yaml", text.to_owned(), FileKind::Kubernetes)
}

#[test]
fn spans_are_bytes_and_multi_document() {
    let f = file("# é comment\na: 1\n---\nkind: Pod\nmetadata:\n  name: \"ü\"\n");
    let s = parse_yaml(&f);
    assert!(s.error.is_none());
    assert_eq!(s.documents.len(), 2);
    let name = s.documents[1].root.path(&["metadata", "name"]).unwrap();
    assert_eq!(name.as_str(), Some("ü"));
    assert_eq!(f.slice(name.range()), "\"ü\"");
    assert_eq!(f.line_col(name.range().start).line, 6);
    let a = s.documents[0].root.get_entry("a").unwrap().0;
    assert_eq!(f.line_col(a.range().start).line, 2);
}

#[test]
fn merge_keys_and_aliases() {
    let f = file("base: &b\n  x: 1\n  y: 2\nsvc:\n  <<: *b\n  y: 3\n");
    let s = parse_yaml(&f);
    let svc = s.documents[0].root.get("svc").unwrap();
    assert_eq!(svc.get("x").and_then(Node::as_i64), Some(1));
    assert_eq!(svc.get("y").and_then(Node::as_i64), Some(3));
    assert_eq!(svc.entries().len(), 2);
}

#[test]
fn alias_bomb_is_rejected_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{}]\n", w[1], w[1], refs));
    }
    let t = Instant::now();
    let s = parse_yaml(&file(&text));
    assert!(t.elapsed().as_secs() < 2);
    let err = s.error.unwrap();
    assert!(err.message.contains("alias bomb"), "{}", err.message);
}

#[test]
fn syntax_error_has_position_and_keeps_earlier_documents() {
    let f = file("a: 1\n---\nb: [1, 2\nc: 3\n");
    let s = parse_yaml(&f);
    assert_eq!(s.documents.len(), 1);
    let err = s.error.unwrap();
    assert!(f.line_col(err.range.start).line >= 3);
}

#[test]
fn scalars_types() {
    let f = file("a: \"1\"\nb: true\nc: 'true'\nd: ~\ne:\n");
    let r = &parse_yaml(&f).documents[0].root;
    assert_eq!(r.get("a").and_then(Node::as_i64), Some(1));
    assert_eq!(r.get("b").and_then(Node::as_bool), Some(true));
    assert_eq!(r.get("c").and_then(Node::as_bool), None);
    assert!(r.get("d").unwrap().is_null());
    assert!(r.get("e").unwrap().is_null());
}

#[test]
fn quoted_scalar_span_excludes_trailing_comment() {
    let f = file("a: \"x y\" # c\nb: 'z'   \nc: plain # d\n");
    let r = &parse_yaml(&f).documents[0].root;
    assert_eq!(f.slice(r.get("a").unwrap().range()), "\"x y\"");
    assert_eq!(f.slice(r.get("b").unwrap().range()), "'z'");
    assert_eq!(f.slice(r.get("c").unwrap().range()), "plain");
}

#[test]
fn flow_collections_span_their_brackets() {
    let f =
        file("a:\n  drop: [NET_RAW] # c\n  m: { b: { c: 1 } } # d\n  e: []\n  s: [ \"x\" , y ]\n");
    let s = parse_yaml(&f);
    let root = &s.documents[0].root;
    let span = |path: &[&str]| f.slice(root.path(path).unwrap().range()).to_owned();
    assert_eq!(span(&["a", "drop"]), "[NET_RAW]");
    assert_eq!(span(&["a", "m"]), "{ b: { c: 1 } }");
    assert_eq!(span(&["a", "m", "b"]), "{ c: 1 }");
    assert_eq!(span(&["a", "e"]), "[]");
    assert_eq!(span(&["a", "s"]), "[ \"x\" , y ]");
}
