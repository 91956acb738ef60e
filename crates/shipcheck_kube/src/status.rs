//! Reading objects' status as kubectl explains it: a workload's rollout, a pod's reason
//! for not being ready, a Job's outcome, an HPA's metrics, a Service's ready endpoints,
//! an Ingress's address, any object's condition. Pure functions of the JSON objects.

use serde_json::Value;

use crate::time::{human_duration, unix_seconds};

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// An object's `metadata.name`.
pub fn name(o: &Value) -> &str {
    text(&o["metadata"]["name"])
}

/// A workload's rollout counters (Deployment, StatefulSet, DaemonSet).
#[derive(Debug, Clone, PartialEq)]
pub struct Rollout {
    /// `deployment api`.
    pub what: String,
    /// Replicas wanted (DaemonSet: nodes that should run it).
    pub desired: i64,
    /// Ready replicas.
    pub ready: i64,
    /// Replicas of the current template.
    pub updated: i64,
    /// Available replicas.
    pub available: i64,
    /// Replicas of any template (old ones still running while > desired).
    pub total: i64,
    /// `metadata.generation`.
    pub generation: i64,
    /// `status.observedGeneration`.
    pub observed: i64,
}

impl Rollout {
    /// The counters of a Deployment, StatefulSet or DaemonSet.
    pub fn of(o: &Value) -> Rollout {
        let s = &o["status"];
        let kind = text(&o["kind"]);
        let (desired, ready, updated, available, total) = if kind == "DaemonSet" {
            let d = int(&s["desiredNumberScheduled"]);
            (
                d,
                int(&s["numberReady"]),
                int(&s["updatedNumberScheduled"]),
                int(&s["numberAvailable"]),
                int(&s["currentNumberScheduled"]),
            )
        } else {
            let desired = o["spec"]["replicas"].as_i64().unwrap_or(1);
            (
                desired,
                int(&s["readyReplicas"]),
                int(&s["updatedReplicas"]),
                int(&s["availableReplicas"]),
                int(&s["replicas"]),
            )
        };
        Rollout {
            what: format!("{} {}", kind.to_ascii_lowercase(), name(o)),
            desired,
            ready,
            updated,
            available,
            total,
            generation: int(&o["metadata"]["generation"]),
            observed: int(&s["observedGeneration"]),
        }
    }

    /// Rolled out: the current generation observed, every replica updated, ready and
    /// available, no old replica left.
    pub fn complete(&self) -> bool {
        self.observed >= self.generation
            && self.updated == self.desired
            && self.ready == self.desired
            && self.available == self.desired
            && self.total <= self.desired
    }

    /// `deployment api: 2/3 ready, 1/3 updated, 2/3 available` (plus old replicas and an
    /// unobserved generation when they apply).
    pub fn summary(&self) -> String {
        let d = self.desired;
        let mut s = format!(
            "{}: {}/{d} ready, {}/{d} updated, {}/{d} available",
            self.what, self.ready, self.updated, self.available
        );
        if self.total > self.desired {
            s.push_str(&format!(
                ", {} old replicas still running",
                self.total - self.updated
            ));
        }
        if self.observed < self.generation {
            s.push_str(&format!(
                ", generation {} not yet observed (controller at {})",
                self.generation, self.observed
            ));
        }
        s
    }
}

/// Restarts of a pod's containers, summed.
pub fn restarts(pod: &Value) -> i64 {
    pod["status"]["containerStatuses"]
        .as_array()
        .map(|cs| cs.iter().map(|c| int(&c["restartCount"])).sum())
        .unwrap_or(0)
}

/// Why a container is not running well: its waiting reason, a terminated state, the
/// last termination's reason when it crashed before (`OOMKilled`).
fn container_problem(c: &Value) -> Option<String> {
    let state = &c["state"];
    let last = &c["lastState"]["terminated"]["reason"];
    let mut why = if let Some(w) = state["waiting"].as_object() {
        let reason = w.get("reason").map_or("Waiting", text);
        let mut s = reason.to_owned();
        if !matches!(
            reason,
            "CrashLoopBackOff" | "ContainerCreating" | "PodInitializing"
        ) && let Some(m) = w.get("message").and_then(Value::as_str)
        {
            s.push_str(&format!(": {}", m.chars().take(240).collect::<String>()));
        }
        s
    } else if let Some(t) = state["terminated"].as_object() {
        let reason = t.get("reason").map_or("Terminated", text);
        if reason == "Completed" {
            return None;
        }
        format!(
            "terminated: {reason} (exit {})",
            t.get("exitCode").map_or(0, int)
        )
    } else if c["ready"] == Value::Bool(false) {
        "running, not ready".to_owned()
    } else {
        return None;
    };
    if let Some(l) = last.as_str() {
        why.push_str(&format!(", last exit {l}"));
    }
    Some(why)
}

/// Why a pod is not Running and Ready (`None`: it is): its containers' reasons
/// (`CrashLoopBackOff (restarts 7)`, `ImagePullBackOff: …`, `OOMKilled`), or `Pending`
/// with the scheduler's message, or its phase.
pub fn pod_problem(pod: &Value) -> Option<String> {
    let s = &pod["status"];
    let phase = s["phase"].as_str().unwrap_or("Unknown");
    if pod["metadata"]["deletionTimestamp"].is_string() {
        return Some("Terminating".into());
    }
    let mut reasons = Vec::new();
    for (field, label) in [
        ("initContainerStatuses", "init container "),
        ("containerStatuses", "container "),
    ] {
        let cs = s[field].as_array().map(Vec::as_slice).unwrap_or_default();
        for c in cs {
            if field == "initContainerStatuses" && c["state"]["terminated"]["reason"] == "Completed"
            {
                continue;
            }
            if let Some(why) = container_problem(c) {
                let many = cs.len() > 1 || field == "initContainerStatuses";
                let prefix = if many {
                    format!("{label}{}: ", text(&c["name"]))
                } else {
                    String::new()
                };
                reasons.push(format!("{prefix}{why}"));
            }
        }
    }
    if phase == "Pending"
        && let Some(c) = s["conditions"].as_array().and_then(|cs| {
            cs.iter()
                .find(|c| c["type"] == "PodScheduled" && c["status"] == "False")
        })
    {
        reasons.push(format!(
            "Pending: {}: {}",
            text(&c["reason"]),
            text(&c["message"])
        ));
    }
    let n = restarts(pod);
    if !reasons.is_empty() {
        let mut r = reasons.join("; ");
        if n > 0 {
            r.push_str(&format!(" (restarts {n})"));
        }
        return Some(r);
    }
    if phase != "Running" {
        return Some(format!("phase {phase}"));
    }
    let ready = s["conditions"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["type"] == "Ready"));
    match ready {
        Some(c) if c["status"] == "True" => None,
        Some(c) => Some(format!(
            "Running, not Ready ({})",
            c["reason"].as_str().unwrap_or("no reason")
        )),
        None => Some("Running, no Ready condition".into()),
    }
}

/// The images a pod's containers run: (container, image, imageID).
pub fn pod_images(pod: &Value) -> Vec<(String, String, String)> {
    pod["status"]["containerStatuses"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        text(&c["name"]).to_owned(),
                        text(&c["image"]).to_owned(),
                        text(&c["imageID"]).to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `docker.io/library/nginx:latest` for `nginx`, as the runtime reports short names.
fn normalize_image(image: &str) -> String {
    let (name, digest) = image
        .split_once('@')
        .map_or((image, None), |(n, d)| (n, Some(d)));
    let first = name.split('/').next().unwrap_or_default();
    let has_registry =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let mut full = match (has_registry, name.contains('/')) {
        (true, _) => name.to_owned(),
        (false, true) => format!("docker.io/{name}"),
        (false, false) => format!("docker.io/library/{name}"),
    };
    let last = full.rsplit('/').next().unwrap_or_default();
    if digest.is_none() && !last.contains(':') {
        full.push_str(":latest");
    }
    match digest {
        Some(d) => format!("{full}@{d}"),
        None => full,
    }
}

/// Whether a container running `image` (with runtime `image_id`) runs `want`: the same
/// reference once short names are expanded, or, for a digest (`sha256:…` or
/// `name@sha256:…`), the same digest in the reference or the runtime's image ID.
pub fn image_matches(want: &str, image: &str, image_id: &str) -> bool {
    if let Some(idx) = want.find("sha256:") {
        let digest = &want[idx..];
        let same_digest = image.ends_with(&format!("@{digest}")) || image_id.ends_with(digest);
        let repo = want[..idx].trim_end_matches('@');
        let same_repo = repo.is_empty()
            || normalize_image(repo).split(':').next()
                == normalize_image(image.split('@').next().unwrap_or(image))
                    .split(':')
                    .next();
        return same_digest && same_repo;
    }
    normalize_image(want) == normalize_image(image)
}

/// A Job's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct JobState {
    /// `Complete` is true.
    pub complete: bool,
    /// `Failed` is true: its reason and message.
    pub failed: Option<String>,
    /// Start to completion (or failure, or now when still running), in seconds.
    pub duration_s: Option<f64>,
    /// `job db-migrate: complete in 42s`, `job x: failed: BackoffLimitExceeded: …`.
    pub summary: String,
}

fn true_condition<'o>(o: &'o Value, kind: &str) -> Option<&'o Value> {
    o["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind && c["status"] == "True")
}

/// The state of a Job, durations measured against `now` (Unix seconds) while it runs.
pub fn job_state(job: &Value, now: f64) -> JobState {
    let s = &job["status"];
    let start = s["startTime"].as_str().and_then(unix_seconds);
    let complete = true_condition(job, "Complete").is_some();
    let failed = true_condition(job, "Failed")
        .map(|c| format!("{}: {}", text(&c["reason"]), text(&c["message"])));
    let end = if complete {
        s["completionTime"].as_str().and_then(unix_seconds)
    } else if failed.is_some() {
        true_condition(job, "Failed")
            .and_then(|c| c["lastTransitionTime"].as_str())
            .and_then(unix_seconds)
    } else {
        Some(now)
    };
    let duration_s = start.zip(end).map(|(a, b)| (b - a).max(0.0));
    let took = duration_s
        .map(human_duration)
        .unwrap_or_else(|| "unknown time".into());
    let summary = if complete {
        format!("job {}: complete in {took}", name(job))
    } else if let Some(f) = &failed {
        format!(
            "job {}: failed after {took} ({} failed pods): {f}",
            name(job),
            int(&s["failed"])
        )
    } else {
        format!(
            "job {}: not complete after {took}: {} active, {} succeeded, {} failed",
            name(job),
            int(&s["active"]),
            int(&s["succeeded"]),
            int(&s["failed"])
        )
    };
    JobState {
        complete,
        failed,
        duration_s,
        summary,
    }
}

/// An HPA's bounds, targets and live metrics.
#[derive(Debug, Clone, PartialEq)]
pub struct HpaState {
    /// `spec.minReplicas` (default 1).
    pub min: i64,
    /// `spec.maxReplicas`.
    pub max: i64,
    /// Each metric as kubectl shows it: `cpu: <unknown>/70%`, `cpu: 23%/70%`.
    pub metrics: Vec<String>,
    /// The first resource target's utilization percentage, if any.
    pub target_utilization: Option<i64>,
    /// Why the metrics are `<unknown>` (`None`: they are known).
    pub unknown: Option<String>,
}

fn metric_name(m: &Value) -> (String, &Value) {
    let t = text(&m["type"]);
    let key = match t {
        "Resource" => "resource",
        "ContainerResource" => "containerResource",
        "Pods" => "pods",
        "Object" => "object",
        "External" => "external",
        _ => "",
    };
    let body = &m[key];
    let name = body["name"]
        .as_str()
        .or_else(|| body["metric"]["name"].as_str())
        .unwrap_or(t);
    (name.to_owned(), body)
}

fn quantity(v: &Value) -> Option<String> {
    if let Some(u) = v["averageUtilization"].as_i64() {
        return Some(format!("{u}%"));
    }
    ["averageValue", "value"]
        .iter()
        .find_map(|k| v[*k].as_str().map(str::to_owned))
}

/// The state of an HorizontalPodAutoscaler (`autoscaling/v2`).
pub fn hpa_state(hpa: &Value) -> HpaState {
    let spec_metrics = hpa["spec"]["metrics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let current = hpa["status"]["currentMetrics"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut metrics = Vec::new();
    let mut target_utilization = None;
    let mut missing = false;
    for m in spec_metrics {
        let (n, body) = metric_name(m);
        if target_utilization.is_none() {
            target_utilization = body["target"]["averageUtilization"].as_i64();
        }
        let want = quantity(&body["target"]).unwrap_or_else(|| "?".into());
        let now = current
            .iter()
            .find(|c| c["type"] == m["type"] && metric_name(c).0 == n)
            .and_then(|c| quantity(&metric_name(c).1["current"]));
        missing |= now.is_none();
        metrics.push(format!(
            "{n}: {}/{want}",
            now.as_deref().unwrap_or("<unknown>")
        ));
    }
    let conditions = hpa["status"]["conditions"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let failing = conditions.iter().find(|c| {
        (c["type"] == "ScalingActive" && c["status"] == "False")
            || text(&c["reason"]).starts_with("FailedGet")
    });
    let unknown = match failing {
        Some(c) => Some(format!(
            "{} {}: {}: {}",
            text(&c["type"]),
            text(&c["status"]),
            text(&c["reason"]),
            text(&c["message"])
        )),
        None if missing => Some(if current.is_empty() {
            "no currentMetrics reported (is metrics-server or a metrics adapter installed?)"
                .to_owned()
        } else {
            "some metrics have no current value".to_owned()
        }),
        None => None,
    };
    HpaState {
        min: hpa["spec"]["minReplicas"].as_i64().unwrap_or(1),
        max: int(&hpa["spec"]["maxReplicas"]),
        metrics,
        target_utilization,
        unknown,
    }
}

/// The ready endpoints of a Service's EndpointSlices (label `kubernetes.io/service-name`):
/// (ready addresses, not-ready ones as `pod (ip)`). A missing `ready` counts as ready, as
/// the API defines it.
pub fn endpoints(slices: &[Value], service: &str) -> (Vec<String>, Vec<String>) {
    let mut ready = Vec::new();
    let mut not_ready = Vec::new();
    for s in slices
        .iter()
        .filter(|s| s["metadata"]["labels"]["kubernetes.io/service-name"] == service)
    {
        for e in s["endpoints"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            let who = e["targetRef"]["name"].as_str().unwrap_or("?");
            for a in e["addresses"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let label = format!("{who} ({})", text(a));
                if e["conditions"]["ready"] == Value::Bool(false) {
                    not_ready.push(label);
                } else {
                    ready.push(label);
                }
            }
        }
    }
    (ready, not_ready)
}

/// An Ingress's (or LoadBalancer Service's) addresses: IPs and host names.
pub fn addresses(o: &Value) -> Vec<String> {
    o["status"]["loadBalancer"]["ingress"]
        .as_array()
        .map(|is| {
            is.iter()
                .filter_map(|i| {
                    i["ip"]
                        .as_str()
                        .or_else(|| i["hostname"].as_str())
                        .map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A condition of any object's `status.conditions`: (status, `reason: message`).
pub fn condition(o: &Value, kind: &str) -> Option<(String, String)> {
    let c = o["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)?;
    let why = match (c["reason"].as_str(), c["message"].as_str()) {
        (Some(r), Some(m)) if !m.is_empty() => format!("{r}: {m}"),
        (Some(r), _) => r.to_owned(),
        (None, Some(m)) => m.to_owned(),
        (None, None) => String::new(),
    };
    Some((text(&c["status"]).to_owned(), why))
}

/// An event's last time (`lastTimestamp`, `series.lastObservedTime`, `eventTime`, creation).
pub fn event_time(e: &Value) -> Option<f64> {
    [
        &e["lastTimestamp"],
        &e["series"]["lastObservedTime"],
        &e["eventTime"],
        &e["metadata"]["creationTimestamp"],
    ]
    .into_iter()
    .find_map(|v| v.as_str().and_then(unix_seconds))
}

/// `Warning BackOff pod/api-x: Back-off restarting failed container (×31)`.
pub fn event_line(e: &Value) -> String {
    let count = e["count"]
        .as_i64()
        .or_else(|| e["series"]["count"].as_i64())
        .unwrap_or(1);
    let times = if count > 1 {
        format!(" (×{count})")
    } else {
        String::new()
    };
    format!(
        "{} {} {} {}/{}: {}{times}",
        e["lastTimestamp"]
            .as_str()
            .or_else(|| e["eventTime"].as_str())
            .unwrap_or("-"),
        text(&e["type"]),
        text(&e["reason"]),
        text(&e["involvedObject"]["kind"]).to_ascii_lowercase(),
        text(&e["involvedObject"]["name"]),
        text(&e["message"]).chars().take(300).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_match_by_reference_or_digest() {
        assert!(image_matches(
            "nginx:1.27",
            "docker.io/library/nginx:1.27",
            ""
        ));
        assert!(image_matches("nginx", "docker.io/library/nginx:latest", ""));
        assert!(!image_matches(
            "nginx:1.27",
            "docker.io/library/nginx:1.26",
            ""
        ));
        let d = "sha256:3f1c3f1c";
        assert!(image_matches(
            d,
            "r.example/api:1.5.0",
            &format!("r.example/api@{d}")
        ));
        assert!(image_matches(
            &format!("r.example/api@{d}"),
            &format!("r.example/api@{d}"),
            ""
        ));
        assert!(!image_matches(
            &format!("r.example/web@{d}"),
            "r.example/api:1",
            &format!("r.example/api@{d}")
        ));
        assert!(image_matches(
            "localhost:5000/app:v1",
            "localhost:5000/app:v1",
            ""
        ));
    }
}
