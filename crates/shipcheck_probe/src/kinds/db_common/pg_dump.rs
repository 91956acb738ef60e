//! Expected schema from `pg_dump --schema-only` output. pg_dump writes each table as
//! `CREATE TABLE schema.name (` followed by one column per line and `);`, with constraints
//! added later by `ALTER TABLE`, so its output is read line by line rather than with a
//! general SQL parser. Anything that is not a column line of a `CREATE TABLE` is ignored.

use std::collections::BTreeMap;

use super::spec::ColumnSpec;

/// Keywords that end the type of a column definition.
const AFTER_TYPE: &[&str] = &[
    " DEFAULT ",
    " NOT NULL",
    " NULL",
    " COLLATE ",
    " GENERATED ",
    " CONSTRAINT ",
    " CHECK ",
    " PRIMARY KEY",
    " UNIQUE",
    " REFERENCES ",
];

/// An identifier without quotes and without its schema (`public."Users"` → `Users`).
fn ident(raw: &str) -> String {
    let last = split_qualified(raw).pop().unwrap_or_default();
    last.trim_matches('"').replace("\"\"", "\"")
}

/// `a."b.c"` → `["a", "\"b.c\""]`.
fn split_qualified(raw: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    for c in raw.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
            '.' if !quoted => parts.push(String::new()),
            _ => {
                if let Some(p) = parts.last_mut() {
                    p.push(c);
                }
            }
        }
    }
    parts
}

/// The first (possibly quoted) identifier of `line` and the rest.
fn first_ident(line: &str) -> Option<(String, &str)> {
    let line = line.trim_start();
    if let Some(rest) = line.strip_prefix('"') {
        let mut end = None;
        let bytes = rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 2;
                    continue;
                }
                end = Some(i);
                break;
            }
            i += 1;
        }
        let end = end?;
        return Some((rest[..end].replace("\"\"", "\""), &rest[end + 1..]));
    }
    let end = line.find(char::is_whitespace)?;
    Some((line[..end].to_owned(), &line[end..]))
}

/// Tables and columns of a schema-only dump; `Err` when no table was found.
pub(super) fn parse(sql: &str) -> Result<BTreeMap<String, Vec<ColumnSpec>>, String> {
    let mut tables: BTreeMap<String, Vec<ColumnSpec>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in sql.lines() {
        let trimmed = line.trim();
        if let Some(name) = current.clone() {
            if trimmed.starts_with(')') {
                current = None;
                continue;
            }
            let upper = trimmed.to_ascii_uppercase();
            if trimmed.is_empty()
                || trimmed.starts_with("--")
                || [
                    "CONSTRAINT ",
                    "PRIMARY KEY",
                    "UNIQUE ",
                    "CHECK ",
                    "FOREIGN KEY",
                    "EXCLUDE ",
                ]
                .iter()
                .any(|k| upper.starts_with(k))
            {
                continue;
            }
            let Some((col, rest)) = first_ident(trimmed) else {
                continue;
            };
            let rest = format!(" {}", rest.trim().trim_end_matches(','));
            let upper_rest = rest.to_ascii_uppercase();
            let end = AFTER_TYPE
                .iter()
                .filter_map(|k| upper_rest.find(k))
                .min()
                .unwrap_or(rest.len());
            let data_type = rest[..end].trim().to_owned();
            let nullable =
                !upper_rest.contains(" NOT NULL") && !upper_rest.contains(" PRIMARY KEY");
            tables.entry(name).or_default().push(ColumnSpec {
                name: col,
                data_type: (!data_type.is_empty()).then_some(data_type),
                nullable: Some(nullable),
            });
            continue;
        }
        let upper = trimmed.to_ascii_uppercase();
        let Some(after) = ["CREATE TABLE ", "CREATE UNLOGGED TABLE "]
            .iter()
            .find_map(|p| upper.starts_with(p).then(|| &trimmed[p.len()..]))
        else {
            continue;
        };
        let after = after.trim_start();
        let after = if after.to_ascii_uppercase().starts_with("IF NOT EXISTS ") {
            &after["IF NOT EXISTS ".len()..]
        } else {
            after
        };
        // Partitions and typed tables have no column list of their own.
        if !trimmed.ends_with('(') {
            continue;
        }
        let name = ident(after.trim_end_matches('(').trim());
        tables.entry(name.clone()).or_default();
        current = Some(name);
    }
    if tables.is_empty() {
        return Err(
            "no `CREATE TABLE` statement found (expected `pg_dump --schema-only` output)".into(),
        );
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pg_dump_tables_types_and_nullability() {
        let sql = r#"
-- PostgreSQL database dump
SET statement_timeout = 0;
CREATE TABLE public.users (
    user_id integer NOT NULL,
    username character varying(64) NOT NULL,
    "Display Name" text COLLATE pg_catalog."default",
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now()
);
CREATE SEQUENCE public.users_user_id_seq AS integer START WITH 1;
CREATE UNLOGGED TABLE "Audit" (
    id bigint,
    CONSTRAINT audit_id CHECK ((id > 0))
);
ALTER TABLE ONLY public.users ADD CONSTRAINT users_pkey PRIMARY KEY (user_id);
"#;
        let t = parse(sql).unwrap();
        let users = &t["users"];
        assert_eq!(users.len(), 5);
        assert_eq!(users[1].data_type.as_deref(), Some("character varying(64)"));
        assert_eq!(users[2].name, "Display Name");
        assert_eq!(users[2].data_type.as_deref(), Some("text"));
        assert_eq!(users[2].nullable, Some(true));
        assert_eq!(users[3].nullable, Some(false));
        assert_eq!(
            users[4].data_type.as_deref(),
            Some("timestamp with time zone")
        );
        assert_eq!(t["Audit"].len(), 1);
        assert!(parse("SELECT 1;").is_err());
    }
}
