//! Kubernetes objects found in YAML documents, and their pod specs and containers.

use shipcheck_source::yaml::{Document, Node as Y};
use shipcheck_source::{SourceFile, Span, TextRange};

/// One Kubernetes object (a document, or an item of a `List`).
pub(crate) struct K8sObject<'a> {
    /// The file it is in.
    pub(crate) file: &'a SourceFile,
    /// The object's mapping.
    pub(crate) node: &'a Y,
    /// `apiVersion`.
    pub(crate) api_version: &'a str,
    /// `kind`.
    pub(crate) kind: &'a str,
    /// `metadata.name`.
    pub(crate) name: Option<&'a str>,
    /// `metadata.namespace`.
    pub(crate) namespace: Option<&'a str>,
}

/// Collects the objects of a file's documents (expanding `kind: *List`).
pub(crate) fn objects_from_documents<'a>(
    file: &'a SourceFile,
    docs: &'a [Document],
) -> Vec<K8sObject<'a>> {
    let mut out = Vec::new();
    for d in docs {
        push_object(file, &d.root, &mut out, 0);
    }
    out
}

fn push_object<'a>(file: &'a SourceFile, node: &'a Y, out: &mut Vec<K8sObject<'a>>, depth: u32) {
    let (Some(api_version), Some(kind)) = (
        node.get("apiVersion").and_then(Y::as_str),
        node.get("kind").and_then(Y::as_str),
    ) else {
        return;
    };
    if kind.ends_with("List") && depth < 4 {
        if let Some(items) = node.get("items") {
            for item in items.items() {
                push_object(file, item, out, depth + 1);
            }
        }
        return;
    }
    let meta = node.get("metadata");
    out.push(K8sObject {
        file,
        node,
        api_version,
        kind,
        name: meta.and_then(|m| m.get("name")).and_then(Y::as_str),
        namespace: meta.and_then(|m| m.get("namespace")).and_then(Y::as_str),
    });
}

/// The span of a key/value entry (key start to value end).
pub(crate) fn entry_span(file: &SourceFile, key: &Y, value: &Y) -> Span {
    let end = if value.range().end > key.range().start {
        value.range().end
    } else {
        key.range().end
    };
    file.span(TextRange::new(key.range().start, end))
}

/// The span of the line where `node` starts, from the node to the end of that line.
fn node_line_span(file: &SourceFile, node: &Y) -> Span {
    let start = node.range().start;
    let line = file.line_col(start).line;
    let lr = file.lines.line_range(&file.text, line);
    file.span(TextRange::new(start, lr.end.max(start)))
}

impl<'a> K8sObject<'a> {
    /// `Kind/name` for messages.
    pub(crate) fn display(&self) -> String {
        format!("{}/{}", self.kind, self.name.unwrap_or("<unnamed>"))
    }

    /// Where to report something the object as a whole lacks: its `kind:` line.
    pub(crate) fn anchor(&self) -> Span {
        match self.node.get_entry("kind") {
            Some((k, v)) => entry_span(self.file, k, v),
            None => node_line_span(self.file, self.node),
        }
    }

    /// The span of `node` in this object's file.
    pub(crate) fn span(&self, node: &Y) -> Span {
        self.file.span(node.range())
    }

    /// The span of the entry `key` inside `map`, or `fallback` when absent.
    pub(crate) fn entry_span(&self, map: &Y, key: &str) -> Option<Span> {
        map.get_entry(key).map(|(k, v)| entry_span(self.file, k, v))
    }

    /// `spec`.
    pub(crate) fn spec(&self) -> Option<&'a Y> {
        self.node.get("spec")
    }

    /// `metadata.labels` of the object.
    pub(crate) fn labels(&self) -> Option<&'a Y> {
        self.node.path(&["metadata", "labels"])
    }

    /// True for kinds that run pods from a template (or are a Pod).
    pub(crate) fn is_workload(&self) -> bool {
        matches!(
            self.kind,
            "Pod"
                | "Deployment"
                | "StatefulSet"
                | "DaemonSet"
                | "ReplicaSet"
                | "ReplicationController"
                | "Job"
                | "CronJob"
                | "Rollout"
        )
    }

    /// True for long-running, scalable workloads (replicas, PDB, HPA apply).
    pub(crate) fn is_scalable(&self) -> bool {
        matches!(
            self.kind,
            "Deployment" | "StatefulSet" | "ReplicaSet" | "Rollout"
        )
    }

    /// The pod template (`metadata` + `spec`), for workloads.
    pub(crate) fn pod_template(&self) -> Option<&'a Y> {
        match self.kind {
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
            | "Rollout" => self.node.path(&["spec", "template"]),
            "CronJob" => self.node.path(&["spec", "jobTemplate", "spec", "template"]),
            _ => None,
        }
    }

    /// The pod spec view, when this object runs pods.
    pub(crate) fn pod_spec(&'a self) -> Option<PodSpec<'a>> {
        if self.kind == "Pod" {
            let spec = self.node.get("spec")?;
            return spec.is_map().then_some(PodSpec {
                object: self,
                spec,
                labels: self.labels(),
            });
        }
        if !self.is_workload() {
            return None;
        }
        let template = self.pod_template()?;
        let spec = template.get("spec")?;
        spec.is_map().then_some(PodSpec {
            object: self,
            spec,
            labels: template.path(&["metadata", "labels"]),
        })
    }

    /// The `shipcheck.dev/ignore` annotation of the object or its pod template.
    pub(crate) fn ignore_annotations(&self) -> Vec<&'a Y> {
        let mut out = Vec::new();
        if let Some(a) = self
            .node
            .path(&["metadata", "annotations", "shipcheck.dev/ignore"])
        {
            out.push(a);
        }
        if let Some(a) = self
            .pod_template()
            .and_then(|t| t.path(&["metadata", "annotations", "shipcheck.dev/ignore"]))
        {
            out.push(a);
        }
        out
    }
}

/// The pod spec of a Pod or of a workload's template.
pub(crate) struct PodSpec<'a> {
    /// The owning object.
    pub(crate) object: &'a K8sObject<'a>,
    /// The pod spec mapping.
    pub(crate) spec: &'a Y,
    /// Pod labels (`template.metadata.labels`, or the Pod's own).
    pub(crate) labels: Option<&'a Y>,
}

impl<'a> PodSpec<'a> {
    /// Where to report something the pod spec lacks: the object's `kind:` line.
    pub(crate) fn anchor(&self) -> Span {
        self.object.anchor()
    }

    /// Containers and init containers, in order.
    pub(crate) fn containers(&'a self) -> Vec<Container<'a>> {
        let mut out = Vec::new();
        for (field, init) in [("initContainers", true), ("containers", false)] {
            for (index, node) in self
                .spec
                .get(field)
                .map(Y::items)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                if node.is_map() {
                    out.push(Container {
                        pod: self,
                        node,
                        name: node.get("name").and_then(Y::as_str).unwrap_or("<unnamed>"),
                        init,
                        index,
                    });
                }
            }
        }
        out
    }

    /// A pod-level field.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Y> {
        self.spec.get(key)
    }
}

/// One container of a pod spec.
pub(crate) struct Container<'a> {
    /// The pod spec it belongs to.
    pub(crate) pod: &'a PodSpec<'a>,
    /// The container mapping.
    pub(crate) node: &'a Y,
    /// `name`.
    pub(crate) name: &'a str,
    /// True for `initContainers`.
    pub(crate) init: bool,
    /// Index in its list.
    #[allow(dead_code)]
    pub(crate) index: usize,
}

impl<'a> Container<'a> {
    /// Where to report something the container lacks: its `name:` entry.
    pub(crate) fn anchor(&self) -> Span {
        let f = self.pod.object.file;
        match self.node.get_entry("name") {
            Some((k, v)) => entry_span(f, k, v),
            None => node_line_span(f, self.node),
        }
    }

    /// A container field.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Y> {
        self.node.get(key)
    }

    /// The object this container belongs to.
    pub(crate) fn object(&self) -> &'a K8sObject<'a> {
        self.pod.object
    }

    /// The effective security-context field: the container's, else the pod's.
    pub(crate) fn security(&self, key: &str) -> Option<(&'a Y, bool)> {
        if let Some(v) = self.node.path(&["securityContext", key]) {
            return Some((v, true));
        }
        self.pod
            .spec
            .path(&["securityContext", key])
            .map(|v| (v, false))
    }

    /// Where to report a missing `resources.<section>.<resource>` (e.g. `requests`, `cpu`):
    /// the `resources:` entry when there is one, else the container's name; `None` when set.
    pub(crate) fn missing_resource(&self, section: &str, resource: &str) -> Option<Span> {
        if self.node.path(&["resources", section, resource]).is_some() {
            return None;
        }
        Some(
            self.get("resources")
                .and_then(|_| self.entry_span(self.node, "resources"))
                .unwrap_or_else(|| self.anchor()),
        )
    }

    /// The span of the container's field `key` (entry), if present.
    pub(crate) fn entry_span(&self, map: &Y, key: &str) -> Option<Span> {
        self.pod.object.entry_span(map, key)
    }

    /// Declared container ports: (number, name).
    pub(crate) fn ports(&self) -> Vec<(i64, Option<&'a str>)> {
        self.get("ports")
            .map(Y::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|p| {
                Some((
                    p.get("containerPort")?.as_i64()?,
                    p.get("name").and_then(Y::as_str),
                ))
            })
            .collect()
    }
}
