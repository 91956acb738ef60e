//! The `tls` probe kind: one handshake, the certificate chain as sent, and which protocol
//! versions the server accepts.

mod cert;
mod expect;
mod facts;
mod hello;
mod run;
mod spec;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::kind::{Hint, KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};
use shipcheck_plan::{Assertion, Pos};

use super::net_common::{implied_true, query};
use facts::TlsQuery;

pub use spec::TlsProbe;

/// The `tls` kind's registry entry.
pub(crate) static KIND: TlsKind = TlsKind;

/// The `tls` kind.
pub(crate) struct TlsKind;

impl ProbeKind for TlsKind {
    fn name(&self) -> &'static str {
        "tls"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
    }
    fn hints(&self) -> &'static [Hint] {
        HINTS
    }
    fn parse(&self, cx: &mut Ctx<'_>, node: &Node, base_dir: &Path) -> Option<Arc<dyn Probe>> {
        spec::parse(cx, node, base_dir).map(|p| Arc::new(p) as Arc<dyn Probe>)
    }
    fn expect_keys(&self) -> &'static [&'static str] {
        expect::KEYS
    }
    fn expect(
        &self,
        cx: &mut Ctx<'_>,
        key: &str,
        node: &Node,
        _base_dir: &Path,
        out: &mut Vec<Assertion>,
    ) {
        expect::build(cx, key, node, out);
    }
    /// `valid: true` unless written: an expired, not yet valid, wrong-host or self-signed
    /// certificate fails the check.
    fn implied(&self, _probe: &dyn Probe, expect: &mut Vec<Assertion>, pos: Pos) {
        let implied = implied_true(query(TlsQuery::Valid), expect, pos);
        expect.splice(0..0, implied);
    }
}

probe_impl!(TlsProbe, "tls", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Opens one TLS connection, records the negotiated version, cipher suite and ALPN and the certificate chain as sent, then asks, each on its own connection, whether the server accepts TLS 1.0, 1.1, 1.2 and 1.3.",
    keys: &[
        KeyDoc {
            name: "host",
            value: "text, required",
            doc: "`HOST`, `HOST:PORT` or an `https://` URL (templates allowed); the short form `tls: HOST[:PORT]` is the same",
        },
        KeyDoc {
            name: "port",
            value: "integer",
            doc: "used when `host` has no port (default 443)",
        },
        KeyDoc {
            name: "sni",
            value: "text",
            doc: "name sent as SNI and that the certificate must cover (default: the host)",
        },
        KeyDoc {
            name: "ca_file",
            value: "path",
            doc: "extra trusted CA (PEM); the built-in Mozilla roots are always trusted",
        },
        KeyDoc {
            name: "alpn",
            value: "list",
            doc: "ALPN protocols offered (default `[h2, http/1.1]`)",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "valid",
            value: "boolean",
            doc: "the chain verifies for the server name (a refused handshake fails it too, with the reason)",
        },
        KeyDoc {
            name: "version",
            value: "predicate on text",
            doc: "negotiated version (`TLSv1.2`, `TLSv1.3`)",
        },
        KeyDoc {
            name: "min_version",
            value: "version",
            doc: "the negotiated version is at least this (`TLSv1.2`)",
        },
        KeyDoc {
            name: "cipher | alpn | issuer",
            value: "predicate on text",
            doc: "cipher suite, ALPN protocol, the leaf's issuer DN",
        },
        KeyDoc {
            name: "expires_in",
            value: "bound on a duration",
            doc: "time until the first certificate of the chain (leaf or intermediate) expires (`at_least: 14d`)",
        },
        KeyDoc {
            name: "accepts",
            value: "{ TLSv1.0: false, … }",
            doc: "whether the server accepts that version",
        },
        KeyDoc {
            name: "json",
            value: "mapping of JSONPath → predicate",
            doc: "JSONPath into the facts: `version`, `cipher`, `alpn`, `valid`, `problem`, `accepts`, `chain[i].subject/issuer/sans/not_before/not_after/key_type/key_bits/signature_algorithm/self_signed`",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the whole attempt",
        },
    ],
    implied: "`valid: true` unless written, so an expired, not yet valid, wrong-host or self-signed certificate fails the check, saying which",
    example: "- id: certificate\n  tls: { host: \"api.example.com\", sni: api.example.com, ca_file: certs/ca.pem }\n  expect:\n    expires_in: { at_least: 14d }\n    issuer: { contains: \"Let's Encrypt\" }\n    min_version: TLSv1.2\n    accepts: { TLSv1.0: false, TLSv1.1: false }\n    json: { \"$.chain[0].sans\": { length: { at_least: 1 } } }\n",
};

/// What usually causes this kind's failures.
static HINTS: &[Hint] = &[
    Hint {
        when: "expires",
        hint: "the certificate is close to expiry: its automatic renewal (cert-manager, certbot) is failing or was never set up",
    },
    Hint {
        when: "certificate",
        hint: "the served certificate is not the expected one: a default certificate from the ingress, or an old secret",
    },
    Hint {
        when: "minimum",
        hint: "old TLS versions are enabled in the server or load balancer's TLS policy",
    },
];

/// For `crate::fuzzing`: the version probe's reading of a server's first bytes.
pub(crate) async fn fuzz_server_hello(peer: &[u8], version: u16) -> Result<(), String> {
    hello::read_answer(&mut &peer[..], version).await
}

/// For `crate::fuzzing`: the facts read from one DER certificate.
pub(crate) fn fuzz_certificate(der: &[u8]) -> Result<String, String> {
    cert::facts(der).map(|f| format!("{f:?}"))
}
