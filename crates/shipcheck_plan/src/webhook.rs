//! The `webhook:` probe key and its expectations (`accepted`, `rejected`).

use std::path::Path;

use crate::ast::{Assertion, Body, Predicate, Query, StatusPattern, WebhookProbe};
use crate::ctx::{Ctx, get, shown};
use crate::expect::{Target, predicates};
use crate::probe::{pairs, resolve};
use crate::yaml::Node;

const KEYS: &[&str] = &[
    "url",
    "secret",
    "preset",
    "header",
    "signature",
    "signing_string",
    "json",
    "body",
    "headers",
    "insecure",
    "ca_file",
    "deliver",
];

/// `expect:` keys of the `webhook` probe handled here.
pub(crate) const EXPECT_WEBHOOK: &[&str] = &["accepted", "rejected"];

/// `(preset, header, signature, signing string)`.
const PRESETS: &[(&str, &str, &str, &str)] = &[
    (
        "github",
        "x-hub-signature-256",
        "sha256={signature}",
        "{body}",
    ),
    (
        "stripe",
        "stripe-signature",
        "t={timestamp},v1={signature}",
        "{timestamp}.{body}",
    ),
];

/// `webhook: { url, secret, preset | header + signature + signing_string, json | body, … }`.
pub(crate) fn webhook(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<WebhookProbe> {
    let entries = ctx.map(n, "webhook")?;
    ctx.keys(entries, KEYS, "a webhook probe");
    let Some(url_node) = get(entries, "url") else {
        ctx.error(
            n.span,
            "the webhook probe has no `url`",
            "add `url: https://…`",
        );
        return None;
    };
    let url = ctx.template(url_node, "url")?;
    let Some(secret_node) = get(entries, "secret") else {
        ctx.error_help(
            n.span,
            "the webhook probe has no `secret`",
            "add `secret: ${WEBHOOK_SECRET}`",
            "list the variable under `secrets:` so it is redacted everywhere",
        );
        return None;
    };
    let secret = ctx.text(secret_node, "secret")?;
    if secret.is_empty() {
        ctx.error(
            secret_node.span,
            "the webhook secret is empty",
            "empty secret",
        );
        return None;
    }
    let (mut header, mut signature, mut signing_string) =
        (None::<String>, None::<String>, None::<String>);
    if let Some(p) = get(entries, "preset") {
        let name = ctx.text(p, "preset")?;
        let Some((_, h, s, ss)) = PRESETS.iter().find(|(n, ..)| n.eq_ignore_ascii_case(&name))
        else {
            ctx.error_help(
                p.span,
                format!("{} is not a webhook preset", shown(p)),
                "unknown preset",
                "use `github` or `stripe`, or `header`, `signature` and `signing_string`",
            );
            return None;
        };
        (header, signature, signing_string) = (
            Some((*h).to_owned()),
            Some((*s).to_owned()),
            Some((*ss).to_owned()),
        );
    }
    if let Some(h) = get(entries, "header") {
        header = Some(ctx.text(h, "header")?.to_ascii_lowercase());
    }
    if let Some(s) = get(entries, "signature") {
        let text = ctx.text(s, "signature")?;
        if !text.contains("{signature}") {
            ctx.error(
                s.span,
                "`signature` must contain `{signature}`",
                "no `{signature}`",
            );
            return None;
        }
        signature = Some(text);
    }
    if let Some(s) = get(entries, "signing_string") {
        let text = ctx.text(s, "signing_string")?;
        if !text.contains("{body}") {
            ctx.error(
                s.span,
                "`signing_string` must contain `{body}`",
                "no `{body}`",
            );
            return None;
        }
        signing_string = Some(text);
    }
    let Some(header) = header else {
        ctx.error_help(
            n.span,
            "the webhook probe does not say how to sign",
            "no `preset` or `header`",
            "add `preset: github` (or `stripe`), or `header:` with `signature:`",
        );
        return None;
    };
    let body = match (get(entries, "json"), get(entries, "body")) {
        (Some(_), Some(b)) => {
            ctx.error(
                b.span,
                "a webhook has one body",
                "use `json` or `body`, not both",
            );
            return None;
        }
        (Some(j), None) => {
            let v = ctx.json(j)?;
            ctx.template_sites(j);
            Body::Json(v)
        }
        (None, Some(b)) => Body::Raw(ctx.template(b, "body")?),
        (None, None) => {
            ctx.error(
                n.span,
                "the webhook probe has no body",
                "add `json:` or `body:`",
            );
            return None;
        }
    };
    let headers = get(entries, "headers")
        .map(|h| pairs(ctx, h, "headers", true))
        .unwrap_or_default();
    let insecure = match get(entries, "insecure") {
        Some(v) => ctx.bool(v, "insecure")?,
        None => false,
    };
    let ca_file = match get(entries, "ca_file") {
        Some(v) => Some(resolve(base_dir, &ctx.text(v, "ca_file")?)),
        None => None,
    };
    let (send_signed, send_tampered) = match get(entries, "deliver") {
        Some(d) => match ctx.text(d, "deliver")?.as_str() {
            "both" => (true, true),
            "signed" => (true, false),
            "tampered" => (false, true),
            _ => {
                ctx.error_help(
                    d.span,
                    format!("{} is not a delivery choice", shown(d)),
                    "unknown choice",
                    "use `both` (default), `signed` or `tampered`",
                );
                return None;
            }
        },
        None => (true, true),
    };
    Some(WebhookProbe {
        url,
        secret,
        header,
        signature: signature.unwrap_or_else(|| "{signature}".to_owned()),
        signing_string: signing_string.unwrap_or_else(|| "{body}".to_owned()),
        body,
        headers,
        insecure,
        ca_file,
        send_signed,
        send_tampered,
    })
}

/// `accepted:` / `rejected:` — status predicates on the signed and the tampered delivery.
pub(crate) fn expect(ctx: &mut Ctx<'_>, key: &str, v: &Node, out: &mut Vec<Assertion>) {
    let q = if key == "accepted" {
        Query::WebhookAccepted
    } else {
        Query::WebhookRejected
    };
    predicates(ctx, v, Target::Status, &q, out);
}

/// Unless written: the signed delivery gets a 2xx, the tampered one a 401 or 403 (for the
/// deliveries that are sent).
pub(crate) fn implicit_expectations(
    probe: Option<&crate::ast::Probe>,
    expect: &mut Vec<Assertion>,
    pos: crate::ast::Pos,
) {
    let Some(crate::ast::Probe::Webhook(w)) = probe else {
        return;
    };
    let sent = |q: &Query| match q {
        Query::WebhookAccepted => w.send_signed,
        _ => w.send_tampered,
    };
    for (q, patterns) in [
        (Query::WebhookAccepted, vec![StatusPattern::Class(2)]),
        (
            Query::WebhookRejected,
            vec![StatusPattern::Code(401), StatusPattern::Code(403)],
        ),
    ] {
        if sent(&q) && !expect.iter().any(|a| a.query == q) {
            expect.push(Assertion {
                query: q,
                predicate: Predicate::StatusIn(patterns),
                pos,
            });
        }
    }
}
