//! Patterns shared by rules of every family (secrets, placeholders, insecure URLs).
//! Compiled once per process.

use std::sync::LazyLock;

use regex::Regex;

fn re(p: &str) -> Option<Regex> {
    Regex::new(p).ok()
}

static SECRET_NAME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"(?i)(passw(or)?d|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|credential|auth[_-]?key|_key$|^key$)",
    )
});
static PLACEHOLDER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"(?i)(^|[^a-z])(replace[_-]?(with|me)[a-z0-9_-]*|<your[-_ ][^>]*>|change[-_]?me([-_]in[-_]production)?|todo[-_]?(replace|change)|xxx+|your[-_](password|secret|token|key)[a-z_-]*)($|[^a-z])",
    )
});
static SSL_DISABLED: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?i)\b(sslmode=disable|ssl=false|useSSL=false|tls=false)\b"));
static PLAIN_REDIS: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"(?i)\bredis://"));
static CREDENTIAL_VALUE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"(sk_live_[0-9A-Za-z]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[0-9A-Za-z]{30,}|xox[abprs]-[0-9A-Za-z-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]{10,}\.)",
    )
});
static URL_CREDENTIALS: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^@\s/]+)@"));

fn m(r: &LazyLock<Option<Regex>>, s: &str) -> bool {
    r.as_ref().is_some_and(|r| r.is_match(s))
}

/// A variable name that suggests a secret (`DB_PASSWORD`, `API_TOKEN`, `SECRET_KEY`…).
/// Names ending in `_FILE`, `_NAME`, `_ID`… refer to a secret rather than hold one.
pub(crate) fn is_secret_name(name: &str) -> bool {
    const REFERS: &[&str] = &[
        "_FILE", "_PATH", "_NAME", "_ID", "_STORE", "_REF", "_TYPE", "_KIND", "_TTL", "_ENABLED",
    ];
    let upper = name.to_ascii_uppercase();
    m(&SECRET_NAME, name) && !REFERS.iter().any(|s| upper.ends_with(s))
}

/// A placeholder left in: `REPLACE_WITH_…`, `<your-…>`, `changeme`, `xxxx`.
pub(crate) fn is_placeholder(value: &str) -> bool {
    m(&PLACEHOLDER, value)
}

/// A value that names a reference rather than a literal (`${VAR}`, `$(VAR)`, `{{ … }}`).
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    v.starts_with("${")
        || v.starts_with("$(")
        || v.contains("{{")
        || (v.starts_with('$') && v.len() > 1 && !v.contains(' '))
}

/// A connection string that turns TLS off.
pub(crate) fn disables_tls(value: &str) -> bool {
    m(&SSL_DISABLED, value)
}

/// A plain-text `redis://` URL.
pub(crate) fn is_plain_redis(value: &str) -> bool {
    m(&PLAIN_REDIS, value)
}

/// A value in a known live-credential format (Stripe live keys, AWS access keys, GitHub
/// and Slack tokens, private keys, JWTs).
pub(crate) fn looks_like_credential(value: &str) -> bool {
    m(&CREDENTIAL_VALUE, value)
}

/// The password of a `scheme://user:password@host` URL, when present and not a reference.
pub(crate) fn url_password(value: &str) -> Option<&str> {
    let caps = URL_CREDENTIALS.as_ref()?.captures(value)?;
    let pw = caps.get(1)?.as_str();
    (!is_reference(pw) && !pw.starts_with('$')).then_some(pw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert!(
            is_secret_name("DB_PASSWORD")
                && is_secret_name("api_key")
                && is_secret_name("GITHUB_TOKEN")
        );
        assert!(!is_secret_name("DB_PASSWORD_FILE") && !is_secret_name("KEYCLOAK_URL"));
        assert!(
            !is_secret_name("ALLOYDB_SECRET_NAME")
                && !is_secret_name("SECRET_STORE")
                && !is_secret_name("AWS_ACCESS_KEY_ID")
        );
        assert!(
            is_placeholder("REPLACE_WITH_REAL_KEY")
                && is_placeholder("<your-api-key>")
                && is_placeholder("changeme")
        );
        assert!(!is_placeholder("production"));
        assert!(disables_tls("postgres://db/app?sslmode=disable"));
        assert!(looks_like_credential("AKIAIOSFODNN7EXAMPLE"));
        assert_eq!(
            url_password("postgres://app:s3cret@db:5432/app"),
            Some("s3cret")
        );
        assert_eq!(url_password("postgres://app:${DB_PASS}@db/app"), None);
        assert!(is_reference("${DB_PASSWORD}") && is_reference("$(POD_IP)"));
    }
}
