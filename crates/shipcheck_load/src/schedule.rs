//! The open model's schedule: a rate per second that is constant or ramps linearly
//! through stages, and the intended start time of the n-th request.

use std::time::Duration;

/// One stage: the rate ramps linearly from the previous stage's rate (or the schedule's
/// start rate) to `rate` over `duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    /// How long the stage lasts.
    pub duration: Duration,
    /// The rate (requests per second) at the end of the stage.
    pub rate: f64,
}

/// Requests per second over time.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The rate at time zero.
    pub start_rate: f64,
    /// The stages, in order (at least one).
    pub stages: Vec<Stage>,
}

impl Schedule {
    /// A constant `rate` for `duration`.
    pub fn constant(rate: f64, duration: Duration) -> Self {
        Self {
            start_rate: rate,
            stages: vec![Stage { duration, rate }],
        }
    }

    /// How long the schedule lasts.
    pub fn duration(&self) -> Duration {
        self.stages.iter().map(|s| s.duration).sum()
    }

    /// The highest rate anywhere in the schedule.
    pub fn peak_rate(&self) -> f64 {
        self.stages
            .iter()
            .map(|s| s.rate)
            .fold(self.start_rate, f64::max)
    }

    /// Requests due in `[0, t)` (fractional), `t` in seconds.
    pub fn count_at(&self, t: f64) -> f64 {
        let mut from = self.start_rate;
        let mut at = 0.0;
        let mut n = 0.0;
        for s in &self.stages {
            let d = s.duration.as_secs_f64();
            if t <= at + d {
                let x = (t - at).max(0.0);
                let slope = if d > 0.0 { (s.rate - from) / d } else { 0.0 };
                return n + from * x + slope * x * x / 2.0;
            }
            n += (from + s.rate) / 2.0 * d;
            at += d;
            from = s.rate;
        }
        n
    }

    /// Requests due over the whole schedule (whole requests).
    pub fn total(&self) -> u64 {
        // A hair of tolerance so 100/s × 3 s is 300, not 299.
        (self.count_at(self.duration().as_secs_f64()) + 1e-6).floor() as u64
    }

    /// Seconds from the start at which request number `m` (0-based, fractional counts
    /// allowed) is due; `None` past the end.
    pub fn time_of(&self, m: f64) -> Option<f64> {
        let mut from = self.start_rate;
        let mut at = 0.0;
        let mut n = 0.0;
        for s in &self.stages {
            let d = s.duration.as_secs_f64();
            let in_stage = (from + s.rate) / 2.0 * d;
            if m < n + in_stage {
                let c = m - n;
                let a = if d > 0.0 {
                    (s.rate - from) / (2.0 * d)
                } else {
                    0.0
                };
                let b = from;
                let root = (b * b + 4.0 * a * c).max(0.0).sqrt();
                let x = if b + root > 0.0 {
                    2.0 * c / (b + root)
                } else {
                    0.0
                };
                return Some(at + x.min(d));
            }
            n += in_stage;
            at += d;
            from = s.rate;
        }
        None
    }
}

/// Which of the global requests a sender takes: `m = offset + stride × k`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slice {
    pub(crate) offset: u64,
    pub(crate) stride: u64,
}

impl Slice {
    /// How many of the first `total` global requests fall in the slice.
    pub(crate) fn count(self, total: u64) -> u64 {
        if total <= self.offset {
            0
        } else {
            (total - self.offset).div_ceil(self.stride)
        }
    }

    /// The global number of the slice's `k`-th request.
    pub(crate) fn global(self, k: u64) -> u64 {
        self.offset + self.stride * k
    }

    /// The slice within this slice taken by part `i` of `n`.
    pub(crate) fn part(self, i: u64, n: u64) -> Slice {
        Slice {
            offset: self.offset + self.stride * i,
            stride: self.stride * n,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_constant_rate_spaces_requests_evenly() {
        let s = Schedule::constant(100.0, Duration::from_secs(3));
        assert_eq!(s.total(), 300);
        assert!((s.time_of(50.0).unwrap() - 0.5).abs() < 1e-9);
        assert!(s.time_of(300.0).is_none());
    }

    #[test]
    fn a_ramp_is_the_inverse_of_its_count() {
        let s = Schedule {
            start_rate: 0.0,
            stages: vec![
                Stage {
                    duration: Duration::from_secs(10),
                    rate: 100.0,
                },
                Stage {
                    duration: Duration::from_secs(5),
                    rate: 100.0,
                },
                Stage {
                    duration: Duration::from_secs(5),
                    rate: 20.0,
                },
            ],
        };
        assert_eq!(s.total(), 500 + 500 + 300);
        for m in [0.0, 1.0, 10.0, 499.0, 500.0, 700.0, 1100.0, 1299.0] {
            let t = s.time_of(m).unwrap();
            assert!((s.count_at(t) - m).abs() < 1e-6, "{m} -> {t}");
        }
    }

    #[test]
    fn slices_partition_the_requests() {
        let whole = Slice {
            offset: 0,
            stride: 1,
        };
        let parts: Vec<Slice> = (0..4).map(|s| whole.part(s, 4)).collect();
        let sub: Vec<Slice> = parts
            .iter()
            .flat_map(|p| (0..3).map(|w| p.part(w, 3)))
            .collect();
        assert_eq!(sub.iter().map(|s| s.count(1001)).sum::<u64>(), 1001);
        let mut seen: Vec<u64> = sub
            .iter()
            .flat_map(|s| (0..s.count(1001)).map(|k| s.global(k)))
            .collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..1001).collect::<Vec<_>>());
    }
}
