//! Views over Kubernetes objects for the rules: objects, pod specs, containers,
//! plus small helpers (images, selectors, ports).

mod object;
pub(crate) mod schema;
pub(crate) mod schema_check;
mod util;

pub(crate) use object::{Container, K8sObject, PodSpec, objects_from_documents};
#[allow(unused_imports)]
pub(crate) use util::{ImageRef, canonical, parse_image, selector_matches};
