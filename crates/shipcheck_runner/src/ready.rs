//! Which checks may start: a dependency count per check and a queue of the ready ones,
//! updated when a check finishes. Each `needs` edge is visited once over a run, so the
//! dispatcher's work is linear in checks + edges (a rescan of every check at each
//! event made 60,000 independent checks quadratic).

use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use shipcheck_plan::Check;
use shipcheck_report::Status;

/// Dependency bookkeeping for one run.
pub(crate) struct ReadyQueue {
    /// For each check, the checks that need it.
    dependents: Vec<Vec<usize>>,
    /// For each check, how many of its needs have not finished.
    waiting: Vec<usize>,
    /// Checks that can no longer run because a need did not pass.
    blocked: Vec<bool>,
    /// Checks whose needs all passed, lowest plan index first.
    ready: BinaryHeap<Reverse<usize>>,
}

impl ReadyQueue {
    /// Builds the graph of `checks` (needs name checks by id).
    pub(crate) fn new<C: Borrow<Check>>(checks: &[C]) -> Self {
        let index: HashMap<&str, usize> = checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.borrow().id.as_str(), i))
            .collect();
        let mut dependents = vec![Vec::new(); checks.len()];
        let mut waiting = vec![0; checks.len()];
        for (i, c) in checks.iter().enumerate() {
            for need in &c.borrow().needs {
                // An unknown need is a plan error; the loader never lets one through.
                if let Some(&j) = index.get(need.as_str()) {
                    dependents[j].push(i);
                    waiting[i] += 1;
                }
            }
        }
        let ready = (0..checks.len())
            .filter(|&i| waiting[i] == 0)
            .map(Reverse)
            .collect();
        Self {
            dependents,
            waiting,
            blocked: vec![false; checks.len()],
            ready,
        }
    }

    /// The next check whose needs all passed (it may have been settled meanwhile, e.g.
    /// skipped: the caller checks).
    pub(crate) fn pop(&mut self) -> Option<usize> {
        self.ready.pop().map(|Reverse(i)| i)
    }

    /// Records that check `j` reached `status`; returns the checks this blocks, each once,
    /// with the reason (the caller settles them as `not-run`, which blocks theirs in turn).
    pub(crate) fn finished(&mut self, j: usize, id: &str, status: Status) -> Vec<(usize, String)> {
        let mut blocked = Vec::new();
        for &i in &self.dependents[j] {
            self.waiting[i] = self.waiting[i].saturating_sub(1);
            if self.blocked[i] {
                continue;
            }
            if status == Status::Passed {
                if self.waiting[i] == 0 {
                    self.ready.push(Reverse(i));
                }
            } else {
                self.blocked[i] = true;
                blocked.push((i, format!("not run because `{id}` {}", verb(status))));
            }
        }
        blocked
    }
}

fn verb(s: Status) -> &'static str {
    match s {
        Status::Passed => "passed",
        Status::Failed => "failed",
        Status::Error => "could not run",
        Status::Skipped => "was skipped",
        Status::NotRun => "did not run",
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn ready_checks_come_in_plan_order_and_a_failure_blocks_the_chain_once() {
        let src = "name: t\nchecks:\n  - { id: a, tcp: \"127.0.0.1:1\" }\n  - { id: b, needs: [a], tcp: \"127.0.0.1:1\" }\n  - { id: c, needs: [a, b], tcp: \"127.0.0.1:1\" }\n  - { id: d, tcp: \"127.0.0.1:1\" }\n";
        let plan =
            shipcheck_plan::load_str(src, Path::new("p.yaml"), &|_| None, shipcheck_probe::KINDS)
                .unwrap();
        let mut q = ReadyQueue::new(&plan.checks);
        assert_eq!((q.pop(), q.pop(), q.pop()), (Some(0), Some(3), None));
        let blocked = q.finished(0, "a", Status::Failed);
        assert_eq!(
            blocked,
            [
                (1, "not run because `a` failed".to_owned()),
                (2, "not run because `a` failed".to_owned())
            ]
        );
        // b settles as not-run: c is already blocked and is not reported twice.
        assert!(q.finished(1, "b", Status::NotRun).is_empty());
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn a_check_becomes_ready_when_its_last_need_passes() {
        let src = "name: t\nchecks:\n  - { id: a, tcp: \"127.0.0.1:1\" }\n  - { id: b, tcp: \"127.0.0.1:1\" }\n  - { id: c, needs: [a, b], tcp: \"127.0.0.1:1\" }\n";
        let plan =
            shipcheck_plan::load_str(src, Path::new("p.yaml"), &|_| None, shipcheck_probe::KINDS)
                .unwrap();
        let mut q = ReadyQueue::new(&plan.checks);
        assert_eq!((q.pop(), q.pop(), q.pop()), (Some(0), Some(1), None));
        assert!(q.finished(0, "a", Status::Passed).is_empty());
        assert_eq!(q.pop(), None);
        assert!(q.finished(1, "b", Status::Passed).is_empty());
        assert_eq!(q.pop(), Some(2));
    }
}
