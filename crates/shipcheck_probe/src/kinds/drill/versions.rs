//! Which version answered the probes: first and last time each was seen, the window in
//! which more than one answered, and each one's share of the probes after the command.

/// Distinct versions tracked; later ones are counted under [`OTHER`].
pub(crate) const MAX_VERSIONS: usize = 16;
/// The name later versions are counted under.
pub(crate) const OTHER: &str = "(other)";

/// One version seen.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seen {
    /// The version text.
    pub(crate) name: String,
    /// Intended time (ms) of the first probe it answered.
    pub(crate) first_ms: f64,
    /// Intended time (ms) of the last probe it answered.
    pub(crate) last_ms: f64,
    /// Probes it answered.
    pub(crate) probes: u64,
    /// Probes it answered after the command ended (during the settle).
    pub(crate) after: u64,
}

/// The versions seen, in order of first appearance.
#[derive(Debug, Clone, Default)]
pub(crate) struct Versions {
    pub(crate) seen: Vec<Seen>,
    /// Index of the version of the latest answered probe.
    pub(crate) latest: Option<usize>,
}

impl Versions {
    /// Records that `name` answered the probe intended at `t_ms`; returns its index.
    pub(crate) fn record(&mut self, name: &str, t_ms: f64, after_command: bool) -> usize {
        let name = if self.seen.len() >= MAX_VERSIONS && !self.seen.iter().any(|s| s.name == name)
        {
            OTHER
        } else {
            name
        };
        let i = match self.seen.iter().position(|s| s.name == name) {
            Some(i) => i,
            None => {
                self.seen.push(Seen {
                    name: name.to_owned(),
                    first_ms: t_ms,
                    last_ms: t_ms,
                    probes: 0,
                    after: 0,
                });
                self.seen.len() - 1
            }
        };
        let s = &mut self.seen[i];
        s.last_ms = t_ms;
        s.probes += 1;
        s.after += u64::from(after_command);
        self.latest = Some(i);
        i
    }

    /// How long more than one version answered: from the first answer of the final version
    /// (the latest one seen) to the last answer of any other version, or 0 for a clean
    /// switch; `None` when no version was seen.
    pub(crate) fn mixed_window_ms(&self) -> Option<f64> {
        let last = &self.seen[self.latest?];
        let others_last = self
            .seen
            .iter()
            .filter(|s| s.name != last.name)
            .map(|s| s.last_ms)
            .fold(f64::NEG_INFINITY, f64::max);
        Some((others_last - last.first_ms).max(0.0))
    }

    /// Each version's share (0–1) of the probes answered after the command.
    pub(crate) fn shares_after(&self) -> Vec<(&str, f64)> {
        let total: u64 = self.seen.iter().map(|s| s.after).sum();
        if total == 0 {
            return Vec::new();
        }
        self.seen
            .iter()
            .filter(|s| s.after > 0)
            .map(|s| (s.name.as_str(), s.after as f64 / total as f64))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_switch_has_no_mixed_window() {
        let mut v = Versions::default();
        for t in 0..10 {
            v.record("v1", f64::from(t) * 10.0, false);
        }
        for t in 10..20 {
            v.record("v2", f64::from(t) * 10.0, t >= 15);
        }
        assert_eq!(v.mixed_window_ms(), Some(0.0));
        assert_eq!(v.shares_after(), vec![("v2", 1.0)]);
    }

    #[test]
    fn interleaved_versions_give_the_window_and_the_shares() {
        let mut v = Versions::default();
        v.record("v1", 0.0, false);
        v.record("v2", 100.0, false);
        v.record("v1", 150.0, true);
        v.record("v2", 200.0, true);
        v.record("v2", 210.0, true);
        v.record("v1", 300.0, true);
        v.record("v2", 400.0, true);
        assert_eq!(v.mixed_window_ms(), Some(200.0));
        let shares = v.shares_after();
        assert_eq!(shares[0].0, "v1");
        assert!((shares[0].1 - 0.4).abs() < 1e-9);
    }

    #[test]
    fn versions_past_the_cap_are_counted_together() {
        let mut v = Versions::default();
        for i in 0..40 {
            v.record(&format!("v{i}"), f64::from(i), false);
        }
        assert_eq!(v.seen.len(), MAX_VERSIONS + 1);
        assert_eq!(v.seen[MAX_VERSIONS].name, OTHER);
        assert_eq!(v.seen[MAX_VERSIONS].probes, 40 - MAX_VERSIONS as u64);
        assert_eq!(Versions::default().mixed_window_ms(), None);
    }
}
