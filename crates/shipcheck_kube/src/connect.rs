//! [`Cluster::connect`]: the API server and credentials, found as kubectl finds them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use secrecy::ExposeSecret;
use shipcheck_report::FailureClass;

use crate::KubeError;

/// Bound on a token file read for redaction.
const MAX_TOKEN_FILE: u64 = 64 * 1024;

/// Where to find the cluster: all `None` is kubectl's default (`KUBECONFIG`, else
/// `~/.kube/config` with its current context, else the in-cluster service account).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Target {
    /// A kubeconfig file to read instead of `KUBECONFIG`/`~/.kube/config`.
    pub kubeconfig: Option<PathBuf>,
    /// The context to use instead of the current one.
    pub context: Option<String>,
    /// The namespace to use instead of the context's (or `default`).
    pub namespace: Option<String>,
}

/// A configured client of one API server.
#[derive(Clone)]
pub struct Cluster {
    pub(crate) client: kube::Client,
    pub(crate) namespace: String,
    pub(crate) server: String,
    pub(crate) secrets: Vec<String>,
    pub(crate) timeout: Duration,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("server", &self.server)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

fn connect_err(m: impl Into<String>) -> KubeError {
    KubeError::new(FailureClass::Connect, m)
}

/// A kubeconfig error as a classified error: a missing file or context is `connect`, an
/// unreadable credential `auth`, the rest `protocol` (a file kubectl would refuse too).
fn config_err(source: &str, e: &KubeconfigError) -> KubeError {
    let class = match e {
        KubeconfigError::ReadConfig(..)
        | KubeconfigError::FindPath
        | KubeconfigError::LoadContext(_)
        | KubeconfigError::LoadClusterOfContext(_)
        | KubeconfigError::CurrentContextNotSet
        | KubeconfigError::MissingClusterUrl => FailureClass::Connect,
        KubeconfigError::LoadClientCertificate(_) | KubeconfigError::LoadClientKey(_) => {
            FailureClass::Auth
        }
        _ => FailureClass::Protocol,
    };
    KubeError::new(class, format!("{source}: {e}"))
}

fn read_kubeconfig(path: &Path) -> Result<Kubeconfig, KubeError> {
    if !path.is_file() {
        return Err(connect_err(format!(
            "kubeconfig {} does not exist",
            path.display()
        )));
    }
    Kubeconfig::read_from(path)
        .map_err(|e| config_err(&format!("kubeconfig {}", path.display()), &e))
}

/// kubectl's order: the given file, `KUBECONFIG`, `~/.kube/config`, then `None` (try the
/// in-cluster service account).
fn find_kubeconfig(target: &Target) -> Result<Option<(Kubeconfig, String)>, KubeError> {
    if let Some(p) = &target.kubeconfig {
        return Ok(Some((read_kubeconfig(p)?, p.display().to_string())));
    }
    match Kubeconfig::from_env() {
        Ok(Some(k)) => return Ok(Some((k, "KUBECONFIG".into()))),
        Ok(None) => {}
        Err(e) => return Err(config_err("KUBECONFIG", &e)),
    }
    match std::env::home_dir().map(|h| h.join(".kube").join("config")) {
        Some(p) if p.is_file() => Ok(Some((read_kubeconfig(&p)?, p.display().to_string()))),
        _ => Ok(None),
    }
}

impl Cluster {
    /// Configures a client for `target`; every request it makes is bounded by `timeout`.
    /// Nothing is sent yet: an unreachable server or refused credentials show on the
    /// first [`Cluster::list`].
    pub async fn connect(target: &Target, timeout: Duration) -> Result<Cluster, KubeError> {
        let mut config = match find_kubeconfig(target)? {
            Some((kubeconfig, source)) => {
                let options = KubeConfigOptions {
                    context: target.context.clone(),
                    ..KubeConfigOptions::default()
                };
                kube::Config::from_custom_kubeconfig(kubeconfig, &options)
                    .await
                    .map_err(|e| config_err(&source, &e))?
            }
            None if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() => {
                kube::Config::incluster()
                    .map_err(|e| connect_err(format!("in-cluster service account: {e}")))?
            }
            None => {
                return Err(connect_err(
                    "no kubeconfig: no `kubeconfig` key, KUBECONFIG is not set, ~/.kube/config does not exist, and this is not a pod (KUBERNETES_SERVICE_HOST is not set)",
                ));
            }
        };
        config.connect_timeout = Some(timeout);
        config.read_timeout = Some(timeout);
        config.write_timeout = Some(timeout);
        config.reset_reader_on_write = true;
        config.default_retry = false;
        let mut secrets = Vec::new();
        if let Some(t) = &config.auth_info.token {
            secrets.push(t.expose_secret().to_owned());
        }
        if let Some(p) = &config.auth_info.password {
            secrets.push(p.expose_secret().to_owned());
        }
        if let Some(f) = &config.auth_info.token_file
            && let Ok(t) = read_capped(Path::new(f))
        {
            secrets.push(t.trim().to_owned());
        }
        secrets.retain(|s| !s.is_empty());
        let namespace = target
            .namespace
            .clone()
            .unwrap_or_else(|| config.default_namespace.clone());
        let server = config.cluster_url.to_string();
        let client = kube::Client::try_from(config).map_err(|e| {
            KubeError::from_client(&format!("configuring a client of {server}"), &e)
        })?;
        Ok(Cluster {
            client,
            namespace,
            server,
            secrets,
            timeout,
        })
    }

    /// The namespace requests use when they name none.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The API server's URL.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Credentials this client sends (bearer token, basic-auth password): to be redacted
    /// from every output.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }
}

fn read_capped(p: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut s = String::new();
    std::fs::File::open(p)?
        .take(MAX_TOKEN_FILE)
        .read_to_string(&mut s)?;
    Ok(s)
}
