//! The secret audit's search: the encoded forms of each planted secret, the outputs to
//! search (files, bundle members, `watch` endpoints), and the leak matrix.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

/// One input channel and the secret planted in it.
pub(crate) struct Channel {
    pub(crate) what: &'static str,
    pub(crate) secret: &'static str,
    /// `user:password` for channels sent as HTTP Basic credentials (searched in base64).
    basic: Option<String>,
}

impl Channel {
    pub(crate) fn new(what: &'static str, secret: &'static str) -> Channel {
        Channel {
            what,
            secret,
            basic: None,
        }
    }
    pub(crate) fn with_basic(mut self, user: &str, password: &str) -> Channel {
        self.basic = Some(format!("{user}:{password}"));
        self
    }
}

/// The encodings searched, by name.
pub(crate) const ENCODINGS: [&str; 9] = [
    "raw",
    "URL-encoded",
    "form-encoded",
    "base64",
    "base64url",
    "JSON-escaped",
    "hex",
    "HEX",
    "hex dump (spaced)",
];

/// Every searched form of `c`'s secret: (encoding, text).
pub(crate) fn forms(c: &Channel) -> Vec<(&'static str, String)> {
    let s = c.secret;
    let b64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
    let b64url = |t: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(t);
    let hex: String = s.bytes().map(|b| format!("{b:02x}")).collect();
    let spaced: String = s.bytes().map(|b| format!(" {b:02x}")).collect();
    let mut v = vec![
        ("raw", s.to_owned()),
        (
            "URL-encoded",
            utf8_percent_encode(s, NON_ALPHANUMERIC).to_string(),
        ),
        (
            "form-encoded",
            utf8_percent_encode(s, NON_ALPHANUMERIC)
                .to_string()
                .replace("%20", "+"),
        ),
        ("base64", b64(s).trim_end_matches('=').to_owned()),
        ("base64url", b64url(s)),
        (
            "JSON-escaped",
            serde_json::to_string(s)
                .unwrap()
                .trim_matches('"')
                .to_owned(),
        ),
        ("hex", hex.clone()),
        ("HEX", hex.to_uppercase()),
        ("hex dump (spaced)", spaced),
    ];
    if let Some(basic) = &c.basic {
        v.push(("base64", b64(basic).trim_end_matches('=').to_owned()));
    }
    v
}

/// Every (channel, encoding, output) where a form of a secret occurs, including a secret
/// split over the lines of a hex dump (its bytes are decoded and searched).
pub(crate) fn scan(channels: &[Channel], outputs: &[(String, String)]) -> Vec<String> {
    let mut leaks = Vec::new();
    for (name, text) in outputs {
        let dumped = dump_bytes(text);
        for c in channels {
            for (enc, form) in forms(c) {
                if text.contains(&form) {
                    leaks.push(format!("{} ({enc}) in {name}", c.what));
                }
            }
            if contains(&dumped, c.secret.as_bytes()) {
                leaks.push(format!("{} (bytes of a hex dump) in {name}", c.what));
            }
        }
    }
    leaks
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The bytes of every hex dump line (`00000040  6f 6e …  |…|`) in `text`, in order; a
/// JSON-escaped text is read with its `\n` as line ends.
fn dump_bytes(text: &str) -> Vec<u8> {
    let text = text.replace("\\n", "\n");
    let mut out = Vec::new();
    for line in text.lines() {
        // The dump may follow other text on the line (a Markdown table cell, a prefix).
        let Some(at) = line.find("  |") else {
            continue;
        };
        let head = &line[..at];
        let mut parts = head.split(' ').filter(|p| !p.is_empty()).peekable();
        // Skip to the offset column: eight hex digits.
        while parts
            .peek()
            .is_some_and(|p| !(p.len() == 8 && p.chars().all(|c| c.is_ascii_hexdigit())))
        {
            parts.next();
        }
        if parts.next().is_none() {
            continue;
        }
        for p in parts {
            if p.len() == 2
                && let Ok(b) = u8::from_str_radix(p, 16)
            {
                out.push(b);
            }
        }
    }
    out
}

/// Prints the audit matrix: one row per channel, the outputs and encodings searched.
pub(crate) fn print_matrix(channels: &[Channel], outputs: &[(String, String)]) {
    println!("AUDIT outputs searched ({}):", outputs.len());
    for (name, text) in outputs {
        println!("AUDIT   {name} ({} bytes)", text.len());
    }
    println!("AUDIT encodings: {}", ENCODINGS.join(", "));
    for c in channels {
        let hits: usize = forms(c)
            .iter()
            .map(|(_, f)| outputs.iter().filter(|(_, t)| t.contains(f)).count())
            .sum();
        println!(
            "| {} | {} outputs × {} forms | {hits} |",
            c.what,
            outputs.len(),
            forms(c).len()
        );
    }
}

/// Reads every file under `dir` into `outputs`.
pub(crate) fn collect_dir(dir: &Path, label: &str, outputs: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            collect_dir(&path, label, outputs);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            outputs.push((
                format!("{label}: {name}"),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
}

/// Reads every member of the evidence bundle (`.tar.gz`) into `outputs`.
pub(crate) fn collect_bundle(path: &Path, outputs: &mut Vec<(String, String)>) {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut n = 0;
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        outputs.push((
            format!("bundle: {name}"),
            String::from_utf8_lossy(&bytes).into_owned(),
        ));
        n += 1;
    }
    assert!(n > 3, "the bundle has its files");
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n"
    )
    .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    Some(text)
}

/// Runs `shipcheck watch` on the plan until one run shows in /metrics, and collects
/// /metrics, /status, /healthz and its own output.
pub(crate) fn collect_watch(plan: &str, env: &[(&str, &str)], outputs: &mut Vec<(String, String)>) {
    let port = shipcheck_test_support::free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_shipcheck"));
    cmd.args(["watch", plan, "--listen", &listen, "--every", "1s"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let started = Instant::now();
    let mut metrics = String::new();
    // Bounded: 30 s at most, polling every 200 ms.
    while started.elapsed() < Duration::from_secs(30) {
        if let Some(m) = get(port, "/metrics")
            && m.contains("exec-env")
        {
            metrics = m;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let status = get(port, "/status").unwrap_or_default();
    let health = get(port, "/healthz").unwrap_or_default();
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(
        metrics.contains("exec-env"),
        "watch served no run within 30 s"
    );
    outputs.push(("watch /metrics".to_owned(), metrics));
    outputs.push(("watch /status".to_owned(), status));
    outputs.push(("watch /healthz".to_owned(), health));
    outputs.push((
        "watch: stdout".to_owned(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ));
    outputs.push((
        "watch: stderr".to_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ));
}
