//! The drill's timeline: probe outcomes taken in schedule order (they finish out of
//! order), compressed into stretches of equal state, with the measurements kept as they
//! go (downtime, failed time, first error, recovery). Memory is bounded: a reorder buffer
//! no larger than the probes in flight, at most [`MAX_STRETCHES`] stretches, bounded
//! samples and a latency series thinned to at most [`MAX_POINTS`] points.

use std::collections::BTreeMap;

use super::samples::Samples;
use super::versions::Versions;

/// Stretches kept for the report; later changes are still measured, only not listed.
pub(crate) const MAX_STRETCHES: usize = 10_000;
/// Most points of the latency series.
pub(crate) const MAX_POINTS: usize = 1_000;
/// Distinct failure classes counted; later ones go under `other`.
const MAX_CLASSES: usize = 16;

/// What one probe saw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// Its place in the schedule (0, 1, 2…).
    pub(crate) seq: u64,
    /// When it was due, in ms since the drill started.
    pub(crate) intended_ms: f64,
    /// How late it was sent (its task started), in ms.
    pub(crate) lateness_ms: f64,
    /// How late the schedule thread started it, in ms (the rest of `lateness_ms` is the
    /// wait for a runtime worker).
    pub(crate) spawn_lateness_ms: f64,
    /// From sending to the answer (or the failure), in ms.
    pub(crate) latency_ms: f64,
    /// Whether the answer met the `up` expectation.
    pub(crate) up: bool,
    /// Why it was not up (`connect`, `timeout`, `status 503`…).
    pub(crate) class: Option<String>,
    /// The version that answered, when one is named.
    pub(crate) version: Option<String>,
    /// Bit `i` set: the answer met step `i`'s `wait_until`.
    pub(crate) matched: u64,
}

/// Consecutive probes in the same state.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Stretch {
    /// Up or down.
    pub(crate) up: bool,
    /// Intended time of its first probe (ms).
    pub(crate) start_ms: f64,
    /// Intended time of the first probe after it, or of its last probe plus one interval
    /// when it ends the drill (ms).
    pub(crate) end_ms: f64,
    /// Probes in it.
    pub(crate) probes: u64,
    /// Failure classes and their counts (down stretches).
    pub(crate) classes: Vec<(String, u64)>,
    /// Versions that answered in it, in order of first appearance.
    pub(crate) versions: Vec<String>,
}

/// Where the drill is: before, during or after the command (or the steps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Before = 0,
    During = 1,
    After = 2,
}

/// A step waiting for probes to match its `wait_until`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Wait {
    bit: u32,
    since_ms: f64,
    found_ms: Option<f64>,
}

/// The collector.
#[derive(Debug)]
pub(crate) struct Timeline {
    every_ms: f64,
    next_seq: u64,
    pending: BTreeMap<u64, Outcome>,
    /// Closed stretches (at most [`MAX_STRETCHES`]).
    pub(crate) stretches: Vec<Stretch>,
    /// Stretches closed after the cap (measured, not listed).
    pub(crate) stretches_unlisted: u64,
    current: Option<Stretch>,
    last_ms: f64,
    /// When the command (or the first step) started and ended, ms since the drill start.
    pub(crate) command_start_ms: Option<f64>,
    pub(crate) command_end_ms: Option<f64>,
    /// Latency samples per phase.
    pub(crate) latency: [Samples; 3],
    /// How late probes were sent, and how late the schedule started them.
    pub(crate) lateness: Samples,
    pub(crate) spawn_lateness: Samples,
    /// Probes taken in order.
    pub(crate) total: u64,
    /// Probes not up.
    pub(crate) failed: u64,
    /// Probes not up before the command started.
    pub(crate) failed_before: u64,
    /// Failures by class.
    pub(crate) by_class: Vec<(String, u64)>,
    /// Longest down stretch (ms) and the sum of all.
    pub(crate) downtime_ms: f64,
    pub(crate) failed_time_ms: f64,
    /// Intended time of the first probe not up after the command started.
    pub(crate) first_error_ms: Option<f64>,
    /// Intended time of the first probe up after the last down stretch.
    pub(crate) recovered_ms: Option<f64>,
    /// Versions seen.
    pub(crate) versions: Versions,
    /// When the answering version changed: (intended ms, index in `versions`).
    pub(crate) version_changes: Vec<(f64, usize)>,
    /// Latency series: (window start ms, highest latency in it); `window_ms` wide.
    pub(crate) latency_points: Vec<(f64, f64)>,
    window_ms: f64,
    wait: Option<Wait>,
}

impl Timeline {
    /// An empty timeline for probes every `every_ms`.
    pub(crate) fn new(every_ms: f64) -> Self {
        Timeline {
            every_ms,
            next_seq: 0,
            pending: BTreeMap::new(),
            stretches: Vec::new(),
            stretches_unlisted: 0,
            current: None,
            last_ms: 0.0,
            command_start_ms: None,
            command_end_ms: None,
            latency: Default::default(),
            lateness: Samples::default(),
            spawn_lateness: Samples::default(),
            total: 0,
            failed: 0,
            failed_before: 0,
            by_class: Vec::new(),
            downtime_ms: 0.0,
            failed_time_ms: 0.0,
            first_error_ms: None,
            recovered_ms: None,
            versions: Versions::default(),
            version_changes: Vec::new(),
            latency_points: Vec::new(),
            window_ms: every_ms.max(1.0),
            wait: None,
        }
    }

    /// Takes one outcome; outcomes are applied in schedule order as the gaps fill.
    pub(crate) fn push(&mut self, o: Outcome) {
        self.pending.insert(o.seq, o);
        while let Some(o) = self.pending.remove(&self.next_seq) {
            self.next_seq += 1;
            self.apply(o);
        }
    }

    /// Probes sent but not yet taken (out of order, or still in flight before them).
    #[cfg(test)]
    pub(crate) fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Probes taken so far.
    pub(crate) fn taken(&self) -> u64 {
        self.next_seq
    }

    fn phase(&self, t_ms: f64) -> Phase {
        match (self.command_start_ms, self.command_end_ms) {
            (Some(s), _) if t_ms < s => Phase::Before,
            (None, _) => Phase::Before,
            (Some(_), Some(e)) if t_ms >= e => Phase::After,
            _ => Phase::During,
        }
    }

    fn apply(&mut self, o: Outcome) {
        let t = o.intended_ms;
        let phase = self.phase(t);
        self.total += 1;
        self.last_ms = t;
        self.latency[phase as usize].push(o.latency_ms);
        self.lateness.push(o.lateness_ms);
        self.spawn_lateness.push(o.spawn_lateness_ms);
        self.latency_point(t, o.latency_ms);
        if let Some(w) = &mut self.wait
            && w.found_ms.is_none()
            && t >= w.since_ms
            && o.matched & (1 << w.bit) != 0
        {
            w.found_ms = Some(t);
        }
        let version = o.version.as_deref().map(|v| {
            let i = self.versions.record(v, t, phase == Phase::After);
            if self.version_changes.last().is_none_or(|(_, last)| *last != i)
                && self.version_changes.len() < MAX_STRETCHES
            {
                self.version_changes.push((t, i));
            }
            self.versions.seen[i].name.clone()
        });
        if !o.up {
            self.failed += 1;
            if phase == Phase::Before {
                self.failed_before += 1;
            } else if self.first_error_ms.is_none() {
                self.first_error_ms = Some(t);
            }
            let class = o.class.as_deref().unwrap_or("down");
            count(&mut self.by_class, class);
        }
        let same = self.current.as_ref().is_some_and(|c| c.up == o.up);
        if !same {
            self.close(t);
            self.current = Some(Stretch {
                up: o.up,
                start_ms: t,
                end_ms: t,
                probes: 0,
                classes: Vec::new(),
                versions: Vec::new(),
            });
        }
        if let Some(c) = &mut self.current {
            c.probes += 1;
            c.end_ms = t + self.every_ms;
            if let Some(class) = &o.class
                && !o.up
            {
                count(&mut c.classes, class);
            }
            if let Some(v) = version
                && !c.versions.contains(&v)
                && c.versions.len() < 4
            {
                c.versions.push(v);
            }
        }
    }

    /// Closes the current stretch at `end_ms` (the next probe's intended time).
    fn close(&mut self, end_ms: f64) {
        let Some(mut c) = self.current.take() else {
            return;
        };
        c.end_ms = end_ms;
        if !c.up {
            let length = end_ms - c.start_ms;
            self.downtime_ms = self.downtime_ms.max(length);
            self.failed_time_ms += length;
            self.recovered_ms = Some(end_ms);
        }
        if self.stretches.len() < MAX_STRETCHES {
            self.stretches.push(c);
        } else {
            self.stretches_unlisted += 1;
        }
    }

    /// Ends the timeline: the open stretch is closed one interval after its last probe.
    /// Returns whether the drill ended down (not recovered).
    pub(crate) fn finish(&mut self) -> bool {
        let down = self.current.as_ref().is_some_and(|c| !c.up);
        let end = self.last_ms + self.every_ms;
        self.close(end);
        if down {
            self.recovered_ms = None;
        }
        down
    }

    fn latency_point(&mut self, t: f64, latency: f64) {
        let start = (t / self.window_ms).floor() * self.window_ms;
        match self.latency_points.last_mut() {
            Some((s, v)) if (*s - start).abs() < 1e-9 => *v = v.max(latency),
            _ => self.latency_points.push((start, latency)),
        }
        if self.latency_points.len() > MAX_POINTS {
            self.window_ms *= 2.0;
            let w = self.window_ms;
            let mut merged: Vec<(f64, f64)> = Vec::with_capacity(MAX_POINTS / 2 + 1);
            for (s, v) in self.latency_points.drain(..) {
                let s = (s / w).floor() * w;
                match merged.last_mut() {
                    Some((ms, mv)) if (*ms - s).abs() < 1e-9 => *mv = mv.max(v),
                    _ => merged.push((s, v)),
                }
            }
            self.latency_points = merged;
        }
    }

    /// Starts waiting for a probe due at or after `since_ms` that meets step `bit`'s
    /// `wait_until`.
    pub(crate) fn wait_for(&mut self, bit: u32, since_ms: f64) {
        self.wait = Some(Wait {
            bit,
            since_ms,
            found_ms: None,
        });
    }

    /// The intended time of the probe that met the current wait, once one has.
    pub(crate) fn waited(&self) -> Option<f64> {
        self.wait.and_then(|w| w.found_ms)
    }
}

/// Adds one to `name`'s count (at most [`MAX_CLASSES`] names; later ones under `other`).
fn count(counts: &mut Vec<(String, u64)>, name: &str) {
    if let Some((_, n)) = counts.iter_mut().find(|(c, _)| c == name) {
        *n += 1;
    } else if counts.len() < MAX_CLASSES {
        counts.push((name.to_owned(), 1));
    } else {
        count(counts, "other");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(seq: u64, up: bool) -> Outcome {
        Outcome {
            seq,
            intended_ms: seq as f64 * 10.0,
            lateness_ms: 0.1,
            spawn_lateness_ms: 0.05,
            latency_ms: 1.0,
            up,
            class: (!up).then(|| "connect".to_owned()),
            version: None,
            matched: 0,
        }
    }

    /// `pattern`: one char per probe, `+` up, `-` down, every 10 ms; the command runs from
    /// 5 ms on and never ends.
    fn timeline(pattern: &str) -> Timeline {
        let mut t = Timeline::new(10.0);
        t.command_start_ms = Some(5.0);
        for (i, c) in pattern.chars().enumerate() {
            t.push(outcome(i as u64, c == '+'));
        }
        t
    }

    #[test]
    fn downtime_runs_from_the_first_failing_probe_to_the_next_succeeding_one() {
        let mut t = timeline("+++---+--++");
        assert!(!t.finish());
        assert_eq!(t.downtime_ms, 30.0);
        assert_eq!(t.failed_time_ms, 50.0);
        assert_eq!((t.failed, t.total), (5, 11));
        assert_eq!(t.first_error_ms, Some(30.0));
        assert_eq!(t.recovered_ms, Some(90.0));
        let states: Vec<(bool, u64)> = t.stretches.iter().map(|s| (s.up, s.probes)).collect();
        assert_eq!(states, [(true, 3), (false, 3), (true, 1), (false, 2), (true, 2)]);
        assert_eq!(t.stretches[1].classes, [("connect".to_owned(), 3)]);
    }

    #[test]
    fn outcomes_arriving_out_of_order_are_taken_in_schedule_order() {
        let mut t = Timeline::new(10.0);
        t.command_start_ms = Some(0.0);
        for seq in [2, 0, 3, 1, 5] {
            t.push(outcome(seq, seq != 1));
        }
        assert_eq!((t.taken(), t.pending()), (4, 1));
        t.push(outcome(4, true));
        t.finish();
        assert_eq!(t.downtime_ms, 10.0);
        assert_eq!(t.stretches.len(), 3);
    }

    #[test]
    fn a_drill_that_ends_down_has_not_recovered() {
        let mut t = timeline("++--");
        assert!(t.finish());
        assert_eq!(t.recovered_ms, None);
        assert_eq!(t.downtime_ms, 20.0);
        let mut clean = timeline("++++");
        assert!(!clean.finish());
        assert_eq!((clean.downtime_ms, clean.first_error_ms), (0.0, None));
    }

    #[test]
    fn failures_before_the_command_are_counted_apart() {
        let mut t = Timeline::new(10.0);
        t.command_start_ms = Some(15.0);
        for (i, up) in [false, true, false, true].into_iter().enumerate() {
            t.push(outcome(i as u64, up));
        }
        t.finish();
        assert_eq!((t.failed, t.failed_before), (2, 1));
        assert_eq!(t.first_error_ms, Some(20.0));
    }

    #[test]
    fn a_long_flapping_drill_stays_bounded() {
        let mut t = Timeline::new(10.0);
        t.command_start_ms = Some(0.0);
        for seq in 0..200_000u64 {
            t.push(outcome(seq, seq % 3 != 0));
        }
        t.finish();
        assert_eq!(t.stretches.len(), MAX_STRETCHES);
        assert!(t.stretches_unlisted > 100_000);
        assert!(t.latency_points.len() <= MAX_POINTS);
        assert_eq!(t.downtime_ms, 10.0);
        assert_eq!(t.failed, 66_667);
    }

    #[test]
    fn a_wait_finds_the_first_matching_probe_after_it_started() {
        let mut t = Timeline::new(10.0);
        t.wait_for(1, 25.0);
        for seq in 0..6u64 {
            let mut o = outcome(seq, true);
            o.matched = if seq == 1 || seq >= 4 { 0b10 } else { 0 };
            t.push(o);
        }
        assert_eq!(t.waited(), Some(40.0));
    }
}
