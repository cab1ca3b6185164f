//! A small document model shared by the readiness and SOC 2 reports, rendered to Markdown,
//! self-contained HTML and Typst (for PDF): headings, paragraphs, lists, tables, SVG charts.

use std::fmt::Write as _;

/// One block of a document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading, level 1 to 3.
    Heading(u8, String),
    /// A paragraph of plain text.
    Para(String),
    /// A highlighted notice (the draft warning, "no evidence yet").
    Notice(String),
    /// A bulleted list.
    List(Vec<String>),
    /// Key-value lines (summary facts).
    Facts(Vec<(String, String)>),
    /// A table with a header row.
    Table {
        /// Column titles.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// An SVG chart, with a sentence describing it for text formats.
    Chart {
        /// The SVG markup.
        svg: String,
        /// What it shows, in words.
        alt: String,
    },
    /// Start a new page (PDF), a rule elsewhere.
    PageBreak,
}

/// A document.
#[derive(Debug, Clone, PartialEq)]
pub struct Doc {
    /// Title.
    pub title: String,
    /// Lines under the title (organization, system, period).
    pub subtitle: Vec<String>,
    /// A watermark across every page (`DRAFT`), if any.
    pub watermark: Option<String>,
    /// Whether to print a table of contents after the title.
    pub contents: bool,
    /// The blocks.
    pub blocks: Vec<Block>,
}

/// Markdown (GitHub flavour): tables as pipe tables, charts as their description.
pub fn markdown(d: &Doc) -> String {
    let mut out = String::new();
    if let Some(w) = &d.watermark {
        let _ = writeln!(out, "> **{}**\n", md_line(w));
    }
    let _ = writeln!(out, "# {}\n", md_line(&d.title));
    for s in &d.subtitle {
        let _ = writeln!(out, "{}  ", md_line(s));
    }
    out.push('\n');
    if d.contents {
        out.push_str("## Contents\n\n");
        for b in &d.blocks {
            if let Block::Heading(1, t) = b {
                let _ = writeln!(out, "- [{}](#{})", md_line(t), anchor(t));
            }
        }
        out.push('\n');
    }
    for b in &d.blocks {
        match b {
            Block::Heading(l, t) => {
                let _ = writeln!(out, "{} {}\n", "#".repeat(usize::from(*l) + 1), md_line(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}\n", md_escape(t));
            }
            Block::Notice(t) => {
                for line in t.lines() {
                    let _ = writeln!(out, "> {}", md_escape(line));
                }
                out.push('\n');
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {}", md_escape(i));
                }
                out.push('\n');
            }
            Block::Facts(kv) => {
                for (k, v) in kv {
                    let _ = writeln!(out, "- **{}:** {}", md_line(k), md_escape(v));
                }
                out.push('\n');
            }
            Block::Table { header, rows } => {
                // `|` is escaped by md_escape; a newline becomes our own `<br>`.
                let cell = |s: &str| s.lines().map(md_escape).collect::<Vec<_>>().join("<br>");
                let _ = writeln!(
                    out,
                    "| {} |",
                    header
                        .iter()
                        .map(|h| cell(h))
                        .collect::<Vec<_>>()
                        .join(" | ")
                );
                let _ = writeln!(out, "|{}|", vec!["---"; header.len()].join("|"));
                for r in rows {
                    let _ = writeln!(
                        out,
                        "| {} |",
                        r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                    );
                }
                out.push('\n');
            }
            Block::Chart { alt, .. } => {
                let _ = writeln!(out, "*{}*\n", md_line(alt));
            }
            Block::PageBreak => out.push_str("---\n\n"),
        }
    }
    out
}

/// Text made literal for Markdown (CommonMark and GitHub's extensions) and OSCAL markup:
/// `&`, `<` and `>` become entities (no raw HTML, no autolink `<...>` survives); the
/// characters that start emphasis, code, links, images, tables, strikethrough and math
/// (`\ * _ ` [ ] ! | ~ $`) are backslash-escaped; and a line cannot start a heading, a list,
/// a quote or a setext underline (`#`, `-`, `+`, `=`, `1.`, `1)` at a line's start are
/// escaped). Rendered, the text reads exactly as given.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let indent = line.len() - line.trim_start().len();
        let body = &line[indent..];
        out.push_str(&line[..indent]);
        // A digit run then `.` or `)` and a space starts an ordered list: escape the
        // punctuation.
        let chars: Vec<char> = body.chars().collect();
        let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
        let ends_mark = chars.get(digits + 1).is_none_or(|c| c.is_whitespace());
        for (j, &c) in chars.iter().enumerate() {
            let at_start = j == 0 && matches!(c, '#' | '-' | '+' | '=');
            let list_mark = j == digits && digits > 0 && ends_mark && matches!(c, '.' | ')');
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '\\' | '`' | '*' | '_' | '[' | ']' | '!' | '|' | '~' | '$' => {
                    out.push('\\');
                    out.push(c);
                }
                _ if at_start || list_mark => {
                    out.push('\\');
                    out.push(c);
                }
                _ => out.push(c),
            }
        }
    }
    out
}

/// [`md_escape`] on one line (newlines become spaces), for headings, list items and facts.
fn md_line(s: &str) -> String {
    md_escape(&s.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// An anchor id from heading text.
pub fn anchor(t: &str) -> String {
    t.to_lowercase()
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' => Some(c),
            ' ' => Some('-'),
            _ => None,
        })
        .collect()
}

/// Text escaped for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const CSS: &str = r#"
:root { --ink:#1d2433; --muted:#5b6475; --line:#d9dee7; --accent:#1f4e8c; --bg:#ffffff; }
* { box-sizing: border-box; }
body { font-family: "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg);
       max-width: 1040px; margin: 0 auto; padding: 40px 48px 80px; line-height: 1.5; font-size: 15px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 18px; margin-bottom: 28px; }
header h1 { margin: 0 0 8px; font-size: 28px; color: var(--accent); }
header p { margin: 2px 0; color: var(--muted); }
h2 { font-size: 21px; margin-top: 40px; border-bottom: 1px solid var(--line); padding-bottom: 6px; color: var(--accent); }
h3 { font-size: 17px; margin-top: 28px; }
h4 { font-size: 15px; margin-top: 20px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 12px 0 20px; font-size: 13px; }
th { background: #eef2f8; text-align: left; font-weight: 600; }
th, td { border: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
tr:nth-child(even) td { background: #fafbfd; }
.notice { border-left: 5px solid #c0392b; background: #fdf1ef; padding: 12px 16px; margin: 16px 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 12px 0 20px; }
.facts dt { font-weight: 600; color: var(--muted); }
.facts dd { margin: 0; }
.chart { margin: 12px 0 24px; }
nav ol { columns: 2; }
.watermark { position: fixed; top: 40%; left: 0; right: 0; text-align: center; font-size: 140px;
             font-weight: 700; color: rgba(192, 57, 43, 0.08); transform: rotate(-30deg);
             pointer-events: none; z-index: 0; }
hr { border: 0; border-top: 1px solid var(--line); margin: 32px 0; }
@media print { body { padding: 0; } h2 { page-break-before: auto; } }
"#;

/// One self-contained HTML file: inline CSS and SVG, no scripts, no external resources.
pub fn html(d: &Doc) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&d.title)
    );
    if let Some(w) = &d.watermark {
        let _ = writeln!(out, "<div class=\"watermark\">{}</div>", esc(w));
    }
    let _ = writeln!(out, "<header><h1>{}</h1>", esc(&d.title));
    for s in &d.subtitle {
        let _ = writeln!(out, "<p>{}</p>", esc(s));
    }
    out.push_str("</header>\n");
    if d.contents {
        out.push_str("<nav><h2>Contents</h2><ol>\n");
        for b in &d.blocks {
            if let Block::Heading(1, t) = b {
                let _ = writeln!(out, "<li><a href=\"#{}\">{}</a></li>", anchor(t), esc(t));
            }
        }
        out.push_str("</ol></nav>\n");
    }
    for b in &d.blocks {
        match b {
            Block::Heading(l, t) => {
                let l = l + 1;
                let _ = writeln!(out, "<h{l} id=\"{}\">{}</h{l}>", anchor(t), esc(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "<p>{}</p>", esc(t));
            }
            Block::Notice(t) => {
                let _ = writeln!(
                    out,
                    "<div class=\"notice\">{}</div>",
                    esc(t).replace('\n', "<br>")
                );
            }
            Block::List(items) => {
                out.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(out, "<li>{}</li>", esc(i));
                }
                out.push_str("</ul>\n");
            }
            Block::Facts(kv) => {
                out.push_str("<dl class=\"facts\">\n");
                for (k, v) in kv {
                    let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
                }
                out.push_str("</dl>\n");
            }
            Block::Table { header, rows } => {
                out.push_str("<table>\n<thead><tr>");
                for h in header {
                    let _ = write!(out, "<th>{}</th>", esc(h));
                }
                out.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    out.push_str("<tr>");
                    for c in r {
                        let _ = write!(out, "<td>{}</td>", esc(c).replace('\n', "<br>"));
                    }
                    out.push_str("</tr>\n");
                }
                out.push_str("</tbody>\n</table>\n");
            }
            Block::Chart { svg, alt } => {
                let _ = writeln!(
                    out,
                    "<figure class=\"chart\" role=\"img\" aria-label=\"{}\">{svg}</figure>",
                    esc(alt)
                );
            }
            Block::PageBreak => out.push_str("<hr>\n"),
        }
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// Text escaped for Typst markup: every character Typst's markup gives a meaning (functions,
/// emphasis, raw, math, labels, references, comments, headings, lists, links, shorthands,
/// smart quotes) is backslash-escaped, so the text is typeset literally. Links need `://`
/// and enumerations `1.`: `/` and `.` are escaped, so neither can form.
fn ty(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '#'
                | '*'
                | '_'
                | '`'
                | '$'
                | '<'
                | '>'
                | '@'
                | '['
                | ']'
                | '~'
                | '/'
                | '='
                | '-'
                | '+'
                | '"'
                | '\''
                | '.'
                | ':'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Typst string literal (in code, e.g. document metadata): `\`, `"` and line breaks
/// escaped, so no text can close the string.
fn ty_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Typst markup for the PDF: a title page, contents, page numbers, tables whose header row
/// repeats when they split across pages, charts as SVG images (`chart-N.svg`, returned).
pub fn typst(d: &Doc) -> (String, Vec<(String, String)>) {
    let mut out = String::new();
    let mut images = Vec::new();
    let watermark = d
        .watermark
        .as_ref()
        .map(|w| format!("background: rotate(-30deg, text(96pt, fill: rgb(192, 57, 43, 22), weight: \"bold\")[{}]),", ty(w)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "#set document(title: {})\n#set page(paper: \"a4\", margin: (x: 2cm, y: 2.2cm), {watermark} footer: context [#set text(8pt, fill: gray); {} #h(1fr) #counter(page).display(\"1 of 1\", both: true)])\n#set text(font: \"Libertinus Serif\", size: 10pt)\n#set par(justify: true)\n#set heading(numbering: none)\n#show heading.where(level: 1): it => [#pagebreak(weak: true) #text(16pt, fill: rgb(31, 78, 140), it)]\n#show table.cell.where(y: 0): set text(weight: \"bold\")\n",
        ty_str(&d.title),
        ty(&d.title)
    );
    let _ = writeln!(
        out,
        "#align(center + horizon)[#text(24pt, weight: \"bold\", fill: rgb(31, 78, 140))[{}]",
        ty(&d.title)
    );
    for s in &d.subtitle {
        let _ = writeln!(out, "\n#text(12pt)[{}]", ty(s));
    }
    out.push_str("]\n#pagebreak()\n");
    if d.contents {
        out.push_str("#outline(title: [Contents], depth: 2)\n#pagebreak()\n");
    }
    for b in &d.blocks {
        match b {
            Block::Heading(l, t) => {
                let _ = writeln!(out, "\n{} {}\n", "=".repeat(usize::from(*l)), ty(t));
            }
            Block::Para(t) => {
                let _ = writeln!(out, "{}\n", ty(t));
            }
            Block::Notice(t) => {
                let _ = writeln!(
                    out,
                    "#block(fill: rgb(253, 241, 239), stroke: (left: 3pt + rgb(192, 57, 43)), inset: 10pt, width: 100%)[{}]\n",
                    ty(t).replace('\n', " \\ ")
                );
            }
            Block::List(items) => {
                for i in items {
                    let _ = writeln!(out, "- {}", ty(i));
                }
                out.push('\n');
            }
            Block::Facts(kv) => {
                out.push_str("#table(columns: (auto, 1fr), stroke: none,\n");
                for (k, v) in kv {
                    let _ = writeln!(out, "  [*{}*], [{}],", ty(k), ty(v));
                }
                out.push_str(")\n");
            }
            Block::Table { header, rows } => {
                let _ = writeln!(
                    out,
                    "#table(columns: {}, stroke: 0.5pt + rgb(200, 205, 215), inset: 4pt, fill: (_, y) => if y == 0 {{ rgb(238, 242, 248) }},\n  table.header({}),",
                    header.len(),
                    header.iter().map(|h| format!("[{}]", ty(h))).collect::<Vec<_>>().join(", ")
                );
                for r in rows {
                    let cells: Vec<String> = r
                        .iter()
                        .map(|c| format!("[#text(8pt)[{}]]", ty(c).replace('\n', " \\ ")))
                        .collect();
                    let _ = writeln!(out, "  {},", cells.join(", "));
                }
                out.push_str(")\n");
            }
            Block::Chart { svg, alt } => {
                let name = format!("chart-{}.svg", images.len() + 1);
                let _ = writeln!(
                    out,
                    "#figure(image(\"{name}\", width: 100%), caption: [{}])\n",
                    ty(alt)
                );
                images.push((name, svg.clone()));
            }
            Block::PageBreak => out.push_str("#pagebreak()\n"),
        }
    }
    (out, images)
}
