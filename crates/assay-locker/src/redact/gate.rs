//! Finding trigger words fast: a full automaton over 130 words reads every byte one at a time
//! (about 300 MB/s), while SIMD searchers (Teddy) manage gigabytes a second but take at most
//! 64 words and report only the leftmost match. So the words are split into groups of at most
//! 48, each group gets a SIMD searcher, and the searchers find the next place where any word
//! starts; the full automaton then runs over a short window from there, overlapping matches
//! included. Text with no trigger word costs only the SIMD passes, and the result is exactly
//! what the automaton alone would report.

use aho_corasick::packed::{Config, MatchKind, Searcher};
use aho_corasick::{AhoCorasick, Input, Span};

/// Words per SIMD searcher (Teddy is fastest well below its limit of 64).
const GROUP: usize = 48;
/// Bytes of word starts the automaton takes after each place the searchers stop at; doubled
/// while words keep coming within the window (dense text, such as JSON full of `://`, is
/// cheaper for the automaton alone), back to this when they thin out.
const STEP: usize = 64;

/// The SIMD searchers over all trigger words.
pub(super) struct Gate {
    groups: Vec<Searcher>,
}

impl Gate {
    /// Searchers over `words` (lowercase), or `None` if one cannot be built.
    pub(super) fn new(words: &[&str]) -> Option<Gate> {
        let groups = words
            .chunks(GROUP)
            .map(|chunk| {
                let mut b = Config::new().match_kind(MatchKind::LeftmostFirst).builder();
                b.extend(chunk.iter().map(|w| w.as_bytes()));
                b.build()
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Gate { groups })
    }

    /// Calls `found(start, end, pattern)` for every occurrence of a word of `automaton` in
    /// `hay` that starts before `owned`, overlapping occurrences included. `longest` is the
    /// length of the longest word. With `dense` (the previous chunk was full of words), the
    /// automaton reads the whole chunk without the gate. Returns whether this chunk was
    /// dense: a word every 256 bytes or more.
    pub(super) fn words(
        &self,
        automaton: &AhoCorasick,
        hay: &[u8],
        owned: usize,
        longest: usize,
        dense: bool,
        mut found: impl FnMut(usize, usize, usize),
    ) -> bool {
        let owned = owned.min(hay.len());
        let mut count = 0usize;
        let mut found = |s: usize, e: usize, p: usize| {
            count += 1;
            found(s, e, p);
        };
        if dense {
            if let Ok(iter) = automaton.try_find_overlapping_iter(hay) {
                for m in iter.filter(|m| m.start() < owned) {
                    found(m.start(), m.end(), m.pattern().as_usize());
                }
            }
            return count.saturating_mul(256) > owned;
        }
        // Each searcher's next match start at or after `at` (None: no more in the chunk).
        let mut next: Vec<Option<usize>> = self
            .groups
            .iter()
            .map(|g| g.find_in(hay, Span::from(0..hay.len())).map(|m| m.start()))
            .collect();
        let mut at = 0;
        let mut step = STEP;
        while at < owned {
            for (g, n) in self.groups.iter().zip(next.iter_mut()) {
                if n.is_some_and(|p| p < at) {
                    *n = g.find_in(hay, Span::from(at..hay.len())).map(|m| m.start());
                }
            }
            // No word starts in at..p: the automaton starts at p.
            let Some(p) = next.iter().flatten().copied().min() else {
                break;
            };
            if p >= owned {
                break;
            }
            // Dense: the next word starts within a window's length of the last one.
            step = if at > 0 && p < at + step {
                step.saturating_mul(2).min(1 << 16)
            } else {
                STEP
            };
            let stop = (p + step).min(owned);
            let window = Input::new(hay).span(p..(stop + longest).min(hay.len()));
            if let Ok(iter) = automaton.try_find_overlapping_iter(window) {
                for m in iter.filter(|m| m.start() < stop) {
                    found(m.start(), m.end(), m.pattern().as_usize());
                }
            }
            at = stop;
        }
        count.saturating_mul(256) > owned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickKind, MatchKind as Kind};

    /// The gate reports exactly what the automaton alone reports, on text dense with
    /// overlapping words (`secret` inside `_secret` inside `client_secret`) and on sparse text.
    #[test]
    fn gate_finds_exactly_what_the_automaton_finds() {
        let mut words: Vec<String> = ["secret", "_secret", "client_secret", "key", "_key", "://"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        words.extend((0..140).map(|i| format!("w{i:03}x")));
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let automaton = AhoCorasick::builder()
            .match_kind(Kind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&words)
            .unwrap();
        let gate = Gate::new(&words).unwrap();
        let longest = words.iter().map(|w| w.len()).max().unwrap();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for round in 0..200 {
            let mut hay = Vec::new();
            let density = 1 + round % 50;
            while hay.len() < 2000 + round * 37 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                if x.is_multiple_of(density as u64) {
                    hay.extend_from_slice(words[(x >> 8) as usize % words.len()].as_bytes());
                } else {
                    hay.push(b"abcxyz_:/ \n"[(x >> 16) as usize % 11]);
                }
            }
            let owned = hay.len() - (x as usize % longest.min(hay.len()));
            let mut want: Vec<(usize, usize, usize)> = automaton
                .find_overlapping_iter(hay.as_slice())
                .filter(|m| m.start() < owned)
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
                .collect();
            for dense in [false, true] {
                let mut got = Vec::new();
                gate.words(&automaton, &hay, owned, longest, dense, |s, e, p| {
                    got.push((s, e, p))
                });
                got.sort_unstable();
                want.sort_unstable();
                assert_eq!(got, want, "round {round}, dense {dense}");
            }
        }
    }
}
