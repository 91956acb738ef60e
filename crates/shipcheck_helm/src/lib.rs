//! Helm release history read from the objects Helm's storage drivers write, without the
//! `helm` binary.
//!
//! Helm 3 and 4 keep one object per revision, named `sh.helm.release.v1.<name>.v<N>` and
//! labelled `owner=helm,name=<name>,version=<N>,status=<status>`:
//!
//! - the **Secret** driver (the default): a Secret of type `helm.sh/release.v1` whose
//!   `data.release` is the API's base64 of Helm's base64 of gzip of the release JSON;
//! - the **ConfigMap** driver: `data.release` is Helm's base64 of gzip of the JSON.
//!
//! Releases written without gzip (older Helm 3 versions) are read too. Every decoding step
//! is bounded ([`Limits`]): a decompression bomb is refused once its output passes the cap.
//!
//! The crate reads objects as `serde_json::Value` (as `kubectl get -o json` prints them),
//! so it needs no Kubernetes client; it does not list objects, print, or judge.
//!
//! ```
//! use shipcheck_helm::{Driver, History, Limits};
//! let list = serde_json::json!({ "kind": "List", "items": [] });
//! let items = list["items"].as_array().map(Vec::as_slice).unwrap_or_default();
//! let h = History::from_objects(items, "shop", Driver::Secret, &Limits::default());
//! assert!(h.current().is_none());
//! ```

mod decode;
mod error;
mod history;
mod release;
mod values;

pub use decode::{Driver, Limits, decode_object, decode_release_bytes, decode_release_json};
pub use error::DecodeError;
pub use history::{History, Problem, ProblemKind};
pub use release::{Chart, Hook, Info, LastRun, Release, Time};
pub use values::{Values, canonical_json, value_keys, values_hash};
