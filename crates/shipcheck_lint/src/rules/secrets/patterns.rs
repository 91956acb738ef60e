//! Patterns shared by the secret-aware rules of every family: secret-like names,
//! placeholders, token formats, credentials in URLs and private-key blocks.

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
    "CREDENTIALS",
];

/// True when a variable name says it holds a secret (`DB_PASSWORD`, `GITHUB_TOKEN`…).
/// Names that only point at a secret (`*_FILE`, `*_PATH`, `*_SECRET_NAME`…) are not.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase().replace(['-', '.'], "_");
    let words: Vec<&str> = upper.split('_').filter(|w| !w.is_empty()).collect();
    let Some(last) = words.last() else {
        return false;
    };
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
    SECRET_WORDS.iter().any(|w| {
        let parts: Vec<&str> = w.split('_').collect();
        words
            .windows(parts.len())
            .any(|win| win == parts.as_slice())
    })
}

/// True for values that are not literal secrets: empty, variable references
/// (`${VAR}`, `$VAR`), templates (`{{ … }}`), `<your-token>`, or obvious fillers.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.contains("${") || v.contains("{{") || v.contains("%(") {
        return true;
    }
    if v.starts_with('$')
        && v[1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
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
    for f in TOKEN_FORMATS.iter() {
        let Some(r) = &f.regex else { continue };
        for m in r.find_iter(text) {
            if m.as_str().contains("EXAMPLE") || out.iter().any(|o| o.start == m.start()) {
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
        if is_placeholder(p) || p.starts_with('$') || p.starts_with('%') {
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
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "GITHUB_TOKEN",
            "api_key",
            "SECRET_KEY_BASE",
            "AWS_SECRET_ACCESS_KEY",
            "MYSQL_ROOT_PASSWORD",
            "JWT_SECRET",
        ] {
            assert!(is_secret_name(n), "{n}");
        }
        for n in [
            "PASSWORD_FILE",
            "TOKEN_TTL",
            "DB_USER",
            "SECRET_NAME",
            "KEYCLOAK_URL",
            "PATH",
            "HOSTNAME",
        ] {
            assert!(!is_secret_name(n), "{n}");
        }
    }

    #[test]
    fn placeholders() {
        for v in [
            "",
            "${DB_PASSWORD}",
            "$PW",
            "{{ .Values.pw }}",
            "<your-token>",
            "xxxxxx",
            "/run/secrets/db",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        assert!(!is_placeholder("hunter22"));
    }

    #[test]
    fn urls() {
        let found = find_url_credentials("DATABASE_URL=postgres://app:s3cr3t@db:5432/app");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].password, "s3cr3t");
        assert_eq!(found[0].scheme, "postgres");
        assert!(find_url_credentials("postgres://app:${DB_PASSWORD}@db/app").is_empty());
        assert!(find_url_credentials("https://example.com/a:b@c").is_empty());
        assert!(find_url_credentials("redis://:hunter22@cache:6379").len() == 1);
        assert!(find_url_credentials("mysql://user:password@host[:port]/db").is_empty());
        assert_eq!(
            find_url_credentials("postgres://postgres:password@db/app").len(),
            1
        );
    }

    #[test]
    fn tokens_and_keys() {
        let t = find_tokens("key=AKIAABCDEFGHIJKLMNOP and AKIAIOSFODNN7EXAMPLE");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].name, "AWS access key ID");
        let k = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1234567890abcdef\n-----END RSA PRIVATE KEY-----";
        assert_eq!(find_private_keys(k).len(), 1);
        assert!(find_private_keys("-----BEGIN PRIVATE KEY-----\n...\n").is_empty());
    }

    #[test]
    fn defaults() {
        for v in [
            "changeme",
            "ChangeMe",
            "SECRET",
            "admin",
            "app_dev_password",
            "change-me-in-production",
            "sk-dev-master-key",
        ] {
            assert!(insecure_default(v), "{v}");
        }
        assert!(!insecure_default("k8Jd92-x"));
    }
}
