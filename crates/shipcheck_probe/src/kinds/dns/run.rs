//! The `dns` probe: resolve a name (A or AAAA), either with the system resolver or by asking
//! a given nameserver with hickory (UDP with EDNS, retried over TCP when the UDP answer is
//! truncated). NXDOMAIN or an empty answer is a fact (`resolves: false`); no answer at all is
//! an error (class `dns` or `timeout`).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use hickory_resolver::config::{
    ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig, ResolverOpts,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::{Resolver, TokioResolver};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, Measurement};

use super::facts::DnsFacts;
use super::spec::{DnsProbe, nameserver_addr};

/// A query is sent again after this long without an answer.
const RESEND: Duration = Duration::from_millis(1000);
/// At most this many records of an answer are read.
const MAX_RECORDS: usize = 64;

/// One lookup, by the system resolver or by asking the nameserver.
pub(super) async fn observe(p: &DnsProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let name = template::render_str(&p.name, cx.lookup)
        .map_err(|e| ProbeError::new(FailureClass::Protocol, format!("rendering: {e}")))?;
    let name = name.trim_end_matches('.').to_owned();
    let budget = cx
        .timeout
        .saturating_sub(Duration::from_millis(100))
        .max(Duration::from_millis(50));
    let mut facts = DnsFacts {
        name: name.clone(),
        record: p.record.clone(),
        ..DnsFacts::default()
    };
    match &p.nameserver {
        Some(ns) => {
            let addr = nameserver_addr(ns).ok_or_else(|| {
                ProbeError::new(FailureClass::Dns, format!("invalid nameserver {ns}"))
            })?;
            facts.nameserver = addr.to_string();
            let qtype = if p.record == "AAAA" {
                RecordType::AAAA
            } else {
                RecordType::A
            };
            let (rcode, addrs) = ask(addr, &name, qtype, budget).await?;
            facts.rcode = rcode;
            facts.addresses = addrs;
        }
        None => {
            facts.nameserver = "system".into();
            let found = tokio::time::timeout(budget, tokio::net::lookup_host((name.as_str(), 0)))
                .await
                .map_err(|_| {
                    ProbeError::new(
                        FailureClass::Timeout,
                        format!(
                            "resolving {name}: no answer within {} ms",
                            budget.as_millis()
                        ),
                    )
                })?;
            match found {
                Ok(addrs) => {
                    facts.rcode = "NOERROR".into();
                    facts.addresses = addrs
                        .map(|a| a.ip())
                        .filter(|ip| ip.is_ipv6() == (p.record == "AAAA"))
                        .map(|ip| ip.to_string())
                        .take(MAX_RECORDS)
                        .collect();
                }
                Err(e) => facts.rcode = e.to_string().to_lowercase(),
            }
        }
    }
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    let text = format!(
        "{} {} @{}: {} [{}]",
        facts.name,
        facts.record,
        facts.nameserver,
        facts.rcode,
        facts.addresses.join(", ")
    );
    Ok(Observed {
        evidence: vec![Evidence {
            label: "dns".into(),
            text,
            truncated: false,
        }],
        measurements: vec![Measurement {
            name: "dns".into(),
            value: facts.duration_ms,
            unit: shipcheck_report::MeasureUnit::Ms,
            target: None,
            met: None,
        }],
        ..Observed::new(facts)
    })
}

/// A resolver that asks only `server` (UDP, then TCP for truncated answers), with EDNS, no
/// cache, no hosts file and no search domains.
fn resolver(server: SocketAddr, budget: Duration) -> Result<TokioResolver, NetError> {
    let mut udp = ConnectionConfig::udp();
    udp.port = server.port();
    let mut tcp = ConnectionConfig::tcp();
    tcp.port = server.port();
    let ns = NameServerConfig::new(server.ip(), true, vec![udp, tcp]);
    let mut opts = ResolverOpts::default();
    opts.timeout = budget.min(RESEND);
    opts.attempts = usize::try_from(budget.as_secs()).unwrap_or(1).clamp(1, 30);
    opts.edns0 = true;
    opts.cache_size = 0;
    opts.use_hosts_file = ResolveHosts::Never;
    opts.ndots = 0;
    Resolver::builder_with_config(
        ResolverConfig::from_name_servers(vec![ns]),
        TokioRuntimeProvider::default(),
    )
    .with_options(opts)
    .build()
}

/// Ask `server` for `name`; returns the response code and the addresses of type `qtype`.
async fn ask(
    server: SocketAddr,
    name: &str,
    qtype: RecordType,
    budget: Duration,
) -> Result<(String, Vec<String>), ProbeError> {
    let err =
        |class, why: String| ProbeError::new(class, format!("asking {server} for {name}: {why}"));
    let fqdn = Name::from_ascii(format!("{name}."))
        .map_err(|_| err(FailureClass::Protocol, "not a valid DNS name".into()))?;
    let resolver = resolver(server, budget).map_err(|e| err(FailureClass::Dns, e.to_string()))?;
    let no_answer = || {
        err(
            FailureClass::Timeout,
            format!("no answer within {} ms", budget.as_millis()),
        )
    };
    let found = tokio::time::timeout(budget, resolver.lookup(fqdn, qtype))
        .await
        .map_err(|_| no_answer())?;
    match found {
        Ok(lookup) => {
            let addrs = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::A(a) if qtype == RecordType::A => Some(IpAddr::V4(a.0)),
                    RData::AAAA(a) if qtype == RecordType::AAAA => Some(IpAddr::V6(a.0)),
                    _ => None,
                })
                .map(|ip| ip.to_string())
                .take(MAX_RECORDS)
                .collect();
            Ok((rcode_name(0), addrs))
        }
        Err(NetError::Dns(DnsError::NoRecordsFound(none))) => {
            Ok((rcode_name(u16::from(none.response_code)), Vec::new()))
        }
        Err(NetError::Dns(DnsError::ResponseCode(code))) => {
            Ok((rcode_name(u16::from(code)), Vec::new()))
        }
        Err(NetError::Timeout) => Err(no_answer()),
        Err(NetError::Io(e)) => Err(err(FailureClass::Dns, e.to_string().to_lowercase())),
        Err(NetError::Truncated) => Err(err(
            FailureClass::Protocol,
            "the answer was truncated over TCP too".into(),
        )),
        Err(other) => Err(err(FailureClass::Dns, other.to_string())),
    }
}

fn rcode_name(code: u16) -> String {
    match code {
        0 => "NOERROR".into(),
        1 => "FORMERR".into(),
        2 => "SERVFAIL".into(),
        3 => "NXDOMAIN".into(),
        4 => "NOTIMP".into(),
        5 => "REFUSED".into(),
        other => format!("RCODE{other}"),
    }
}
