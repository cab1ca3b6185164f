//! The scanner: the lowercased input is searched for trigger words (overlapping ones
//! included); each word feeds every rule that lists it, and a rule's pattern then runs only in
//! windows around its words. Finding the words is gated (gate.rs): SIMD searchers skip to
//! the next place any word starts, and the full automaton runs only there, so clean evidence
//! costs a few vectorized passes.

use super::gate::Gate;
use super::rules::{How, Spec, TABLE};
use super::structure::Scanner;
use super::value::{extent, is_non_secret_value, End, KeyMatch};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::bytes::Regex;
use std::sync::OnceLock;

/// A secret found: bytes `start..end`, its kind, and the rule's row (earlier rows win ties).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Span {
    pub start: usize,
    pub end: usize,
    pub row: usize,
    pub kind: &'static str,
}

/// A rule ready to run.
enum Matcher {
    Token(Regex),
    Group(Regex, Option<fn(&[u8]) -> bool>),
    Value(Regex, End),
    Block(Regex, Regex),
    Scan(Scanner),
}

struct Rule {
    kind: &'static str,
    matcher: Matcher,
    back: usize,
    fwd: usize,
}

/// The compiled rules, the automaton over all distinct trigger words, and for each word the
/// rules it feeds.
struct Engine {
    rules: Vec<Rule>,
    words: AhoCorasick,
    gate: Gate,
    feeds: Vec<Vec<usize>>,
    longest_word: usize,
}

fn compile(p: &str) -> Option<Regex> {
    Regex::new(&format!("(?-u){p}")).ok()
}

fn build(spec: &Spec) -> Option<Matcher> {
    Some(match &spec.how {
        How::Token(p) => Matcher::Token(compile(p)?),
        How::Group(p) => Matcher::Group(compile(p)?, None),
        How::Checked(p, check) => Matcher::Group(compile(p)?, Some(*check)),
        How::Value(p, end) => Matcher::Value(compile(p)?, *end),
        How::Block(open, close) => Matcher::Block(compile(open)?, compile(close)?),
        How::Scan(f) => Matcher::Scan(*f),
    })
}

fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let mut rules = Vec::new();
            let mut words: Vec<&'static str> = Vec::new();
            let mut feeds: Vec<Vec<usize>> = Vec::new();
            for spec in TABLE {
                // Every pattern is tested to compile (rules.rs); a rule that did not would be
                // left out rather than stop all redaction.
                let Some(matcher) = build(spec) else { continue };
                let row = rules.len();
                for &w in spec.triggers {
                    match words.iter().position(|&x| x == w) {
                        Some(i) => feeds.get_mut(i)?.push(row),
                        None => {
                            words.push(w);
                            feeds.push(vec![row]);
                        }
                    }
                }
                rules.push(Rule {
                    kind: spec.kind,
                    matcher,
                    back: spec.back,
                    fwd: spec.fwd,
                });
            }
            // Words are lowercase and matched against lowercased chunks: asking the automaton
            // for case-insensitivity would multiply the words. Standard semantics with an
            // overlapping search report every word, even one inside another.
            let automaton = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                // Too many words for the SIMD prefilter: a full DFA is the fastest scan.
                .kind(Some(AhoCorasickKind::DFA))
                .build(&words)
                .ok()?;
            let longest_word = words.iter().map(|w| w.len()).max().unwrap_or(0);
            let gate = Gate::new(&words)?;
            Some(Engine {
                rules,
                words: automaton,
                gate,
                feeds,
                longest_word,
            })
        })
        .as_ref()
}

/// Runs one rule's pattern in the window `from..to` of `input`.
fn search(rule: &Rule, row: usize, input: &[u8], (from, to): (usize, usize), out: &mut Vec<Span>) {
    let hay = input.get(..to).unwrap_or_default();
    let mut push = |start: usize, end: usize| {
        out.push(Span {
            start,
            end,
            row,
            kind: rule.kind,
        })
    };
    let re = match &rule.matcher {
        Matcher::Token(re)
        | Matcher::Group(re, _)
        | Matcher::Value(re, _)
        | Matcher::Block(re, _) => re,
        Matcher::Scan(_) => return,
    };
    let mut at = from;
    while at < to {
        let Some(caps) = re.captures_at(hay, at) else {
            break;
        };
        let Some(whole) = caps.get(0) else { break };
        let mut next = whole.end();
        match &rule.matcher {
            Matcher::Token(_) => push(whole.start(), whole.end()),
            Matcher::Group(_, check) => {
                // The first group that took part (alternatives may each have one).
                if let Some(g) = (1..caps.len()).find_map(|i| caps.get(i)) {
                    let v = g.as_bytes();
                    if !v.is_empty() && !is_non_secret_value(v) && check.is_none_or(|c| c(v)) {
                        push(g.start(), g.end());
                    }
                }
            }
            Matcher::Value(_, end) => {
                let key_quoted = caps.get(1).is_some_and(|m| !m.is_empty());
                let open = caps.get(2).filter(|m| !m.is_empty()).map(|m| {
                    let q = m.as_bytes();
                    (q.last().copied().unwrap_or(b'"'), q.len() > 1)
                });
                let km = KeyMatch {
                    start: whole.start(),
                    end: whole.end(),
                    key_quoted,
                    open,
                };
                if let Some((s, e)) = extent(input, &km, *end) {
                    push(s, e);
                    // Keys inside a value just taken are part of it.
                    next = next.max(e);
                }
            }
            Matcher::Block(_, close) => {
                // Without its end marker a block runs to the end of the input: nothing after
                // it needs looking at.
                let end = close
                    .find_at(input, whole.end())
                    .map_or(input.len(), |m| m.end());
                push(whole.start(), end);
                next = next.max(end);
            }
            Matcher::Scan(_) => {}
        }
        at = next.max(at + 1);
    }
}

/// Where the secrets in `input` are, unordered and possibly overlapping.
pub(super) fn spans(input: &[u8]) -> Vec<Span> {
    let Some(engine) = engine() else {
        return Vec::new();
    };
    // Trigger words, by rule: positions of the words' starts and ends.
    let mut hits: Vec<Vec<(usize, usize)>> = vec![Vec::new(); engine.rules.len()];
    const CHUNK: usize = 64 * 1024;
    let overlap = engine.longest_word;
    let mut lower = Vec::with_capacity(CHUNK + overlap);
    let mut base = 0;
    // Whether the last chunk was full of trigger words (the gate then only costs time).
    let mut dense = false;
    while base < input.len() {
        let end = (base + CHUNK + overlap).min(input.len());
        lower.clear();
        lower.extend_from_slice(input.get(base..end).unwrap_or_default());
        lower.make_ascii_lowercase();
        // A word starting in the overlap belongs to the next chunk.
        let owned = if end == input.len() {
            lower.len()
        } else {
            CHUNK
        };
        dense = engine.gate.words(
            &engine.words,
            &lower,
            owned,
            overlap,
            dense,
            |start, end, pattern| {
                for &row in engine.feeds.get(pattern).into_iter().flatten() {
                    if let Some(h) = hits.get_mut(row) {
                        h.push((base + start, base + end));
                    }
                }
            },
        );
        base += CHUNK;
    }
    let mut out = Vec::new();
    for (row, (rule, mut words)) in engine.rules.iter().zip(hits).enumerate() {
        if words.is_empty() {
            continue;
        }
        words.sort_unstable();
        if let Matcher::Scan(scan) = rule.matcher {
            let starts: Vec<usize> = words.iter().map(|w| w.0).collect();
            let mut found = Vec::new();
            scan(input, &starts, &mut found);
            out.extend(found.into_iter().map(|(start, end, kind)| Span {
                start,
                end,
                row,
                kind,
            }));
            continue;
        }
        // Windows around the words, merged when they touch.
        let mut window: Option<(usize, usize)> = None;
        for (s, e) in words {
            let (from, to) = (s.saturating_sub(rule.back), (e + rule.fwd).min(input.len()));
            window = match window {
                Some((f, t)) if from <= t => Some((f, t.max(to))),
                Some(w) => {
                    search(rule, row, input, w, &mut out);
                    Some((from, to))
                }
                None => Some((from, to)),
            };
        }
        if let Some(w) = window {
            search(rule, row, input, w, &mut out);
        }
    }
    out
}

/// Secrets to replace, in order: overlapping or nested finds are merged into one, named by
/// the earliest (then the row higher in the table).
pub(super) fn merged(mut found: Vec<Span>) -> Vec<Span> {
    found.sort_unstable_by_key(|s| (s.start, s.row, std::cmp::Reverse(s.end)));
    let mut out: Vec<Span> = Vec::with_capacity(found.len());
    for s in found {
        if s.end <= s.start {
            continue;
        }
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}
