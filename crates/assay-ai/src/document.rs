//! The text of documents for review: Markdown (or plain text) as it is, DOCX as
//! Markdown-like text (headings as `##`, one paragraph per block), and PDF through poppler's
//! `pdftotext` (Debian's poppler-utils), which is asked for by name when it is missing.

use crate::error::AiError;
use std::io::Read;
use std::path::Path;

/// The document's text.
pub fn text(path: &Path) -> Result<String, AiError> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "md" | "markdown" | "txt" => {
            let t = std::fs::read_to_string(path).map_err(AiError::io(path))?;
            // A front matter block is metadata, not policy text.
            Ok(match assay_front_matter(&t) {
                Some(body) => body.to_string(),
                None => t,
            })
        }
        "docx" => docx(path),
        "pdf" => pdf(path),
        _ => Err(AiError::file(
            path,
            "review reads .md, .txt, .docx and .pdf documents",
        )),
    }
}

fn pdf(path: &Path) -> Result<String, AiError> {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .map_err(|_| {
            AiError::file(
                path,
                "PDF text is read with pdftotext: install it (`apt-get install poppler-utils`), or save the document as DOCX or Markdown",
            )
        })?;
    if !out.status.success() {
        return Err(AiError::file(
            path,
            format!(
                "pdftotext cannot read it: {}; is it a PDF? A scanned one needs OCR first",
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn assay_front_matter(t: &str) -> Option<&str> {
    let rest = t.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some(&rest[end + 5..])
}

fn docx(path: &Path) -> Result<String, AiError> {
    let file = std::fs::File::open(path).map_err(AiError::io(path))?;
    let mut zip = zip::ZipArchive::new(file)
        .map_err(|e| AiError::file(path, format!("not a DOCX (zip) file: {e}")))?;
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .map_err(|_| AiError::file(path, "no word/document.xml inside; is it a Word document?"))?
        .read_to_string(&mut xml)
        .map_err(AiError::io(path))?;
    let mut out = String::new();
    for para in xml.split("</w:p>") {
        let heading = para.contains("w:val=\"Heading") || para.contains("w:val=\"Title");
        let mut text = String::new();
        let mut rest = para;
        while let Some(start) = rest.find("<w:t") {
            let after = &rest[start..];
            let Some(open_end) = after.find('>') else {
                break;
            };
            // `<w:tab/>`, `<w:tbl>` and the like are not text runs.
            let tag = &after[..open_end];
            if !(tag == "<w:t" || tag.starts_with("<w:t ")) || tag.ends_with('/') {
                rest = &after[open_end + 1..];
                continue;
            }
            let body = &after[open_end + 1..];
            let Some(close) = body.find("</w:t>") else {
                break;
            };
            text.push_str(&unescape(&body[..close]));
            rest = &body[close + 6..];
        }
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        if heading {
            out.push_str("## ");
        }
        out.push_str(text);
        out.push_str("\n\n");
    }
    Ok(out)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}
