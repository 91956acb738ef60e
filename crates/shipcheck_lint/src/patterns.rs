//! The one home of the patterns that answer secret-related questions for every rule family
//! (Kubernetes, Compose, Dockerfile, `.env`, any file): is this name a secret, is this value
//! a placeholder, a reference or a literal, is it in a known credential format, does this URL
//! carry a password, does a connection string turn TLS off. Compiled once per process.
//!
//! Keeping one definition per question means a value gets the same answer whatever kind of
//! file it sits in. This module does not report anything; rules do.

use std::sync::LazyLock;

use regex::Regex;

fn re(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// Words that make a variable name secret-like (matched on `_`-separated words).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "PRIVATE_KEY",
    "API_KEY",
    "ACCESS_KEY",
    "SECRET_KEY",
    "CLIENT_SECRET",
    "AUTH_KEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Secret words also recognised at the end of a longer word (`DBPASSWORD`, `GITHUBTOKEN`).
const SECRET_SUFFIXES: &[&str] = &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY"];

/// Words before a final `KEY` that make it an identifier rather than a secret.
const NON_SECRET_KEYS: &[&str] = &[
    "PUBLIC",
    "PRIMARY",
    "PARTITION",
    "SORT",
    "CACHE",
    "FOREIGN",
    "ROUTING",
    "IDEMPOTENCY",
    "GPG",
];

/// Splits `camelCase` into `camel_Case` so words are found in either spelling.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

/// True when a variable name says it holds a secret (`DB_PASSWORD`, `GITHUB_TOKEN`,
/// `dbPassword`, `STRIPE_KEY`…). Names that only point at or describe a secret
/// (`*_FILE`, `*_PATH`, `*_SECRET_NAME`, `*_ID`, `*_STORE`, `*_TTL`…), switches about one
/// (`MYSQL_ALLOW_EMPTY_PASSWORD`) and the shell's `PWD`/`OLDPWD` are not.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let upper = snake(name).to_ascii_uppercase().replace(['-', '.'], "_");
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    let Some(last) = words.last() else {
        return false;
    };
    if matches!(upper.as_str(), "PWD" | "OLDPWD") {
        return false;
    }
    // Switches about a secret (`MYSQL_ALLOW_EMPTY_PASSWORD`, `MYSQL_RANDOM_ROOT_PASSWORD`).
    if words.iter().any(|w| {
        matches!(
            *w,
            "ALLOW" | "RANDOM" | "SKIP" | "REQUIRE" | "GENERATE" | "MIN"
        )
    }) {
        return false;
    }
    if matches!(
        *last,
        "FILE"
            | "PATH"
            | "NAME"
            | "DIR"
            | "URL"
            | "HOST"
            | "PORT"
            | "USER"
            | "USERNAME"
            | "ID"
            | "KIND"
            | "ENABLED"
            | "LENGTH"
            | "TTL"
            | "EXPIRY"
            | "EXPIRES"
            | "TYPE"
            | "MODE"
            | "HEADER"
            | "FIELD"
            | "REF"
            | "KEYS"
            | "POLICY"
            | "ALGORITHM"
            | "SIZE"
            | "ISSUER"
            | "AUDIENCE"
            | "LIFETIME"
            | "TIMEOUT"
            | "REQUIRED"
            | "HASH"
            | "RESET"
            | "MIN"
            | "MAX"
            | "CMD"
            | "COMMAND"
            | "STORE"
            | "BACKEND"
            | "PROVIDER"
            | "VERSION"
    ) {
        return false;
    }
    let has_word = SECRET_WORDS.iter().any(|w| {
        let parts: Vec<&str> = w.split('_').collect();
        words
            .windows(parts.len())
            .any(|win| win == parts.as_slice())
    });
    let has_suffix = words.iter().any(|w| {
        SECRET_SUFFIXES
            .iter()
            .any(|s| w.len() > s.len() && w.ends_with(s))
    });
    // `KEY`, `STRIPE_KEY`, `ENCRYPTION_KEY`: a final `KEY` holds one, unless it names a column.
    let final_key = *last == "KEY"
        && !words
            .iter()
            .rev()
            .nth(1)
            .is_some_and(|w| NON_SECRET_KEYS.contains(w));
    has_word || has_suffix || final_key
}

static PLACEHOLDER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"(?i)(^|[^a-z])(replace[_-]?(with|me)[a-z0-9_-]*|<your[-_ ][^>]*>|change[-_]?me([-_]in[-_]production)?|todo[-_]?(replace|change)|xxx+|your[-_](password|secret|token|key)[a-z_-]*)($|[^a-z])",
    )
});

/// A placeholder someone forgot to replace: `REPLACE_WITH_…`, `<your-…>`, `changeme`,
/// `xxxx`, `your-password-here`. (A well-known default such as `changeme` is still a
/// literal value: see [`is_non_literal`] and [`insecure_default`].)
pub(crate) fn is_placeholder(value: &str) -> bool {
    PLACEHOLDER.as_ref().is_some_and(|r| r.is_match(value))
}

/// A value that names a reference rather than a literal: `${VAR}` anywhere, `$VAR`,
/// Kubernetes `$(VAR)`, templates (`{{ … }}`) and Python-style `%(name)s`.
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.contains("${")
        || v.contains("$(")
        || v.contains("{{")
        || v.contains("%(")
        || v.strip_prefix('$').is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// True for values that stand in for a secret rather than being one: empty, a
/// reference ([`is_reference`]), `<your-token>`, fillers (`xxxx`, `****`), `null`/`true`…,
/// or a path to where the secret lives (`/run/secrets/…`, `file:`, `vault:`).
pub(crate) fn is_non_literal(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || is_reference(v) {
        return true;
    }
    if v.starts_with('<') && v.ends_with('>') {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if lower
        .chars()
        .all(|c| matches!(c, 'x' | '*' | '.' | '-' | '_' | '#'))
        || matches!(
            lower.as_str(),
            "null" | "none" | "nil" | "false" | "true" | "yes" | "no" | "~" | "\"\"" | "''"
        )
    {
        return true;
    }
    // Docker secrets and files: a path, not a secret.
    v.starts_with("/run/secrets/") || v.starts_with("file:") || v.starts_with("vault:")
}

/// A token format: what it is, and its pattern.
pub(crate) struct TokenFormat {
    /// Human name (`AWS access key ID`).
    pub(crate) name: &'static str,
    /// The pattern (whole token).
    pub(crate) regex: Option<Regex>,
}

/// Known token formats with a distinctive prefix.
pub(crate) static TOKEN_FORMATS: LazyLock<Vec<TokenFormat>> = LazyLock::new(|| {
    let t = |name, p: &str| TokenFormat { name, regex: re(p) };
    vec![
        t("AWS access key ID", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
        t(
            "GitHub token",
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,255}\b",
        ),
        t("GitHub token", r"\bgithub_pat_[A-Za-z0-9_]{50,255}\b"),
        t("GitLab token", r"\bglpat-[A-Za-z0-9_\-]{20}\b"),
        t("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
        t("Stripe key", r"\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b"),
        t("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
        t(
            "OpenAI key",
            r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}\b",
        ),
        t("Anthropic key", r"\bsk-ant-[A-Za-z0-9_\-]{32,}\b"),
        t("npm token", r"\bnpm_[A-Za-z0-9]{36}\b"),
        t(
            "SendGrid key",
            r"\bSG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43}\b",
        ),
    ]
});

/// A token found in text: its format name and byte range.
pub(crate) struct FoundToken<'t> {
    /// Format name.
    pub(crate) name: &'static str,
    /// The token.
    pub(crate) text: &'t str,
    /// Byte offset of the token in the searched text.
    pub(crate) start: usize,
}

/// Finds known tokens in `text` (documented example keys such as
/// `AKIAIOSFODNN7EXAMPLE` are skipped).
pub(crate) fn find_tokens(text: &str) -> Vec<FoundToken<'_>> {
    let mut out: Vec<FoundToken<'_>> = Vec::new();
    // Starts already taken by an earlier format: a set, since a scan of `out` per match
    // was quadratic in the number of tokens.
    let mut taken = std::collections::HashSet::new();
    for f in TOKEN_FORMATS.iter() {
        let Some(r) = &f.regex else { continue };
        for m in r.find_iter(text) {
            if m.as_str().contains("EXAMPLE") || !taken.insert(m.start()) {
                continue;
            }
            out.push(FoundToken {
                name: f.name,
                text: m.as_str(),
                start: m.start(),
            });
        }
    }
    out.sort_by_key(|t| t.start);
    out
}

static URL_CREDENTIALS: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"\b([a-zA-Z][a-zA-Z0-9+.\-]{1,30})://([^\s:/@'\x22`<>{}\[\]]*):([^\s/@'\x22`]+)@([A-Za-z0-9\-_.\[\]$]+)",
    )
});

/// Credentials in a URL: scheme, the password and its byte range in the text.
pub(crate) struct UrlCredential<'t> {
    /// The scheme (`postgres`).
    pub(crate) scheme: &'t str,
    /// The host after `@`.
    pub(crate) host: &'t str,
    /// The password.
    pub(crate) password: &'t str,
    /// Byte offset of the whole URL.
    pub(crate) start: usize,
    /// Byte offset of the URL's end.
    pub(crate) end: usize,
}

/// Finds `scheme://user:password@host` with a literal password (placeholders skipped).
pub(crate) fn find_url_credentials(text: &str) -> Vec<UrlCredential<'_>> {
    let Some(r) = URL_CREDENTIALS.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in r.captures_iter(text) {
        let (Some(all), Some(scheme), Some(pass), Some(host)) =
            (c.get(0), c.get(1), c.get(3), c.get(4))
        else {
            continue;
        };
        let p = pass.as_str();
        if is_non_literal(p) || p.starts_with('$') || p.starts_with('%') {
            continue;
        }
        if is_format_example(c.get(2).map_or("", |u| u.as_str()), p, host.as_str()) {
            continue;
        }
        out.push(UrlCredential {
            scheme: scheme.as_str(),
            host: host.as_str(),
            password: p,
            start: all.start(),
            end: all.end(),
        });
    }
    out
}

/// The password of the first `scheme://user:password@host` URL in `value` with a literal
/// password (references and format examples such as `user:password@host` skipped).
pub(crate) fn url_password(value: &str) -> Option<&str> {
    find_url_credentials(value).first().map(|c| c.password)
}

/// True for URLs that document a format (`mysql://user:password@host:port/db`) rather
/// than configure a connection.
fn is_format_example(user: &str, password: &str, host: &str) -> bool {
    let p = password.to_ascii_lowercase();
    if matches!(
        p.as_str(),
        "mypass"
            | "mypassword"
            | "yourpassword"
            | "your_password"
            | "your-password"
            | "secretpassword"
    ) {
        return true;
    }
    let generic_password = matches!(
        p.as_str(),
        "password" | "pass" | "passwd" | "pwd" | "pw" | "secret"
    );
    let u = user.to_ascii_lowercase();
    let h = host.to_ascii_lowercase();
    generic_password
        && (matches!(u.as_str(), "user" | "username" | "usr" | "login")
            || h.starts_with("host")
            || h.starts_with("example.")
            || h.ends_with(".example.com"))
}

static PRIVATE_KEY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(r"-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----")
});

/// A private-key block: the header's range, its type and the first body line (the secret).
pub(crate) struct PrivateKey<'t> {
    /// `RSA PRIVATE KEY`…
    pub(crate) kind: &'t str,
    /// Byte range of the header.
    pub(crate) start: usize,
    /// End of the header.
    pub(crate) end: usize,
    /// The first line of key material.
    pub(crate) body: &'t str,
}

/// Finds private-key headers followed by key material (at least 20 base64 characters
/// on the next non-empty line, so `…` placeholders are not reported).
pub(crate) fn find_private_keys(text: &str) -> Vec<PrivateKey<'_>> {
    let Some(r) = PRIVATE_KEY.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for c in r.captures_iter(text) {
        let (Some(all), Some(kind)) = (c.get(0), c.get(1)) else {
            continue;
        };
        let mut after = &text[all.end()..];
        // Key material starts on the next line, or after a literal `\n` on this one.
        if !after.starts_with("\\n") {
            after = after.split_once('\n').map_or("", |(_, rest)| rest);
        }
        let body = after
            .split(['\n', '\r'])
            .map(|l| l.trim().trim_start_matches("\\n").trim_matches(['"', '\'']))
            .find(|l| !l.is_empty() && !l.contains(':'))
            .unwrap_or("");
        // Key material may also follow on the same line after a literal `\n`.
        let body = body.split("\\n").find(|s| !s.is_empty()).unwrap_or(body);
        let material = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
            .count();
        if material >= 20 {
            out.push(PrivateKey {
                kind: kind.as_str(),
                start: all.start(),
                end: all.end(),
                body,
            });
        }
    }
    out
}

static JWT: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"\beyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]*"));

/// A value in a known credential format: a token of [`TOKEN_FORMATS`] (documented
/// examples skipped), a private-key block with key material, or a signed JWT.
pub(crate) fn looks_like_credential(value: &str) -> bool {
    !find_tokens(value).is_empty()
        || !find_private_keys(value).is_empty()
        || JWT.as_ref().is_some_and(|r| r.is_match(value))
}

static SSL_DISABLED: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?i)\b(sslmode=disable|ssl=false|useSSL=false|tls=false)\b"));
static PLAIN_REDIS: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"(?i)\bredis://"));

/// A connection string that turns TLS off (`sslmode=disable`, `ssl=false`, `useSSL=false`).
pub(crate) fn disables_tls(value: &str) -> bool {
    SSL_DISABLED.as_ref().is_some_and(|r| r.is_match(value))
}

/// A plain-text `redis://` URL.
pub(crate) fn is_plain_redis(value: &str) -> bool {
    PLAIN_REDIS.as_ref().is_some_and(|r| r.is_match(value))
}

/// Values that are well-known insecure defaults (case-insensitive).
pub(crate) fn insecure_default(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    matches!(
        v.as_str(),
        "changeme"
            | "change-me"
            | "change_me"
            | "changeit"
            | "secret"
            | "password"
            | "passw0rd"
            | "admin"
            | "root"
            | "123456"
            | "12345678"
            | "test"
            | "example"
            | "default"
            | "letmein"
            | "postgres"
            | "mysql"
            | "sk-dev-master-key"
            | "change-me-in-production"
    ) || v.ends_with("_dev_password")
        || v.ends_with("-dev-password")
        || v.starts_with("changeme")
        || v.starts_with("change-me")
        || v.starts_with("change_me")
        || v.starts_with("changethis")
        || v.starts_with("please-change")
}

#[cfg(test)]
mod tests;
