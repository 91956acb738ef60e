//! `shipcheck watch PLAN --every 30s --listen 127.0.0.1:9464`: runs the plan again and
//! again (never two runs at once; each bounded by `--timeout`; the pause jittered), and
//! serves the last run on `/metrics` (Prometheus), `/status` (JSON) and `/healthz`.
//! SIGTERM or Ctrl-C lets the current run finish, then exits 0. Only the last report is
//! kept, so memory stays flat however many runs there are.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::sync::watch;

use super::verify::{RunArgs, parse_duration, run_plan_async};
use super::watch_metrics::{WatchState, exposition, status_json};
use crate::exit;

/// Arguments of `shipcheck watch`.
#[derive(Debug, clap::Args)]
pub(crate) struct WatchArgs {
    /// The plan file (YAML), the same as for `verify`.
    pub(crate) plan: PathBuf,
    /// Pause between the end of one run and the start of the next (jittered by up to 10%).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub(crate) every: Duration,
    /// Where to serve /metrics, /status and /healthz.
    #[arg(long, default_value = "127.0.0.1:9464")]
    pub(crate) listen: SocketAddr,
    /// Stop after this many runs (default: until SIGTERM or Ctrl-C).
    #[arg(long)]
    pub(crate) runs: Option<u64>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

type Shared = Arc<Mutex<WatchState>>;

/// Runs `shipcheck watch`.
pub(crate) fn run(mut args: WatchArgs) -> anyhow::Result<i32> {
    let plan = match super::verify::load_plan(&args.plan) {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    // Progress lines would interleave forever; watch reports through its endpoints.
    args.run.global.quiet = true;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        eprintln!(
            "shipcheck watch: serving http://{}/metrics, re-running {} every {}",
            listener.local_addr().unwrap_or(args.listen),
            args.plan.display(),
            humantime::format_duration(args.every)
        );
        let state: Shared = Arc::default();
        let (stop_tx, stop_rx) = watch::channel(false);
        tokio::spawn(serve(listener, state.clone(), stop_rx.clone()));
        tokio::spawn(stop_on_signals(stop_tx));
        let mut stop = stop_rx;
        loop {
            let report = run_plan_async(&plan, &args.run, "watch", None).await?;
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64());
            let runs = {
                let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
                s.record(report, now);
                s.runs
            };
            if *stop.borrow() || args.runs.is_some_and(|n| runs >= n) {
                break;
            }
            let pause = jittered(args.every, runs);
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = stop.changed() => break,
            }
        }
        anyhow::Ok(exit::OK)
    })
}

/// `every` plus up to 10% from a per-run hash, so many watchers do not run in step.
fn jittered(every: Duration, run: u64) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let mix = (u64::from(nanos) ^ run.wrapping_mul(0x9e37_79b9_7f4a_7c15)) % 1000;
    every + every.mul_f64(mix as f64 / 10_000.0)
}

/// Sets the stop flag on SIGTERM or Ctrl-C; the current run then finishes.
async fn stop_on_signals(stop: watch::Sender<bool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    let _ = stop.send(true);
}

/// Serves the endpoints until the stop flag is set.
async fn serve(listener: tokio::net::TcpListener, state: Shared, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => return,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(respond(&req, &state)) }
            });
            let builder = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            // A scrape is small; a client that stalls is cut off.
            let _ = tokio::time::timeout(Duration::from_secs(30), conn).await;
        });
    }
}

fn respond(req: &Request<Incoming>, state: &Shared) -> Response<Full<Bytes>> {
    let (status, content_type, body) = {
        let s = state.lock().unwrap_or_else(PoisonError::into_inner);
        match req.uri().path() {
            "/metrics" => (
                StatusCode::OK,
                "text/plain; version=0.0.4; charset=utf-8",
                exposition(&s),
            ),
            "/status" => (
                StatusCode::OK,
                "application/json",
                status_json(&s).to_string(),
            ),
            "/healthz" => (StatusCode::OK, "text/plain", "ok\n".to_owned()),
            _ => (
                StatusCode::NOT_FOUND,
                "text/plain",
                "not found: try /metrics, /status or /healthz\n".to_owned(),
            ),
        }
    };
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    if let Ok(v) = hyper::header::HeaderValue::from_str(content_type) {
        resp.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    resp
}
