//! `.shipcheck.yaml`: per-rule enable/disable/severity, per-path ignores and rule options.
//!
//! ```yaml
//! rules:
//!   k8s/cpu-limit-missing: warning          # a severity, or `off` / `on`
//!   k8s/hostport-used: { severity: info }
//! ignore:
//!   - paths: ["legacy/**"]
//!     rules: ["k8s/*"]                        # IDs, `family/*`, or `*`
//! options:
//!   production_namespace: "^prod(uction)?(-|$)"
//!   kubernetes_version: "1.33"
//!   allowed_registries: ["ghcr.io/acme/"]   # cross/image-registry-not-allowed
//! images:                                     # Dockerfile ↔ image links for cross-file rules
//!   ghcr.io/acme/api: docker/api.Dockerfile
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use regex::Regex;
use shipcheck_report::Severity;
use shipcheck_source::yaml::{Node as Y, parse_yaml};
use shipcheck_source::{FileId, FileKind, SourceError, SourceFile};

use crate::Rule;
use crate::config_schema::{ENABLE_WORDS, IgnoreKey, OptionKey, RuleKey, SEVERITY_WORDS, TopKey};
use crate::error::LintError;

/// The config file name looked up from each linted file upwards.
pub const CONFIG_FILE_NAME: &str = ".shipcheck.yaml";

/// The default production namespace pattern.
pub const DEFAULT_PRODUCTION_NAMESPACE: &str = "^prod(uction)?(-|$)";

/// Rule options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Namespaces matching this are production.
    pub production_namespace: Regex,
    /// Target Kubernetes version (major, minor) for deprecated-API rules.
    pub kubernetes_version: (u32, u32),
    /// Registries images may come from (prefixes); empty allows all.
    pub allowed_registries: Vec<String>,
    /// Image name → Dockerfile path (relative to the config file), for cross-file rules.
    pub images: BTreeMap<String, PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            production_namespace: default_prod_regex(),
            kubernetes_version: (1, 33),
            allowed_registries: Vec::new(),
            images: BTreeMap::new(),
        }
    }
}

#[expect(clippy::expect_used, reason = "a constant pattern, covered by tests")]
fn default_prod_regex() -> Regex {
    static RE: std::sync::LazyLock<Regex> = std::sync::LazyLock::new(|| {
        Regex::new(DEFAULT_PRODUCTION_NAMESPACE).expect("valid default pattern")
    });
    RE.clone()
}

#[derive(Debug, Clone, Copy, Default)]
struct RuleSetting {
    enabled: Option<bool>,
    severity: Option<Severity>,
}

#[derive(Debug, Clone)]
struct PathIgnore {
    paths: GlobSet,
    rules: Vec<String>,
}

/// A loaded configuration (or the defaults).
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (`None` for defaults).
    pub path: Option<PathBuf>,
    base_dir: PathBuf,
    rules: HashMap<Rule, RuleSetting>,
    ignores: Vec<PathIgnore>,
    /// Rule options.
    pub options: Options,
    /// Unknown keys and similar non-fatal problems.
    pub warnings: Vec<String>,
}

/// True when `pattern` (`id`, `family/*`, `*`) covers `rule`.
pub(crate) fn rule_pattern_matches(pattern: &str, rule: Rule) -> bool {
    let code = rule.code();
    pattern == "*"
        || pattern == "all"
        || pattern == code
        || pattern
            .strip_suffix("/*")
            .is_some_and(|fam| code.split('/').next() == Some(fam))
}

impl Config {
    /// Loads and validates a config file (a regular file of at most 8 MiB: a FIFO or
    /// device is refused rather than read).
    pub fn load(path: &Path) -> Result<Config, LintError> {
        let text = shipcheck_source::discover::read_text(path).map_err(|e| match e {
            SourceError::Io { path, source } => LintError::Io { path, source },
            other => LintError::Source(other),
        })?;
        Self::parse(path, text)
    }

    /// Parses config text; `path` is used for messages and as the base of path ignores.
    pub fn parse(path: &Path, text: String) -> Result<Config, LintError> {
        let err = |message: String| LintError::Config {
            path: path.to_owned(),
            message,
        };
        let file = SourceFile::new(
            FileId(0),
            path.display().to_string(),
            text,
            FileKind::Unknown,
        );
        let stream = parse_yaml(&file);
        if let Some(e) = stream.error {
            let at = file.line_col(e.range.start);
            return Err(err(format!("{at}: {}", e.message)));
        }
        let mut cfg = Config {
            path: Some(path.to_owned()),
            base_dir: path.parent().map(Path::to_owned).unwrap_or_default(),
            ..Config::default()
        };
        let Some(doc) = stream.documents.first() else {
            return Ok(cfg);
        };
        let root = &doc.root;
        if root.is_null() {
            return Ok(cfg);
        }
        if !root.is_map() {
            return Err(err("expected a mapping at the top level".into()));
        }
        let pos = |n: &Y| file.line_col(n.range().start);
        for (k, v) in root.entries() {
            let name = k.as_str().unwrap_or("");
            match TopKey::from_name(name) {
                Some(TopKey::Rules) => cfg.parse_rules(v, &pos).map_err(&err)?,
                Some(TopKey::Ignore) => cfg.parse_ignores(v, &pos).map_err(&err)?,
                Some(TopKey::Options) => cfg.parse_options(v, &pos).map_err(&err)?,
                Some(TopKey::Images) => {
                    for (ik, iv) in v.entries() {
                        if let (Some(image), Some(df)) = (ik.as_str(), iv.as_str()) {
                            cfg.options
                                .images
                                .insert(image.to_owned(), cfg.base_dir.join(df));
                        }
                    }
                }
                None => cfg
                    .warnings
                    .push(format!("{}: unknown key `{name}`", pos(k))),
            }
        }
        Ok(cfg)
    }

    fn parse_rules(
        &mut self,
        v: &Y,
        pos: &dyn Fn(&Y) -> shipcheck_source::LineCol,
    ) -> Result<(), String> {
        for (k, val) in v.entries() {
            let id = k.as_str().unwrap_or("");
            let matched: Vec<Rule> = Rule::ALL
                .iter()
                .copied()
                .filter(|r| rule_pattern_matches(id, *r))
                .collect();
            if matched.is_empty() {
                return Err(format!(
                    "{}: unknown rule `{id}` (see `shipcheck rules`)",
                    pos(k)
                ));
            }
            let mut setting = RuleSetting::default();
            if let Some(b) = val.as_bool() {
                setting.enabled = Some(b);
            } else if let Some(s) = val.as_str() {
                apply_word(&mut setting, s).ok_or_else(|| {
                    format!("{}: `{s}` is not error, warning, info, on or off", pos(val))
                })?;
            } else if val.is_map() {
                for (sk, sv) in val.entries() {
                    let key = sk.as_str().unwrap_or("");
                    match RuleKey::from_name(key) {
                        Some(RuleKey::Enabled) => setting.enabled = sv.as_bool(),
                        Some(RuleKey::Severity) => {
                            let s = sv.as_str().unwrap_or("");
                            setting.severity =
                                Some(parse_severity(s).ok_or_else(|| {
                                    format!("{}: unknown severity `{s}`", pos(sv))
                                })?);
                        }
                        None => self
                            .warnings
                            .push(format!("{}: unknown key `{key}`", pos(sk))),
                    }
                }
            }
            for r in matched {
                let e = self.rules.entry(r).or_default();
                e.enabled = setting.enabled.or(e.enabled);
                e.severity = setting.severity.or(e.severity);
                if setting.severity.is_some() && setting.enabled.is_none() {
                    e.enabled = Some(true);
                }
            }
        }
        Ok(())
    }

    fn parse_ignores(
        &mut self,
        v: &Y,
        pos: &dyn Fn(&Y) -> shipcheck_source::LineCol,
    ) -> Result<(), String> {
        for item in v.items() {
            for (k, _) in item.entries() {
                let key = k.as_str().unwrap_or("");
                if IgnoreKey::from_name(key).is_none() {
                    self.warnings
                        .push(format!("{}: unknown key `{key}` in ignore", pos(k)));
                }
            }
            let mut b = GlobSetBuilder::new();
            let paths: Vec<&str> = item
                .get(IgnoreKey::Paths.name())
                .map(Y::items)
                .unwrap_or_default()
                .iter()
                .filter_map(Y::as_str)
                .collect();
            for p in &paths {
                b.add(Glob::new(p).map_err(|e| format!("{}: bad glob `{p}`: {e}", pos(item)))?);
            }
            let rules: Vec<String> = match item.get(IgnoreKey::Rules.name()) {
                Some(r) => r
                    .items()
                    .iter()
                    .filter_map(Y::as_str)
                    .map(str::to_owned)
                    .collect(),
                None => vec!["*".to_owned()],
            };
            let paths = b.build().map_err(|e| format!("{}: {e}", pos(item)))?;
            self.ignores.push(PathIgnore { paths, rules });
        }
        Ok(())
    }

    fn parse_options(
        &mut self,
        v: &Y,
        pos: &dyn Fn(&Y) -> shipcheck_source::LineCol,
    ) -> Result<(), String> {
        for (k, val) in v.entries() {
            let key = k.as_str().unwrap_or("");
            match OptionKey::from_name(key) {
                Some(OptionKey::ProductionNamespace) => {
                    let s = val.as_str().unwrap_or("");
                    self.options.production_namespace = Regex::new(s).map_err(|e| {
                        format!("{}: bad production_namespace pattern: {e}", pos(val))
                    })?;
                }
                Some(OptionKey::KubernetesVersion) => {
                    let s = val.as_str().unwrap_or("");
                    self.options.kubernetes_version = parse_version(s).ok_or_else(|| {
                        format!("{}: kubernetes_version must look like `1.33`", pos(val))
                    })?;
                    let wanted = self.options.kubernetes_version;
                    if let Some((major, minor)) = crate::k8s::schema::fallback_version(wanted) {
                        self.warnings.push(format!(
                            "{}: no Kubernetes {}.{} schemas are bundled; the k8s/schema-* rules use {major}.{minor}",
                            pos(val),
                            wanted.0,
                            wanted.1
                        ));
                    }
                }
                Some(OptionKey::AllowedRegistries) => {
                    self.options.allowed_registries = val
                        .items()
                        .iter()
                        .filter_map(Y::as_str)
                        .map(str::to_owned)
                        .collect();
                }
                None => self
                    .warnings
                    .push(format!("{}: unknown option `{key}`", pos(k))),
            }
        }
        Ok(())
    }

    /// Whether `rule` runs on the file at `path`.
    pub fn enabled(&self, rule: Rule, path: &Path) -> bool {
        let on = self
            .rules
            .get(&rule)
            .and_then(|s| s.enabled)
            .unwrap_or_else(|| rule.default_enabled());
        if !on {
            return false;
        }
        if self.ignores.is_empty() {
            return true;
        }
        let rel = path.strip_prefix(&self.base_dir).unwrap_or(path);
        !self.ignores.iter().any(|ig| {
            ig.paths.is_match(rel) && ig.rules.iter().any(|p| rule_pattern_matches(p, rule))
        })
    }

    /// The effective severity of `rule`.
    pub fn severity(&self, rule: Rule) -> Severity {
        self.rules
            .get(&rule)
            .and_then(|s| s.severity)
            .unwrap_or_else(|| rule.default_severity())
    }
}

fn apply_word(s: &mut RuleSetting, w: &str) -> Option<()> {
    match ENABLE_WORDS.iter().find(|(word, _)| *word == w) {
        Some((_, on)) => s.enabled = Some(*on),
        None => {
            s.severity = Some(parse_severity(w)?);
            s.enabled = Some(true);
        }
    }
    Some(())
}

/// Parses `error`, `warning`, `info`.
pub(crate) fn parse_severity(s: &str) -> Option<Severity> {
    SEVERITY_WORDS
        .iter()
        .find(|(word, _)| *word == s)
        .map(|(_, sev)| *sev)
}

fn parse_version(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('v');
    let mut it = s.split('.');
    Some((it.next()?.parse().ok()?, it.next()?.parse().ok()?))
}

/// Finds the nearest `.shipcheck.yaml` above each file (cached per directory), unless a
/// `--config` override is given.
pub(crate) struct ConfigResolver {
    override_cfg: Option<Arc<Config>>,
    default: Arc<Config>,
    by_dir: HashMap<PathBuf, Arc<Config>>,
}

impl ConfigResolver {
    /// A resolver; `override_path` is `--config`.
    pub(crate) fn new(override_path: Option<&Path>) -> Result<Self, LintError> {
        let override_cfg = override_path.map(Config::load).transpose()?.map(Arc::new);
        Ok(Self {
            override_cfg,
            default: Arc::new(Config::default()),
            by_dir: HashMap::new(),
        })
    }

    /// The config for `file` (a path on disk; stdin uses the current directory).
    pub(crate) fn for_file(&mut self, file: &Path) -> Result<Arc<Config>, LintError> {
        if let Some(c) = &self.override_cfg {
            return Ok(c.clone());
        }
        let dir = file.parent().map(Path::to_owned).unwrap_or_default();
        self.for_dir(&dir)
    }

    fn for_dir(&mut self, dir: &Path) -> Result<Arc<Config>, LintError> {
        if let Some(c) = self.by_dir.get(dir) {
            return Ok(c.clone());
        }
        let abs = if dir.as_os_str().is_empty() {
            std::env::current_dir().ok()
        } else {
            dir.canonicalize().ok()
        };
        let Some(abs) = abs else {
            return Ok(self.default.clone());
        };
        let mut visited = vec![dir.to_owned()];
        let mut found = self.default.clone();
        for anc in abs.ancestors() {
            if let Some(c) = self.by_dir.get(anc) {
                found = c.clone();
                break;
            }
            visited.push(anc.to_owned());
            let candidate = anc.join(CONFIG_FILE_NAME);
            if candidate.is_file() {
                found = Arc::new(Config::load(&candidate)?);
                break;
            }
        }
        for v in visited {
            self.by_dir.insert(v, found.clone());
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_rules_ignores_and_options() {
        let text = "rules:\n  k8s/*: warning\n  k8s/privileged-container: off\nignore:\n  - paths: [\"legacy/**\"]\n    rules: [\"k8s/latest-image-tag\"]\noptions:\n  production_namespace: \"^live$\"\n  kubernetes_version: \"1.25\"\nbogus: 1\n";
        let c = Config::parse(Path::new("/p/.shipcheck.yaml"), text.into()).unwrap();
        assert!(!c.enabled(Rule::PrivilegedContainer, Path::new("/p/a.yaml")));
        assert_eq!(c.severity(Rule::LatestImageTag), Severity::Warning);
        assert!(!c.enabled(Rule::LatestImageTag, Path::new("/p/legacy/x/a.yaml")));
        assert!(c.enabled(Rule::LatestImageTag, Path::new("/p/new/a.yaml")));
        assert!(c.options.production_namespace.is_match("live"));
        assert_eq!(c.options.kubernetes_version, (1, 25));
        assert_eq!(c.warnings.len(), 1);
    }

    #[test]
    fn rejects_unknown_rules_and_severities() {
        assert!(Config::parse(Path::new("c.yaml"), "rules:\n  k8s/nope: off\n".into()).is_err());
        assert!(
            Config::parse(
                Path::new("c.yaml"),
                "rules:\n  k8s/privileged-container: loud\n".into()
            )
            .is_err()
        );
    }
}
