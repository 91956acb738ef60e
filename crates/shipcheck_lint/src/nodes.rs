//! The nodes rules are dispatched on. Each rule declares one [`NodeKind`] in `codes.rs`;
//! the checker builds these views once per file (or once per run for set-wide kinds).

// Node kinds for the compose, Dockerfile, env and cross-file families are built and
// dispatched already; their rules arrive in later commits.
#![allow(dead_code)]

use shipcheck_source::SourceFile;
use shipcheck_source::dockerfile::Dockerfile;
use shipcheck_source::dotenv::EnvFile;
use shipcheck_source::yaml::Document;

pub(crate) use crate::k8s::{Container, K8sObject, PodSpec};

/// What a rule's `check` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum NodeKind {
    /// Reported by the engine itself (parse errors, suppressions); never dispatched.
    Engine,
    /// One Kubernetes object.
    K8sObject,
    /// The pod spec of a Pod or workload template.
    PodSpec,
    /// One container (init containers included, see [`Container::init`]).
    Container,
    /// Every Kubernetes object of the run (cross-object rules).
    K8sSet,
    /// One compose file.
    ComposeFile,
    /// One Dockerfile.
    DockerfileFile,
    /// One `.env` file.
    EnvFile,
    /// Any linted file as text (secret scanners).
    AnyFile,
    /// Every file of the run (cross-file rules).
    Workspace,
}

/// A node handed to a rule.
#[derive(Clone, Copy)]
pub(crate) enum Node<'a> {
    /// Never constructed; gives [`NodeKind::Engine`] rules a `check` signature.
    #[allow(dead_code)]
    Engine(&'a ()),
    /// See [`NodeKind::K8sObject`].
    K8sObject(&'a K8sObject<'a>),
    /// See [`NodeKind::PodSpec`].
    PodSpec(&'a PodSpec<'a>),
    /// See [`NodeKind::Container`].
    Container(&'a Container<'a>),
    /// See [`NodeKind::K8sSet`].
    K8sSet(&'a [K8sObject<'a>]),
    /// See [`NodeKind::ComposeFile`].
    ComposeFile(&'a ComposeFile<'a>),
    /// See [`NodeKind::DockerfileFile`].
    DockerfileFile(&'a DockerfileFile<'a>),
    /// See [`NodeKind::EnvFile`].
    EnvFile(&'a EnvFileNode<'a>),
    /// See [`NodeKind::AnyFile`].
    AnyFile(&'a SourceFile),
    /// See [`NodeKind::Workspace`].
    Workspace(&'a Workspace<'a>),
}

impl Node<'_> {
    /// The kind of this node.
    pub(crate) fn kind(&self) -> NodeKind {
        match self {
            Node::Engine(_) => NodeKind::Engine,
            Node::K8sObject(_) => NodeKind::K8sObject,
            Node::PodSpec(_) => NodeKind::PodSpec,
            Node::Container(_) => NodeKind::Container,
            Node::K8sSet(_) => NodeKind::K8sSet,
            Node::ComposeFile(_) => NodeKind::ComposeFile,
            Node::DockerfileFile(_) => NodeKind::DockerfileFile,
            Node::EnvFile(_) => NodeKind::EnvFile,
            Node::AnyFile(_) => NodeKind::AnyFile,
            Node::Workspace(_) => NodeKind::Workspace,
        }
    }
}

/// A compose file's YAML documents (normally one).
pub(crate) struct ComposeFile<'a> {
    /// The file.
    pub(crate) file: &'a SourceFile,
    /// Its documents.
    pub(crate) docs: &'a [Document],
}

/// A parsed Dockerfile.
pub(crate) struct DockerfileFile<'a> {
    /// The file.
    pub(crate) file: &'a SourceFile,
    /// Its instructions.
    pub(crate) dockerfile: &'a Dockerfile,
}

/// A parsed `.env` file.
pub(crate) struct EnvFileNode<'a> {
    /// The file.
    pub(crate) file: &'a SourceFile,
    /// Its entries.
    pub(crate) env: &'a EnvFile,
    /// True for templates (`.env.example`…), where template-only rules apply.
    pub(crate) template: bool,
}

/// Everything parsed in one run, for cross-file rules.
pub(crate) struct Workspace<'a> {
    /// Compose files.
    pub(crate) compose: &'a [ComposeFile<'a>],
    /// Dockerfiles.
    pub(crate) dockerfiles: &'a [DockerfileFile<'a>],
    /// `.env` files.
    pub(crate) env_files: &'a [EnvFileNode<'a>],
    /// Kubernetes objects.
    pub(crate) objects: &'a [K8sObject<'a>],
}
