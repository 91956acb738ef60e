//! Runs a `kubernetes` check: one LIST of the subject's collection (a named object by
//! `fieldSelector=metadata.name=…`), plus one of a workload's pods or a Service's
//! EndpointSlices, the whole attempt bounded by the check's timeout. Reads only.

use std::fmt::Write as _;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use shipcheck_kube::status::{self, Rollout};
use shipcheck_kube::{Cluster, KubeError, ListRequest, ObjectList, Resource, Target, secret_key_names};
use shipcheck_plan::kind::{Observed, ProbeContext, ProbeError};
use shipcheck_report::{Evidence, FailureClass, MeasureUnit, Measurement};

use super::facts::KubernetesFacts;
use super::spec::{KubernetesProbe, Subject};
use crate::kinds::db_common::cap_text;

/// Most objects described one per line in the evidence.
const EVIDENCE_OBJECTS: usize = 50;

fn probe_error(e: KubeError, secrets: &[String]) -> ProbeError {
    ProbeError {
        sent_secrets: secrets.to_vec(),
        ..ProbeError::new(e.class, e.message)
    }
}

/// A LIST cut at `max_objects` would judge part of the objects: an error instead.
fn truncated(list: &ObjectList, max: usize, secrets: &[String]) -> Result<(), ProbeError> {
    if !list.truncated {
        return Ok(());
    }
    Err(probe_error(
        KubeError {
            class: FailureClass::Protocol,
            message: format!(
                "GET {} has more than {max} objects: raise `max_objects` or narrow the selector",
                list.request
            ),
        },
        secrets,
    ))
}

/// The subject with its templates rendered.
fn rendered(s: &Subject, cx: &ProbeContext<'_>) -> Result<Subject, ProbeError> {
    Ok(match s {
        Subject::Workload(k, n) => Subject::Workload(k, cx.render(n)?),
        Subject::Pods(sel) => Subject::Pods(cx.render(sel)?),
        Subject::Job(n) => Subject::Job(cx.render(n)?),
        Subject::CronJob(n) => Subject::CronJob(cx.render(n)?),
        Subject::Hpa(n) => Subject::Hpa(cx.render(n)?),
        Subject::Service(n) => Subject::Service(cx.render(n)?),
        Subject::Ingress(n) => Subject::Ingress(cx.render(n)?),
        Subject::Secret(n) => Subject::Secret(cx.render(n)?),
        Subject::Pvc(Some(n)) => Subject::Pvc(Some(cx.render(n)?)),
        Subject::Object(r, n) => Subject::Object(r.clone(), cx.render(n)?),
        Subject::Events(_) | Subject::Pvc(None) => s.clone(),
    })
}

/// The collection, label selector and field selector of the subject's LIST.
fn main_list(s: &Subject) -> Result<(Resource, Option<String>, Option<String>), ProbeError> {
    let builtin = |k: &str| {
        Resource::builtin(k).ok_or_else(|| ProbeError::new(FailureClass::Protocol, format!("no built-in kind {k}")))
    };
    let by_name = |n: &str| Some(format!("metadata.name={n}"));
    Ok(match s {
        Subject::Workload(k, n) => (builtin(k)?, None, by_name(n)),
        Subject::Pods(sel) => (builtin("pods")?, Some(sel.clone()), None),
        Subject::Job(n) => (builtin("job")?, None, by_name(n)),
        Subject::CronJob(n) => (builtin("cronjob")?, None, by_name(n)),
        Subject::Hpa(n) => (builtin("hpa")?, None, by_name(n)),
        Subject::Service(n) => (builtin("endpointslice")?, Some(format!("kubernetes.io/service-name={n}")), None),
        Subject::Ingress(n) => (builtin("ingress")?, None, by_name(n)),
        Subject::Events(_) => (builtin("events")?, None, Some("type=Warning".into())),
        Subject::Secret(n) => (builtin("secret")?, None, by_name(n)),
        Subject::Pvc(n) => (builtin("pvc")?, None, n.as_deref().and_then(by_name)),
        Subject::Object(r, n) => (r.clone(), None, by_name(n)),
    })
}

/// A workload's pod selector (`spec.selector.matchLabels`) as a label selector.
fn pod_selector(workload: &Value) -> Option<String> {
    let labels = workload["spec"]["selector"]["matchLabels"].as_object()?;
    let terms: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    (!terms.is_empty()).then(|| terms.join(","))
}

fn now_unix() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// One line per object, what the report keeps as evidence (never a Secret's values).
fn describe(f: &KubernetesFacts) -> String {
    let mut out = String::new();
    let pods = |out: &mut String, pods: &[Value]| {
        for p in pods.iter().take(EVIDENCE_OBJECTS) {
            let state = status::pod_problem(p).unwrap_or_else(|| "Running, Ready".into());
            let images: Vec<String> = status::pod_images(p).into_iter().map(|(_, i, _)| i).collect();
            let _ = writeln!(out, "pod {}: {state}; restarts {}; {}", status::name(p), status::restarts(p), images.join(", "));
        }
    };
    match &f.subject {
        Subject::Workload(..) => {
            if let Some(o) = f.objects.first() {
                let _ = writeln!(out, "{}", Rollout::of(o).summary());
                pods(&mut out, &f.related);
            }
        }
        Subject::Pods(_) => pods(&mut out, &f.objects),
        Subject::Job(_) => {
            for o in &f.objects {
                let _ = writeln!(out, "{}", status::job_state(o, f.now).summary);
            }
        }
        Subject::CronJob(_) => {
            for o in &f.objects {
                let s = &o["status"];
                let _ = writeln!(
                    out,
                    "cronjob {}: schedule {}, last scheduled {}, last success {}",
                    status::name(o),
                    o["spec"]["schedule"].as_str().unwrap_or("?"),
                    s["lastScheduleTime"].as_str().unwrap_or("never"),
                    s["lastSuccessfulTime"].as_str().unwrap_or("never")
                );
            }
        }
        Subject::Hpa(_) => {
            for o in &f.objects {
                let h = status::hpa_state(o);
                let _ = writeln!(out, "hpa {}: {}, min {}, max {}", status::name(o), h.metrics.join(", "), h.min, h.max);
                if let Some(u) = h.unknown {
                    let _ = writeln!(out, "metrics unknown: {u}");
                }
            }
        }
        Subject::Service(name) => {
            let (ready, not_ready) = status::endpoints(&f.related, name);
            let _ = writeln!(out, "{} EndpointSlices; ready: {}", f.related.len(), ready.join(", "));
            let _ = writeln!(out, "not ready: {}", not_ready.join(", "));
        }
        Subject::Ingress(_) => {
            for o in &f.objects {
                let _ = writeln!(out, "ingress {}: address {}", status::name(o), status::addresses(o).join(", "));
            }
        }
        Subject::Events(_) => {
            for e in f.objects.iter().take(EVIDENCE_OBJECTS) {
                let _ = writeln!(out, "{}", status::event_line(e));
            }
        }
        Subject::Secret(_) => {
            for o in &f.objects {
                let _ = writeln!(out, "secret {} ({}): keys {}", status::name(o), o["type"].as_str().unwrap_or("?"), secret_key_names(o).join(", "));
            }
        }
        Subject::Pvc(_) => {
            for o in f.objects.iter().take(EVIDENCE_OBJECTS) {
                let _ = writeln!(
                    out,
                    "pvc {}: {} {}",
                    status::name(o),
                    o["status"]["phase"].as_str().unwrap_or("no phase"),
                    o["status"]["capacity"]["storage"].as_str().unwrap_or_default()
                );
            }
        }
        Subject::Object(..) => {
            for o in &f.objects {
                for c in o["status"]["conditions"].as_array().map(Vec::as_slice).unwrap_or_default() {
                    let _ = writeln!(
                        out,
                        "{}={} {}: {}",
                        c["type"].as_str().unwrap_or("?"),
                        c["status"].as_str().unwrap_or("?"),
                        c["reason"].as_str().unwrap_or_default(),
                        c["message"].as_str().unwrap_or_default()
                    );
                }
            }
        }
    }
    if f.objects.is_empty() && f.related.is_empty() {
        let _ = writeln!(out, "nothing found: {} in namespace {}", f.subject.describe(), f.namespace);
    }
    out
}

async fn attempt(p: &KubernetesProbe, cx: &ProbeContext<'_>, secrets: &mut Vec<String>) -> Result<Observed, ProbeError> {
    let start = Instant::now();
    let subject = rendered(&p.subject, cx)?;
    let target = Target {
        kubeconfig: p.kubeconfig.clone(),
        context: p.context.clone(),
        namespace: p.namespace.clone(),
    };
    let cluster = Cluster::connect(&target, cx.timeout).await.map_err(|e| probe_error(e, secrets))?;
    secrets.extend(cluster.secrets().iter().cloned());
    let (resource, labels, fields) = main_list(&subject)?;
    let mut requests = Vec::new();
    let mut req = ListRequest::new(&resource);
    req.label_selector = labels.as_deref();
    req.field_selector = fields.as_deref();
    req.max_objects = p.max_objects;
    let list = cluster.list(&req).await.map_err(|e| probe_error(e, secrets))?;
    truncated(&list, p.max_objects, secrets)?;
    requests.push(format!("GET {} → {} objects", list.request, list.items.len()));
    let mut objects = list.items;
    let now = now_unix();
    if let Subject::Events(since) = &subject {
        let from = now - since.as_secs_f64();
        objects.retain(|e| status::event_time(e).is_some_and(|t| t >= from));
        objects.sort_by(|a, b| status::event_time(b).partial_cmp(&status::event_time(a)).unwrap_or(std::cmp::Ordering::Equal));
    }
    let mut related = Vec::new();
    if let Subject::Service(_) = subject {
        related = std::mem::take(&mut objects);
    }
    if let (Subject::Workload(..), Some(w)) = (&subject, objects.first())
        && let Some(sel) = pod_selector(w)
    {
        let pods = Resource::builtin("pods").ok_or_else(|| ProbeError::new(FailureClass::Protocol, "no built-in kind pods"))?;
        let mut req = ListRequest::new(&pods);
        req.label_selector = Some(&sel);
        req.max_objects = p.max_objects;
        let list = cluster.list(&req).await.map_err(|e| probe_error(e, secrets))?;
        truncated(&list, p.max_objects, secrets)?;
        requests.push(format!("GET {} → {} objects", list.request, list.items.len()));
        related = list.items;
    }
    let facts = KubernetesFacts {
        subject,
        namespace: cluster.namespace().to_owned(),
        objects,
        related,
        now,
        duration_ms: start.elapsed().as_secs_f64() * 1000.0,
    };
    let mut text = format!("{}\n{}", requests.join("\n"), describe(&facts));
    let truncated = cap_text(&mut text, cx.evidence_cap);
    let measurements = vec![
        Measurement::new("objects", (facts.objects.len() + facts.related.len()) as f64, MeasureUnit::Count),
        Measurement::new("total", facts.duration_ms, MeasureUnit::Ms),
    ];
    let mut observed = Observed::new(facts);
    observed.evidence.push(Evidence { label: format!("kubernetes {}", cluster.server()), text, truncated });
    observed.measurements = measurements;
    observed.sent_secrets = secrets.clone();
    Ok(observed)
}

pub(super) async fn observe(p: &KubernetesProbe, cx: &ProbeContext<'_>) -> Result<Observed, ProbeError> {
    let mut secrets = Vec::new();
    match tokio::time::timeout(cx.timeout, attempt(p, cx, &mut secrets)).await {
        Ok(r) => r,
        Err(_) => Err(ProbeError {
            sent_secrets: secrets,
            ..ProbeError::new(
                FailureClass::Timeout,
                format!("the Kubernetes API did not answer within {:?}", cx.timeout),
            )
        }),
    }
}
