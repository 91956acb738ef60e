//! [`Client`]: TLS configuration built once, an optional keep-alive pool, and the hop loop
//! with redirects under one timeout. [`send`] is the one-shot form.

use std::sync::{Arc, OnceLock};

use crate::error::{HttpError, Phase};
use crate::hop::{self, HopContext, HopRequest};
use crate::pool::Pool;
use crate::progress::Progress;
use crate::proxy::ProxyConfig;
use crate::redirect::{is_redirect, redirected};
use crate::tls::{ClientIdentity, TlsSettings, TlsSetup};
use crate::types::{ClientOptions, Exchange, Request, RequestOptions};

/// Following more redirects than this is an error, whatever `follow_redirects` says.
pub const MAX_REDIRECTS: u32 = 20;

/// Idle connections kept in all when a pool is enabled (each origin has its own smaller cap).
const POOL_TOTAL: usize = 64;

/// What `Accept-Encoding` says when [`RequestOptions::compressed`] is set (as curl's).
const ACCEPT_ENCODING: &str = "gzip, deflate, br";

/// Send `req`, following up to `opts.follow_redirects` redirects, within `opts.timeout`.
///
/// Every hop is recorded. When the redirect limit is reached, the last 3xx is returned as the
/// final response (not an error); only more than [`MAX_REDIRECTS`] is an error. Each call
/// builds its own TLS configuration and opens a new connection per hop; use a [`Client`] to
/// keep both between requests.
pub async fn send(req: &Request, opts: &ClientOptions) -> Result<Exchange, HttpError> {
    let client = Client::unvalidated(ClientBuilder {
        insecure: opts.insecure,
        extra_ca_pem: opts.extra_ca_pem.clone(),
        ..ClientBuilder::default()
    });
    client.send(req, &RequestOptions::from(opts)).await
}

/// A reusable HTTP client: its TLS configuration (roots, extra CA, insecure, client
/// certificate) is built once, and with [`ClientBuilder::keep_alive`] it keeps idle
/// connections per origin. Cloning is cheap and shares both.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    settings: ClientBuilder,
    tls: OnceLock<Result<TlsSetup, HttpError>>,
    pool: Option<Pool>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("insecure", &self.inner.settings.insecure)
            .field("keep_alive", &self.inner.settings.keep_alive)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[derive(Debug, Clone, Default)]
pub struct ClientBuilder {
    insecure: bool,
    extra_ca_pem: Option<Vec<u8>>,
    identity: Option<ClientIdentity>,
    keep_alive: Option<usize>,
    proxy: Option<ProxyConfig>,
}

impl ClientBuilder {
    /// Skip certificate verification (the problem is still recorded in
    /// [`TlsInfo::verify_error`](crate::TlsInfo::verify_error)).
    #[must_use]
    pub fn insecure(mut self, insecure: bool) -> Self {
        self.insecure = insecure;
        self
    }

    /// Trust these root certificates (PEM) besides the built-in ones, e.g. a private CA.
    #[must_use]
    pub fn extra_ca_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.extra_ca_pem = Some(pem.into());
        self
    }

    /// Present this certificate when a server asks for one (mutual TLS).
    #[must_use]
    pub fn client_identity(mut self, identity: ClientIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Keep up to `per_origin` idle connections per origin (scheme, host, port) for later
    /// requests; 0 keeps none (the default: a new connection per hop).
    #[must_use]
    pub fn keep_alive(mut self, per_origin: usize) -> Self {
        self.keep_alive = (per_origin > 0).then_some(per_origin);
        self
    }

    /// Send requests through these proxies (e.g. [`ProxyConfig::from_env`]); none by default.
    #[must_use]
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// The client; fails when the extra CA or the client certificate is unusable.
    pub fn build(self) -> Result<Client, HttpError> {
        let client = Client::unvalidated(self);
        client.tls()?;
        Ok(client)
    }
}

impl Client {
    /// A builder with no extra roots, verification on and no pool.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client whose TLS configuration is built (and checked) on the first `https` hop.
    fn unvalidated(settings: ClientBuilder) -> Client {
        let pool = settings
            .keep_alive
            .map(|per_origin| Pool::new(per_origin, POOL_TOTAL));
        Client {
            inner: Arc::new(Inner {
                settings,
                tls: OnceLock::new(),
                pool,
            }),
        }
    }

    fn tls(&self) -> Result<&TlsSetup, HttpError> {
        let settings = &self.inner.settings;
        self.inner
            .tls
            .get_or_init(|| {
                TlsSetup::new(&TlsSettings {
                    insecure: settings.insecure,
                    extra_ca_pem: settings.extra_ca_pem.as_deref(),
                    identity: settings.identity.as_ref(),
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// How many idle connections the pool holds now (0 without keep-alive).
    pub fn idle_connections(&self) -> usize {
        self.inner.pool.as_ref().map_or(0, Pool::idle_count)
    }

    /// Send `req`, following up to `opts.follow_redirects` redirects, within `opts.timeout`.
    /// Every hop is recorded, as with [`send`].
    pub async fn send(&self, req: &Request, opts: &RequestOptions) -> Result<Exchange, HttpError> {
        let first_target = req.url.host_str().unwrap_or_default().to_owned();
        let progress = Progress::new(Phase::Dns, first_target);
        match tokio::time::timeout(opts.timeout, self.follow(req, opts, &progress)).await {
            Ok(result) => result,
            Err(_elapsed) => {
                let (phase, target) = progress.get();
                Err(HttpError::Timeout {
                    phase,
                    after: opts.timeout,
                    target,
                })
            }
        }
    }

    async fn follow(
        &self,
        req: &Request,
        opts: &RequestOptions,
        progress: &Progress,
    ) -> Result<Exchange, HttpError> {
        let mut current = HopRequest {
            method: req.method.clone(),
            url: req.url.clone(),
            headers: first_headers(req, opts),
            body: req.body.clone(),
        };
        let mut dropped = Vec::new();
        let mut hops = Vec::new();
        // Bounded: each iteration adds a hop, and more than MAX_REDIRECTS + 1 hops return an error.
        loop {
            let tls = if current.url.scheme() == "https" {
                Some(self.tls()?)
            } else {
                None
            };
            let cx = HopContext {
                tls,
                pool: self.inner.pool.as_ref(),
                proxy: self.inner.settings.proxy.as_ref(),
                max_body: opts.max_body,
                progress,
            };
            let mut hop = match opts
                .cookie_jar
                .as_ref()
                .map(|jar| with_cookies(&current, jar))
            {
                Some(Some(with_jar)) => hop::run(&with_jar, &cx).await?,
                _ => hop::run(&current, &cx).await?,
            };
            if let Some(jar) = &opts.cookie_jar {
                let set_cookies = hop.response.headers.iter().filter_map(|(n, v)| {
                    n.eq_ignore_ascii_case("set-cookie").then_some(v.as_str())
                });
                jar.store(&current.url, set_cookies);
            }
            hop.dropped_headers = std::mem::take(&mut dropped);
            let status = hop.response.status;
            let location = hop.response.header("location").map(str::to_owned);
            hops.push(hop);
            let followed = u32::try_from(hops.len() - 1).unwrap_or(u32::MAX);
            let Some(location) = location.filter(|_| is_redirect(status)) else {
                break;
            };
            if followed >= opts.follow_redirects {
                break;
            }
            if followed >= MAX_REDIRECTS {
                return Err(HttpError::TooManyRedirects {
                    limit: MAX_REDIRECTS,
                    url: req.url.to_string(),
                });
            }
            (current, dropped) = redirected(current, status, &location, &opts.sensitive_values)?;
        }
        Ok(Exchange { hops })
    }
}

/// `req` with the jar's cookies for its URL added (to the caller's `Cookie` header if any).
fn with_cookies(req: &HopRequest, jar: &crate::CookieJar) -> Option<HopRequest> {
    let from_jar = jar.header_for(&req.url)?;
    let mut req = req.clone();
    match req
        .headers
        .iter_mut()
        .find(|(n, _)| n.eq_ignore_ascii_case("cookie"))
    {
        Some((_, value)) => {
            value.push_str("; ");
            value.push_str(&from_jar);
        }
        None => req.headers.push(("cookie".into(), from_jar)),
    }
    Some(req)
}

/// The caller's headers plus what the options add (Basic credentials, `Accept-Encoding`).
fn first_headers(req: &Request, opts: &RequestOptions) -> Vec<(String, String)> {
    let has = |name: &str| {
        req.headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name))
    };
    let mut headers = req.headers.clone();
    if let Some(auth) = &opts.basic_auth
        && !has("authorization")
    {
        headers.push(("authorization".into(), auth.header_value()));
    }
    if opts.compressed && !has("accept-encoding") {
        headers.push(("accept-encoding".into(), ACCEPT_ENCODING.into()));
    }
    headers
}
