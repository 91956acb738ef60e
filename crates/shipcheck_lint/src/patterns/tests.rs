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
        "STRIPE_KEY",
        "key",
        "dbPassword",
        "DBPASSWORD",
        "GOOGLE_APPLICATION_CREDENTIAL",
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
        "DB_PASSWORD_FILE",
        "ALLOYDB_SECRET_NAME",
        "SECRET_STORE",
        "AWS_ACCESS_KEY_ID",
        "MYSQL_ALLOW_EMPTY_PASSWORD",
        "SECRET_KIND",
        "PUBLIC_KEY",
        "PWD",
    ] {
        assert!(!is_secret_name(n), "{n}");
    }
}

#[test]
fn non_literals() {
    for v in [
        "",
        "${DB_PASSWORD}",
        "$PW",
        "{{ .Values.pw }}",
        "<your-token>",
        "xxxxxx",
        "/run/secrets/db",
    ] {
        assert!(is_non_literal(v), "{v}");
    }
    assert!(!is_non_literal("hunter22") && !is_non_literal("changeme"));
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

#[test]
fn left_in_placeholders() {
    for v in [
        "REPLACE_WITH_REAL_KEY",
        "<your-api-key>",
        "changeme",
        "your-password-here",
    ] {
        assert!(is_placeholder(v), "{v}");
    }
    assert!(!is_placeholder("production") && !is_placeholder("true"));
}

#[test]
fn references() {
    for v in [
        "${DB_PASSWORD}",
        "$(POD_IP)",
        "$PW",
        "{{ .Values.pw }}",
        "a-${X}",
    ] {
        assert!(is_reference(v), "{v}");
    }
    assert!(!is_reference("$ecret!") && !is_reference("hunter22"));
}

#[test]
fn credentials_and_tls() {
    assert!(looks_like_credential("AKIAABCDEFGHIJKLMNOP"));
    assert!(!looks_like_credential("AKIAIOSFODNN7EXAMPLE"));
    assert!(looks_like_credential(
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"
    ));
    assert!(!looks_like_credential("-----BEGIN PRIVATE KEY-----\n...\n"));
    assert!(disables_tls("postgres://db/app?sslmode=disable"));
    assert!(is_plain_redis("redis://cache:6379") && !is_plain_redis("rediss://cache"));
    assert_eq!(
        url_password("postgres://app:s3cret@db:5432/app"),
        Some("s3cret")
    );
    assert_eq!(url_password("postgres://app:${DB_PASS}@db/app"), None);
    assert_eq!(url_password("mysql://user:password@host:3306/db"), None);
}
