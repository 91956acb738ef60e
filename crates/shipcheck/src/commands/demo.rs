//! `shipcheck demo`: start the embedded demo service and verify it with the bundled plan.

use std::time::Duration;

use anyhow::Context as _;
use shipcheck_demo::{DemoOptions, DemoServer, Scenario};

use super::verify::{RunArgs, emit, parse_duration, run_plan_async};
use crate::exit;

/// The bundled plan, run against the demo service.
const PLAN: &str = include_str!("demo_plan.yaml");

/// How the demo's report names its plan (it is built into the binary).
const BUNDLED_PLAN: &str = "bundled demo plan (shipcheck demo)";

/// The demo service's deployment files, linted by the plan's `lint` check (relative path,
/// contents). They carry a few deliberate issues at warning level.
const DEPLOY_FILES: [(&str, &str); 4] = [
    (
        "deploy/k8s/backend.yaml",
        include_str!("../../demo-deploy/k8s/backend.yaml"),
    ),
    (
        "deploy/compose.yaml",
        include_str!("../../demo-deploy/compose.yaml"),
    ),
    (
        "deploy/Dockerfile",
        include_str!("../../demo-deploy/Dockerfile"),
    ),
    (
        "deploy/.env.example",
        include_str!("../../demo-deploy/.env.example"),
    ),
];

/// Arguments of `shipcheck demo`.
#[derive(Debug, clap::Args)]
pub(crate) struct DemoArgs {
    /// Incident to reproduce: healthy, schema-drift, login-500, no-seed-data, slow, flaky, broken-asset.
    #[arg(long, default_value = "healthy")]
    pub(crate) scenario: String,
    /// Only run the service and print its URLs (until Ctrl-C).
    #[arg(long)]
    pub(crate) serve: bool,
    /// Serve HTTP on this 127.0.0.1 port and HTTPS on the next one (default: free ports).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..65535))]
    pub(crate) port: Option<u16>,
    /// A fixed delay added to every response (e.g. 50ms).
    #[arg(long, value_parser = parse_duration)]
    pub(crate) delay: Option<Duration>,
    #[command(flatten)]
    pub(crate) run: RunArgs,
}

/// Runs `shipcheck demo`.
pub(crate) fn run(args: DemoArgs) -> anyhow::Result<i32> {
    let scenario: Scenario = match args.scenario.parse() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(exit::USAGE);
        }
    };
    let data = tempfile::Builder::new()
        .prefix("shipcheck-demo-")
        .tempdir()
        .context("creating a temporary directory for the demo")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let opts = DemoOptions {
            scenario,
            delay: args.delay.unwrap_or(Duration::ZERO),
            data_dir: data.path().to_path_buf(),
            port: args.port.unwrap_or(0),
        };
        let server = shipcheck_demo::start(opts)
            .await
            .context("starting the demo service")?;
        if args.serve {
            serve(&server).await;
            server.shutdown().await;
            return Ok(exit::OK);
        }
        for (rel, text) in DEPLOY_FILES {
            let path = data.path().join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        let plan_path = data.path().join("demo-plan.yaml");
        std::fs::write(&plan_path, PLAN)
            .with_context(|| format!("writing {}", plan_path.display()))?;
        let env = demo_env(&server);
        let plan = match shipcheck_plan::load_str(PLAN, &plan_path, &env, shipcheck_probe::KINDS) {
            Ok(p) => p,
            Err(errors) => anyhow::bail!("the bundled demo plan is invalid:\n{errors}"),
        };
        if !args.run.global.quiet {
            eprintln!(
                "demo service ({scenario}) on {} and {}; verifying it with the bundled plan",
                server.http_url, server.https_url
            );
        }
        let report = run_plan_async(&plan, &args.run, "demo", None).await;
        server.shutdown().await;
        let mut report = report?;
        // The plan was written to a temporary directory that is gone once the demo ends:
        // the report names the bundled plan instead of a path no one can open.
        if let Some(info) = report.run.plan.as_mut() {
            info.path = BUNDLED_PLAN.to_owned();
        }
        emit(&report, &args.run)
    })
}

/// The environment the bundled plan reads: the process environment plus the demo's URLs.
fn demo_env(server: &DemoServer) -> impl Fn(&str) -> Option<String> + use<> {
    let http = server.http_url.clone();
    let https = server.https_url.clone();
    let ca = server.ca_pem_path.display().to_string();
    let db = server.db_path.display().to_string();
    let user = server.admin_username.clone();
    let password = server.admin_password.clone();
    let webhook_secret = server.webhook_secret.clone();
    let dns = server.dns_addr.clone();
    let restart = server.restart_file.display().to_string();
    move |name: &str| match name {
        "DEMO_HTTP_URL" => Some(http.clone()),
        "DEMO_HTTPS_URL" => Some(https.clone()),
        "DEMO_CA_FILE" => Some(ca.clone()),
        "DEMO_DB" => Some(db.clone()),
        "DEMO_ADMIN_USER" => Some(user.clone()),
        "DEMO_ADMIN_PASSWORD" => Some(password.clone()),
        "DEMO_WEBHOOK_SECRET" => Some(webhook_secret.clone()),
        "DEMO_DNS" => Some(dns.clone()),
        "DEMO_RESTART_FILE" => Some(restart.clone()),
        other => std::env::var(other).ok(),
    }
}

async fn serve(server: &DemoServer) {
    let text = format!(
        "shipcheck demo service\n  http:  {}\n  https: {} (CA: {})\n  login: {} / {}\n  \
         dns:   {} (answers {})\n  rolling restart (HTTP listener closed ~200 ms, x-demo-version moves on):\n    \
         touch {}  or  POST {}/admin/upgrade  (POST {}/admin/rollback goes back)\n  \
         try:   shipcheck drill --probe {}/health/live --every 10ms --version-header x-demo-version -- touch {}\n\
         press Ctrl-C to stop\n",
        server.http_url,
        server.https_url,
        server.ca_pem_path.display(),
        server.admin_username,
        server.admin_password,
        server.dns_addr,
        shipcheck_demo::DEMO_NAME,
        server.restart_file.display(),
        server.http_url,
        server.http_url,
        server.http_url,
        server.restart_file.display(),
    );
    // A closed stdout (`demo --serve | head -1`) must not stop the service or panic.
    let _ = crate::exit::write_stdout(text.as_bytes());
    let _ = tokio::signal::ctrl_c().await;
}
