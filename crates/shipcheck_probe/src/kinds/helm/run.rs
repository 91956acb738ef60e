//! Runs a `helm` check: lists the release's storage objects (one LIST through
//! `shipcheck_kube`, or a saved listing in `file`), then decodes and judges them in [`observe_objects`] — the boundary
//! between getting the objects and reading them, which the tests drive directly.

use std::path::Path;
use std::time::Instant;

use serde_json::Value;
use shipcheck_helm::{Driver, History, Limits};
use shipcheck_kube::{Cluster, KubeError, ListRequest, Resource, Target};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::{HelmFacts, history_json, hook_label};
use super::spec::HelmProbe;

/// Largest saved listing `file` read.
const MAX_FILE: u64 = 64 << 20;

pub(super) async fn observe(p: &HelmProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let release = cx.render(&p.release)?;
    let namespace = match &p.namespace {
        Some(t) => Some(cx.render(t)?),
        None => None,
    };
    let after = match &p.after_revision {
        Some(t) => {
            let text = cx.render(t)?;
            let n = text.trim().parse::<u64>().map_err(|_| {
                ProbeError::new(
                    FailureClass::Protocol,
                    format!("`after_revision` is `{text}`, not a revision number"),
                )
            })?;
            Some(n)
        }
        None => None,
    };
    release_name(&release)?;
    let (items, source, sent_secrets) = match &p.file {
        Some(path) => {
            let (items, source) = read_listing(path, namespace.as_deref())?;
            (items, source, Vec::new())
        }
        None => list_in_cluster(p, &release, namespace.as_deref(), cx).await?,
    };
    let (p2, release2) = (p.clone(), release.clone());
    let decode = tokio::task::spawn_blocking(move || {
        observe_objects(&p2, &release2, after, &items, source, start)
    });
    let mut observed = match tokio::time::timeout(cx.timeout, decode).await {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => {
            return Err(ProbeError {
                sent_secrets,
                ..ProbeError::new(
                    FailureClass::Protocol,
                    format!("decoding release `{release}`: {e}"),
                )
            });
        }
        Err(_) => {
            return Err(ProbeError {
                sent_secrets,
                ..ProbeError::new(
                    FailureClass::Timeout,
                    format!("decoding release `{release}` took longer than the check's timeout"),
                )
            });
        }
    };
    for e in &mut observed.evidence {
        cap_text(e, cx.evidence_cap);
    }
    observed.sent_secrets = sent_secrets;
    Ok(observed)
}

/// Most revisions one LIST returns (Helm keeps 10 by default).
const MAX_OBJECTS: usize = 1000;

/// The objects listed, where they came from, and the credentials sent to get them.
type Listed = (Vec<Value>, String, Vec<String>);

/// The release's objects from the cluster: one LIST of the driver's kind in the namespace,
/// by the label selector `owner=helm,name=<release>`, Secret values kept (the release is
/// in them; nothing but the decoded release is kept after decoding).
async fn list_in_cluster(
    p: &HelmProbe,
    release: &str,
    namespace: Option<&str>,
    cx: &ProbeContext<'_>,
) -> Result<Listed, ProbeError> {
    let kube_err = |e: KubeError| ProbeError::new(e.class, e.message);
    let target = Target {
        kubeconfig: p.kubeconfig.clone(),
        context: p.context.clone(),
        namespace: namespace.map(str::to_owned),
    };
    let cluster = Cluster::connect(&target, cx.timeout).await.map_err(kube_err)?;
    let (kind, plural) = match p.driver {
        Driver::Secret => ("Secret", "secrets"),
        Driver::ConfigMap => ("ConfigMap", "configmaps"),
    };
    let resource = Resource::from_api_version("v1", kind, Some(plural));
    let selector = format!("owner=helm,name={release}");
    let mut req = ListRequest::new(&resource);
    req.label_selector = Some(&selector);
    req.max_objects = MAX_OBJECTS;
    req.keep_secret_values = true;
    let sent = cluster.secrets().to_vec();
    let list = cluster.list(&req).await.map_err(|e| ProbeError {
        sent_secrets: sent.clone(),
        ..kube_err(e)
    })?;
    if list.truncated {
        return Err(ProbeError {
            sent_secrets: sent,
            ..ProbeError::new(
                FailureClass::Protocol,
                format!("release `{release}` has more than {MAX_OBJECTS} revisions; the current one cannot be told"),
            )
        });
    }
    let source = format!("namespace {} at {}", cluster.namespace(), cluster.server());
    Ok((list.items, source, sent))
}

/// A Helm release name is a DNS-1123 label (or subdomain): anything else could not be a
/// release, and must not reach a label selector.
fn release_name(release: &str) -> Result<(), ProbeError> {
    let ok = !release.is_empty()
        && release.len() <= 253
        && release
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(ProbeError::new(
            FailureClass::Protocol,
            format!("`{release}` is not a Helm release name (lowercase letters, digits, `-`, `.`)"),
        ))
    }
}

/// A saved `kubectl get secrets|configmaps -o json`: a `List`'s items (or one object),
/// those of `namespace` when given.
fn read_listing(path: &Path, namespace: Option<&str>) -> Result<(Vec<Value>, String), ProbeError> {
    let shown = path.display().to_string();
    let bytes = shipcheck_plan::read_regular_file(path, MAX_FILE).map_err(|e| {
        ProbeError::new(FailureClass::Connect, format!("cannot read {shown}: {e}"))
    })?;
    let doc: Value = serde_json::from_slice(&bytes).map_err(|e| {
        ProbeError::new(
            FailureClass::Protocol,
            format!("{shown} is not a `kubectl get -o json` listing: {e}"),
        )
    })?;
    let mut items = match doc {
        Value::Object(mut m) if m.get("items").is_some_and(Value::is_array) => {
            match m.remove("items") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            }
        }
        one @ Value::Object(_) => vec![one],
        _ => {
            return Err(ProbeError::new(
                FailureClass::Protocol,
                format!("{shown} holds neither a List nor an object"),
            ));
        }
    };
    if let Some(ns) = namespace {
        items.retain(|o| o["metadata"]["namespace"].as_str().is_none_or(|n| n == ns));
    }
    let source = match namespace {
        Some(ns) => format!("{shown} (namespace {ns})"),
        None => shown,
    };
    Ok((items, source))
}

/// Decodes the release's history from the listed objects and records what it saw:
/// facts, a `helm history`-like evidence table (values only as hash and key names), the
/// current revision's hook durations as measurements.
pub(super) fn observe_objects(
    p: &HelmProbe,
    release: &str,
    after_revision: Option<u64>,
    items: &[Value],
    source: String,
    start: Instant,
) -> Observed {
    let limits = Limits {
        max_decompressed: usize::try_from(p.max_release_size).unwrap_or(usize::MAX),
        ..Limits::default()
    };
    let history = History::from_objects(items, release, p.driver, &limits);
    let doc = history_json(release, &history);
    let mut measurements = Vec::new();
    if let Some(cur) = history.current() {
        for h in &cur.hooks {
            if let Some(ms) = h.duration_ms() {
                measurements.push(Measurement::new(format!("hook {}", h.name), ms, MeasureUnit::Ms));
            }
        }
    }
    let evidence = vec![Evidence {
        label: "history".into(),
        text: history_text(release, &source, &history),
        truncated: false,
    }];
    let duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    measurements.push(Measurement::new("total", duration_ms, MeasureUnit::Ms));
    let facts = HelmFacts {
        release: release.to_owned(),
        source,
        driver: p.driver,
        history,
        hooks: p.hooks.clone(),
        after_revision,
        duration_ms,
        doc,
    };
    Observed {
        evidence,
        measurements,
        ..Observed::new(facts)
    }
}

/// `helm history` as a table, then the current revision's values (hash, key names) and
/// hooks, then the objects that could not be read.
fn history_text(release: &str, source: &str, h: &History) -> String {
    let mut out = format!(
        "release {release} in {source}: {} object(s), {} revision(s)\n",
        h.objects,
        h.releases.len()
    );
    out.push_str("REVISION  STATUS           CHART                 APP VERSION  UPDATED                           DESCRIPTION\n");
    for r in &h.releases {
        let chart = format!("{}-{}", r.chart.name, r.chart.version);
        let updated = r.info.last_deployed.as_ref().map_or("", |t| t.text.as_str());
        let desc = r.info.description.replace(['\n', '\t'], " ");
        out.push_str(&format!(
            "{:<9} {:<16} {:<21} {:<12} {:<33} {desc}\n",
            r.revision, r.info.status, chart, r.chart.app_version, updated
        ));
    }
    if let Some(cur) = h.current() {
        let keys = cur.config.keys();
        out.push_str(&format!(
            "current revision {}: values sha256 {} (keys: {})\n",
            cur.revision,
            cur.config.hash(),
            if keys.is_empty() { "none".to_owned() } else { keys.join(", ") }
        ));
        for hook in &cur.hooks {
            let phase = if hook.ran() { hook.last_run.phase.as_str() } else { "did not run" };
            let started = hook.last_run.started_at.as_ref().map(|t| format!(", started {}", t.text));
            let took = hook.duration_ms().map(|ms| format!(", {:.1} s", ms / 1000.0));
            out.push_str(&format!(
                "hook {}: {phase}{}{}\n",
                hook_label(hook),
                started.unwrap_or_default(),
                took.unwrap_or_default()
            ));
        }
    }
    for p in &h.problems {
        out.push_str(&format!("unreadable: {p}\n"));
    }
    out
}

/// Cuts an evidence text at `cap` bytes (on a character boundary).
fn cap_text(e: &mut Evidence, cap: usize) {
    if e.text.len() > cap {
        let mut end = cap;
        while !e.text.is_char_boundary(end) {
            end -= 1;
        }
        e.text.truncate(end);
        e.text.push_str("\n… (cut)");
        e.truncated = true;
    }
}
