//! Nothing panics on malformed workspace files: every file of a real workspace is mutated in
//! many deterministic ways (truncation, deleted lines, swapped bytes, inserted YAML/TOML
//! punctuation) and the workspace reloaded. Every diagnostic must point inside its file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

mod common;
use assay_core::Category;
use common::*;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const JUNK: &[&str] = &[
    ":",
    "- ",
    "\t",
    "[",
    "]",
    "{",
    "\"",
    "'",
    "#",
    "&a",
    "*a",
    "!!binary ",
    "\n  ",
    "---\n",
    "= ",
    "<<: ",
    "\u{0}",
    "é",
    "|",
];

fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    match rng.below(4) {
        0 => bytes.truncate(rng.below(bytes.len())),
        1 => {
            let lines: Vec<&str> = text.lines().collect();
            let skip = rng.below(lines.len());
            return lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join("\n");
        }
        2 => {
            if bytes.len() > 2 {
                let (a, b) = (rng.below(bytes.len()), rng.below(bytes.len()));
                bytes.swap(a, b);
            }
        }
        _ => {
            let at = rng.below(bytes.len());
            let junk = JUNK[rng.below(JUNK.len())].as_bytes();
            bytes.splice(at..at, junk.iter().copied());
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn mutated_files_never_panic_and_diagnostics_point_inside_the_file() {
    let dir = fresh(&Category::ALL);
    let root = dir.path();
    let files = [
        "assay.toml",
        "controls/CHG-01.yaml",
        "controls/PRV-05.yaml",
        "policies/backup.md",
        "inventory/vendors.yaml",
        "inventory/people.yaml",
        "inventory/systems.yaml",
    ];
    let originals: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(root.join(f)).expect("read"))
        .collect();
    let mut rng = Rng(0x5eed_a55a_7e57_0001);
    for round in 0..350 {
        let i = round % files.len();
        let mutated = mutate(&originals[i], &mut rng);
        std::fs::write(root.join(files[i]), &mutated).expect("write");
        let ws = load(root);
        let lines = mutated.lines().count().max(1);
        for d in ws.diagnostics.iter().filter(|d| d.file == files[i]) {
            assert!(
                d.line <= lines + 1,
                "round {round}: {d:?} is past the end of {} ({lines} lines)",
                files[i]
            );
        }
        std::fs::write(root.join(files[i]), &originals[i]).expect("restore");
    }
    assert!(load(root).diagnostics.is_empty());
}
