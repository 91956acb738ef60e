//! Starting and stopping the demo service.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::app::{AppState, router};
use crate::auth::{TokenStore, hash_password, random_hex};
use crate::commands::CommandHub;
use crate::db::Db;
use crate::error::DemoError;
use crate::metrics::Metrics;
use crate::scenario::Scenario;
use crate::{serve, tls};

const ADMIN_USERNAME: &str = "admin";
/// An origin a local frontend dev server would use; allowed by CORS besides the service's own.
const DEV_FRONTEND_ORIGIN: &str = "http://localhost:3000";

/// How to start the demo service.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// The incident to reproduce.
    pub scenario: Scenario,
    /// A fixed delay added to every response (zero for none).
    pub delay: Duration,
    /// Where `demo.db` and `ca.pem` are written (created if missing).
    pub data_dir: PathBuf,
    /// HTTP port on 127.0.0.1 (HTTPS takes the next one); 0 picks free ports.
    pub port: u16,
}

/// A running demo service. Dropping it stops the listeners too; [`DemoServer::shutdown`] also
/// waits for in-flight requests.
pub struct DemoServer {
    /// `http://127.0.0.1:PORT`
    pub http_url: String,
    /// `https://localhost:PORT` (the certificate is valid for `localhost` and `127.0.0.1`).
    pub https_url: String,
    /// The CA generated at start, PEM, under the data directory.
    pub ca_pem_path: PathBuf,
    /// The SQLite database, under the data directory.
    pub db_path: PathBuf,
    /// The seeded administrator's user name.
    pub admin_username: String,
    /// The seeded administrator's password, random per start: pass it to plans as a secret.
    pub admin_password: String,
    /// HMAC-SHA256 key of `POST /webhooks/diagnostics`, random per start: a secret too.
    pub webhook_secret: String,
    /// Touching this file (`tmp/restart.txt` under the data directory) makes the service
    /// do a rolling restart into the next version: its HTTP listener closes for a short gap
    /// and the `x-demo-version` header moves on (`POST /admin/upgrade` and
    /// `/admin/rollback` do the same by hand).
    pub restart_file: PathBuf,
    /// `127.0.0.1:PORT` of the demo's DNS responder (UDP), which answers
    /// [`DEMO_NAME`](crate::DEMO_NAME) with 127.0.0.1.
    pub dns_addr: String,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoServer")
            .field("http_url", &self.http_url)
            .field("https_url", &self.https_url)
            .field("ca_pem_path", &self.ca_pem_path)
            .field("db_path", &self.db_path)
            .field("admin_username", &self.admin_username)
            .field("admin_password", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

impl DemoServer {
    /// Stops accepting connections and waits (boundedly) for in-flight requests to finish.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn bind(port: u16) -> Result<(TcpListener, u16), DemoError> {
    let addr = format!("127.0.0.1:{port}");
    let bind_err = |source| DemoError::Bind {
        addr: addr.clone(),
        source,
    };
    let listener = TcpListener::bind(addr.as_str()).await.map_err(bind_err)?;
    let port = listener.local_addr().map_err(bind_err)?.port();
    Ok((listener, port))
}

/// Creates the database and certificates under `opts.data_dir`, binds HTTP and HTTPS on
/// 127.0.0.1 (`opts.port` and the next one, or ephemeral ports for 0) and starts serving.
pub async fn start(opts: DemoOptions) -> Result<DemoServer, DemoError> {
    let data_dir = opts.data_dir;
    std::fs::create_dir_all(&data_dir).map_err(|source| DemoError::Io {
        path: data_dir.clone(),
        source,
    })?;
    let db_path = data_dir.join("demo.db");
    let ca_pem_path = data_dir.join("ca.pem");
    let admin_password = random_hex(12)?;
    let webhook_secret = random_hex(16)?;

    // Hashing, SQLite and key generation block: keep them off the async workers.
    let (password, path, scenario) = (admin_password.clone(), db_path.clone(), opts.scenario);
    let (db, demo_tls) = tokio::task::spawn_blocking(move || {
        let admin_hash = hash_password(&password)?;
        let db = Db::create(&path, scenario, &admin_hash)?;
        Ok::<_, DemoError>((db, tls::generate()?))
    })
    .await
    .map_err(|_| DemoError::Random)??;
    std::fs::write(&ca_pem_path, &demo_tls.ca_pem).map_err(|source| DemoError::Io {
        path: ca_pem_path.clone(),
        source,
    })?;

    let https_wanted = match opts.port {
        0 => 0,
        n => n.checked_add(1).ok_or(DemoError::Bind {
            addr: format!("127.0.0.1:{n}"),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "no port above it is left for HTTPS",
            ),
        })?,
    };
    let (http_listener, http_port) = bind(opts.port).await?;
    let (https_listener, https_port) = bind(https_wanted).await?;
    let http_url = format!("http://127.0.0.1:{http_port}");
    let https_url = format!("https://localhost:{https_port}");
    let allowed_origins = vec![
        DEV_FRONTEND_ORIGIN.to_owned(),
        http_url.clone(),
        format!("http://localhost:{http_port}"),
        https_url.clone(),
        format!("https://127.0.0.1:{https_port}"),
    ];
    let rollout = Arc::new(crate::rollout::Rollout::default());
    let restart_file = data_dir.join("tmp").join("restart.txt");
    if let Some(dir) = restart_file.parent() {
        std::fs::create_dir_all(dir).map_err(|source| DemoError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let state = Arc::new(AppState {
        scenario: opts.scenario,
        delay: opts.delay,
        db,
        tokens: TokenStore::default(),
        metrics: Metrics::default(),
        commands: CommandHub::default(),
        request_counts: std::sync::Mutex::new(std::collections::HashMap::new()),
        allowed_origins,
        webhook_secret: webhook_secret.clone(),
        rollout: Arc::clone(&rollout),
    });
    let app = router(state);
    let (shutdown, shutdown_rx) = watch::channel(false);
    let (dns_addr, dns_task) = crate::dns::spawn(shutdown_rx.clone()).await?;
    let tasks = vec![
        dns_task,
        crate::rollout::watch_file(
            restart_file.clone(),
            Arc::clone(&rollout),
            shutdown_rx.clone(),
        ),
        serve::spawn_restartable(http_listener, app.clone(), shutdown_rx.clone(), rollout),
        serve::spawn(
            https_listener,
            Some(TlsAcceptor::from(demo_tls.server_config)),
            app,
            shutdown_rx,
        ),
    ];
    Ok(DemoServer {
        http_url,
        https_url,
        ca_pem_path,
        db_path,
        admin_username: ADMIN_USERNAME.to_owned(),
        admin_password,
        webhook_secret,
        restart_file,
        dns_addr: dns_addr.to_string(),
        shutdown,
        tasks,
    })
}
