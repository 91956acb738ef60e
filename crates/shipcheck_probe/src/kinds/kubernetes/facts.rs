//! What a `kubernetes` check observed — the objects of its LIST (and a workload's pods, a
//! Service's EndpointSlices) — and how each expectation reads them, with the reason when
//! one does not hold (`deployment api: 2/3 ready, 1/3 updated; pod api-x: CrashLoopBackOff (restarts 7)`).

use std::borrow::Cow;

use serde_json::Value;
use shipcheck_kube::status::{self, Rollout};
use shipcheck_kube::secret_key_names;
use shipcheck_plan::Unit;
use shipcheck_plan::kind::{Facts, Judge, Select, Selected, facts_as};

use super::spec::Subject;

/// What the check saw.
#[derive(Debug, Clone)]
pub struct KubernetesFacts {
    /// What the check looks at, its templates rendered.
    pub subject: Subject,
    /// The namespace read.
    pub namespace: String,
    /// The subject's objects: the named one (none when missing), or every one selected.
    pub objects: Vec<Value>,
    /// A workload's pods (by its selector); a Service's EndpointSlices.
    pub related: Vec<Value>,
    /// When the LISTs answered (Unix seconds).
    pub now: f64,
    /// Time of the LISTs.
    pub duration_ms: f64,
}

impl KubernetesFacts {
    /// The one object of a named subject, or why there is none.
    fn object(&self) -> Result<&Value, String> {
        self.objects.first().ok_or_else(|| {
            format!("{} not found in namespace {}", self.subject.describe(), self.namespace)
        })
    }

    /// The pods a check judges: a workload's or the selected ones.
    fn pods(&self) -> Result<&[Value], String> {
        match &self.subject {
            Subject::Workload(..) => self.object().map(|_| self.related.as_slice()),
            Subject::Pods(sel) if self.objects.is_empty() => {
                Err(format!("no pod matches `{sel}` in namespace {}", self.namespace))
            }
            Subject::Pods(_) => Ok(&self.objects),
            _ => Err(format!("{} has no pods to judge", self.subject.describe())),
        }
    }

    /// `pod api-x: CrashLoopBackOff (restarts 7)` for each pod that is not Running and Ready.
    pub fn pod_problems(&self) -> Vec<String> {
        self.pods()
            .unwrap_or_default()
            .iter()
            .filter_map(|p| Some(format!("pod {}: {}", status::name(p), status::pod_problem(p)?)))
            .collect()
    }

    fn rollout(&self) -> Result<Rollout, String> {
        match &self.subject {
            Subject::Workload(..) => self.object().map(Rollout::of),
            _ => Err(wrong("available", "deployment, statefulset or daemonset")),
        }
    }
}

fn wrong(key: &str, applies: &str) -> String {
    format!("`{key}` applies to {applies} checks")
}

impl Facts for KubernetesFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    /// The object of a named subject; the list of a selection (pods, events, every PVC)
    /// or of a Service's EndpointSlices.
    fn json(&self) -> Result<Cow<'_, Value>, String> {
        match &self.subject {
            Subject::Pods(_) | Subject::Events(_) | Subject::Pvc(None) => {
                Ok(Cow::Owned(Value::Array(self.objects.clone())))
            }
            Subject::Service(_) => Ok(Cow::Owned(Value::Array(self.related.clone()))),
            _ => self.object().map(Cow::Borrowed),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `kubernetes` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum KubeQuery {
    /// The object exists.
    Found,
    /// A Secret's key names (judged by [`HasKeys`]; selects like `Found`).
    Keys,
    /// A workload is rolled out.
    Available,
    /// Every pod Running and Ready.
    PodsReady,
    /// Most restarts of one pod.
    Restarts,
    /// How many pods.
    PodCount,
    /// A Job completed.
    Complete,
    /// A Job's duration.
    JobDuration,
    /// Time since a CronJob's last schedule.
    LastSchedule,
    /// An HPA's metrics are known.
    MetricsKnown,
    /// An HPA's `minReplicas`.
    MinReplicas,
    /// An HPA's `maxReplicas`.
    MaxReplicas,
    /// An HPA's first utilization target (percent).
    TargetUtilization,
    /// A Service's ready endpoints.
    EndpointsReady,
    /// An Ingress's addresses.
    Address,
    /// Warning events in the window.
    Warnings,
    /// PVCs Bound.
    Bound,
    /// The status of an object's condition of this type.
    Condition(String),
}

fn one_bool(b: bool) -> Result<Selected, String> {
    Ok(Selected::one(b))
}

impl Select for KubeQuery {
    fn subject(&self) -> String {
        match self {
            KubeQuery::Found => "found".into(),
            KubeQuery::Keys => "keys".into(),
            KubeQuery::Available => "available".into(),
            KubeQuery::PodsReady => "pods ready".into(),
            KubeQuery::Restarts => "restarts".into(),
            KubeQuery::PodCount => "pod count".into(),
            KubeQuery::Complete => "complete".into(),
            KubeQuery::JobDuration => "job duration".into(),
            KubeQuery::LastSchedule => "last schedule".into(),
            KubeQuery::MetricsKnown => "metrics known".into(),
            KubeQuery::MinReplicas => "min replicas".into(),
            KubeQuery::MaxReplicas => "max replicas".into(),
            KubeQuery::TargetUtilization => "target utilization".into(),
            KubeQuery::EndpointsReady => "endpoints ready".into(),
            KubeQuery::Address => "address".into(),
            KubeQuery::Warnings => "warnings".into(),
            KubeQuery::Bound => "bound".into(),
            KubeQuery::Condition(t) => format!("condition {t}"),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &KubernetesFacts = facts_as(facts, "kubernetes")?;
        let s = &f.subject;
        match self {
            KubeQuery::Found | KubeQuery::Keys => match s {
                Subject::Pods(_) | Subject::Events(_) | Subject::Pvc(None) => one_bool(!f.objects.is_empty()),
                Subject::Service(_) => one_bool(!f.related.is_empty()),
                _ => one_bool(f.object().is_ok()),
            },
            KubeQuery::Available => one_bool(f.rollout()?.complete() && f.pod_problems().is_empty()),
            KubeQuery::PodsReady => one_bool(f.pods()?.iter().all(|p| status::pod_problem(p).is_none())),
            KubeQuery::Restarts => Ok(Selected::one(f.pods()?.iter().map(status::restarts).max().unwrap_or(0))),
            KubeQuery::PodCount => Ok(Selected::one(f.pods().map_or(0, <[Value]>::len) as u64)),
            KubeQuery::Complete | KubeQuery::JobDuration => {
                if !matches!(s, Subject::Job(_)) {
                    return Err(wrong(&self.subject(), "job"));
                }
                let job = status::job_state(f.object()?, f.now);
                if *self == KubeQuery::Complete {
                    return one_bool(job.complete);
                }
                match job.duration_s {
                    Some(d) => Ok(Selected::with_unit(d * 1000.0, Unit::Millis)),
                    None => Ok(Selected::none()),
                }
            }
            KubeQuery::LastSchedule => {
                if !matches!(s, Subject::CronJob(_)) {
                    return Err(wrong("last_schedule", "cronjob"));
                }
                let last = f.object()?["status"]["lastScheduleTime"].as_str().and_then(shipcheck_kube::unix_seconds);
                Ok(last.map_or_else(Selected::none, |t| Selected::with_unit(((f.now - t) * 1000.0).max(0.0), Unit::Millis)))
            }
            KubeQuery::MetricsKnown | KubeQuery::MinReplicas | KubeQuery::MaxReplicas | KubeQuery::TargetUtilization => {
                if !matches!(s, Subject::Hpa(_)) {
                    return Err(wrong(&self.subject(), "hpa"));
                }
                let h = status::hpa_state(f.object()?);
                match self {
                    KubeQuery::MetricsKnown => one_bool(h.unknown.is_none()),
                    KubeQuery::MinReplicas => Ok(Selected::one(h.min)),
                    KubeQuery::MaxReplicas => Ok(Selected::one(h.max)),
                    _ => Ok(h.target_utilization.map_or_else(Selected::none, Selected::one)),
                }
            }
            KubeQuery::EndpointsReady => match s {
                Subject::Service(name) => Ok(Selected::one(status::endpoints(&f.related, name).0.len() as u64)),
                _ => Err(wrong("endpoints_ready", "service")),
            },
            KubeQuery::Address => match s {
                Subject::Ingress(_) => Ok(Selected {
                    values: status::addresses(f.object()?).into_iter().map(Value::from).collect(),
                    unit: Unit::Number,
                }),
                _ => Err(wrong("address", "ingress")),
            },
            KubeQuery::Warnings => match s {
                Subject::Events(_) => Ok(Selected::one(f.objects.len() as u64)),
                _ => Err(wrong("warnings", "events")),
            },
            KubeQuery::Bound => match s {
                Subject::Pvc(None) if f.objects.is_empty() => Err(format!("no PersistentVolumeClaim in namespace {}", f.namespace)),
                Subject::Pvc(_) => {
                    f.object()?;
                    one_bool(f.objects.iter().all(|p| p["status"]["phase"] == "Bound"))
                }
                _ => Err(wrong("bound", "pvc")),
            },
            KubeQuery::Condition(t) => {
                let o = f.object()?;
                match status::condition(o, t) {
                    Some((st, _)) => Ok(Selected::one(st)),
                    None => {
                        let have: Vec<&str> = o["status"]["conditions"]
                            .as_array()
                            .map(|cs| cs.iter().filter_map(|c| c["type"].as_str()).collect())
                            .unwrap_or_default();
                        Err(format!(
                            "{} has no `{t}` condition (it has: {})",
                            s.describe(),
                            if have.is_empty() { "none".to_owned() } else { have.join(", ") }
                        ))
                    }
                }
            }
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &KubernetesFacts = facts_as(facts, "kubernetes").ok()?;
        let problems = || {
            let p = f.pod_problems();
            (!p.is_empty()).then(|| p.join("; "))
        };
        match self {
            KubeQuery::Available => {
                let mut parts = vec![f.rollout().ok()?.summary()];
                parts.extend(problems());
                Some(parts.join("; "))
            }
            KubeQuery::PodsReady => problems(),
            KubeQuery::Restarts => {
                let pod = f.pods().ok()?.iter().max_by_key(|p| status::restarts(p))?;
                let last = pod["status"]["containerStatuses"]
                    .as_array()?
                    .iter()
                    .find_map(|c| c["lastState"]["terminated"]["reason"].as_str())
                    .map(|r| format!(", last exit {r}"))
                    .unwrap_or_default();
                Some(format!("most: pod {}{last}", status::name(pod)))
            }
            KubeQuery::Complete | KubeQuery::JobDuration => Some(status::job_state(f.object().ok()?, f.now).summary),
            KubeQuery::LastSchedule => {
                let o = f.object().ok()?;
                let st = &o["status"];
                Some(match st["lastScheduleTime"].as_str() {
                    Some(t) => format!(
                        "last scheduled {t}, last success {}",
                        st["lastSuccessfulTime"].as_str().unwrap_or("never")
                    ),
                    None if o["spec"]["suspend"] == Value::Bool(true) => "never scheduled; the CronJob is suspended".into(),
                    None => "never scheduled".into(),
                })
            }
            KubeQuery::MetricsKnown | KubeQuery::MinReplicas | KubeQuery::MaxReplicas | KubeQuery::TargetUtilization => {
                let h = status::hpa_state(f.object().ok()?);
                let mut s = format!("{}, min {}, max {}", h.metrics.join(", "), h.min, h.max);
                if let Some(u) = h.unknown {
                    s.push_str(&format!("; unknown because {u}"));
                }
                Some(s)
            }
            KubeQuery::EndpointsReady => {
                let Subject::Service(name) = &f.subject else { return None };
                if f.related.is_empty() {
                    return Some(format!("no EndpointSlice for service {name} (does it exist, does it have a selector?)"));
                }
                let (_, not_ready) = status::endpoints(&f.related, name);
                (!not_ready.is_empty()).then(|| format!("not ready: {}", not_ready.join(", ")))
            }
            KubeQuery::Address => f.object().ok().and_then(|o| {
                status::addresses(o).is_empty().then(|| "the ingress controller has not published an address (status.loadBalancer is empty)".to_owned())
            }),
            KubeQuery::Warnings => {
                let lines: Vec<String> = f.objects.iter().take(5).map(status::event_line).collect();
                (!lines.is_empty()).then(|| lines.join("; "))
            }
            KubeQuery::Bound => {
                let bad: Vec<String> = f
                    .objects
                    .iter()
                    .filter(|p| p["status"]["phase"] != "Bound")
                    .map(|p| format!("pvc {}: {}", status::name(p), p["status"]["phase"].as_str().unwrap_or("no phase")))
                    .collect();
                (!bad.is_empty()).then(|| bad.join("; "))
            }
            KubeQuery::Condition(t) => status::condition(f.object().ok()?, t).map(|(_, why)| why).filter(|w| !w.is_empty()),
            KubeQuery::Found | KubeQuery::Keys => f.object().err(),
            KubeQuery::PodCount => None,
        }
    }
}

/// Every container of the judged pods runs `want` (or only the container named).
#[derive(Debug, Clone)]
pub(super) struct RunsImage {
    /// The container, when `images:` names one.
    pub container: Option<String>,
    /// A reference (`registry/app:1.4.2`, `app@sha256:…`) or a digest (`sha256:…`).
    pub want: String,
}

impl Judge for RunsImage {
    fn describe(&self) -> (String, String) {
        let who = self.container.as_deref().map(|c| format!("container {c} ")).unwrap_or_default();
        (format!("{who}runs"), self.want.clone())
    }

    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let f = match facts_as::<KubernetesFacts>(facts, "kubernetes") {
            Ok(f) => f,
            Err(e) => return (false, e),
        };
        let pods = match f.pods() {
            Ok([]) => return (false, format!("{} has no pods", f.subject.describe())),
            Ok(p) => p,
            Err(e) => return (false, e),
        };
        let mut wrong = Vec::new();
        let mut seen = 0;
        for pod in pods {
            let images = status::pod_images(pod);
            if images.is_empty() {
                wrong.push(format!("pod {}: no container started yet", status::name(pod)));
            }
            for (c, image, id) in images {
                if self.container.as_ref().is_some_and(|want| *want != c) {
                    continue;
                }
                seen += 1;
                if !status::image_matches(&self.want, &image, &id) {
                    wrong.push(format!("pod {} container {c} runs {image}", status::name(pod)));
                }
            }
        }
        if seen == 0 && wrong.is_empty() {
            let c = self.container.as_deref().unwrap_or("any");
            return (false, format!("no container {c} in the pods of {}", f.subject.describe()));
        }
        if wrong.is_empty() {
            (true, format!("{seen} containers run {}", self.want))
        } else {
            (false, wrong.join("; "))
        }
    }
}

/// A Secret has these key names (its values are never read).
#[derive(Debug, Clone)]
pub(super) struct HasKeys(pub Vec<String>);

impl Judge for HasKeys {
    fn describe(&self) -> (String, String) {
        ("has keys".into(), self.0.join(", "))
    }

    fn judge(&self, facts: &dyn Facts) -> (bool, String) {
        let f = match facts_as::<KubernetesFacts>(facts, "kubernetes") {
            Ok(f) => f,
            Err(e) => return (false, e),
        };
        if !matches!(f.subject, Subject::Secret(_)) {
            return (false, wrong("keys", "secret"));
        }
        let o = match f.object() {
            Ok(o) => o,
            Err(e) => return (false, e),
        };
        let have = secret_key_names(o);
        let missing: Vec<&str> = self.0.iter().filter(|k| !have.contains(k)).map(String::as_str).collect();
        let listed = if have.is_empty() { "no keys".to_owned() } else { have.join(", ") };
        if missing.is_empty() {
            (true, listed)
        } else {
            (false, format!("missing {} (has {listed})", missing.join(", ")))
        }
    }
}
