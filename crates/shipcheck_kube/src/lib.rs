//! shipcheck's read-only Kubernetes API client, the one crate that depends on kube-rs.
//!
//! [`Cluster::connect`] finds the API server as kubectl does (a kubeconfig named by the
//! caller, else `KUBECONFIG`, else `~/.kube/config`, else the in-cluster service account),
//! and [`Cluster::list`] makes one bounded LIST of any resource in a namespace with a label
//! selector, returning the objects as JSON values. Nothing here creates, patches or
//! deletes. Every error carries a failure class (`connect`, `auth`, `tls`, `timeout`,
//! `protocol`) and never the body of a response that could hold a Secret's values.

mod connect;
mod error;
mod list;
mod resource;
mod secret;
pub mod status;
mod time;

pub use connect::{Cluster, Target};
pub use error::KubeError;
pub use list::{DEFAULT_MAX_BYTES, DEFAULT_MAX_OBJECTS, ListRequest, ObjectList};
pub use resource::Resource;
pub use secret::{secret_key_names, strip_secret_values};
pub use time::{human_duration, unix_seconds};
