//! What a `redis` check observed (PING, INFO, keys) and how its queries read it.

use std::collections::BTreeMap;

use serde_json::Value;
use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

/// What the Redis probe observed.
#[derive(Debug, Clone, Default)]
pub struct RedisFacts {
    /// `redis_version` from INFO.
    pub server_version: Option<String>,
    /// PING round trip in milliseconds.
    pub ping_ms: f64,
    /// INFO fields (numbers as numbers).
    pub info: BTreeMap<String, Value>,
    /// Key facts for `keys:` expectations.
    pub keys: BTreeMap<(String, KeyAspect), Value>,
    /// Time of the attempt.
    pub duration_ms: f64,
}

impl Facts for RedisFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The aspect of a Redis key an assertion reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyAspect {
    /// Whether it exists.
    Exists,
    /// Its type (`string`, `list`, `set`, `zset`, `hash`, `stream`).
    Type,
    /// Seconds to live (`-1`: no expiry).
    Ttl,
    /// Length of a list, set, sorted set, hash, stream or string.
    Length,
}

impl KeyAspect {
    pub(super) fn name(self) -> &'static str {
        match self {
            KeyAspect::Exists => "exists",
            KeyAspect::Type => "type",
            KeyAspect::Ttl => "ttl",
            KeyAspect::Length => "length",
        }
    }
}

/// What a `redis` expectation looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisQuery {
    /// PING round-trip time.
    Ping,
    /// `redis_version`.
    ServerVersion,
    /// A field of `INFO` (numbers as numbers).
    Info(String),
    /// An aspect of a key.
    Key(String, KeyAspect),
}

impl Select for RedisQuery {
    fn subject(&self) -> String {
        match self {
            RedisQuery::Ping => "ping".into(),
            RedisQuery::ServerVersion => "server_version".into(),
            RedisQuery::Info(f) => format!("info {f}"),
            RedisQuery::Key(k, aspect) => format!("key {k} {}", aspect.name()),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let r: &RedisFacts = facts_as(facts, "redis")?;
        Ok(match self {
            RedisQuery::Ping => Selected::with_unit(r.ping_ms, Unit::Millis),
            RedisQuery::ServerVersion => {
                Selected::one(r.server_version.clone().unwrap_or_default())
            }
            RedisQuery::Info(field) => match r.info.get(field) {
                Some(v) => Selected::one(v.clone()),
                None => Selected::none(),
            },
            RedisQuery::Key(k, aspect) => match r.keys.get(&(k.clone(), *aspect)) {
                Some(Value::Bool(false)) if *aspect == KeyAspect::Exists => Selected::none(),
                Some(v) => Selected::one(v.clone()),
                None => return Err(format!("key `{k}` was not read")),
            },
        })
    }
}
