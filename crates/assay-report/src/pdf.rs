//! PDF rendering in-process with the Typst compiler: the document model is written as Typst
//! markup (title page, contents, page numbers, tables whose header row repeats across page
//! breaks, SVG charts) and typeset with fonts embedded in the binary. No clock is read, so
//! the same document gives the same PDF bytes.

use crate::doc::{typst as markup, Doc};
use std::collections::HashMap;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// A compilation world holding one document and its images, with the embedded fonts.
struct ReportWorld {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    files: HashMap<FileId, Bytes>,
}

impl ReportWorld {
    fn new(text: String, images: Vec<(String, String)>) -> ReportWorld {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let book = FontBook::from_fonts(&fonts);
        let main_id = FileId::new(None, VirtualPath::new("main.typ"));
        let files = images
            .into_iter()
            .map(|(name, svg)| {
                (
                    FileId::new(None, VirtualPath::new(&name)),
                    Bytes::new(svg.into_bytes()),
                )
            })
            .collect();
        ReportWorld {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            main: Source::new(main_id, text),
            files,
        }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        None
    }
}

fn messages(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .take(5)
        .map(|d| d.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The Typst markup a document becomes (for inspection and tests).
pub fn source(d: &Doc) -> String {
    markup(d).0
}

/// Typesets a document into PDF bytes.
pub fn render(d: &Doc) -> Result<Vec<u8>, String> {
    let (text, images) = markup(d);
    let world = ReportWorld::new(text, images);
    let doc: PagedDocument = typst::compile(&world).output.map_err(|e| messages(&e))?;
    typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).map_err(|e| messages(&e))
}
