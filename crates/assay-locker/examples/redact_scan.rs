//! Counts what redaction would remove from every file under a folder, to measure false
//! positives on evidence known to be clean:
//! `cargo run -p assay-locker --example redact_scan -- FOLDER [--show]`.
//! Prints one line per kind (count, files) and, with `--show`, each removal in context.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a measuring tool
#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = args.first().expect("usage: redact_scan FOLDER [--show]");
    let show = args.iter().any(|a| a == "--show");
    let mut files = Vec::new();
    walk(Path::new(root), &mut files);
    files.sort();
    let (mut bytes, mut total) = (0usize, 0usize);
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        bytes += data.len();
        let r = assay_locker::redact::redact(&data, false);
        let mut seen = std::collections::BTreeSet::new();
        for x in &r.redactions {
            total += 1;
            let e = by_kind.entry(x.kind.clone()).or_default();
            e.0 += 1;
            if seen.insert(x.kind.clone()) {
                e.1 += 1;
            }
            if show {
                let (s, n) = (x.offset as usize, x.length as usize);
                let ctx = data.get(s.saturating_sub(40)..(s + n + 20).min(data.len()));
                println!(
                    "{}: {} at {s}: {:?}",
                    f.display(),
                    x.kind,
                    String::from_utf8_lossy(ctx.unwrap_or_default())
                );
            }
        }
    }
    println!(
        "{} files, {:.1} MB, {total} redactions",
        files.len(),
        bytes as f64 / 1e6
    );
    for (kind, (n, in_files)) in by_kind {
        println!("  {kind}: {n} in {in_files} files");
    }
}
