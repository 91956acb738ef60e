//! Entry points for the fuzz targets in `fuzz/` (not a stable API). Each runs the real code
//! that reads bytes from a peer or a file, on bytes the fuzzer chooses; none of them opens
//! a connection. See `docs/fuzzing.md`.

use std::borrow::Cow;
use std::cell::RefCell;

use serde_json::Value;
use shipcheck_plan::kind::Facts;
use shipcheck_plan::{Assertion, Capture, CaptureSource, Pos, Predicate, Quantity, Query, Unit};

thread_local! {
    /// One current-thread runtime per fuzzing thread (a runtime per input would dominate).
    static RUNTIME: RefCell<Option<tokio::runtime::Runtime>> = const { RefCell::new(None) };
}

fn block_on<F: Future>(f: F) -> Option<F::Output> {
    RUNTIME.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .build()
                .ok();
        }
        slot.as_ref().map(|rt| rt.block_on(f))
    })
}

/// The `metrics` kind: `text` parsed as a Prometheus / OpenMetrics exposition, then the
/// values `selector` picks in it.
pub fn metrics_exposition(text: &str, selector: &str) -> Result<usize, String> {
    crate::kinds::metrics::fuzz_exposition(text, selector)
}

/// The `tls` kind's version probe: `peer` as the server's answer to a ClientHello offering
/// `version` (wire code). `None` only if no runtime could be built.
pub fn tls_server_hello(peer: &[u8], version: u16) -> Option<Result<(), String>> {
    block_on(crate::kinds::tls::fuzz_server_hello(peer, version))
}

/// The `tls` kind's certificate facts from one DER certificate (`Ok`: their debug text).
pub fn tls_certificate(der: &[u8]) -> Result<String, String> {
    crate::kinds::tls::fuzz_certificate(der)
}

/// The `websocket` kind after the upgrade: `peer` is what the server sends; the session
/// collects at most `max_messages` of at most `max_message` bytes and returns its evidence.
/// `None` only if no runtime could be built.
pub fn websocket_session(peer: &[u8], max_messages: u32, max_message: usize) -> Option<String> {
    let io = tokio::io::join(std::io::Cursor::new(peer.to_vec()), tokio::io::sink());
    block_on(crate::kinds::websocket::fuzz_session(
        io,
        max_messages,
        max_message,
    ))
}

/// Facts whose JSON document is a given value (what `json:` and `capture:` query).
#[derive(Debug)]
struct JsonFacts(Value);

impl Facts for JsonFacts {
    fn duration_ms(&self) -> f64 {
        1.0
    }
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        Ok(Cow::Borrowed(&self.0))
    }
    fn capture(&self, c: &Capture) -> Result<Value, String> {
        match &c.source {
            CaptureSource::JsonPath(path) => {
                crate::capture::one_json(&self.0, path, "matched nothing")
            }
            _ => Err("only JSONPath captures here".into()),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// JSONPath over facts: `path` evaluated on `doc` by the generic assertions (`exists`,
/// `count`, `length`, `equals`, `at_least`, `contains`, `regex`) and by a capture, as a plan's
/// `json:` and `capture:` would. Returns how many assertions passed, or the capture's error.
pub fn json_path(doc: Value, path: &str) -> Result<usize, String> {
    let pos = Pos { line: 1, column: 1 };
    let query = Query::JsonPath(path.to_owned());
    let predicates = [
        Predicate::Exists(true),
        Predicate::Count(Box::new(Predicate::AtLeast(Quantity {
            value: 1.0,
            unit: Unit::Number,
        }))),
        Predicate::Length(Box::new(Predicate::AtMost(Quantity {
            value: 3.0,
            unit: Unit::Number,
        }))),
        Predicate::Equals(Value::from(1)),
        Predicate::AtLeast(Quantity {
            value: 0.5,
            unit: Unit::Number,
        }),
        Predicate::Contains("a".into()),
        Predicate::Regex("^[a-z]+$".into()),
    ];
    let assertions: Vec<Assertion> = predicates
        .into_iter()
        .map(|predicate| Assertion {
            query: query.clone(),
            predicate,
            pos,
        })
        .collect();
    let facts = JsonFacts(doc);
    let passed = crate::evaluate(&assertions, &facts)
        .iter()
        .filter(|r| r.passed)
        .count();
    let capture = Capture {
        name: "fuzz".into(),
        source: CaptureSource::JsonPath(path.to_owned()),
        secret: false,
        pos,
    };
    crate::capture(std::slice::from_ref(&capture), &facts)?;
    Ok(passed)
}
