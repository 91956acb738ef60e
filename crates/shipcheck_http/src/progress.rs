//! Which phase an exchange is in, so a timeout can say what it was waiting for.

use std::sync::Mutex;

use crate::error::Phase;

/// Shared between the running exchange and the timeout that may cancel it.
pub(crate) struct Progress {
    state: Mutex<(Phase, String)>,
}

impl Progress {
    pub(crate) fn new(phase: Phase, target: String) -> Self {
        Progress {
            state: Mutex::new((phase, target)),
        }
    }

    pub(crate) fn set(&self, phase: Phase, target: &str) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.0 = phase;
        if state.1 != target {
            state.1 = target.to_owned();
        }
    }

    pub(crate) fn get(&self) -> (Phase, String) {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}
