//! The live progress display of `verify` and `demo` on a terminal: one line per finished
//! check, and an in-flight status line naming the checks that have been running for more
//! than a second, redrawn in place and cleared before the next finished line.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Checks running for less than this are not named in the status line.
const SLOW: Duration = Duration::from_secs(1);
/// The status line is cut to this many characters.
const MAX_STATUS_CHARS: usize = 120;

/// Shared state of the progress display (the runner's callback and the ticker both use it).
#[derive(Clone, Default)]
pub(crate) struct Live {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    running: BTreeMap<String, Instant>,
    status_shown: bool,
}

impl Live {
    /// A check started.
    pub(crate) fn started(&self, id: &str) {
        self.with(|s| {
            s.running.insert(id.to_owned(), Instant::now());
        });
    }

    /// A check finished: it leaves the status line, and `line` is printed.
    pub(crate) fn finished(&self, id: &str, line: &str) {
        self.with(|s| {
            s.running.remove(id);
        });
        self.println(line);
    }

    /// Prints a line on standard error, clearing the status line first.
    pub(crate) fn println(&self, line: &str) {
        self.with(|s| {
            let mut err = std::io::stderr().lock();
            if std::mem::take(&mut s.status_shown) {
                let _ = write!(err, "\r\x1b[K");
            }
            let _ = writeln!(err, "{line}");
        });
    }

    /// Redraws the status line (or clears it when nothing slow is running).
    pub(crate) fn tick(&self) {
        self.with(|s| {
            let now = Instant::now();
            let running: Vec<(&str, Duration)> = s
                .running
                .iter()
                .map(|(id, at)| (id.as_str(), now.duration_since(*at)))
                .collect();
            let mut err = std::io::stderr().lock();
            match status_line(&running) {
                Some(line) => {
                    let _ = write!(err, "\r\x1b[K{line}");
                    s.status_shown = true;
                }
                None if std::mem::take(&mut s.status_shown) => {
                    let _ = write!(err, "\r\x1b[K");
                }
                None => {}
            }
            let _ = err.flush();
        });
    }

    fn with(&self, f: impl FnOnce(&mut State)) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut state);
    }
}

/// `… running: login (3s), schema (1s)` for the checks running for at least a second,
/// longest first; `None` when there are none.
pub(crate) fn status_line(running: &[(&str, Duration)]) -> Option<String> {
    let mut slow: Vec<&(&str, Duration)> = running.iter().filter(|(_, d)| *d >= SLOW).collect();
    if slow.is_empty() {
        return None;
    }
    slow.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let names: Vec<String> = slow
        .iter()
        .map(|(id, d)| format!("{id} ({}s)", d.as_secs()))
        .collect();
    let line = format!("… running: {}", names.join(", "));
    if line.chars().count() <= MAX_STATUS_CHARS {
        return Some(line);
    }
    let cut: String = line.chars().take(MAX_STATUS_CHARS - 1).collect();
    Some(format!("{cut}…"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9.14: checks running for more than a second are named while they run.
    #[test]
    fn the_status_line_names_checks_running_for_a_second_or_more() {
        let s = Duration::from_secs;
        assert_eq!(status_line(&[]), None);
        assert_eq!(status_line(&[("fast", Duration::from_millis(900))]), None);
        assert_eq!(
            status_line(&[
                ("fast", Duration::from_millis(200)),
                ("login", s(1)),
                ("schema", s(3)),
            ])
            .as_deref(),
            Some("… running: schema (3s), login (1s)")
        );
        let many: Vec<(String, Duration)> = (0..40).map(|i| (format!("check-{i}"), s(2))).collect();
        let many: Vec<(&str, Duration)> = many.iter().map(|(i, d)| (i.as_str(), *d)).collect();
        let line = status_line(&many).unwrap_or_default();
        assert_eq!(line.chars().count(), MAX_STATUS_CHARS);
        assert!(line.ends_with('…'));
    }
}
