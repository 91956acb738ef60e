//! The checked plan: what the runner executes. Built by the loader from YAML; every
//! value here is already validated (durations parsed, ids unique, `needs` acyclic,
//! `${…}` expanded). `{{ name }}` templates remain in strings and JSON values and are
//! resolved at run time with [`crate::template`].

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// A position in the plan file (1-based line and column).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// A loaded, validated plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan's `name`.
    pub name: String,
    /// Path of the plan file as given.
    pub path: PathBuf,
    /// Directory relative paths in the plan resolve against.
    pub base_dir: PathBuf,
    /// `environment:` facts, shown as declared (not verified).
    pub environment: BTreeMap<String, String>,
    /// `vars:` after `${…}` expansion; may contain `{{ }}` referring to other vars.
    pub vars: BTreeMap<String, serde_json::Value>,
    /// Names listed under `secrets:` (environment variables).
    pub secret_names: Vec<String>,
    /// Values of those variables at load time, to be redacted everywhere.
    pub secret_values: Vec<String>,
    /// The checks, in file order.
    pub checks: Vec<Check>,
}

/// `retry: { attempts, delay }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Total attempts (≥ 1).
    pub attempts: u32,
    /// Pause between attempts.
    pub delay: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Self {
            attempts: 1,
            delay: Duration::ZERO,
        }
    }
}

/// `until: { within, every }`: poll until the expectations hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Until {
    /// Give up after this long.
    pub within: Duration,
    /// Pause between polls.
    pub every: Duration,
}

/// One planned check.
#[derive(Debug, Clone)]
pub struct Check {
    /// Unique id.
    pub id: String,
    /// Title for reports (defaults to the id).
    pub title: String,
    /// Checks that must pass before this one runs.
    pub needs: Vec<String>,
    /// A failure of a critical check makes the deployment not ready (default true).
    pub critical: bool,
    /// Bound on one attempt.
    pub timeout: Duration,
    /// Retries on failure or error.
    pub retry: Retry,
    /// Readiness polling; overrides `retry` when present.
    pub until: Option<Until>,
    /// `skip: reason`: the check is reported skipped with this reason.
    pub skip: Option<String>,
    /// The probe to run.
    pub probe: Probe,
    /// Expectations, evaluated generically on the probe's observation.
    pub expect: Vec<Assertion>,
    /// Values to capture for checks that need this one.
    pub capture: Vec<Capture>,
    /// Where the check starts in the plan file.
    pub pos: Pos,
}

/// The probe of a check: exactly one per check.
#[derive(Debug, Clone)]
pub enum Probe {
    /// A TLS handshake, inspected (certificates, version, cipher, ALPN, legacy versions).
    Tls(TlsProbe),
    /// A TCP connection attempt (port open or closed).
    Tcp(TcpProbe),
    /// A DNS lookup.
    Dns(DnsProbe),
    /// A WebSocket session: connect, send, collect messages.
    WebSocket(WsProbe),
    /// The production-readiness linter over deployment files.
    Lint(LintProbe),
    /// A signed webhook delivery: once validly signed, once tampered.
    Webhook(WebhookProbe),
    /// A Prometheus / OpenMetrics text exposition, parsed.
    Metrics(FetchProbe),
    /// A served OpenAPI 3.x document, checked.
    OpenApi(FetchProbe),
    /// A CORS preflight, from an allowed and from a disallowed origin.
    Cors(CorsProbe),
    /// A probe of a kind from the registry ([`crate::kind`]).
    Kind(Arc<dyn crate::kind::Probe>),
}

impl Probe {
    /// The probe kind's name as written in the plan (`http`, `sqlite`).
    pub fn kind(&self) -> &'static str {
        match self {
            Probe::Tls(_) => "tls",
            Probe::Tcp(_) => "tcp",
            Probe::Dns(_) => "dns",
            Probe::WebSocket(_) => "websocket",
            Probe::Lint(_) => "lint",
            Probe::Webhook(_) => "webhook",
            Probe::Metrics(_) => "metrics",
            Probe::OpenApi(_) => "openapi",
            Probe::Cors(_) => "cors",
            Probe::Kind(p) => p.kind(),
        }
    }
}

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    /// `json:` — sent as `application/json`; strings may hold templates.
    Json(serde_json::Value),
    /// `form:` — sent as `application/x-www-form-urlencoded`.
    Form(Vec<(String, String)>),
    /// `body:` — sent as is (template).
    Raw(String),
}

/// `cors:` — a preflight (`OPTIONS` with `Origin` and `Access-Control-Request-*`).
#[derive(Debug, Clone)]
pub struct CorsProbe {
    /// URL template.
    pub url: String,
    /// The origin that should be allowed.
    pub origin: String,
    /// `Access-Control-Request-Method` (default `GET`).
    pub method: String,
    /// `Access-Control-Request-Headers`.
    pub headers: Vec<String>,
    /// An origin that must not be echoed back.
    pub disallowed_origin: String,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
}

/// `metrics:` / `openapi:` — `URL` or `{ url, headers, insecure, ca_file, max_body }`: a
/// document fetched with GET and inspected.
#[derive(Debug, Clone)]
pub struct FetchProbe {
    /// URL template.
    pub url: String,
    /// Request headers (name lower-cased, value template).
    pub headers: Vec<(String, String)>,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
    /// Read at most this much of the body (default 4 MiB).
    pub max_body: u64,
}

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

/// `websocket:` — `URL` or `{ url, headers, query, send, within, … }`.
#[derive(Debug, Clone)]
pub struct WsProbe {
    /// `ws://`, `wss://` (or `http://`, `https://`) URL template.
    pub url: String,
    /// Handshake headers (name lower-cased, value template).
    pub headers: Vec<(String, String)>,
    /// Query parameters appended to the URL (value templates).
    pub query: Vec<(String, String)>,
    /// Messages sent after connecting, in order.
    pub send: Vec<WsMessage>,
    /// Collect messages for at most this long (default: the check's timeout, minus a margin).
    pub within: Option<Duration>,
    /// Stop after this many messages (default 100).
    pub max_messages: u32,
    /// Largest message accepted (default 64 KiB).
    pub max_message: u64,
    /// Skip TLS certificate verification.
    pub insecure: bool,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
}

/// One message a `websocket` probe sends.
#[derive(Debug, Clone)]
pub enum WsMessage {
    /// Sent as a text frame (template).
    Text(String),
    /// Sent as JSON text (strings inside may hold templates).
    Json(serde_json::Value),
}

/// `tcp:` — `HOST:PORT`, a URL (its host and port), or `{ host, port }`.
#[derive(Debug, Clone)]
pub struct TcpProbe {
    /// Host template (may hold `:PORT`).
    pub host: String,
    /// Port when `host` has none.
    pub port: Option<u16>,
}

/// `dns:` — `NAME` or `{ name, type, nameserver }`.
#[derive(Debug, Clone)]
pub struct DnsProbe {
    /// Name to resolve (template).
    pub name: String,
    /// `A` or `AAAA` (default `A`).
    pub record: String,
    /// `IP[:PORT]` of the nameserver to ask (default: the system resolver).
    pub nameserver: Option<String>,
}

/// `tls:` — `HOST[:PORT]`, `https://HOST[:PORT]`, or `{ host, port, sni, ca_file, alpn }`.
#[derive(Debug, Clone)]
pub struct TlsProbe {
    /// Host template (or a URL template, whose host and port are used).
    pub host: String,
    /// Port (default 443; a port in `host` wins).
    pub port: Option<u16>,
    /// Server name sent as SNI and matched against the certificate (default: the host).
    pub sni: Option<String>,
    /// Extra trusted CA (PEM), resolved against the plan's directory.
    pub ca_file: Option<PathBuf>,
    /// ALPN protocols offered (default `h2`, `http/1.1`).
    pub alpn: Vec<String>,
}

/// `lint:` — lint deployment files as part of the plan.
#[derive(Debug, Clone)]
pub struct LintProbe {
    /// Files and directories, resolved against the plan's directory.
    pub paths: Vec<PathBuf>,
    /// Findings at or above this level fail the check; `None` (`fail_on: never`) never fails.
    pub fail_on: Option<LintLevel>,
    /// A `.shipcheck.yaml` to use instead of the nearest one.
    pub config: Option<PathBuf>,
    /// Namespace of objects that declare none.
    pub namespace: Option<String>,
    /// The plan's directory; findings are reported relative to it.
    pub base_dir: PathBuf,
}

/// A lint severity threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LintLevel {
    /// Info and above.
    Info,
    /// Warnings and errors.
    Warning,
    /// Errors only.
    Error,
}

/// One expectation: a query on the observation and the predicates it must satisfy.
#[derive(Debug, Clone)]
pub struct Assertion {
    /// What to look at.
    pub query: Query,
    /// What must hold.
    pub predicate: Predicate,
    /// Where it was written.
    pub pos: Pos,
}

/// What an assertion looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Query {
    /// An RFC 9535 JSONPath into the JSON response body.
    JsonPath(String),
    /// Duration of the attempt (for HTTP: total time of the final exchange).
    Duration,
    /// Lint: the number of findings at or above this level.
    Findings(LintLevel),
    /// TLS: the certificate chain verifies for the host (bool).
    TlsValid,
    /// TLS: negotiated protocol version (`TLSv1.3`).
    TlsVersion,
    /// TLS: negotiated protocol version as a number (`1.3`), for `min_version`.
    TlsVersionNumber,
    /// TLS: negotiated cipher suite.
    TlsCipher,
    /// TLS: negotiated ALPN protocol.
    TlsAlpn,
    /// TLS: leaf certificate issuer (distinguished name).
    TlsIssuer,
    /// TLS: time until the first certificate of the chain expires.
    TlsExpiresIn,
    /// TLS: whether the server accepts this protocol version (`TLSv1.0` … `TLSv1.3`).
    TlsAccepts(String),
    /// TCP: the port accepted the connection (bool).
    TcpOpen,
    /// DNS: the name resolved to at least one address (bool).
    DnsResolves,
    /// DNS: this address is among the answers (with `exists`).
    DnsAddress(String),
    /// WebSocket: the messages received (predicates on their number).
    WsMessages,
    /// WebSocket: the server closed the session cleanly (bool).
    WsClosed,
    /// Webhook: status of the validly signed delivery.
    WebhookAccepted,
    /// Webhook: status of the tampered delivery.
    WebhookRejected,
    /// Metrics: the exposition parses / OpenAPI: the document is valid (bool).
    DocValid,
    /// Metrics: the values of the samples matching a selector (`name{label="v"}`).
    Series(String),
    /// OpenAPI: an operation (`operationId` or `METHOD /path`) exists.
    Operation(String),
    /// CORS: the preflight from `origin` allows the method and headers (bool).
    CorsAllowed,
    /// CORS: `Access-Control-Allow-Credentials: true` (bool).
    CorsCredentials,
    /// CORS: the `Access-Control-Allow-Methods` value.
    CorsMethods,
    /// CORS: the `Access-Control-Allow-Headers` value.
    CorsAllowHeaders,
    /// CORS: a disallowed origin is not echoed back (bool).
    CorsRejectsOthers,
    /// A query of a registered kind, read from its own facts.
    Kind(KindQuery),
}

/// A registered kind's query ([`crate::kind::Select`]).
#[derive(Clone)]
pub struct KindQuery(pub Arc<dyn crate::kind::Select>);

impl std::fmt::Debug for KindQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl PartialEq for KindQuery {
    fn eq(&self, other: &Self) -> bool {
        self.0.subject() == other.0.subject()
    }
}

/// A registered kind's own judgement ([`crate::kind::Judge`]).
#[derive(Clone)]
pub struct KindJudge(pub Arc<dyn crate::kind::Judge>);

impl std::fmt::Debug for KindJudge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (p, e) = self.0.describe();
        write!(f, "{p} {e}")
    }
}

impl PartialEq for KindJudge {
    fn eq(&self, other: &Self) -> bool {
        self.0.describe() == other.0.describe()
    }
}

/// What a query's value must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum Predicate {
    /// Equal to a literal (JSON value; numbers compare numerically).
    Equals(serde_json::Value),
    /// Not equal to a literal.
    NotEquals(serde_json::Value),
    /// The query matches (true) or does not match anything (false).
    Exists(bool),
    /// The value (as text) matches the regex (the source is kept for reports).
    Regex(String),
    /// Equal to one of these literals.
    OneOf(Vec<serde_json::Value>),
    /// Status code patterns: exact codes and classes like `2xx` (status only).
    StatusIn(Vec<StatusPattern>),
    /// The body/value contains this text.
    Contains(String),
    /// Number of JSONPath matches satisfies the inner predicate.
    Count(Box<Predicate>),
    /// Length of the value (array items, object keys, string chars) satisfies the inner predicate.
    Length(Box<Predicate>),
    /// ≥ (inclusive).
    AtLeast(Quantity),
    /// ≤ (inclusive).
    AtMost(Quantity),
    /// < (strict).
    Under(Quantity),
    /// > (strict).
    Over(Quantity),
    /// A registered kind's own judgement of its facts.
    Judge(KindJudge),
}

/// A status code pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusPattern {
    /// An exact code.
    Code(u16),
    /// A class: `2xx` is `Class(2)`.
    Class(u8),
}

/// A number with a unit, as written in `under: 200ms`, `at_most: 1MiB`, `under: 0.1%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    /// The value in the unit's base (milliseconds, bytes, plain number, percent).
    pub value: f64,
    /// The unit.
    pub unit: Unit,
}

/// Units of a [`Quantity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain number.
    Number,
    /// Milliseconds (written `5s`, `200ms`, `1m`…).
    Millis,
    /// Bytes (written `512B`, `10KiB`, `1MB`…).
    Bytes,
    /// Percent (written `0.1%`).
    Percent,
}

/// `capture: { name: "$.path" }` or the long form.
#[derive(Debug, Clone, PartialEq)]
pub struct Capture {
    /// Variable name.
    pub name: String,
    /// Where the value comes from.
    pub source: CaptureSource,
    /// Redact the value everywhere.
    pub secret: bool,
    /// Where it was written.
    pub pos: Pos,
}

/// Where a capture reads its value.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureSource {
    /// An RFC 9535 JSONPath into the JSON body (exactly one match).
    JsonPath(String),
    /// A response header (name lower-cased).
    Header(String),
    /// A regex over the body; the value is capture group `group` (default 1, or 0 without groups).
    Regex {
        /// The pattern.
        pattern: String,
        /// Capture group index.
        group: usize,
    },
}
