//! A policy's Markdown body as passages: each numbered statement (`4.1.3 ...`, with the
//! list under it) is one passage, and the rest of each section (its prose, lists and
//! tables) is another. Citation ids are `policy:<POLICY-ID>#<number>`.

use crate::passage::{Kind, Passage};

/// The section or statement number opening `s` (`4.1.3`, or `1` from `1. Purpose`).
fn number(s: &str) -> Option<String> {
    let head = s.split_whitespace().next()?;
    let n = head.trim_end_matches('.');
    let ok = !n.is_empty()
        && n.chars().all(|c| c.is_ascii_digit() || c == '.')
        && n.chars().next().is_some_and(|c| c.is_ascii_digit());
    ok.then(|| n.to_string())
}

struct Open {
    reference: String,
    title: String,
    text: String,
}

/// The passages of policy `id` (titled `title`) from its Markdown `body`.
pub fn passages(id: &str, title: &str, body: &str) -> Vec<Passage> {
    let mut out: Vec<Passage> = Vec::new();
    // Text before the first heading is the document's opening section.
    let mut section = Open {
        reference: format!("{id}#s0"),
        title: title.to_string(),
        text: String::new(),
    };
    let mut statement: Option<Open> = None;
    let mut heading = String::new();
    let mut slug = 0;
    let close = |o: Open, out: &mut Vec<Passage>| {
        if !o.text.trim().is_empty() {
            out.push(Passage::new(Kind::Policy, &o.reference, &o.title, &o.text));
        }
    };
    let blocks: Vec<String> = body
        .split("\n\n")
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .collect();
    for block in blocks {
        if let Some(h) = block.strip_prefix('#') {
            let h = h.trim_start_matches('#').trim();
            if let Some(s) = statement.take() {
                close(s, &mut out);
            }
            let done = std::mem::replace(
                &mut section,
                Open {
                    reference: String::new(),
                    title: String::new(),
                    text: String::new(),
                },
            );
            close(done, &mut out);
            heading = h.lines().next().unwrap_or("").to_string();
            slug += 1;
            let reference = number(&heading).unwrap_or_else(|| format!("s{slug}"));
            section = Open {
                reference: format!("{id}#{reference}"),
                title: format!("{title}, {heading}"),
                text: String::new(),
            };
            // A heading block may carry text on its following lines.
            let rest: Vec<&str> = h.lines().skip(1).collect();
            section.text.push_str(&rest.join("\n"));
            continue;
        }
        if let Some(n) = number(&block) {
            if let Some(s) = statement.take() {
                close(s, &mut out);
            }
            statement = Some(Open {
                reference: format!("{id}#{n}"),
                title: format!("{title}, {heading}"),
                text: clean(&block),
            });
            continue;
        }
        let list = block.starts_with('-') || block.starts_with('*');
        match statement.as_mut() {
            Some(s) if list => {
                s.text.push('\n');
                s.text.push_str(&clean(&block));
            }
            _ => {
                if let Some(s) = statement.take() {
                    close(s, &mut out);
                }
                if !section.text.is_empty() {
                    section.text.push('\n');
                }
                section.text.push_str(&clean(&block));
            }
        }
    }
    if let Some(s) = statement.take() {
        close(s, &mut out);
    }
    close(section, &mut out);
    out
}

/// Markdown reduced to its words: table rules dropped, cells joined, emphasis removed.
fn clean(block: &str) -> String {
    block
        .lines()
        .filter(|l| !l.trim_start().starts_with("|-") && !l.trim_start().starts_with("|:"))
        .map(|l| {
            let l = l.trim();
            if l.starts_with('|') {
                l.trim_matches('|')
                    .split('|')
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(": ")
            } else {
                l.replace("**", "").replace('`', "")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_and_sections_are_passages() {
        let body = "# Access\n\n## 1. Purpose\n\nWhy we do it.\n\n## 4. Statements\n\n### 4.1 Identity\n\n4.1.1 One account each.\n\n4.1.2 SSO everywhere:\n\n- apps\n- consoles\n\nA closing remark.\n";
        let p = passages("POL-A", "Access Policy", body);
        let ids: Vec<&str> = p.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "policy:POL-A#1",
                "policy:POL-A#4.1.1",
                "policy:POL-A#4.1.2",
                "policy:POL-A#4.1"
            ]
        );
        assert_eq!(p[2].text, "4.1.2 SSO everywhere:\n- apps\n- consoles");
        assert_eq!(p[3].text, "A closing remark.");
        assert_eq!(p[1].title, "Access Policy, 4.1 Identity");
    }
}
