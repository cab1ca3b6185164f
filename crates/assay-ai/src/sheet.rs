//! Questionnaires as files: CSV, or an XLSX workbook whose every sheet is kept (as values)
//! with the question sheet's new columns added. The format follows the file's extension.

use crate::error::AiError;
use std::path::Path;

/// One sheet: a header row and the rows under it (every row as long as the header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    /// The sheet's name (`Sheet1` for CSV).
    pub name: String,
    /// The header row.
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<Vec<String>>,
    /// The line (CSV) or row number (XLSX) of each row, from 1, for error messages.
    pub lines: Vec<usize>,
}

/// A workbook: the sheets in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// Its sheets.
    pub sheets: Vec<Sheet>,
}

fn kind(path: &Path) -> Result<&'static str, AiError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Ok("csv"),
        Some("xlsx") => Ok("xlsx"),
        _ => Err(AiError::file(
            path,
            "the format follows the extension: name the file `.csv` or `.xlsx`",
        )),
    }
}

fn sheet(name: String, mut grid: Vec<(usize, Vec<String>)>, path: &Path) -> Result<Sheet, AiError> {
    grid.retain(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
    if grid.is_empty() {
        return Err(AiError::file(
            path,
            format!("sheet `{name}` has no rows; the first row must name the columns"),
        ));
    }
    let (_, headers) = grid.remove(0);
    let headers: Vec<String> = headers.into_iter().map(|h| h.trim().to_string()).collect();
    let width = headers.len();
    let mut rows = Vec::new();
    let mut lines = Vec::new();
    for (line, mut r) in grid {
        r.resize(width.max(r.len()), String::new());
        rows.push(r);
        lines.push(line);
    }
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(width);
    let mut headers = headers;
    headers.resize(width, String::new());
    for r in &mut rows {
        r.resize(width, String::new());
    }
    Ok(Sheet {
        name,
        headers,
        rows,
        lines,
    })
}

/// Reads a CSV or XLSX file.
pub fn read(path: &Path) -> Result<Book, AiError> {
    match kind(path)? {
        "csv" => {
            let mut r = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_path(path)
                .map_err(|e| AiError::file(path, format!("cannot read it as CSV: {e}")))?;
            let mut grid = Vec::new();
            for rec in r.records() {
                let rec = rec.map_err(|e| {
                    let line = e.position().map_or(0, |p| p.line());
                    AiError::file(
                        path,
                        format!("line {line}: {e}; save the file as UTF-8 CSV"),
                    )
                })?;
                let line = rec.position().map_or(0, |p| p.line() as usize);
                grid.push((line, rec.iter().map(str::to_string).collect()));
            }
            Ok(Book {
                sheets: vec![sheet("Sheet1".into(), grid, path)?],
            })
        }
        _ => {
            use calamine::Reader;
            let mut wb = calamine::open_workbook_auto(path)
                .map_err(|e| AiError::file(path, format!("cannot open the workbook: {e}")))?;
            let mut sheets = Vec::new();
            for name in wb.sheet_names() {
                let range = wb
                    .worksheet_range(&name)
                    .map_err(|e| AiError::file(path, format!("sheet `{name}`: {e}")))?;
                let first = range.start().map_or(0, |(r, _)| r as usize);
                let grid = range
                    .rows()
                    .enumerate()
                    .map(|(i, row)| (first + i + 1, row.iter().map(cell).collect()))
                    .collect();
                match sheet(name.clone(), grid, path) {
                    Ok(s) => sheets.push(s),
                    Err(_) => sheets.push(Sheet {
                        name,
                        headers: Vec::new(),
                        rows: Vec::new(),
                        lines: Vec::new(),
                    }),
                }
            }
            Ok(Book { sheets })
        }
    }
}

fn cell(c: &calamine::Data) -> String {
    match c {
        calamine::Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        calamine::Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// Writes `book` as CSV (its first sheet only; the others are refused) or XLSX.
pub fn write(path: &Path, book: &Book) -> Result<(), AiError> {
    let tmp = path.with_extension(format!(
        "{}.partial",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    match kind(path)? {
        "csv" => {
            if book.sheets.len() > 1 {
                return Err(AiError::file(
                    path,
                    format!(
                        "the workbook has {} sheets and CSV holds one; write `.xlsx` instead",
                        book.sheets.len()
                    ),
                ));
            }
            let mut w =
                csv::Writer::from_path(&tmp).map_err(|e| AiError::file(&tmp, e.to_string()))?;
            for s in &book.sheets {
                w.write_record(&s.headers)
                    .map_err(|e| AiError::file(&tmp, e.to_string()))?;
                for r in &s.rows {
                    w.write_record(r)
                        .map_err(|e| AiError::file(&tmp, e.to_string()))?;
                }
            }
            w.flush().map_err(AiError::io(&tmp))?;
        }
        _ => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let bold = rust_xlsxwriter::Format::new().set_bold().set_text_wrap();
            let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
            let x = |e: rust_xlsxwriter::XlsxError| AiError::file(path, e.to_string());
            for s in &book.sheets {
                let ws = wb.add_worksheet();
                ws.set_name(&s.name).map_err(x)?;
                for (c, h) in s.headers.iter().enumerate() {
                    ws.write_string_with_format(0, c as u16, h, &bold)
                        .map_err(x)?;
                    let widest = s
                        .rows
                        .iter()
                        .map(|r| r[c].chars().count())
                        .max()
                        .unwrap_or(0);
                    ws.set_column_width(c as u16, (widest.max(h.len()) as f64).clamp(8.0, 60.0))
                        .map_err(x)?;
                }
                for (i, r) in s.rows.iter().enumerate() {
                    for (c, v) in r.iter().enumerate() {
                        if !v.is_empty() {
                            ws.write_string_with_format(i as u32 + 1, c as u16, v, &wrap)
                                .map_err(x)?;
                        }
                    }
                }
                ws.set_freeze_panes(1, 0).map_err(x)?;
            }
            wb.save(&tmp).map_err(x)?;
        }
    }
    std::fs::rename(&tmp, path).map_err(AiError::io(path))
}

impl Sheet {
    /// The index of the column named `name` (case and spaces forgiven).
    pub fn column(&self, name: &str) -> Option<usize> {
        let want = name.trim().to_lowercase();
        self.headers
            .iter()
            .position(|h| h.trim().to_lowercase() == want)
    }

    /// The index of column `name`, added at the end when missing.
    pub fn column_or_add(&mut self, name: &str) -> usize {
        if let Some(i) = self.column(name) {
            return i;
        }
        self.headers.push(name.to_string());
        for r in &mut self.rows {
            r.push(String::new());
        }
        self.headers.len() - 1
    }
}
