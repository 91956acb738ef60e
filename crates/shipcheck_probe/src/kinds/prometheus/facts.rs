//! What a `prometheus` check observed — the scrape targets' health and an instant query's
//! result — and how `targets_up`, `value` and `series` read it.

use serde_json::Value;
use shipcheck_plan::kind::{Facts, Select, Selected, facts_as};

use super::spec::Targets;

/// One active scrape target.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeTarget {
    /// Its `job` label.
    pub job: String,
    /// Its `instance` label.
    pub instance: String,
    /// `up`, `down` or `unknown` (not scraped yet).
    pub health: String,
    /// The last scrape error, when down.
    pub last_error: String,
}

/// What the check saw.
#[derive(Debug, Clone, Default)]
pub struct PrometheusFacts {
    /// The targets asked for (`None`: the check has no `targets`).
    pub targets: Option<(Targets, Vec<ScrapeTarget>)>,
    /// The instant query's `data` (`resultType` and `result`), when asked.
    pub query: Option<Value>,
    /// Why the answer could not be read (an HTTP error, an API error, bad JSON).
    pub problem: Option<String>,
    /// Time of the requests.
    pub duration_ms: f64,
}

impl PrometheusFacts {
    /// The query's samples as (labels, value); a scalar is one sample without labels.
    pub fn samples(&self) -> Vec<(String, f64)> {
        let Some(data) = &self.query else {
            return Vec::new();
        };
        let value = |v: &Value| v.get(1).and_then(Value::as_str).and_then(|s| s.parse::<f64>().ok());
        match data["resultType"].as_str() {
            Some("scalar") => value(&data["result"]).map(|v| vec![(String::new(), v)]).unwrap_or_default(),
            Some("vector") => data["result"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .filter_map(|r| Some((labels(&r["metric"]), value(&r["value"])?)))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// The targets that are not up, or the jobs that have no target, one line each.
    pub fn unhealthy(&self) -> Vec<String> {
        let Some((want, seen)) = &self.targets else {
            return Vec::new();
        };
        let mut out: Vec<String> = seen
            .iter()
            .filter(|t| match want {
                Targets::All => true,
                Targets::Jobs(jobs) => jobs.contains(&t.job),
            })
            .filter(|t| t.health != "up")
            .map(|t| {
                let why = if t.last_error.is_empty() {
                    String::new()
                } else {
                    format!(": {}", t.last_error)
                };
                format!("{}/{} is {}{why}", t.job, t.instance, t.health)
            })
            .collect();
        if let Targets::Jobs(jobs) = want {
            for j in jobs {
                if !seen.iter().any(|t| &t.job == j) {
                    out.push(format!("job `{j}` has no scrape target"));
                }
            }
        }
        out
    }
}

/// `{job="api",instance="h:1"}` from a `metric` object.
fn labels(metric: &Value) -> String {
    let Some(m) = metric.as_object() else {
        return String::new();
    };
    let inner: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", v.as_str().unwrap_or_default()))
        .collect();
    format!("{{{}}}", inner.join(","))
}

impl Facts for PrometheusFacts {
    fn duration_ms(&self) -> f64 {
        self.duration_ms
    }
    fn json(&self) -> Result<std::borrow::Cow<'_, Value>, String> {
        match &self.query {
            Some(q) => Ok(std::borrow::Cow::Borrowed(q)),
            None => Err("this check has no `query` whose result `json` could read".into()),
        }
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// What a `prometheus` expectation looks at.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum PromQuery {
    /// Every target asked for is up (and every named job has one).
    TargetsUp,
    /// The value of the query's one sample.
    Value,
    /// How many series the query returned.
    Series,
}

impl Select for PromQuery {
    fn subject(&self) -> String {
        match self {
            PromQuery::TargetsUp => "targets up".into(),
            PromQuery::Value => "query value".into(),
            PromQuery::Series => "query series".into(),
        }
    }

    fn select(&self, facts: &dyn Facts) -> Result<Selected, String> {
        let f: &PrometheusFacts = facts_as(facts, "prometheus")?;
        if let Some(p) = &f.problem {
            return Err(p.clone());
        }
        match self {
            PromQuery::TargetsUp => {
                if f.targets.is_none() {
                    return Err("the check names no `targets`".into());
                }
                Ok(Selected::one(f.unhealthy().is_empty()))
            }
            PromQuery::Value => {
                if f.query.is_none() {
                    return Err("the check has no `query`".into());
                }
                let values = f.samples().into_iter().map(|(_, v)| Value::from(v)).collect();
                Ok(Selected {
                    values,
                    unit: shipcheck_plan::Unit::Number,
                })
            }
            PromQuery::Series => {
                if f.query.is_none() {
                    return Err("the check has no `query`".into());
                }
                Ok(Selected::one(f.samples().len() as u64))
            }
        }
    }

    fn note(&self, facts: &dyn Facts) -> Option<String> {
        let f: &PrometheusFacts = facts_as(facts, "prometheus").ok()?;
        match self {
            PromQuery::TargetsUp => {
                let bad = f.unhealthy();
                (!bad.is_empty()).then(|| bad.join("; "))
            }
            PromQuery::Value | PromQuery::Series => {
                let s = f.samples();
                (s.is_empty()).then(|| "the query returned no series".to_owned())
            }
        }
    }
}
