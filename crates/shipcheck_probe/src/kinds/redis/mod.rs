//! The `redis` probe kind: a Redis server (`redis://` or `rediss://`), AUTH, PING with its
//! round trip, INFO fields and the keys the expectations name; read commands only.

mod expect;
mod facts;
mod run;
mod spec;

use std::path::Path;
use std::sync::Arc;

use shipcheck_plan::Assertion;
use shipcheck_plan::kind::{KeyDoc, KindDoc, Probe, ProbeKind};
use shipcheck_plan::syntax::{Ctx, Node};

use super::db_common::{fetch_list, with_probe};

pub use facts::{KeyAspect, RedisFacts, RedisQuery};
pub use spec::RedisProbe;

/// The `redis` kind's registry entry.
pub(crate) static KIND: RedisKind = RedisKind;

/// The `redis` kind.
pub(crate) struct RedisKind;

impl ProbeKind for RedisKind {
    fn name(&self) -> &'static str {
        "redis"
    }
    fn doc(&self) -> &'static KindDoc {
        &DOC
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
    fn prepare(&self, probe: Arc<dyn Probe>, expect: &[Assertion]) -> Arc<dyn Probe> {
        let fetch = fetch_list(expect, |q: &RedisQuery| matches!(q, RedisQuery::Key(..)));
        with_probe(probe, |p: &mut RedisProbe| p.fetch = fetch)
    }
}

probe_impl!(RedisProbe, "redis", run::observe);

static DOC: KindDoc = KindDoc {
    summary: "Connects to a Redis server and checks PING, INFO fields and the keys the expectations name, sending only read commands.",
    keys: &[
        KeyDoc {
            name: "url",
            value: "URL",
            doc: "`redis://[USER:]PASSWORD@HOST:PORT/DB` or `rediss://` (TLS); `redis: URL` is the short form",
        },
        KeyDoc {
            name: "username, password",
            value: "text",
            doc: "ACL user and AUTH password (override the URL's; the password is redacted everywhere); a refused AUTH is an error of class `auth`",
        },
        KeyDoc {
            name: "ca_file",
            value: "path",
            doc: "an extra trusted CA (PEM) for `rediss://`, besides the web PKI roots",
        },
        KeyDoc {
            name: "insecure",
            value: "boolean",
            doc: "skip TLS certificate verification (default false)",
        },
    ],
    expectations: &[
        KeyDoc {
            name: "ping",
            value: "bound on a duration",
            doc: "PING round trip",
        },
        KeyDoc {
            name: "info",
            value: "mapping of field → predicate",
            doc: "fields of `INFO` (`role`, `connected_slaves`, `maxmemory_policy`, `used_memory`…); numbers compare as numbers",
        },
        KeyDoc {
            name: "keys",
            value: "{ KEY: { exists, type, ttl, length } }",
            doc: "`exists: BOOL`; `type`; `ttl` in seconds (`-1` no expiry, `-2` absent); `length` of a list, set, sorted set, hash, stream or string (`ttl` and `length` take a number or bounds)",
        },
        KeyDoc {
            name: "server_version",
            value: "predicate on text",
            doc: "`redis_version`",
        },
        KeyDoc {
            name: "duration",
            value: "bound on a duration",
            doc: "time of the attempt",
        },
    ],
    implied: "nothing beyond what is written",
    example: "- id: cache\n  redis: { url: \"rediss://:${REDIS_PASSWORD}@cache:6380/0\", ca_file: certs/ca.pem }\n  expect:\n    ping: { under: 50ms }\n    info: { role: master, maxmemory_policy: allkeys-lru }\n    keys:\n      celery: { type: list, length: { under: 100 } }\n",
};
