//! N sequential GETs to a private loopback nginx over https, three ways: the one-shot `send`
//! (TLS configuration and connection per request, the behaviour before `Client`), a `Client`
//! without keep-alive (configuration once, connection per request), and a `Client` with
//! keep-alive. Modes are interleaved over several rounds and the median round is reported
//! (wall time and this process's CPU time), because the machine is shared. Run by
//! `bench/http_client.sh`; not a test.
#![allow(clippy::print_stdout, clippy::expect_used)] // a benchmark prints and may panic on set-up

use std::time::{Duration, Instant};

use shipcheck_http::{Client, ClientOptions, Request, RequestOptions, send};
use shipcheck_test_support::{Ca, Listen, Nginx};

const MODES: [&str; 3] = [
    "send (config + connection per request)",
    "Client, no keep-alive",
    "Client, keep_alive(1)",
];

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let ca = Ca::new();
    let leaf = ca.leaf(&["localhost", "127.0.0.1"]);
    let Some(nginx) = Nginx::builder()
        .tls_identity(&leaf.cert_pem, &leaf.key_pem)
        .server(
            Listen::Https,
            "    keepalive_requests 100000;\n    location / { return 200 \"ok\\n\"; }",
        )
        .start()
    else {
        return;
    };
    let url = url::Url::parse(&format!("https://localhost:{}/", nginx.ports[0])).expect("url");
    let request = Request::get(url);
    let timeout = Duration::from_secs(10);
    let one_shot = ClientOptions {
        timeout,
        extra_ca_pem: Some(ca.pem.clone().into_bytes()),
        ..ClientOptions::default()
    };
    let options = RequestOptions {
        timeout,
        ..RequestOptions::default()
    };

    // samples[mode] = (wall seconds, cpu seconds, handshakes) per round
    let mut samples: Vec<Vec<(f64, f64, usize)>> = vec![Vec::new(); MODES.len()];
    for _ in 0..rounds {
        for (mode, sample) in samples.iter_mut().enumerate() {
            let client = Client::builder()
                .extra_ca_pem(ca.pem.clone())
                .keep_alive(if mode == 2 { 1 } else { 0 })
                .build()
                .expect("client");
            let (wall, cpu) = (Instant::now(), cpu_seconds());
            let mut handshakes = 0;
            for _ in 0..n {
                let exchange = if mode == 0 {
                    send(&request, &one_shot).await
                } else {
                    client.send(&request, &options).await
                }
                .expect("send");
                handshakes += exchange
                    .hops
                    .iter()
                    .filter(|h| h.timings.tls_ms.is_some())
                    .count();
            }
            sample.push((
                wall.elapsed().as_secs_f64(),
                cpu_seconds() - cpu,
                handshakes,
            ));
        }
    }
    println!("{n} sequential https GETs per round, median of {rounds} rounds:");
    for (label, mut sample) in MODES.iter().zip(samples) {
        sample.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (wall, cpu, handshakes) = sample[sample.len() / 2];
        println!(
            "  {label:<40} wall {wall:>6.2} s ({:>6.0} req/s)  client cpu {cpu:>5.2} s  \
             {handshakes} tls handshakes",
            n as f64 / wall
        );
    }
}

/// User + system CPU time of this process (Linux `/proc/self/stat`, 100 ticks per second).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    (ticks(11) + ticks(12)) / 100.0
}
