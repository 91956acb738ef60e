//! [`LintContext`]: what a rule's `check` sees, and where it reports.

use std::sync::Arc;

use shipcheck_source::{FileId, Span};

use crate::Rule;
use crate::config::{Config, Options};
use crate::k8s::K8sObject;
use crate::rule::{RuleOf, Violation};

/// A finding before positions are resolved and config is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnostic {
    /// The rule.
    pub(crate) rule: Rule,
    /// Message (secrets already masked by the rule, masked again at output).
    pub(crate) message: String,
    /// Imperative hint.
    pub(crate) fix_title: Option<String>,
    /// Where.
    pub(crate) span: Span,
    /// The raw secret to mask in every output.
    pub(crate) secret: Option<String>,
}

/// Handed to every rule: options for the file being checked, and the report sink.
pub(crate) struct LintContext<'a> {
    configs: &'a [Arc<Config>],
    namespace: Option<&'a str>,
    current: FileId,
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl<'a> LintContext<'a> {
    /// A context over per-file configs (indexed by [`FileId`]) and the `--namespace` default.
    pub(crate) fn new(configs: &'a [Arc<Config>], namespace: Option<&'a str>) -> Self {
        Self {
            configs,
            namespace,
            current: FileId(0),
            diagnostics: Vec::new(),
        }
    }

    /// Sets the file whose options [`Self::options`] returns.
    pub(crate) fn set_file(&mut self, file: FileId) {
        self.current = file;
    }

    /// Records a violation at `span`.
    pub(crate) fn report<V: Violation + RuleOf>(&mut self, violation: V, span: Span) {
        self.diagnostics.push(Diagnostic {
            rule: V::RULE,
            message: violation.message(),
            fix_title: violation.fix_title(),
            secret: violation.secret().map(str::to_owned),
            span,
        });
    }

    /// Options for the file being checked.
    pub(crate) fn options(&self) -> &Options {
        self.options_for(self.current)
    }

    /// Options for `file`.
    pub(crate) fn options_for(&self, file: FileId) -> &Options {
        static DEFAULT: std::sync::LazyLock<Options> = std::sync::LazyLock::new(Options::default);
        self.configs
            .get(file.0 as usize)
            .map_or(&DEFAULT, |c| &c.options)
    }

    /// True when the object's namespace (or `--namespace`) matches the production pattern.
    pub(crate) fn is_production(&self, obj: &K8sObject<'_>) -> bool {
        let ns = obj.namespace.or(self.namespace);
        ns.is_some_and(|ns| {
            self.options_for(obj.file.id)
                .production_namespace
                .is_match(ns)
        })
    }
}
