//! A Kubernetes API double: a loopback HTTP server answering the LISTs a read-only client
//! makes (`GET /api/v1/namespaces/{ns}/{plural}`, `GET /apis/{group}/{version}/…`) from
//! objects the test loads (`kubectl get -o json` output) and may change between polls,
//! over plain HTTP or HTTPS with a certificate of the test PKI.
//!
//! What it does as the API server does: bearer-token authentication (a wrong token is a
//! 401 `Status`), equality and existence label selectors, `metadata.name`/`type`-style
//! field selectors, `limit` with a `continue` token, list items without `kind`/`apiVersion`,
//! a 404 `Status` for a collection it does not serve, 405 for anything but GET. It records
//! every request line, so a test can check what a probe asked and that it wrote nothing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};

use crate::Ca;

/// Collections served even when empty (built-ins every cluster has).
const BUILTIN: &[&str] = &[
    "v1/pods",
    "v1/services",
    "v1/secrets",
    "v1/configmaps",
    "v1/events",
    "v1/persistentvolumeclaims",
    "apps/v1/deployments",
    "apps/v1/statefulsets",
    "apps/v1/daemonsets",
    "batch/v1/jobs",
    "batch/v1/cronjobs",
    "autoscaling/v2/horizontalpodautoscalers",
    "networking.k8s.io/v1/ingresses",
    "discovery.k8s.io/v1/endpointslices",
];

#[derive(Default)]
struct State {
    token: String,
    objects: Vec<Value>,
    requests: Vec<String>,
    version: u64,
}

/// A running API double; stopped when dropped.
pub struct KubeApi {
    port: u16,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    ca_pem: Option<String>,
}

/// The collection's plural as the API names built-in kinds (`Ingress` → `ingresses`,
/// `NetworkPolicy` → `networkpolicies`).
fn plural(kind: &str) -> String {
    let k = kind.to_ascii_lowercase();
    if k.ends_with('s') {
        format!("{k}es")
    } else if let Some(stem) = k.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{k}s")
    }
}

fn text<'v>(v: &'v Value, path: &str) -> Option<&'v str> {
    path.split('.').try_fold(v, |v, k| v.get(k))?.as_str()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(c) => {
                        out.push(c);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `labels` satisfy a selector of `k=v`, `k==v`, `k!=v`, `k`, `!k` terms.
fn labels_match(labels: &Value, selector: &str) -> bool {
    selector.split(',').filter(|t| !t.is_empty()).all(|term| {
        let term = term.trim();
        let get = |k: &str| labels.get(k.trim()).and_then(Value::as_str);
        if let Some((k, v)) = term.split_once("!=") {
            get(k) != Some(v.trim())
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            get(k) == Some(v.trim())
        } else if let Some(k) = term.strip_prefix('!') {
            get(k).is_none()
        } else {
            get(term).is_some()
        }
    })
}

/// Whether the object satisfies a field selector of `path=value` / `path!=value` terms.
fn fields_match(object: &Value, selector: &str) -> bool {
    selector.split(',').filter(|t| !t.is_empty()).all(|term| {
        if let Some((k, v)) = term.split_once("!=") {
            text(object, k) != Some(v)
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            text(object, k) == Some(v)
        } else {
            false
        }
    })
}

fn status(code: u16, reason: &str, message: &str) -> (u16, Value) {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
               "message": message, "reason": reason, "code": code}),
    )
}

impl State {
    fn answer(&mut self, method: &str, target: &str, auth: Option<&str>) -> (u16, Value) {
        self.requests.push(format!("{method} {target}"));
        if auth != Some(&format!("Bearer {}", self.token)) {
            return status(401, "Unauthorized", "Unauthorized");
        }
        if method != "GET" {
            return status(405, "MethodNotAllowed", "this double only reads");
        }
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let params: Vec<(String, String)> = query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_owned(), percent_decode(v)))
            .collect();
        let param = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
        let (api_version, rest) = match parts.as_slice() {
            ["api", v, rest @ ..] => ((*v).to_owned(), rest),
            ["apis", g, v, rest @ ..] => (format!("{g}/{v}"), rest),
            _ => {
                return status(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                );
            }
        };
        let (namespace, collection) = match rest {
            ["namespaces", ns, p] => (Some(*ns), *p),
            [p] => (None, *p),
            _ => {
                return status(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                );
            }
        };
        let key = format!("{api_version}/{collection}");
        let of_collection = |o: &&Value| {
            o["apiVersion"].as_str() == Some(api_version.as_str())
                && o["kind"].as_str().map(plural).as_deref() == Some(collection)
        };
        let served =
            BUILTIN.contains(&key.as_str()) || self.objects.iter().any(|o| of_collection(&o));
        if !served {
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
        let mut items: Vec<Value> = self
            .objects
            .iter()
            .filter(of_collection)
            .filter(|o| namespace.is_none_or(|ns| text(o, "metadata.namespace") == Some(ns)))
            .filter(|o| {
                param("labelSelector").is_none_or(|s| labels_match(&o["metadata"]["labels"], s))
            })
            .filter(|o| param("fieldSelector").is_none_or(|s| fields_match(o, s)))
            .cloned()
            .collect();
        let kind = items
            .first()
            .and_then(|o| o["kind"].as_str())
            .map_or_else(|| "List".to_owned(), |k| format!("{k}List"));
        let mut cont = String::new();
        if let Some(limit) = param("limit").and_then(|l| l.parse::<usize>().ok())
            && limit > 0
            && items.len() > limit
        {
            items.truncate(limit);
            cont = "eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ".to_owned();
        }
        for o in &mut items {
            if let Some(m) = o.as_object_mut() {
                m.remove("kind");
                m.remove("apiVersion");
            }
        }
        (
            200,
            json!({"kind": kind, "apiVersion": api_version,
                   "metadata": {"resourceVersion": self.version.to_string(), "continue": cont},
                   "items": items}),
        )
    }
}

/// Bound on a request head.
const MAX_HEAD: usize = 64 * 1024;

fn serve(mut stream: impl Read + Write, state: &Mutex<State>) {
    let mut head = Vec::new();
    let mut chunk = [0u8; 4096];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let mut lines = head.split("\r\n");
    let mut words = lines.next().unwrap_or_default().split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let auth = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.trim().to_owned());
    let (code, body) = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .answer(method, target, auth.as_deref());
    let body = body.to_string();
    let reason = match code {
        200 => "OK",
        401 => "Unauthorized",
        404 => "Not Found",
        _ => "Method Not Allowed",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {code} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

/// Serves one connection, in TLS when the double has a server identity.
fn connection(conn: TcpStream, state: &Mutex<State>, tls: Option<&Arc<rustls::ServerConfig>>) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = conn.set_write_timeout(Some(Duration::from_secs(5)));
    match tls {
        None => serve(conn, state),
        Some(config) => {
            let Ok(server) = rustls::ServerConnection::new(Arc::clone(config)) else {
                return;
            };
            let mut stream = rustls::StreamOwned::new(server, conn);
            serve(&mut stream, state);
            stream.conn.send_close_notify();
            let _ = stream.flush();
        }
    }
}

impl KubeApi {
    /// Starts the double over plain HTTP on a free loopback port, accepting `Bearer {token}`.
    pub fn start(token: &str) -> KubeApi {
        Self::launch(token, None)
    }

    /// Starts the double over HTTPS, its certificate (for `127.0.0.1` and `localhost`)
    /// signed by `ca`, whose PEM the kubeconfig names as the cluster's authority.
    pub fn start_tls(token: &str, ca: &Ca) -> KubeApi {
        let leaf = ca.leaf(&["127.0.0.1", "localhost"]);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![leaf.cert.clone()], leaf.key())
            .unwrap();
        Self::launch(token, Some((Arc::new(config), ca.pem.clone())))
    }

    fn launch(token: &str, tls: Option<(Arc<rustls::ServerConfig>, String)>) -> KubeApi {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (config, ca_pem) = tls.map_or((None, None), |(c, p)| (Some(c), Some(p)));
        let state = Arc::new(Mutex::new(State {
            token: token.to_owned(),
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (st, stp) = (Arc::clone(&state), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stp.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let (st, config) = (Arc::clone(&st), config.clone());
                    std::thread::spawn(move || connection(conn, &st, config.as_ref()));
                }
            }
        });
        KubeApi {
            port,
            state,
            stop,
            thread: Some(thread),
            ca_pem,
        }
    }

    /// `http://127.0.0.1:{port}` (`https` when started with TLS).
    pub fn url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://127.0.0.1:{}", self.port)
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Adds an object, replacing the one of the same kind, namespace and name.
    pub fn put(&self, object: Value) {
        let id = |o: &Value| {
            (
                o["kind"].as_str().map(str::to_owned),
                text(o, "metadata.namespace").map(str::to_owned),
                text(o, "metadata.name").map(str::to_owned),
            )
        };
        self.with(|s| {
            s.objects.retain(|o| id(o) != id(&object));
            s.objects.push(object);
            s.version += 1;
        });
    }

    /// Removes the object of this kind, namespace and name (as a controller deleting a pod).
    pub fn remove(&self, kind: &str, namespace: &str, name: &str) {
        self.with(|s| {
            s.objects.retain(|o| {
                !(o["kind"] == kind
                    && text(o, "metadata.namespace") == Some(namespace)
                    && text(o, "metadata.name") == Some(name))
            });
            s.version += 1;
        });
    }

    /// Loads a `kubectl get -o json` file: a `List` (each item) or one object.
    pub fn load(&self, file: &Path) {
        let text =
            std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        match v.get("items").and_then(Value::as_array) {
            Some(items) => items.iter().for_each(|o| self.put(o.clone())),
            None => self.put(v),
        }
    }

    /// Loads every `*.json` file of `dir`.
    pub fn load_dir(&self, dir: &Path) {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| Some(e.ok()?.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files.iter().for_each(|f| self.load(f));
    }

    /// Runs `change` on a thread once the API has received `requests` requests (at most
    /// 20 s from now): a controller acting while a probe polls with `until:`.
    pub fn change_after(
        self: &Arc<Self>,
        requests: usize,
        change: impl FnOnce(&KubeApi) + Send + 'static,
    ) -> JoinHandle<()> {
        let api = Arc::clone(self);
        std::thread::spawn(move || {
            let until = std::time::Instant::now() + Duration::from_secs(20);
            while api.requests().len() < requests && std::time::Instant::now() < until {
                std::thread::sleep(Duration::from_millis(5));
            }
            change(&api);
        })
    }

    /// Every request line received so far (`GET /apis/apps/v1/namespaces/shop/deployments?limit=…`).
    pub fn requests(&self) -> Vec<String> {
        self.with(|s| s.requests.clone())
    }

    /// Writes a kubeconfig in `dir` whose current context `double` reaches this server as
    /// a token user in `namespace`; context `wrong-token` sends another token.
    pub fn kubeconfig(&self, dir: &Path, namespace: &str) -> PathBuf {
        let token = self.with(|s| s.token.clone());
        let path = dir.join("kubeconfig");
        let authority = match &self.ca_pem {
            Some(pem) => {
                let ca = dir.join("kube-ca.pem");
                std::fs::write(&ca, pem).unwrap();
                format!("    certificate-authority: {}\n", ca.display())
            }
            None => String::new(),
        };
        let yaml = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: double\n  cluster:\n    server: {url}\n{authority}\
contexts:\n- name: double\n  context:\n    cluster: double\n    user: tester\n    namespace: {namespace}\n\
- name: wrong-token\n  context:\n    cluster: double\n    user: intruder\n    namespace: {namespace}\n\
current-context: double\nusers:\n- name: tester\n  user:\n    token: {token}\n- name: intruder\n  user:\n    token: not-{token}\n",
            url = self.url()
        );
        std::fs::write(&path, yaml).unwrap();
        path
    }
}

impl Drop for KubeApi {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_and_plurals() {
        let l = json!({"app": "api", "tier": "web"});
        assert!(labels_match(&l, "app=api,tier!=db"));
        assert!(labels_match(&l, "app==api,tier"));
        assert!(!labels_match(&l, "app=worker"));
        assert!(!labels_match(&l, "!tier"));
        assert_eq!(plural("Ingress"), "ingresses");
        assert_eq!(plural("NetworkPolicy"), "networkpolicies");
        assert_eq!(percent_decode("app%3Dapi%2Ctier"), "app=api,tier");
        let o = json!({"metadata": {"name": "a"}, "type": "Warning"});
        assert!(fields_match(&o, "metadata.name=a,type=Warning"));
        assert!(!fields_match(&o, "type!=Warning"));
    }
}
