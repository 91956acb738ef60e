use shipcheck_report::Severity;

use crate::context::LintContext;
use crate::nodes::DockerfileFile;
use crate::rule::{Family, Violation, violation};
use crate::rules::dockerfile::shell::{Command, commands, find_in, key_values, run_script};

/// Environment variables that turn verification off (any value for the first two).
fn env_disables(key: &str, value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    match key {
        "GIT_SSL_NO_VERIFY" | "PIP_TRUSTED_HOST" => true,
        "NODE_TLS_REJECT_UNAUTHORIZED" | "PYTHONHTTPSVERIFY" => v == "0",
        "NPM_CONFIG_STRICT_SSL" | "npm_config_strict_ssl" | "YARN_STRICT_SSL" => v == "false",
        _ => false,
    }
}

violation! {
    /// ## What it does
    /// Checks build steps that turn off TLS certificate verification: `curl -k`/
    /// `--insecure`, `wget --no-check-certificate`, `pip --trusted-host`,
    /// `git -c http.sslVerify=false`, `npm`/`yarn` `strict-ssl false`, and the variables
    /// `GIT_SSL_NO_VERIFY`, `PIP_TRUSTED_HOST`, `NODE_TLS_REJECT_UNAUTHORIZED=0`,
    /// `PYTHONHTTPSVERIFY=0` in `ENV`, `ARG` or before a command, and `sslverify=0` for
    /// yum/dnf.
    ///
    /// ## Why is this bad?
    /// Whatever answers on the network path (a proxy, a compromised mirror, a hotel
    /// Wi-Fi on the developer's laptop) can then replace what gets downloaded and
    /// installed into the image. A missing CA certificate is fixed by installing
    /// `ca-certificates`, not by turning verification off.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -kLo /usr/local/bin/tool https://example.com/tool
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
    ///  && curl -fLo /usr/local/bin/tool https://example.com/tool
    /// ```
    pub(crate) struct TlsVerificationDisabled {
        pub(crate) how: String,
    }
}

impl Violation for TlsVerificationDisabled {
    const FAMILY: Family = Family::Dockerfile;
    const DEFAULT_SEVERITY: Severity = Severity::Error;

    fn message(&self) -> String {
        format!("`{}` disables TLS certificate verification", self.how)
    }

    fn fix_title(&self) -> Option<String> {
        Some("install the CA certificates instead of skipping verification".into())
    }
}

/// The offending word of a command, if it disables verification.
fn command_disables(c: &Command) -> Option<String> {
    for a in &c.assignments {
        if let Some((k, v)) = a.split_once('=')
            && env_disables(k, v)
        {
            return Some(a.clone());
        }
    }
    let args = || c.words.iter().skip(1);
    match c.program() {
        "curl" => args()
            .find(|w| {
                *w == "--insecure"
                    || (w.starts_with('-')
                        && !w.starts_with("--")
                        && w.len() > 1
                        && w[1..].chars().all(|ch| ch.is_ascii_alphabetic())
                        && w.contains('k'))
            })
            .cloned(),
        "wget" => args().find(|w| *w == "--no-check-certificate").cloned(),
        "yum" | "dnf" | "microdnf" | "yum-config-manager" | "dnf-config-manager" => args()
            .find(|w| {
                let l = w.to_ascii_lowercase();
                l.contains("sslverify=0") || l.contains("sslverify=false")
            })
            .cloned(),
        p if p.starts_with("pip") || p.starts_with("python") => {
            args().find(|w| w.starts_with("--trusted-host")).cloned()
        }
        "git" => args()
            .find(|w| w.to_ascii_lowercase().starts_with("http.sslverify=false"))
            .cloned()
            .or_else(|| {
                let ws: Vec<String> = args().map(|w| w.to_ascii_lowercase()).collect();
                ws.windows(2)
                    .any(|p| p[0] == "http.sslverify" && p[1] == "false")
                    .then(|| "http.sslVerify false".to_owned())
            }),
        "npm" | "yarn" | "pnpm" => {
            let ws: Vec<&String> = args().collect();
            ws.windows(2)
                .any(|p| p[0] == "strict-ssl" && p[1] == "false")
                .then(|| "strict-ssl false".to_owned())
                .or_else(|| args().find(|w| w.starts_with("strict-ssl=false")).cloned())
        }
        _ => None,
    }
}

pub(crate) fn check(ctx: &mut LintContext<'_>, df: &DockerfileFile<'_>) {
    for ins in &df.dockerfile.instructions {
        if ins.is("ENV") || ins.is("ARG") {
            for (k, v) in key_values(ins) {
                if env_disables(&k, v.as_deref().unwrap_or(""))
                    && (ins.is("ENV") || v.is_some() || k == "GIT_SSL_NO_VERIFY")
                {
                    let span = find_in(df.file, ins, &k);
                    ctx.report(TlsVerificationDisabled { how: k }, span);
                }
            }
        } else if ins.is("RUN") {
            for c in commands(&run_script(ins)) {
                if let Some(how) = command_disables(&c) {
                    let span = find_in(df.file, ins, &how);
                    let how = if c.assignments.contains(&how) {
                        how
                    } else {
                        format!("{} {how}", c.program())
                    };
                    ctx.report(TlsVerificationDisabled { how }, span);
                }
            }
        }
    }
}
