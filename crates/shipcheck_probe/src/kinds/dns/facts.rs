//! What the `dns` probe observed (one lookup) and how its queries read it.

use std::borrow::Cow;

use serde_json::{Value, json};
use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

/// One DNS lookup.
#[derive(Debug, Clone, Default)]
pub(crate) struct DnsFacts {
    /// Name looked up.
    pub(crate) name: String,
    /// `A` or `AAAA`.
    pub(crate) record: String,
    /// Nameserver asked (`system` for the system resolver).
    pub(crate) nameserver: String,
    /// Response code (`NOERROR`, `NXDOMAIN`…; `system` lookups give `NOERROR` or the error).
    pub(crate) rcode: String,
    /// Addresses answered, in answer order.
    pub(crate) addresses: Vec<String>,
    /// Time of the lookup.
    pub(crate) duration_ms: f64,
}

impl Facts for DnsFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    /// `{ name, type, nameserver, rcode, addresses }`, for `json:` expectations.
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        Ok(Cow::Owned(json!({
            "name": self.name,
            "type": self.record,
            "nameserver": self.nameserver,
            "rcode": self.rcode,
            "addresses": self.addresses,
        })))
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `dns` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DnsQuery {
    /// The name resolved to at least one address (bool).
    Resolves,
    /// This address is among the answers (with `exists`).
    Address(String),
}

impl Select for DnsQuery {
    fn subject(&self) -> String {
        match self {
            DnsQuery::Resolves => "resolves".into(),
            DnsQuery::Address(ip) => format!("address {ip}"),
        }
    }
    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &DnsFacts = facts_as(facts, "dns")?;
        Ok(match self {
            DnsQuery::Resolves => Selected::one(!f.addresses.is_empty()),
            DnsQuery::Address(ip) => Selected {
                values: f
                    .addresses
                    .iter()
                    .filter(|a| *a == ip)
                    .map(|a| Value::String(a.clone()))
                    .collect(),
                unit: Unit::Number,
            },
        })
    }
    /// What the name resolved to.
    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &DnsFacts = facts_as(facts, "dns").ok()?;
        Some(format!(
            "{} {}: [{}]",
            f.rcode,
            f.record,
            f.addresses.join(", ")
        ))
    }
}
