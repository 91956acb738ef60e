//! The lint pipeline: read → detect kind → parse once → dispatch nodes to rules →
//! apply suppressions and config → findings (positions resolved here, once).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use shipcheck_report::{Finding, Severity};
use shipcheck_source::discover::{WalkLimits, collect, read_capped};
use shipcheck_source::dockerfile::{Dockerfile, parse_dockerfile};
use shipcheck_source::dotenv::{EnvFile, parse_env};
use shipcheck_source::helm::split_helm_stream;
use shipcheck_source::kind::{NameHint, detect, detect_content, hint_from_name};
use shipcheck_source::yaml::{YamlStream, parse_yaml};
use shipcheck_source::{FileId, FileKind, SourceFile, TextRange};

use crate::Rule;
use crate::codes::dispatch;
use crate::config::{Config, ConfigResolver};
use crate::context::{Diagnostic, LintContext};
use crate::error::LintError;
use crate::findings::to_findings;
use crate::k8s::{K8sObject, objects_from_documents};
use crate::mask::{mask_findings, secret_needles};
use crate::nodes::{ComposeFile, DockerfileFile, EnvFileNode, Node, NodeKind, Workspace};
use crate::rules::input::{
    file_not_read::FileNotRead, parse_error::ParseError,
    suppression_missing_reason::SuppressionMissingReason,
    suppression_unknown_rule::SuppressionUnknownRule, unknown_file_kind::UnknownFileKind,
};
use crate::suppress::{
    Suppression, annotation_suppressions, comment_suppressions, drop_suppressed,
};

/// Settings of one lint run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// `--config`: use this file instead of the nearest `.shipcheck.yaml`.
    pub config: Option<PathBuf>,
    /// `--namespace`: namespace of objects that declare none.
    pub namespace: Option<String>,
}

/// The result of a lint run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LintOutcome {
    /// Findings, sorted by path, line, column, rule.
    pub findings: Vec<Finding>,
    /// Number of files linted: of a known kind, or named explicitly (a file of no known kind
    /// named on the command line has a finding and counts).
    pub files_scanned: usize,
    /// Non-fatal config problems (unknown keys).
    pub config_warnings: Vec<String>,
}

impl LintOutcome {
    /// The highest severity found, if any.
    pub fn max_severity(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// One input before parsing.
#[derive(Debug, Clone, Default)]
pub struct LintInput {
    /// Display path (as given, or the helm template name).
    pub path: String,
    /// Path on disk, for config lookup (`None` for stdin).
    pub disk_path: Option<PathBuf>,
    /// The text.
    pub text: String,
    /// True when named explicitly (unknown kinds are then reported).
    pub explicit: bool,
    /// Why a walked path was not read (`text` is then empty): reported as
    /// `input/file-not-read`, not linted.
    pub unread: Option<String>,
}

/// Lints files and directories (the `verify` runner calls this for a plan `lint` check).
pub fn lint_paths(paths: &[PathBuf], opts: &LintOptions) -> Result<LintOutcome, LintError> {
    lint_inputs(read_inputs(paths)?, opts)
}

/// Lints text read from stdin; a `helm template` stream is split at its `# Source:` comments.
pub fn lint_stdin_text(text: String, opts: &LintOptions) -> Result<LintOutcome, LintError> {
    lint_inputs(stdin_inputs(text), opts)
}

/// Discovers and reads the files under `paths` within the default walk bounds. A missing,
/// unreadable or non-regular named path is an error; such a path met during a walk, and a
/// walk bound that was hit, become inputs with [`LintInput::unread`] set.
pub fn read_inputs(paths: &[PathBuf]) -> Result<Vec<LintInput>, LintError> {
    let collected = collect(paths, &WalkLimits::default())?;
    let mut inputs: Vec<LintInput> = collected
        .files
        .into_iter()
        .map(|f| LintInput {
            path: f.path.display().to_string(),
            disk_path: Some(f.path),
            text: f.text,
            explicit: f.explicit,
            unread: None,
        })
        .collect();
    inputs.extend(collected.skipped.into_iter().map(|s| LintInput {
        path: s.path.display().to_string(),
        disk_path: Some(s.path),
        text: String::new(),
        explicit: false,
        unread: Some(s.reason),
    }));
    Ok(inputs)
}

/// Reads stdin (or any reader) as text, refusing more than the 8 MiB file size cap.
pub fn read_stdin(reader: impl std::io::Read) -> Result<String, LintError> {
    Ok(read_capped(reader, Path::new("<stdin>"))?)
}

/// `path` made absolute for config path matching; a dangling link is resolved through its
/// directory (it cannot be canonicalized itself).
fn absolute(path: &Path) -> PathBuf {
    path.canonicalize()
        .ok()
        .or_else(|| {
            let dir = path.parent()?;
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            Some(dir.canonicalize().ok()?.join(path.file_name()?))
        })
        .unwrap_or_else(|| path.to_owned())
}

/// Turns stdin text into inputs, one per helm template when it is a `helm template` stream.
pub fn stdin_inputs(text: String) -> Vec<LintInput> {
    match split_helm_stream(&text) {
        Some(chunks) => chunks
            .into_iter()
            .map(|c| LintInput {
                path: c.source,
                disk_path: None,
                text: c.text,
                explicit: true,
                unread: None,
            })
            .collect(),
        None => vec![LintInput {
            path: "<stdin>".into(),
            disk_path: None,
            text,
            explicit: true,
            unread: None,
        }],
    }
}

/// What a file parsed into.
pub(crate) enum Parsed {
    Yaml(YamlStream),
    Dockerfile(Dockerfile),
    Env(EnvFile),
    Skipped,
}

static RULES_BY_KIND: LazyLock<HashMap<NodeKind, Vec<Rule>>> = LazyLock::new(|| {
    let mut m: HashMap<NodeKind, Vec<Rule>> = HashMap::new();
    for r in Rule::ALL {
        m.entry(r.node_kind()).or_default().push(*r);
    }
    m
});

fn run_rules(ctx: &mut LintContext<'_>, enabled: &[bool], node: Node<'_>) {
    let Some(rules) = RULES_BY_KIND.get(&node.kind()) else {
        return;
    };
    for &rule in rules {
        if enabled.get(rule as usize).copied().unwrap_or(false) {
            dispatch(rule, ctx, &node);
        }
    }
}

/// Lints already-read inputs.
pub fn lint_inputs(inputs: Vec<LintInput>, opts: &LintOptions) -> Result<LintOutcome, LintError> {
    lint_inputs_only(inputs, opts, None)
}

/// Lints inputs; with `only`, every other rule is disabled (used by rule tests).
pub(crate) fn lint_inputs_only(
    inputs: Vec<LintInput>,
    opts: &LintOptions,
    only: Option<Rule>,
) -> Result<LintOutcome, LintError> {
    let mut resolver = ConfigResolver::new(opts.config.as_deref())?;
    let mut files: Vec<SourceFile> = Vec::with_capacity(inputs.len());
    let mut configs: Vec<Arc<Config>> = Vec::with_capacity(inputs.len());
    let mut abs_paths: Vec<PathBuf> = Vec::with_capacity(inputs.len());
    let mut pre: Vec<Diagnostic> = Vec::new();
    let mut unknown: Vec<FileId> = Vec::new();
    let mut unread: Vec<(FileId, String)> = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let id = FileId(u32::try_from(i).unwrap_or(u32::MAX));
        if let Some(reason) = input.unread {
            let cfg_path = input
                .disk_path
                .unwrap_or_else(|| PathBuf::from(&input.path));
            configs.push(resolver.for_file(&cfg_path)?);
            abs_paths.push(absolute(&cfg_path));
            files.push(SourceFile::new(
                id,
                input.path,
                String::new(),
                FileKind::Unknown,
            ));
            unread.push((id, reason));
            continue;
        }
        let kind = match &input.disk_path {
            Some(p) => detect(p, &input.text),
            None => match detect(Path::new(&input.path), &input.text) {
                FileKind::Unknown => detect_content(&input.text),
                k => k,
            },
        };
        let cfg_path = input
            .disk_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdin>"));
        configs.push(resolver.for_file(&cfg_path)?);
        abs_paths.push(cfg_path.canonicalize().unwrap_or(cfg_path));
        if kind == FileKind::Unknown {
            if !input.explicit {
                files.push(SourceFile::new(id, input.path, String::new(), kind));
                continue;
            }
            unknown.push(id);
        }
        files.push(SourceFile::new(id, input.path, input.text, kind));
    }
    // Parse each file once.
    let parsed: Vec<Parsed> = files
        .iter()
        .map(|f| match f.kind {
            FileKind::Kubernetes | FileKind::Compose => Parsed::Yaml(parse_yaml(f)),
            FileKind::Dockerfile => Parsed::Dockerfile(parse_dockerfile(f)),
            FileKind::Env { .. } => Parsed::Env(parse_env(f)),
            FileKind::Unknown => Parsed::Skipped,
        })
        .collect();
    // Files linted: those of a known kind, and those named explicitly that are of no known
    // kind (each has a finding saying so).
    let files_scanned =
        files.iter().filter(|f| f.kind != FileKind::Unknown).count() + unknown.len();
    let mut ctx = LintContext::new(&configs, opts.namespace.as_deref());
    for id in unknown {
        let Some(f) = files.get(id.0 as usize) else {
            continue;
        };
        // Stdin or a `.yaml` file of no known kind that is not even YAML: a parse error.
        let yaml_like = f.path == "<stdin>" || hint_from_name(Path::new(&f.path)) == NameHint::Yaml;
        match parse_yaml(f).error.filter(|_| yaml_like) {
            Some(e) => ctx.report(
                ParseError {
                    what: "yaml",
                    message: e.message,
                },
                f.span(e.range),
            ),
            None => ctx.report(UnknownFileKind, f.span(TextRange::empty(0))),
        }
    }
    for (id, reason) in unread {
        if let Some(f) = files.get(id.0 as usize) {
            ctx.report(FileNotRead { reason }, f.span(TextRange::empty(0)));
        }
    }
    // Parse errors.
    for (f, p) in files.iter().zip(&parsed) {
        match p {
            Parsed::Yaml(y) => {
                if let Some(e) = &y.error {
                    ctx.report(
                        ParseError {
                            what: f.kind.as_str(),
                            message: e.message.clone(),
                        },
                        f.span(e.range),
                    );
                }
            }
            Parsed::Dockerfile(d) => {
                for e in &d.errors {
                    ctx.report(
                        ParseError {
                            what: "dockerfile",
                            message: e.message.clone(),
                        },
                        f.span(e.range),
                    );
                }
            }
            Parsed::Env(env) => {
                for e in &env.errors {
                    ctx.report(
                        ParseError {
                            what: "env",
                            message: e.message.clone(),
                        },
                        f.span(e.range),
                    );
                }
            }
            Parsed::Skipped => {}
        }
    }
    pre.append(&mut ctx.diagnostics);
    // Which rules run on which file.
    let enabled: Vec<Vec<bool>> = configs
        .iter()
        .zip(&abs_paths)
        .map(|(c, p)| {
            Rule::ALL
                .iter()
                .map(|r| only.map_or_else(|| c.enabled(*r, p), |o| o == *r))
                .collect()
        })
        .collect();
    let any_enabled: Vec<bool> = Rule::ALL
        .iter()
        .map(|r| enabled.iter().any(|e| e[*r as usize]))
        .collect();
    let no_rules = vec![false; Rule::ALL.len()];
    let en = |id: FileId| enabled.get(id.0 as usize).unwrap_or(&no_rules);

    // Build the views.
    let mut objects: Vec<K8sObject<'_>> = Vec::new();
    let mut compose = Vec::new();
    let mut dockerfiles = Vec::new();
    let mut env_files = Vec::new();
    for (f, p) in files.iter().zip(&parsed) {
        match (f.kind, p) {
            (FileKind::Kubernetes, Parsed::Yaml(y)) => {
                objects.extend(objects_from_documents(f, &y.documents))
            }
            (FileKind::Compose, Parsed::Yaml(y)) => compose.push(ComposeFile {
                file: f,
                docs: &y.documents,
            }),
            (_, Parsed::Dockerfile(d)) => dockerfiles.push(DockerfileFile {
                file: f,
                dockerfile: d,
            }),
            (FileKind::Env { template }, Parsed::Env(e)) => env_files.push(EnvFileNode {
                file: f,
                env: e,
                template,
            }),
            _ => {}
        }
    }
    // Per-file and per-object rules.
    for f in files.iter().filter(|f| f.kind != FileKind::Unknown) {
        ctx.set_file(f.id);
        run_rules(&mut ctx, en(f.id), Node::AnyFile(f));
    }
    for obj in &objects {
        ctx.set_file(obj.file.id);
        let e = en(obj.file.id);
        run_rules(&mut ctx, e, Node::K8sObject(obj));
        if let Some(pod) = obj.pod_spec() {
            run_rules(&mut ctx, e, Node::PodSpec(&pod));
            for c in pod.containers() {
                run_rules(&mut ctx, e, Node::Container(&c));
            }
        }
    }
    for c in &compose {
        ctx.set_file(c.file.id);
        run_rules(&mut ctx, en(c.file.id), Node::ComposeFile(c));
    }
    for d in &dockerfiles {
        ctx.set_file(d.file.id);
        run_rules(&mut ctx, en(d.file.id), Node::DockerfileFile(d));
    }
    for e in &env_files {
        ctx.set_file(e.file.id);
        run_rules(&mut ctx, en(e.file.id), Node::EnvFile(e));
    }
    // Run-wide rules.
    if !objects.is_empty() {
        run_rules(&mut ctx, &any_enabled, Node::K8sSet(&objects));
    }
    let ws = Workspace {
        compose: &compose,
        dockerfiles: &dockerfiles,
        env_files: &env_files,
        objects: &objects,
    };
    run_rules(&mut ctx, &any_enabled, Node::Workspace(&ws));

    // Suppressions.
    let mut sups: Vec<Suppression> = files.iter().flat_map(comment_suppressions).collect();
    sups.extend(objects.iter().flat_map(annotation_suppressions));
    let mut diags: Vec<Diagnostic> = std::mem::take(&mut ctx.diagnostics);
    // Every detected secret is masked in every finding, even when the finding that
    // detected it is suppressed or disabled.
    let secrets: Vec<String> = diags
        .iter()
        .filter_map(|d| {
            let s = d.secret.as_deref()?;
            let at = files
                .get(d.span.file.0 as usize)
                .map(|f| f.slice(d.span.range));
            Some(secret_needles(s, at.unwrap_or_default()))
        })
        .flatten()
        .collect();
    drop_suppressed(&mut diags, &sups);
    for s in &sups {
        if s.reason.is_none() {
            ctx.report(
                SuppressionMissingReason {
                    ids: s.ids.join(","),
                },
                s.span,
            );
        }
        for id in s.unknown_ids() {
            ctx.report(SuppressionUnknownRule { id: id.to_owned() }, s.span);
        }
    }
    diags.append(&mut ctx.diagnostics);
    diags.append(&mut pre);
    // Config: per-file enablement and severity.
    diags.retain(|d| {
        en(d.span.file)
            .get(d.rule as usize)
            .copied()
            .unwrap_or(false)
    });
    diags.sort_by_key(|d| (d.span, d.rule));
    diags.dedup_by(|a, b| a.span == b.span && a.rule == b.rule && a.message == b.message);
    let mut findings = to_findings(&diags, &files, |d| {
        configs
            .get(d.span.file.0 as usize)
            .map_or_else(|| d.rule.default_severity(), |c| c.severity(d.rule))
    });
    mask_findings(&mut findings, &secrets);
    let mut config_warnings: Vec<String> = Vec::new();
    for c in &configs {
        if let Some(p) = &c.path {
            for w in &c.warnings {
                let line = format!("{}: {w}", p.display());
                if !config_warnings.contains(&line) {
                    config_warnings.push(line);
                }
            }
        }
    }
    Ok(LintOutcome {
        findings,
        files_scanned,
        config_warnings,
    })
}
