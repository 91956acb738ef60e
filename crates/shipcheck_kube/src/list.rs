//! [`Cluster::list`]: one bounded LIST of a collection, its objects as JSON values.

use http_body_util::BodyExt;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use shipcheck_report::FailureClass;

use crate::{Cluster, KubeError, Resource, strip_secret_values};

/// Default bound on the objects of one LIST.
pub const DEFAULT_MAX_OBJECTS: usize = 2000;
/// Default bound on the body of one LIST.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;
/// What a query value keeps as is: RFC 3986's unreserved characters.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// Bound on the API's error message quoted in an error.
const MAX_MESSAGE: usize = 300;

/// What to list.
#[derive(Debug, Clone)]
pub struct ListRequest<'a> {
    /// The collection.
    pub resource: &'a Resource,
    /// The namespace (`None`: the cluster's, see [`Cluster::namespace`]); ignored for a
    /// cluster-scoped resource.
    pub namespace: Option<&'a str>,
    /// Every namespace instead of one.
    pub all_namespaces: bool,
    /// A label selector as kubectl's `-l` takes it (`app=api,tier!=db`).
    pub label_selector: Option<&'a str>,
    /// A field selector (`metadata.name=api`, `type=Warning`).
    pub field_selector: Option<&'a str>,
    /// At most this many objects (the API's `limit`); more is reported as `truncated`.
    pub max_objects: usize,
    /// At most this many bytes of body; more is a `protocol` error.
    pub max_bytes: usize,
    /// Keep Secrets' `data` values (the `helm` kind decodes release Secrets); by default
    /// they are replaced by `""` before the list is returned.
    pub keep_secret_values: bool,
}

impl<'a> ListRequest<'a> {
    /// A LIST of `resource` in the cluster's namespace with the default bounds.
    pub fn new(resource: &'a Resource) -> Self {
        Self {
            resource,
            namespace: None,
            all_namespaces: false,
            label_selector: None,
            field_selector: None,
            max_objects: DEFAULT_MAX_OBJECTS,
            max_bytes: DEFAULT_MAX_BYTES,
            keep_secret_values: false,
        }
    }
}

/// The answer to a LIST.
#[derive(Debug, Clone)]
pub struct ObjectList {
    /// The objects, each with `apiVersion` and `kind` set (a LIST's items lack them).
    pub items: Vec<Value>,
    /// The server had more than `max_objects`.
    pub truncated: bool,
    /// Size of the body.
    pub bytes: usize,
    /// The request path and query (for evidence).
    pub request: String,
    /// The list's `resourceVersion`.
    pub resource_version: String,
}

fn query_part(out: &mut String, key: &str, value: &str) {
    out.push(if out.contains('?') { '&' } else { '?' });
    out.push_str(key);
    out.push('=');
    out.push_str(&utf8_percent_encode(value, QUERY).to_string());
}

/// The API's own explanation in an error body (`Status.message`), bounded; never the
/// body itself.
fn status_message(body: &[u8]) -> String {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let m = v["message"].as_str().unwrap_or("no Status message");
    m.chars().take(MAX_MESSAGE).collect()
}

impl Cluster {
    /// One GET of a collection: `GET {path}?limit=…&labelSelector=…&fieldSelector=…`.
    /// 401/403 are `auth` errors; a 404 (the resource is not served: a CRD not installed,
    /// a wrong version) and any other status are `protocol` errors with the API's message.
    pub async fn list(&self, req: &ListRequest<'_>) -> Result<ObjectList, KubeError> {
        let ns = req.namespace.unwrap_or(&self.namespace);
        let mut path = req.resource.path((!req.all_namespaces).then_some(ns));
        query_part(&mut path, "limit", &req.max_objects.to_string());
        if let Some(l) = req.label_selector {
            query_part(&mut path, "labelSelector", l);
        }
        if let Some(f) = req.field_selector {
            query_part(&mut path, "fieldSelector", f);
        }
        let what = format!("listing {} at {}", req.resource.plural, self.server);
        let request = http::Request::get(&path)
            .header(http::header::ACCEPT, "application/json")
            .body(kube::client::Body::empty())
            .map_err(|e| KubeError::new(FailureClass::Protocol, format!("{what}: {e}")))?;
        let fut = async {
            let resp = self
                .client
                .send(request)
                .await
                .map_err(|e| KubeError::from_client(&what, &e))?;
            let status = resp.status();
            let mut body = resp.into_body();
            let mut bytes = Vec::new();
            while let Some(frame) = body.frame().await {
                let frame = frame.map_err(|e| KubeError::from_client(&what, &e))?;
                if let Ok(data) = frame.into_data() {
                    if bytes.len() + data.len() > req.max_bytes {
                        return Err(KubeError::new(
                            FailureClass::Protocol,
                            format!("{what}: the answer is over {} bytes", req.max_bytes),
                        ));
                    }
                    bytes.extend_from_slice(&data);
                }
            }
            Ok((status, bytes))
        };
        let (status, bytes) = tokio::time::timeout(self.timeout, fut)
            .await
            .map_err(|_| {
                KubeError::new(
                    FailureClass::Timeout,
                    format!("{what}: no answer within {:?}", self.timeout),
                )
            })??;
        match status.as_u16() {
            200..=299 => {}
            401 | 403 => {
                return Err(KubeError::new(
                    FailureClass::Auth,
                    format!("{what}: {status}: {}", status_message(&bytes)),
                ));
            }
            404 => {
                return Err(KubeError::new(
                    FailureClass::Protocol,
                    format!(
                        "{what}: 404: the server does not serve {} in {} (is its CRD installed, is the version right?): {}",
                        req.resource.plural,
                        req.resource.api_version(),
                        status_message(&bytes)
                    ),
                ));
            }
            _ => {
                return Err(KubeError::new(
                    FailureClass::Protocol,
                    format!("{what}: {status}: {}", status_message(&bytes)),
                ));
            }
        }
        let mut list: Value = serde_json::from_slice(&bytes).map_err(|e| {
            KubeError::new(
                FailureClass::Protocol,
                format!(
                    "{what}: the answer is not JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) else {
            return Err(KubeError::new(
                FailureClass::Protocol,
                format!("{what}: the answer has no `items`"),
            ));
        };
        let mut items = std::mem::take(items);
        let truncated = items.len() > req.max_objects
            || list["metadata"]["continue"]
                .as_str()
                .is_some_and(|c| !c.is_empty());
        items.truncate(req.max_objects);
        for item in &mut items {
            if req.resource.kind == "Secret" && !req.keep_secret_values {
                strip_secret_values(item);
            }
            if let Some(o) = item.as_object_mut() {
                o.entry("apiVersion")
                    .or_insert_with(|| Value::String(req.resource.api_version()));
                o.entry("kind")
                    .or_insert_with(|| Value::String(req.resource.kind.clone()));
            }
        }
        Ok(ObjectList {
            items,
            truncated,
            bytes: bytes.len(),
            request: path,
            resource_version: list["metadata"]["resourceVersion"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        })
    }
}
