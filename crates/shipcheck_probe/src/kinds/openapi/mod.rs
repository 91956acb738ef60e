//! The `openapi` probe kind: a served OpenAPI 3.x document (JSON), checked by its structural
//! rules; expectations on its validity, its operations and JSONPath into it.

mod facts;
mod run;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};
use shipcheck_plan::{Assertion, KindQuery, Pos, Predicate, Query};

use super::document::FetchProbe;
use super::document_expect::{imply_true, valid};
pub use facts::OpenApiFacts;
use facts::OpenApiQuery;

/// The `openapi` kind's registry entry.
pub(crate) static KIND: OpenApiKind = OpenApiKind;

/// The `openapi` kind.
pub(crate) struct OpenApiKind;

/// A parsed `openapi:` check.
#[derive(Debug, Clone)]
pub struct OpenApiProbe(pub FetchProbe);

impl ProbeKind for OpenApiKind {
    fn name(&self) -> &'static str {
        "openapi"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        super::document::parse(cx, node, base_dir, "openapi")
            .map(|p| Arc::new(OpenApiProbe(p)) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        &["json", "duration", "valid", "operations"]
    }
    fn expect(&self, cx: &mut Ctx<'_>, key: &str, v: &Node, _: &Path, out: &mut Vec<Assertion>) {
        match key {
            "valid" => valid(cx, v, Arc::new(OpenApiQuery::Valid), out),
            _ => {
                for item in cx.seq(v, "operations").unwrap_or_default() {
                    if let Some(op) = cx.text(item, "operation") {
                        out.push(Assertion {
                            query: Query::Kind(KindQuery(Arc::new(OpenApiQuery::Operation(op)))),
                            predicate: Predicate::Exists(true),
                            pos: item.pos(),
                        });
                    }
                }
            }
        }
    }
    fn implied(&self, _: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        imply_true(Arc::new(OpenApiQuery::Valid), expect, pos);
    }
}

probe_impl!(OpenApiProbe, "openapi", run::observe, 0);

static DOC: KindDoc = KindDoc {
    summary: "Fetches a JSON OpenAPI document and checks that it is OpenAPI 3.x: an `openapi: 3.*` string, `info.title` and `info.version`, `paths` (required in 3.0) whose keys start with `/`, operations with `responses` (3.0) and unique `operationId`s. YAML documents are not read.",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL (required)",
            doc: "the document (short form: `openapi: URL`)",
        },
        KeyDoc {
            name: "headers",
            value: "mapping",
            doc: "request headers",
        },
        KeyDoc {
            name: "insecure, ca_file",
            value: "boolean, path",
            doc: "as for `http`",
        },
        KeyDoc {
            name: "max_body",
            value: "size",
            doc: "read at most this much (default 4MiB, at most 64MiB)",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "valid",
            value: "boolean",
            doc: "the document is OpenAPI 3.x; a Swagger 2.0 or broken document fails saying why",
        },
        KeyDoc {
            name: "operations",
            value: "list of `operationId` or `\"METHOD /path\"`",
            doc: "each must exist",
        },
        KeyDoc {
            name: "json",
            value: "mapping of JSONPath → predicate",
            doc: "JSONPath into the document",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the fetch",
        },
    ],
    implied: "`valid: true`",
    example: "- id: openapi\n  openapi: \"{{ api }}/openapi.json\"\n  expect:\n    operations: [listVehicles, \"POST /api/v1/commands\"]\n    json: { \"$.info.version\": { regex: \"^1\\\\.\" } }\n",
};
