//! A bounded sample of numbers and its percentiles (nearest rank): a 30-minute drill at
//! 10 ms keeps at most [`CAP`] values per phase, every other one dropped when full.

/// Most values kept; past it, every other value is dropped and only every `stride`-th new
/// value is kept, so the sample stays spread over the whole drill.
pub(crate) const CAP: usize = 1 << 17;

/// Values in arrival order, thinned evenly once [`CAP`] is reached.
#[derive(Debug, Clone)]
pub(crate) struct Samples {
    values: Vec<f32>,
    stride: u64,
    seen: u64,
    cap: usize,
}

impl Default for Samples {
    fn default() -> Self {
        Self::with_cap(CAP)
    }
}

impl Samples {
    /// An empty sample keeping at most `cap` values (at least 2).
    pub(crate) fn with_cap(cap: usize) -> Self {
        Samples {
            values: Vec::new(),
            stride: 1,
            seen: 0,
            cap: cap.max(2),
        }
    }

    /// Adds one value.
    pub(crate) fn push(&mut self, v: f64) {
        self.seen += 1;
        if !(self.seen - 1).is_multiple_of(self.stride) {
            return;
        }
        if self.values.len() == self.cap {
            let mut i = 0;
            self.values.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.stride *= 2;
            if !(self.seen - 1).is_multiple_of(self.stride) {
                return;
            }
        }
        self.values.push(v as f32);
    }

    /// How many values were added (kept or not).
    #[cfg(test)]
    pub(crate) fn count(&self) -> u64 {
        self.seen
    }

    /// The `p`-th percentile (0 < p ≤ 100, nearest rank) of the kept values.
    #[cfg(test)]
    pub(crate) fn percentile(&self, p: f64) -> Option<f64> {
        let mut sorted = self.values.clone();
        sorted.sort_by(f32::total_cmp);
        nearest_rank(&sorted, p)
    }

    /// Several percentiles with one sort.
    pub(crate) fn percentiles<const N: usize>(&self, ps: [f64; N]) -> Option<[f64; N]> {
        let mut sorted = self.values.clone();
        sorted.sort_by(f32::total_cmp);
        let mut out = [0.0; N];
        for (o, p) in out.iter_mut().zip(ps) {
            *o = nearest_rank(&sorted, p)?;
        }
        Some(out)
    }
}

fn nearest_rank(sorted: &[f32], p: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((p / 100.0 * n as f64).ceil() as usize).clamp(1, n);
    Some(f64::from(sorted[rank - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut s = Samples::default();
        for v in 1..=100 {
            s.push(f64::from(v));
        }
        assert_eq!(s.percentiles([50.0, 95.0, 99.0, 100.0]), Some([50.0, 95.0, 99.0, 100.0]));
        assert_eq!(Samples::default().percentile(50.0), None);
    }

    #[test]
    fn a_full_sample_is_thinned_evenly_and_stays_bounded() {
        let mut s = Samples::with_cap(1000);
        for v in 0..100_000 {
            s.push(f64::from(v));
        }
        assert!(s.values.len() <= 1000, "{}", s.values.len());
        assert!(s.values.len() >= 500, "{}", s.values.len());
        assert_eq!(s.count(), 100_000);
        let p50 = s.percentile(50.0).unwrap();
        assert!((p50 - 50_000.0).abs() < 1_000.0, "{p50}");
        let max = s.percentile(100.0).unwrap();
        assert!(max > 99_000.0, "{max}");
    }
}
