//! A BM25 full-text index over passages, in memory and deterministic (ties are broken by
//! passage id). Passages number in the thousands for a workspace, so a scan of posting
//! lists is fast enough and needs no index files.

use crate::passage::Passage;
use crate::text::terms;
use std::collections::{BTreeMap, BTreeSet};

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// The index.
#[derive(Debug, Clone)]
pub struct Index {
    passages: Vec<Passage>,
    /// Per passage: term counts (title words count twice).
    counts: Vec<BTreeMap<String, u32>>,
    lengths: Vec<f64>,
    average: f64,
    /// Per term: the passages holding it.
    postings: BTreeMap<String, Vec<usize>>,
}

/// One passage found for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Its position in [`Index::passages`].
    pub at: usize,
    /// The BM25 score.
    pub score: f64,
    /// How much of the query the passage covers, 0 to 1, weighted by each term's rarity.
    pub coverage: f64,
}

impl Index {
    /// Indexes `passages`; duplicate ids keep the first.
    pub fn new(mut passages: Vec<Passage>) -> Index {
        let mut seen = BTreeSet::new();
        passages.retain(|p| seen.insert(p.id.clone()));
        let mut counts = Vec::with_capacity(passages.len());
        let mut lengths = Vec::with_capacity(passages.len());
        let mut postings: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, p) in passages.iter().enumerate() {
            let mut c: BTreeMap<String, u32> = BTreeMap::new();
            for t in terms(&p.title) {
                *c.entry(t).or_default() += 2;
            }
            for t in terms(&p.text) {
                *c.entry(t).or_default() += 1;
            }
            lengths.push(c.values().map(|n| f64::from(*n)).sum());
            for t in c.keys() {
                postings.entry(t.clone()).or_default().push(i);
            }
            counts.push(c);
        }
        let average = if lengths.is_empty() {
            1.0
        } else {
            (lengths.iter().sum::<f64>() / lengths.len() as f64).max(1.0)
        };
        Index {
            passages,
            counts,
            lengths,
            average,
            postings,
        }
    }

    /// Every passage, in the order given.
    pub fn passages(&self) -> &[Passage] {
        &self.passages
    }

    /// The passage with this citation id.
    pub fn get(&self, id: &str) -> Option<&Passage> {
        self.passages.iter().find(|p| p.id == id)
    }

    /// The rarity of a term (BM25's idf, never below a small positive floor).
    pub fn idf(&self, term: &str) -> f64 {
        let n = self.passages.len() as f64;
        let df = self.postings.get(term).map_or(0, Vec::len) as f64;
        (((n - df + 0.5) / (df + 0.5)) + 1.0).ln().max(0.01)
    }

    /// How much of `query` the terms of passage `at` cover, weighted by rarity.
    pub fn coverage(&self, query: &str, at: usize) -> f64 {
        let q: BTreeSet<String> = terms(query).into_iter().collect();
        self.coverage_of(&q, &self.counts[at])
    }

    fn coverage_of(&self, q: &BTreeSet<String>, c: &BTreeMap<String, u32>) -> f64 {
        let total: f64 = q.iter().map(|t| self.idf(t)).sum();
        if total <= 0.0 {
            return 0.0;
        }
        q.iter()
            .filter(|t| c.contains_key(*t))
            .map(|t| self.idf(t))
            .sum::<f64>()
            / total
    }

    /// How much of `query` the text `other` covers, weighted by this index's rarities.
    pub fn coverage_by_text(&self, query: &str, other: &str) -> f64 {
        let q: BTreeSet<String> = terms(query).into_iter().collect();
        let mut c = BTreeMap::new();
        for t in terms(other) {
            *c.entry(t).or_insert(0u32) += 1;
        }
        self.coverage_of(&q, &c)
    }

    /// The best `limit` passages for `query`, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let q: BTreeSet<String> = terms(query).into_iter().collect();
        let mut scores: BTreeMap<usize, f64> = BTreeMap::new();
        for t in &q {
            let Some(list) = self.postings.get(t) else {
                continue;
            };
            let idf = self.idf(t);
            for &i in list {
                let tf = f64::from(self.counts[i][t]);
                let norm = K1 * (1.0 - B + B * self.lengths[i] / self.average);
                *scores.entry(i).or_default() += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .map(|(at, score)| Hit {
                at,
                score,
                coverage: self.coverage_of(&q, &self.counts[at]),
            })
            .collect();
        hits.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| self.passages[a.at].id.cmp(&self.passages[b.at].id))
        });
        hits.truncate(limit);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passage::Kind;

    #[test]
    fn the_passage_that_says_it_comes_first() {
        let idx = Index::new(vec![
            Passage::new(
                Kind::Policy,
                "P#1",
                "Access",
                "Multi-factor authentication is required for all workforce access.",
            ),
            Passage::new(
                Kind::Policy,
                "P#2",
                "Backup",
                "Production databases are backed up daily.",
            ),
            Passage::new(
                Kind::Policy,
                "P#3",
                "Vendors",
                "Vendors are reviewed every year.",
            ),
        ]);
        let hits = idx.search("Do you enforce 2FA for employees' access?", 3);
        assert_eq!(idx.passages()[hits[0].at].id, "policy:P#1");
        assert_eq!(hits.len(), 1);
        let hits = idx.search("How often are backups taken?", 3);
        assert_eq!(idx.passages()[hits[0].at].id, "policy:P#2");
        assert!(
            hits[0].coverage > 0.0 && hits[0].coverage < 1.0,
            "only `backup` of three words"
        );
    }
}
