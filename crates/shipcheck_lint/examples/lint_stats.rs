//! Lints the given paths and prints wall time, files per second and findings per rule
//! (for benchmarks and false-positive review):
//! `cargo run --release -p shipcheck_lint --example lint_stats -- ../shared/corpus`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use shipcheck_lint::{LintOptions, lint_paths};

fn main() {
    let paths: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    let start = Instant::now();
    let outcome = match lint_paths(&paths, &LintOptions::default()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let secs = start.elapsed().as_secs_f64();
    let mut per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &outcome.findings {
        *per_rule.entry(f.rule.as_str()).or_default() += 1;
    }
    let mut rows: Vec<_> = per_rule.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    println!(
        "{} files, {} findings, {:.3} s, {:.0} files/s",
        outcome.files_scanned,
        outcome.findings.len(),
        secs,
        outcome.files_scanned as f64 / secs.max(1e-9)
    );
    if let Ok(p) = std::env::var("LINT_STATS_JSON")
        && let Ok(text) = serde_json::to_string(&outcome.findings)
    {
        let _ = std::fs::write(p, text);
    }
    for (rule, n) in rows {
        println!("{n:6}  {rule}");
    }
}
