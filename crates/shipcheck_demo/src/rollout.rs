//! Rolling restarts of the demo service, so `shipcheck drill` has something to measure:
//! an upgrade (or a rollback) closes the plain-HTTP listener, "boots" for [`GAP`], listens
//! again on the same port and answers with the next (or previous) version in the
//! `x-demo-version` header. Triggered by touching `tmp/restart.txt` under the data
//! directory (an upgrade, as Passenger restarts on it) or, by hand, with
//! `POST /admin/upgrade` and `POST /admin/rollback`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::app::SharedState;

/// How long the listener stays closed during a restart.
pub(crate) const GAP: Duration = Duration::from_millis(200);
/// How often the restart file is looked at.
const WATCH_EVERY: Duration = Duration::from_millis(50);
/// The response header naming the version.
pub(crate) const VERSION_HEADER: &str = "x-demo-version";

/// The version being served and the restarts asked for.
#[derive(Debug)]
pub(crate) struct Rollout {
    version: AtomicU32,
    pending: AtomicU32,
    restart: Notify,
}

impl Default for Rollout {
    fn default() -> Self {
        Rollout {
            version: AtomicU32::new(1),
            pending: AtomicU32::new(1),
            restart: Notify::new(),
        }
    }
}

impl Rollout {
    /// The version answering now (`v1`, `v2`…).
    pub(crate) fn version(&self) -> String {
        format!("v{}", self.version.load(Ordering::Acquire))
    }

    /// Asks for a restart into the next (`step` 1) or previous (`step` -1) version;
    /// returns the version it will serve.
    pub(crate) fn ask(&self, step: i32) -> u32 {
        let next = self
            .pending
            .load(Ordering::Acquire)
            .saturating_add_signed(step)
            .max(1);
        self.pending.store(next, Ordering::Release);
        self.restart.notify_one();
        next
    }

    /// Waits until a restart is asked for.
    pub(crate) async fn asked(&self) {
        self.restart.notified().await;
    }

    /// Called once the listener is back: the new version answers from now on.
    pub(crate) fn restarted(&self) {
        self.version
            .store(self.pending.load(Ordering::Acquire), Ordering::Release);
    }
}

/// `POST /admin/upgrade`.
pub(crate) async fn upgrade(State(state): State<SharedState>) -> Response {
    asked(&state.rollout, 1)
}

/// `POST /admin/rollback`.
pub(crate) async fn rollback(State(state): State<SharedState>) -> Response {
    asked(&state.rollout, -1)
}

fn asked(rollout: &Rollout, step: i32) -> Response {
    let next = rollout.ask(step);
    let body = json!({ "restarting_into": format!("v{next}"), "gap_ms": GAP.as_millis() as u64 });
    (StatusCode::ACCEPTED, Json(body)).into_response()
}

/// Adds the version header to every response.
pub(crate) async fn version_header(
    State(state): State<SharedState>,
    req: Request,
    next: Next,
) -> Response {
    let mut response = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&state.rollout.version()) {
        response.headers_mut().insert(VERSION_HEADER, v);
    }
    response
}

/// Watches `file`: each change of its modification time asks for an upgrade.
pub(crate) fn watch_file(
    file: PathBuf,
    rollout: Arc<Rollout>,
    mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mtime = move |f: &PathBuf| -> Option<SystemTime> {
        std::fs::metadata(f).and_then(|m| m.modified()).ok()
    };
    tokio::spawn(async move {
        let mut seen = mtime(&file);
        loop {
            tokio::select! {
                _ = shutdown.wait_for(|stop| *stop) => return,
                () = tokio::time::sleep(WATCH_EVERY) => {}
            }
            let now = mtime(&file);
            if now != seen {
                seen = now;
                rollout.ask(1);
            }
        }
    })
}
