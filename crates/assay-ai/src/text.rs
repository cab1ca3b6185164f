//! Words for retrieval: lower-cased alphanumeric tokens without stop words, with the
//! security vocabulary's synonyms folded together (`2fa` and `multi-factor` are `mfa`) and
//! every word cut to its first five letters, a stemmer that treats `encrypted`,
//! `encryption` and `encrypts` alike without a dictionary.

/// Words that carry no meaning for matching a question to a passage.
const STOP: &[&str] = &[
    "a",
    "about",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "being",
    "by",
    "can",
    "could",
    "describe",
    "did",
    "do",
    "does",
    "each",
    "either",
    "for",
    "from",
    "has",
    "have",
    "how",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "may",
    "must",
    "of",
    "on",
    "or",
    "org",
    "organization",
    "organisation",
    "our",
    "please",
    "provide",
    "shall",
    "should",
    "so",
    "such",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "to",
    "upon",
    "us",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "whether",
    "which",
    "who",
    "whom",
    "will",
    "with",
    "within",
    "would",
    "you",
    "your",
    "company",
    "yes",
    "explain",
    "applicable",
    "currently",
    "ensure",
    "ensured",
    "use",
    "used",
    "using",
];

/// Phrases and words folded into one term before stemming (the left side is matched on
/// whole words, in order).
const SYNONYMS: &[(&[&str], &str)] = &[
    (&["multi", "factor"], "mfa"),
    (&["multifactor"], "mfa"),
    (&["two", "factor"], "mfa"),
    (&["2fa"], "mfa"),
    (&["single", "sign", "on"], "sso"),
    (&["penetration"], "pentest"),
    (&["pen", "test"], "pentest"),
    (&["pentests"], "pentest"),
    (&["back", "up"], "backup"),
    (&["backed", "up"], "backup"),
    (&["off", "boarding"], "offboard"),
    (&["offboarding"], "offboard"),
    (&["termination"], "offboard"),
    (&["terminated"], "offboard"),
    (&["leaver"], "offboard"),
    (&["leavers"], "offboard"),
    (&["leaves"], "offboard"),
    (&["departure"], "offboard"),
    (&["departures"], "offboard"),
    (&["departing"], "offboard"),
    (&["onboarding"], "onboard"),
    (&["joiner"], "onboard"),
    (&["joiners"], "onboard"),
    (&["third", "party"], "vendor"),
    (&["third", "parties"], "vendor"),
    (&["supplier"], "vendor"),
    (&["suppliers"], "vendor"),
    (&["subprocessor"], "vendor"),
    (&["subprocessors"], "vendor"),
    (&["anti", "virus"], "malware"),
    (&["antivirus"], "malware"),
    (&["edr"], "malware"),
    (&["pii"], "personal"),
    (&["logs"], "logging"),
    (&["log"], "logging"),
    (&["disaster", "recovery"], "drplan"),
    (&["dr"], "drplan"),
    (&["bcp"], "continuity"),
];

/// The terms of `text`, in order, with repeats.
pub fn terms(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    'next: while i < words.len() {
        for (phrase, to) in SYNONYMS {
            let n = phrase.len();
            if i + n <= words.len() && phrase.iter().zip(&words[i..i + n]).all(|(a, b)| a == b) {
                out.push((*to).to_string());
                i += n;
                continue 'next;
            }
        }
        let w = &words[i];
        i += 1;
        if STOP.contains(&w.as_str()) || (w.len() < 2 && !w.chars().all(|c| c.is_ascii_digit())) {
            continue;
        }
        out.push(stem(w));
    }
    out
}

/// The word's first five letters (whole numbers are kept as they are).
pub fn stem(word: &str) -> String {
    if word.chars().all(|c| c.is_ascii_digit()) {
        return word.to_string();
    }
    word.chars().take(5).collect()
}

/// The sentences of `text`: split after `.`, `;`, `?` or `!` followed by a space, and at
/// line ends, without empty pieces.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut start = 0;
        let bytes = line.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            let end = matches!(b, b'.' | b';' | b'?' | b'!')
                && bytes.get(i + 1).is_none_or(|n| *n == b' ');
            // Section numbers such as `4.1.3` are not sentence ends.
            if end && !(i > 0 && bytes[i - 1].is_ascii_digit() && *b == b'.') {
                push(&mut out, &line[start..=i]);
                start = i + 1;
            }
        }
        push(&mut out, &line[start..]);
    }
    out
}

fn push(out: &mut Vec<String>, piece: &str) {
    let t = piece.trim().trim_start_matches(['-', '*', '|', ' ']).trim();
    if t.chars().any(char::is_alphanumeric) {
        out.push(t.to_string());
    }
}

/// Words that deny what follows.
const NEGATORS: &[&str] = &[
    "not",
    "never",
    "no",
    "nobody",
    "none",
    "neither",
    "nor",
    "nothing",
    "prohibited",
    "forbidden",
    "cannot",
    "isn't",
    "aren't",
    "don't",
    "doesn't",
    "disallowed",
];

/// Words that make a question ask about preventing something, so that a passage's denial
/// agrees with it rather than answering "no".
const PREVENTING: &[&str] = &[
    "out",
    "without",
    "prevent",
    "prevented",
    "prohibit",
    "prohibited",
    "against",
    "restrict",
    "restricted",
    "block",
    "blocked",
    "deny",
    "denied",
    "forbid",
    "forbidden",
];

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Verbs after which `not` denies the predicate (`is not allowed`), where after a noun it
/// only narrows it (`any password not managed by SSO`).
const AUXILIARIES: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "do", "does", "did", "may", "must", "can", "could",
    "should", "will", "would", "has", "have", "shall", "need",
];

/// Whether a sentence or clause says that something is not done or not allowed. `No later
/// than` and its kin are limits, not denials; `not` after a noun narrows the noun.
pub fn negative(sentence: &str) -> bool {
    let w = words(sentence);
    w.iter().enumerate().any(|(i, word)| {
        if !NEGATORS.contains(&word.as_str()) {
            return false;
        }
        let next = w.get(i + 1).map(String::as_str);
        let after = w.get(i + 2).map(String::as_str);
        if matches!(
            next,
            Some("later" | "more" | "less" | "fewer" | "earlier" | "longer" | "sooner")
        ) && after == Some("than")
        {
            return false;
        }
        if word == "not" {
            return i > 0 && AUXILIARIES.contains(&w[i - 1].as_str());
        }
        true
    })
}

/// Whether a question asks whether something is prevented or denied (or is itself
/// negative), so that a denial in the passage agrees with it.
pub fn asks_prevention(question: &str) -> bool {
    negative(question)
        || words(question)
            .iter()
            .any(|w| PREVENTING.contains(&w.as_str()))
}

/// The clauses of a sentence: split at commas, semicolons, colons and `but`.
pub fn clauses(sentence: &str) -> Vec<String> {
    sentence
        .split([',', ';', ':'])
        .flat_map(|c| c.split(" but "))
        .map(|c| c.trim().to_string())
        .filter(|c| c.chars().any(char::is_alphanumeric))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_and_stems_meet() {
        assert_eq!(
            terms("Is two-factor authentication enforced?"),
            ["mfa", "authe", "enfor"]
        );
        assert_eq!(
            terms("Multi-factor authentication is enforced"),
            ["mfa", "authe", "enfor"]
        );
        assert_eq!(terms("data encrypted"), terms("data encryption"));
        assert_eq!(terms("Do you have a 24 hour SLA"), ["24", "hour", "sla"]);
    }

    #[test]
    fn sentences_keep_section_numbers() {
        let s = sentences("4.1.3 MFA is required. SMS codes are not accepted.\n- a list item");
        assert_eq!(
            s,
            [
                "4.1.3 MFA is required.",
                "SMS codes are not accepted.",
                "a list item"
            ]
        );
        assert!(negative(&s[1]));
        assert!(!negative(&s[0]));
    }
}
