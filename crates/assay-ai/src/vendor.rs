//! Facts an auditor extracts from a vendor's SOC report, proposed from its text without a
//! model: the report's kind, its period (or date), the service auditor, the opinion, the
//! exceptions noted in the tests of controls, and the complementary user entity controls
//! (CUECs). Each fact carries the line it was read from, so a person checks it at a glance.

use serde::Serialize;

/// One proposed fact and where it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Read<T> {
    /// The value.
    pub value: T,
    /// The line of the document's text, from 1.
    pub line: usize,
    /// The line as read.
    pub quote: String,
}

/// The facts proposed from a SOC report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SocFacts {
    /// `SOC 1` or `SOC 2`, with `Type I` or `Type II`.
    pub report: Option<Read<String>>,
    /// The period's first day (Type II), YYYY-MM-DD.
    pub period_start: Option<Read<String>>,
    /// The period's last day, or the Type I date, YYYY-MM-DD.
    pub period_end: Option<Read<String>>,
    /// The service auditor (the firm that signed the opinion).
    pub auditor: Option<Read<String>>,
    /// `unqualified`, `qualified`, `adverse` or `disclaimer`.
    pub opinion: Option<Read<String>>,
    /// Each exception noted in the tests of controls.
    pub exceptions: Vec<Read<String>>,
    /// Each complementary user entity control.
    pub cuecs: Vec<Read<String>>,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The dates written in `s`, in order, as YYYY-MM-DD: `January 1, 2026`, `1 January 2026`
/// or `2026-01-01`.
pub fn dates(s: &str) -> Vec<String> {
    let words: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-')
                .to_string()
        })
        .collect();
    let month = |w: &str| {
        MONTHS
            .iter()
            .position(|m| *m == w.to_lowercase())
            .map(|i| i + 1)
    };
    let num = |w: &str| w.parse::<u32>().ok();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if let Some((y, rest)) = w.split_once('-') {
            if let (Some(y), Some((m, d))) = (num(y), rest.split_once('-')) {
                if let (Some(m), Some(d)) = (num(m), num(d)) {
                    if (1900..2200).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d) {
                        out.push(format!("{y:04}-{m:02}-{d:02}"));
                    }
                }
            }
        }
        if let Some(m) = month(w) {
            // Month day, year
            if let (Some(d), Some(y)) = (
                words.get(i + 1).and_then(|x| num(x)),
                words.get(i + 2).and_then(|x| num(x)),
            ) {
                if (1..=31).contains(&d) && (1900..2200).contains(&y) {
                    out.push(format!("{y:04}-{m:02}-{d:02}"));
                    i += 3;
                    continue;
                }
            }
            // day Month year
            if let (Some(d), Some(y)) = (
                i.checked_sub(1).and_then(|j| num(&words[j])),
                words.get(i + 1).and_then(|x| num(x)),
            ) {
                if (1..=31).contains(&d) && (1900..2200).contains(&y) {
                    out.push(format!("{y:04}-{m:02}-{d:02}"));
                }
            }
        }
        i += 1;
    }
    out
}

fn read<T>(value: T, line: usize, quote: &str) -> Read<T> {
    Read {
        value,
        line: line + 1,
        quote: quote.trim().to_string(),
    }
}

/// Whether a line is a heading of the CUEC section.
fn cuec_heading(l: &str) -> bool {
    let l = l.to_lowercase();
    l.contains("complementary user entity controls") || l.trim() == "cuecs"
}

/// Whether a line starts another section (short, without a sentence's end, capitalized).
fn another_heading(l: &str) -> bool {
    let t = l.trim();
    !t.is_empty()
        && t.len() < 80
        && !t.ends_with('.')
        && !t.ends_with(';')
        && !t.starts_with(['-', '•', '*', '–'])
        && !t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().next().is_some_and(char::is_uppercase)
        && t.split_whitespace().count() <= 8
}

/// The facts of a SOC report's text.
pub fn soc_facts(text: &str) -> SocFacts {
    let lines: Vec<&str> = text.lines().collect();
    let mut f = SocFacts::default();
    for (i, l) in lines.iter().enumerate() {
        let lower = l.to_lowercase();
        if f.report.is_none() {
            let soc = if lower.contains("soc 2") || lower.contains("soc2") {
                Some("SOC 2")
            } else if lower.contains("soc 1") || lower.contains("soc1") {
                Some("SOC 1")
            } else {
                None
            };
            let kind = if lower.contains("type ii") || lower.contains("type 2") {
                Some("Type II")
            } else if lower.contains("type i") || lower.contains("type 1") {
                Some("Type I")
            } else {
                None
            };
            if let (Some(s), Some(k)) = (soc, kind) {
                f.report = Some(read(format!("{s} {k}"), i, l));
            }
        }
        if f.period_end.is_none() {
            let d = dates(l);
            if (lower.contains("period") || lower.contains("through")) && d.len() >= 2 {
                f.period_start = Some(read(d[0].clone(), i, l));
                f.period_end = Some(read(d[1].clone(), i, l));
            } else if lower.contains("as of") && d.len() == 1 {
                f.period_end = Some(read(d[0].clone(), i, l));
            }
        }
        if f.auditor.is_none() {
            if let Some(name) = firm_name(l, &["LLP", "LLC", "CPAs", "P.C", "PC"]) {
                f.auditor = Some(read(name, i, l));
            }
        }
        if f.opinion.is_none() {
            let o = if lower.contains("adverse opinion") {
                Some("adverse")
            } else if lower.contains("do not express an opinion")
                || lower.contains("disclaimer of opinion")
            {
                Some("disclaimer")
            } else if lower.contains("qualified opinion") && !lower.contains("unqualified") {
                Some("qualified")
            } else if lower.contains("in our opinion") {
                // "except for" in the opinion paragraph qualifies it.
                let para: String = lines[i..lines.len().min(i + 4)].join(" ").to_lowercase();
                Some(if para.contains("except for") {
                    "qualified"
                } else {
                    "unqualified"
                })
            } else {
                None
            };
            if let Some(o) = o {
                f.opinion = Some(read(o.to_string(), i, l));
            }
        }
        let exception = (lower.contains("exception noted") || lower.contains("exceptions noted"))
            && !lower.contains("no exception");
        if exception {
            f.exceptions.push(read(l.trim().to_string(), i, l));
        }
    }
    // CUECs: the items under their heading, up to the next heading.
    if let Some(h) = lines.iter().position(|l| cuec_heading(l)) {
        for (j, l) in lines.iter().enumerate().skip(h + 1) {
            let t = l.trim();
            if t.is_empty() {
                continue;
            }
            if another_heading(t) && !f.cuecs.is_empty() {
                break;
            }
            let item = t.trim_start_matches(['-', '•', '*', '–', ' ']);
            let item = item
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')')
                .trim();
            let is_item = t.starts_with(['-', '•', '*', '–'])
                || t.chars().next().is_some_and(|c| c.is_ascii_digit());
            if is_item && !item.is_empty() {
                f.cuecs.push(read(item.to_string(), j, l));
            } else if let Some(last) = f.cuecs.last_mut().filter(|_| !another_heading(t)) {
                // A wrapped line continues the item.
                last.value.push(' ');
                last.value.push_str(t);
            }
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_usual_spellings() {
        assert_eq!(
            dates("for the period January 1, 2026 to June 30, 2026"),
            ["2026-01-01", "2026-06-30"]
        );
        assert_eq!(dates("as of 31 March 2026"), ["2026-03-31"]);
        assert_eq!(
            dates("2026-02-03 through 2026-12-31."),
            ["2026-02-03", "2026-12-31"]
        );
    }

    #[test]
    fn facts_with_their_lines() {
        let text = "Report on Controls (SOC 2 Type II)\n\
            Throughout the period January 1, 2026 to June 30, 2026\n\
            Independent Service Auditor's Report\n\
            In our opinion, in all material respects, the controls were suitably designed.\n\
            Harbor & Vale LLP\n\
            CC6.2 Access requests were approved. Exception noted: 1 of 25 requests lacked approval.\n\
            CC7.1 Scans ran weekly. No exceptions noted.\n\
            Complementary User Entity Controls\n\
            - User entities review their users' access each quarter.\n\
            - User entities protect their API keys.\n\
            Subservice Organizations\n";
        let f = soc_facts(text);
        assert_eq!(f.report.unwrap().value, "SOC 2 Type II");
        assert_eq!(f.period_start.unwrap().value, "2026-01-01");
        assert_eq!(f.period_end.as_ref().unwrap().line, 2);
        assert_eq!(f.auditor.unwrap().value, "Harbor & Vale LLP");
        assert_eq!(f.opinion.unwrap().value, "unqualified");
        assert_eq!(f.exceptions.len(), 1);
        assert_eq!(f.exceptions[0].line, 6);
        let cuecs: Vec<&str> = f.cuecs.iter().map(|c| c.value.as_str()).collect();
        assert_eq!(
            cuecs,
            [
                "User entities review their users' access each quarter.",
                "User entities protect their API keys."
            ]
        );
    }
}

/// The facts proposed from a penetration test report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PentestFacts {
    /// The firm that tested.
    pub tester: Option<Read<String>>,
    /// The first day of testing, YYYY-MM-DD.
    pub tested_from: Option<Read<String>>,
    /// The last day of testing (the only day for a one-day test).
    pub tested_to: Option<Read<String>>,
    /// Findings by severity: each finding's line, in order.
    pub findings: Vec<Read<String>>,
    /// The count per severity (`critical`, `high`, `medium`, `low`, `informational`).
    pub by_severity: std::collections::BTreeMap<String, usize>,
}

const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "informational"];

/// Whether the text is a penetration test report rather than a SOC report.
pub fn is_pentest(text: &str) -> bool {
    let l = text.to_lowercase();
    (l.contains("penetration test") || l.contains("pentest"))
        && !(l.contains("soc 2") || l.contains("soc 1"))
}

/// A firm's name in a line: the capitalized words (or `&`) before the first of `suffixes`
/// (`Meridian & Co LLP`), without trailing punctuation; none without a word before it.
fn firm_name(line: &str, suffixes: &[&str]) -> Option<String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words
        .iter()
        .position(|w| suffixes.contains(&w.trim_matches([',', '.'])))?;
    let mut start = at;
    while start > 0
        && words[start - 1]
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c == '&')
    {
        start -= 1;
    }
    (start < at).then(|| {
        words[start..=at]
            .join(" ")
            .trim_end_matches([',', '.'])
            .to_string()
    })
}

/// The facts of a penetration test report's text. A finding is a line that starts with a
/// finding id (letters, a dash or nothing, then digits: `PT-01`, `F3`, `1.`) and names a
/// severity.
pub fn pentest_facts(text: &str) -> PentestFacts {
    let lines: Vec<&str> = text.lines().collect();
    let mut f = PentestFacts::default();
    for (i, l) in lines.iter().enumerate() {
        let lower = l.to_lowercase();
        if f.tester.is_none() {
            let said_by = lower.contains("performed by")
                || lower.contains("conducted by")
                || lower.contains("prepared by");
            if let Some(name) =
                firm_name(l, &["LLP", "LLC", "Ltd", "GmbH", "Inc"]).filter(|_| said_by)
            {
                f.tester = Some(read(name, i, l));
            }
        }
        if f.tested_to.is_none() && (lower.contains("test") || lower.contains("assessment")) {
            let d = dates(l);
            if (lower.contains("between") || lower.contains("from") || lower.contains("period"))
                && d.len() >= 2
            {
                f.tested_from = Some(read(d[0].clone(), i, l));
                f.tested_to = Some(read(d[1].clone(), i, l));
            } else if (lower.contains(" on ") || lower.contains("date")) && d.len() == 1 {
                f.tested_from = Some(read(d[0].clone(), i, l));
                f.tested_to = Some(read(d[0].clone(), i, l));
            }
        }
        let first = l.split_whitespace().next().unwrap_or("");
        let id = {
            let t = first.trim_end_matches(['.', ':', ')']);
            let digits = t
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .trim_start_matches('-');
            !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && t.len() <= 8
        };
        if id {
            let words: Vec<String> = lower
                .split(|c: char| !c.is_alphanumeric())
                .map(str::to_string)
                .collect();
            if let Some(sev) = SEVERITIES.iter().find(|s| words.iter().any(|w| w == *s)) {
                f.findings.push(read(l.trim().to_string(), i, l));
                *f.by_severity.entry((*sev).to_string()).or_default() += 1;
            }
        }
    }
    f
}
