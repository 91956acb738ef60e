//! One entry of `checks:` → [`Check`], plus what the graph validation needs (ids, `needs`,
//! captures and template strings with their positions).

use std::path::Path;
use std::time::Duration;

use crate::ast::{Check, Retry, Until};
use crate::capture;
use crate::ctx::{Ctx, Site, get, shown};
use crate::error::Span;
use crate::expect;
use crate::kind::Kinds;
use crate::yaml::{Kind, Node};

/// Keys of a check besides its probe, in the order error messages list them: these, then
/// the probe keys, then [`CHECK_TAIL_KEYS`].
pub(crate) const CHECK_HEAD_KEYS: &[&str] = &[
    "id",
    "title",
    "needs",
    "critical",
    "timeout",
    "retry",
    "until",
    "skip",
    "exclusive",
];
/// Listed after the probe keys.
pub(crate) const CHECK_TAIL_KEYS: &[&str] = &["expect", "capture"];

/// "captures need an http, websocket or exec probe": the kinds that support captures.
fn captures_need(kinds: Kinds) -> String {
    let names: Vec<&str> = kinds
        .iter()
        .filter(|k| k.captures())
        .map(|k| k.name())
        .collect();
    let article = match names.first().and_then(|n| n.chars().next()) {
        Some('a' | 'e' | 'h' | 'i' | 'o' | 'u') => "an",
        _ => "a",
    };
    let list = match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    };
    format!("captures need {article} {list} probe")
}

/// Keys of `retry:`.
pub(crate) const RETRY_KEYS: &[&str] = &["attempts", "delay"];
/// Keys of `until:`.
pub(crate) const UNTIL_KEYS: &[&str] = &["within", "every"];
/// Most attempts a `retry` may ask for.
pub(crate) const MAX_ATTEMPTS: u64 = 100;
/// Default `until.every`.
const DEFAULT_EVERY: Duration = Duration::from_secs(1);

/// `defaults:` applied to checks that do not set their own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Defaults {
    pub(crate) timeout: Duration,
    pub(crate) retry: Retry,
    pub(crate) concurrency: Option<usize>,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(10),
            retry: Retry::default(),
            concurrency: None,
        }
    }
}

/// What graph validation needs to know about a check.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub(crate) id: String,
    pub(crate) id_span: Span,
    pub(crate) needs: Vec<(String, Span)>,
    pub(crate) captures: Vec<(String, Span)>,
    pub(crate) sites: Vec<Site>,
}

/// Whether `id` is a valid check id: letters, digits, `-`, `_`, `.`.
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// A positive duration.
pub fn positive_duration(ctx: &mut Ctx<'_>, n: &Node, what: &str) -> Option<Duration> {
    let d = ctx.duration(n, what)?;
    if d.is_zero() {
        ctx.error(n.span, format!("`{what}` must be more than zero"), "zero");
        return None;
    }
    Some(d)
}

/// `retry: { attempts, delay }`.
pub(crate) fn retry(ctx: &mut Ctx<'_>, n: &Node) -> Option<Retry> {
    let entries = ctx.map(n, "retry")?;
    ctx.keys(entries, RETRY_KEYS, "retry");
    let attempts = match get(entries, "attempts") {
        Some(a) => match ctx.uint(a, "attempts", MAX_ATTEMPTS)? {
            0 => {
                ctx.error(a.span, "`attempts` must be at least 1", "zero attempts");
                return None;
            }
            x => x as u32,
        },
        None => 1,
    };
    let delay = match get(entries, "delay") {
        Some(d) => ctx.duration(d, "delay")?,
        None => Duration::ZERO,
    };
    Some(Retry { attempts, delay })
}

/// `until: { within, every }`.
fn until(ctx: &mut Ctx<'_>, n: &Node) -> Option<Until> {
    let entries = ctx.map(n, "until")?;
    ctx.keys(entries, UNTIL_KEYS, "until");
    let Some(within_node) = get(entries, "within") else {
        ctx.error(n.span, "`until` needs `within`", "add `within: 60s`");
        return None;
    };
    let within = positive_duration(ctx, within_node, "within")?;
    let every = match get(entries, "every") {
        Some(e) => {
            let every = positive_duration(ctx, e, "every")?;
            if every > within {
                ctx.error(e.span, "`every` is longer than `within`", "would poll once");
                return None;
            }
            every
        }
        None => DEFAULT_EVERY.min(within),
    };
    Some(Until { within, every })
}

/// Build one check. The [`Meta`] is returned whenever the id is readable, so graph checks
/// still run on a check with other errors.
pub(crate) fn build(
    ctx: &mut Ctx<'_>,
    n: &Node,
    defaults: &Defaults,
    base_dir: &Path,
) -> (Option<Check>, Option<Meta>) {
    ctx.sites.clear();
    let Some(entries) = ctx.map(n, "check") else {
        return (None, None);
    };
    let id_node = get(entries, "id");
    let id = match id_node {
        None => {
            ctx.error(n.span, "the check has no `id`", "add `id: …`");
            None
        }
        Some(idn) => match ctx.text(idn, "id") {
            Some(id) if valid_id(&id) => Some(id),
            Some(_) => {
                ctx.error_help(
                    idn.span,
                    format!("{} is not a valid check id", shown(idn)),
                    "invalid id",
                    "ids use letters, digits, `-`, `_` and `.`",
                );
                None
            }
            None => None,
        },
    };
    let what = id
        .as_ref()
        .map_or_else(|| "a check".to_owned(), |id| format!("check `{id}`"));
    let probe_names: Vec<&'static str> = ctx.kinds.names().collect();
    let check_keys = [CHECK_HEAD_KEYS, &probe_names, CHECK_TAIL_KEYS].concat();
    ctx.keys(entries, &check_keys, &what);

    let title = match get(entries, "title") {
        Some(t) => ctx.text(t, "title"),
        None => id.clone(),
    };
    let mut needs = Vec::new();
    if let Some(nn) = get(entries, "needs") {
        let items: &[Node] = match &nn.kind {
            Kind::Str(_) => std::slice::from_ref(nn),
            _ => ctx.seq(nn, "needs").unwrap_or_default(),
        };
        for item in items {
            if let Some(need) = ctx.text(item, "needs") {
                needs.push((need, item.span));
            }
        }
    }
    let critical = match get(entries, "critical") {
        Some(c) => ctx.bool(c, "critical"),
        None => Some(true),
    };
    let exclusive = match get(entries, "exclusive") {
        Some(x) => ctx.bool(x, "exclusive"),
        None => Some(false),
    };
    let timeout = match get(entries, "timeout") {
        Some(t) => positive_duration(ctx, t, "timeout"),
        None => Some(defaults.timeout),
    };
    let retry_v = match get(entries, "retry") {
        Some(r) => retry(ctx, r),
        None => Some(defaults.retry),
    };
    let until_v = match get(entries, "until") {
        Some(u) => {
            if let Some((rk, _)) = crate::ctx::entry(entries, "retry") {
                ctx.error(
                    rk.span,
                    format!("{what} sets both `retry` and `until`"),
                    "`until` replaces `retry`: keep one",
                );
            }
            until(ctx, u).map(Some)
        }
        None => Some(None),
    };
    let skip = match get(entries, "skip") {
        Some(s) => ctx.text(s, "skip").map(Some),
        None => Some(None),
    };

    let probe_entries: Vec<_> = entries
        .iter()
        .filter(|(k, _)| matches!(&k.kind, Kind::Str(s) if probe_names.contains(&s.as_str())))
        .collect();
    for (k, _) in probe_entries.iter().skip(1) {
        ctx.error_help(
            k.span,
            format!("{what} has more than one probe"),
            "second probe",
            "a check runs exactly one probe: split it into several checks",
        );
    }
    let probe_kind = match probe_entries.as_slice() {
        [] => {
            ctx.error_help(
                n.span,
                format!("{what} has no probe"),
                "no probe key in this check",
                format!("add one of: {}", probe_names.join(", ")),
            );
            None
        }
        [(k, _)] => k.scalar_text(),
        _ => None,
    };
    let kind = probe_kind.as_deref().and_then(|k| ctx.kinds.get(k));
    let probe = match (kind, probe_entries.first()) {
        (Some(kind), Some((_, v))) => kind.parse(ctx, v, base_dir),
        _ => None,
    };
    let mut expect = match get(entries, "expect") {
        Some(e) => {
            let built = expect::build(ctx, e, kind, base_dir);
            // Expected values may name plan vars and captures (rendered at run time), so
            // their names are checked like the request's.
            ctx.template_sites(e);
            built
        }
        None => Vec::new(),
    };
    if let (Some(kind), Some(p)) = (kind, &probe) {
        kind.implied(p.as_ref(), &mut expect, n.pos());
    }
    let captures = match get(entries, "capture") {
        Some(c) => {
            if let Some(kind) = kind.filter(|k| !k.captures()) {
                ctx.error(
                    c.span,
                    captures_need(ctx.kinds),
                    format!("not available for {}", kind.name()),
                );
            }
            capture::build(ctx, c)
        }
        None => Vec::new(),
    };

    let meta = id.clone().map(|id| Meta {
        id,
        id_span: id_node.map_or(n.span, |i| i.span),
        needs: needs.clone(),
        captures: captures.iter().map(|(c, s)| (c.name.clone(), *s)).collect(),
        sites: std::mem::take(&mut ctx.sites),
    });
    let check = (|| {
        Some(Check {
            id: id?,
            title: title?,
            needs: needs.into_iter().map(|(n, _)| n).collect(),
            critical: critical?,
            timeout: timeout?,
            retry: retry_v?,
            until: until_v?,
            skip: skip?,
            exclusive: exclusive?,
            hints: kind?.hints(),
            probe: kind?.prepare(probe?, &expect),
            expect,
            capture: captures.into_iter().map(|(c, _)| c).collect(),
            pos: n.pos(),
        })
    })();
    (check, meta)
}
