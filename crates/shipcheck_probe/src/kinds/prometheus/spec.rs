//! The `prometheus:` plan keys: the server's base URL (with the document kinds' `headers`,
//! `insecure`, `ca_file`, `max_body`), which scrape `targets` must be up, and an instant
//! `query`.

use std::path::Path;

use shipcheck_plan::syntax::{Ctx, Kind, Node, get};

use crate::kinds::document::FetchProbe;

/// Keys besides the document ones.
const KEYS: &[&str] = &["targets", "query"];

/// Which scrape targets a check looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// Every active target.
    All,
    /// The targets of these jobs (each must have at least one).
    Jobs(Vec<String>),
}

/// A parsed `prometheus:` check.
#[derive(Debug, Clone)]
pub struct PrometheusProbe {
    /// The server (its base URL, e.g. `http://prometheus:9090`) and how to reach it.
    pub server: FetchProbe,
    /// `targets:` to check, if any.
    pub targets: Option<Targets>,
    /// `query:` (PromQL, templates allowed), if any.
    pub query: Option<String>,
}

pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<PrometheusProbe> {
    let server = crate::kinds::document::parse_with(ctx, n, base_dir, "prometheus", KEYS)?;
    let entries: &[(Node, Node)] = match &n.kind {
        Kind::Map(e) => e,
        _ => &[],
    };
    let targets = match get(entries, "targets") {
        None => None,
        Some(v) => match &v.kind {
            Kind::Str(s) if s == "all" => Some(Targets::All),
            Kind::Seq(items) => {
                let mut jobs = Vec::with_capacity(items.len());
                for item in items {
                    jobs.push(ctx.text(item, "a target job")?);
                }
                Some(Targets::Jobs(jobs))
            }
            _ => {
                ctx.error_help(
                    v.span,
                    "`targets` must be `all` or a list of job names",
                    format!("found {}", v.type_name()),
                    "write `targets: all` or `targets: [api, worker]`",
                );
                return None;
            }
        },
    };
    let query = match get(entries, "query") {
        Some(v) => Some(ctx.template(v, "query")?),
        None => None,
    };
    if targets.is_none() && query.is_none() {
        ctx.error_help(
            n.span,
            "a prometheus check needs `targets` or `query`",
            "nothing to check",
            "write `targets: all` (every scrape target up) or `query: 'up{job=\"api\"}'`",
        );
        return None;
    }
    Some(PrometheusProbe {
        server,
        targets,
        query,
    })
}
