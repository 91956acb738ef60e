//! The `postgres` probe: connects (URL or fields, `sslmode` honoured) within the timeout,
//! reads the server version, the schema, row counts and migration history, and runs the
//! check's `query` — all in one `BEGIN READ ONLY` transaction that is always rolled back
//! (unless `allow_writes: true`). Each statement goes over the extended protocol, which
//! accepts exactly one statement, so `COMMIT; INSERT …` is rejected by the server.

use std::str::FromStr;
use std::time::Instant;

use serde_json::Value;
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError, Select};
use shipcheck_plan::template;
use shipcheck_report::{Evidence, FailureClass, Measurement};
use tokio_postgres::config::SslMode;
use tokio_postgres::error::SqlState;
use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::{Client, Config, NoTls};

use super::bounded::{Bounded, BoundedTls};
use super::spec::{PgTarget, PostgresProbe};
use crate::kinds::db_common::cap_text;
use crate::kinds::db_common::facts::{DbColumn, DbFacts, DbQuery, MigrationState};
use crate::kinds::db_common::migrations::{Applied, compare, history_sql};
use crate::kinds::db_common::net;
use crate::kinds::db_common::tls::{Verify, config as tls_config};

/// Tables of the current schema with their columns (domain types cast to text: see
/// rust-postgres #863).
const SCHEMA_SQL: &str = "SELECT c.table_name::text, c.column_name::text, \
     (CASE WHEN c.data_type IN ('USER-DEFINED', 'ARRAY') THEN c.udt_name ELSE c.data_type END)::text, \
     (c.is_nullable = 'YES') \
     FROM information_schema.columns c WHERE c.table_schema = current_schema() \
     ORDER BY c.table_name, c.ordinal_position";

/// Connection settings after rendering templates.
struct Settings {
    config: Config,
    host: String,
    port: u16,
    verify: Option<Verify>,
    shown: String,
    secrets: Vec<String>,
    ca_file: Option<std::path::PathBuf>,
}

fn protocol(msg: impl Into<String>) -> ProbeError {
    ProbeError::new(FailureClass::Protocol, msg)
}

fn settings(p: &PostgresProbe, cx: &ProbeContext<'_>) -> Result<Settings, ProbeError> {
    let render = |s: &str| {
        template::render_str(s, cx.lookup)
            .map_err(|e| protocol(format!("rendering the postgres probe: {e}")))
    };
    let (mut config, sslmode, secrets) = match &p.target {
        PgTarget::Url(u) => {
            let url = render(u)?;
            let (base, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
            let mut sslmode = None;
            let kept: Vec<&str> = query
                .split('&')
                .filter(|kv| !kv.is_empty())
                .filter(|kv| match kv.strip_prefix("sslmode=") {
                    Some(m) => {
                        sslmode = Some(m.to_owned());
                        false
                    }
                    None => true,
                })
                .collect();
            let clean = if kept.is_empty() {
                base.to_owned()
            } else {
                format!("{base}?{}", kept.join("&"))
            };
            let config = Config::from_str(&clean)
                .map_err(|e| protocol(format!("invalid postgres URL: {e}")))?;
            let secrets = config
                .get_password()
                .map(|pw| String::from_utf8_lossy(pw).into_owned())
                .into_iter()
                .collect();
            (config, sslmode, secrets)
        }
        PgTarget::Fields {
            host,
            port,
            user,
            password,
            dbname,
            sslmode,
        } => {
            let mut config = Config::new();
            config.host(render(host)?).port(*port).user(render(user)?);
            let mut secrets = Vec::new();
            if let Some(pw) = password {
                let pw = render(pw)?;
                config.password(pw.clone());
                secrets.push(pw);
            }
            if let Some(db) = dbname {
                config.dbname(render(db)?);
            }
            (config, sslmode.clone(), secrets)
        }
    };
    let verify = match sslmode.as_deref().unwrap_or("prefer") {
        "disable" => {
            config.ssl_mode(SslMode::Disable);
            None
        }
        "prefer" | "allow" => {
            config.ssl_mode(SslMode::Prefer);
            Some(Verify::Nothing)
        }
        "require" => {
            config.ssl_mode(SslMode::Require);
            Some(Verify::Nothing)
        }
        "verify-ca" => {
            config.ssl_mode(SslMode::Require);
            Some(Verify::Chain)
        }
        "verify-full" => {
            config.ssl_mode(SslMode::Require);
            Some(Verify::Full)
        }
        other => return Err(protocol(format!("unknown sslmode `{other}`"))),
    };
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
        Some(_) => {
            return Err(protocol(
                "Unix-socket hosts are not supported; use a TCP host",
            ));
        }
        None => "localhost".to_owned(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let ms = cx.timeout.as_millis().max(1);
    let mut options = format!("-c statement_timeout={ms}");
    if !p.allow_writes {
        options.push_str(" -c default_transaction_read_only=on");
    }
    config.options(options);
    let shown = format!(
        "postgres://{}@{host}:{port}/{} (sslmode={})",
        config.get_user().unwrap_or(""),
        config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or_default(),
        sslmode.as_deref().unwrap_or("prefer")
    );
    Ok(Settings {
        config,
        host,
        port,
        verify,
        shown,
        secrets: secrets.into_iter().filter(|s| !s.is_empty()).collect(),
        ca_file: p.ca_file.clone(),
    })
}

/// The failure class of a connection error.
fn classify(e: &tokio_postgres::Error) -> (FailureClass, String) {
    if let Some(db) = e.as_db_error() {
        let class = match *db.code() {
            SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                FailureClass::Auth
            }
            _ => FailureClass::Protocol,
        };
        return (class, format!("{} ({})", db.message(), db.code().code()));
    }
    let text = e.to_string();
    let mut full = text.clone();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        full.push_str(&format!(": {s}"));
        src = s.source();
    }
    let lower = full.to_ascii_lowercase();
    let class = if lower.contains("password") || lower.contains("authentication") {
        FailureClass::Auth
    } else if lower.contains("tls") || lower.contains("ssl") || lower.contains("certificate") {
        FailureClass::Tls
    } else {
        FailureClass::Protocol
    };
    (class, full)
}

async fn connect(s: &Settings) -> Result<Client, ProbeError> {
    let stream = net::tcp(&s.host, s.port).await?;
    let fail = |e: tokio_postgres::Error| {
        let (class, msg) = classify(&e);
        ProbeError::new(class, format!("{}: {msg}", s.shown))
    };
    match s.verify {
        None => {
            let (client, connection) = s
                .config
                .connect_raw(Bounded::new(stream), NoTls)
                .await
                .map_err(fail)?;
            tokio::spawn(connection);
            Ok(client)
        }
        Some(v) => {
            let ca = crate::probes::read_ca_file(s.ca_file.as_deref())?;
            let cfg =
                tls_config(v, ca.as_deref()).map_err(|e| ProbeError::new(FailureClass::Tls, e))?;
            let mut make = tokio_postgres_rustls::MakeRustlsConnect::new(cfg);
            let tls = <tokio_postgres_rustls::MakeRustlsConnect as MakeTlsConnect<
                tokio::net::TcpStream,
            >>::make_tls_connect(&mut make, &s.host)
            .map_err(|e| ProbeError::new(FailureClass::Tls, format!("{}: {e}", s.host)))?;
            let (client, connection) = s
                .config
                .connect_raw(stream, BoundedTls(tls))
                .await
                .map_err(fail)?;
            tokio::spawn(connection);
            Ok(client)
        }
    }
}

/// One attempt: connect, read, roll back, all within the check's timeout.
pub(super) async fn observe(
    p: &PostgresProbe,
    cx: &ProbeContext<'_>,
) -> Result<Observed, ProbeError> {
    let s = settings(p, cx)?;
    let secrets = s.secrets.clone();
    let with_secrets = |mut e: ProbeError| {
        e.sent_secrets.extend(secrets.iter().cloned());
        e
    };
    let start = Instant::now();
    let facts = match tokio::time::timeout(cx.timeout, run(p, &s, start)).await {
        Err(_) => {
            return Err(with_secrets(ProbeError::new(
                FailureClass::Timeout,
                format!(
                    "{}: timed out after {}",
                    s.shown,
                    shipcheck_plan::format_duration(cx.timeout)
                ),
            )));
        }
        Ok(r) => r.map_err(with_secrets)?,
    };
    let evidence = evidence(&s.shown, &facts, cx.evidence_cap);
    let duration_ms = facts.duration_ms;
    let mut observed = Observed::new(facts);
    observed.measurements.push(Measurement {
        name: "total".into(),
        value: duration_ms,
        unit: shipcheck_report::MeasureUnit::Ms,
        target: None,
        met: None,
    });
    observed.evidence = evidence;
    observed.sent_secrets = s.secrets;
    Ok(observed)
}

fn sql_err(what: &str) -> impl Fn(tokio_postgres::Error) -> ProbeError + '_ {
    move |e| {
        let (_, msg) = classify(&e);
        protocol(format!("{what}: {msg}"))
    }
}

/// A table name, each dot-separated part quoted as an identifier.
fn quote_table(t: &str) -> String {
    t.split('.')
        .map(|p| format!("\"{}\"", p.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(".")
}

async fn run(p: &PostgresProbe, s: &Settings, start: Instant) -> Result<DbFacts, ProbeError> {
    let client = connect(s).await?;
    let mut facts = DbFacts {
        engine: "postgres",
        ..DbFacts::default()
    };
    let version = client
        .query_one("SHOW server_version", &[])
        .await
        .map_err(sql_err("reading server_version"))?;
    facts.server_version = version.try_get::<_, String>(0).ok();
    let begin = if p.allow_writes {
        "BEGIN"
    } else {
        "BEGIN READ ONLY"
    };
    client.execute(begin, &[]).await.map_err(sql_err(begin))?;
    let result = inside(p, &client, &mut facts).await;
    let end = if p.allow_writes && result.is_ok() {
        "COMMIT"
    } else {
        "ROLLBACK"
    };
    // The transaction may already be gone (an error aborted it): ROLLBACK then only warns.
    let _ = client.execute(end, &[]).await;
    result?;
    facts.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    Ok(facts)
}

async fn inside(p: &PostgresProbe, client: &Client, facts: &mut DbFacts) -> Result<(), ProbeError> {
    for row in client
        .query(SCHEMA_SQL, &[])
        .await
        .map_err(sql_err("reading the schema"))?
    {
        let (Ok(table), Ok(name), Ok(data_type), Ok(nullable)) = (
            row.try_get::<_, String>(0),
            row.try_get::<_, String>(1),
            row.try_get::<_, String>(2),
            row.try_get::<_, bool>(3),
        ) else {
            continue;
        };
        facts.tables.entry(table).or_default().push(DbColumn {
            name,
            data_type: data_type.to_ascii_lowercase(),
            nullable,
        });
    }
    for q in &p.fetch {
        match q {
            DbQuery::Rows { table, filter } => {
                let count = if facts.tables.contains_key(table) || table.contains('.') {
                    let sql = match filter {
                        Some(f) => format!("SELECT count(*) FROM {} WHERE {f}", quote_table(table)),
                        None => format!("SELECT count(*) FROM {}", quote_table(table)),
                    };
                    guarded(client, &sql).await.and_then(|rows| {
                        rows.first()
                            .and_then(|r| r.try_get::<_, i64>(0).ok())
                            .map(|n| n.max(0) as u64)
                            .ok_or_else(|| "count returned no row".to_owned())
                    })
                } else {
                    Err(format!("table `{table}` does not exist"))
                };
                facts.counts.push((q.clone(), count));
            }
            DbQuery::Migrations(spec) => {
                let (table, sql) = history_sql(spec.tool);
                let applied = if facts.tables.contains_key(table) {
                    guarded(client, sql).await.map(|rows| {
                        rows.iter()
                            .filter_map(|r| {
                                Some(Applied {
                                    id: r.try_get::<_, String>(0).ok()?,
                                    ok: r.try_get::<_, bool>(1).unwrap_or(false),
                                })
                            })
                            .collect::<Vec<_>>()
                    })
                } else {
                    Err(format!(
                        "no `{table}` table: the database has no {} history",
                        spec.tool.name()
                    ))
                };
                let state = match applied {
                    Ok(a) => compare(spec, &a),
                    Err(e) => MigrationState {
                        error: Some(e),
                        ..Default::default()
                    },
                };
                facts.migrations.push((spec.clone(), state));
            }
            _ => {}
        }
    }
    if let Some(q) = &p.query {
        facts.rows = Some(user_query(client, q).await?);
    }
    Ok(())
}

/// Run one statement inside a savepoint, so an error (a bad `where`) does not abort the
/// rest of the transaction.
async fn guarded(client: &Client, sql: &str) -> Result<Vec<tokio_postgres::Row>, String> {
    client
        .execute("SAVEPOINT shipcheck", &[])
        .await
        .map_err(|e| classify(&e).1)?;
    match client.query(sql, &[]).await {
        Ok(rows) => {
            let _ = client.execute("RELEASE SAVEPOINT shipcheck", &[]).await;
            Ok(rows)
        }
        Err(e) => {
            let _ = client.execute("ROLLBACK TO SAVEPOINT shipcheck", &[]).await;
            Err(classify(&e).1)
        }
    }
}

/// The check's query: prepared (one statement only), then its rows read as JSON.
async fn user_query(client: &Client, sql: &str) -> Result<Value, ProbeError> {
    let stmt = client
        .prepare(sql)
        .await
        .map_err(sql_err("preparing the query"))?;
    if stmt.columns().is_empty() {
        let n = client
            .execute(&stmt, &[])
            .await
            .map_err(sql_err("running the query"))?;
        return Ok(serde_json::json!([{ "rows_affected": n }]));
    }
    let wrapped = format!(
        "WITH shipcheck_q AS ({sql}) SELECT coalesce(json_agg(shipcheck_q), '[]'::json)::text FROM shipcheck_q"
    );
    let row = client
        .query_one(&wrapped, &[])
        .await
        .map_err(sql_err("running the query"))?;
    let text: String = row
        .try_get(0)
        .map_err(|e| protocol(format!("reading the query result: {e}")))?;
    serde_json::from_str(&text).map_err(|e| protocol(format!("query result is not JSON: {e}")))
}

fn evidence(shown: &str, f: &DbFacts, cap: usize) -> Vec<Evidence> {
    let mut text = format!(
        "-- {shown}, server {}\n",
        f.server_version.as_deref().unwrap_or("?")
    );
    for (table, cols) in &f.tables {
        let cols: Vec<String> = cols
            .iter()
            .map(|c| {
                format!(
                    "{} {}{}",
                    c.name,
                    c.data_type,
                    if c.nullable { "" } else { " not null" }
                )
            })
            .collect();
        text.push_str(&format!("{table}({})\n", cols.join(", ")));
    }
    for (q, n) in &f.counts {
        text.push_str(&format!(
            "{}: {}\n",
            q.subject(),
            match n {
                Ok(n) => n.to_string(),
                Err(e) => e.clone(),
            }
        ));
    }
    if let Some(rows) = &f.rows {
        text.push_str(&format!("query rows: {rows}\n"));
    }
    let truncated = cap_text(&mut text, cap);
    vec![Evidence {
        label: "postgres".into(),
        text,
        truncated,
    }]
}
