//! The `webhook:` probe key.

use std::path::{Path, PathBuf};

use shipcheck_plan::Body;
use shipcheck_plan::syntax::{Ctx, Node, get, pairs, resolve, shown};

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
/// `webhook:` — a body signed with HMAC-SHA256, sent once as signed and once tampered.
#[derive(Debug, Clone)]
pub struct WebhookProbe {
    /// URL template (POSTed to).
    pub url: String,
    /// The HMAC key (redacted everywhere).
    pub secret: String,
    /// Header carrying the signature (lower-case).
    pub header: String,
    /// Header value; `{signature}` (lower-case hex) and `{timestamp}` (Unix seconds) are
    /// replaced.
    pub signature: String,
    /// What is signed; `{body}` and `{timestamp}` are replaced.
    pub signing_string: String,
    /// The body (JSON or raw text; templates allowed).
    pub body: Body,
    /// Extra request headers.
    pub headers: Vec<(String, String)>,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
    /// Send the validly signed delivery.
    pub send_signed: bool,
    /// Send the tampered delivery.
    pub send_tampered: bool,
}

pub(super) fn parse(ctx: &mut Ctx<'_>, n: &Node, base_dir: &Path) -> Option<WebhookProbe> {
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
