//! What can go wrong in the pipeline, with enough to say how to fix it.

use std::path::PathBuf;

/// An error of the pipeline. Bad input (a wrong flag value, a file that is not in the format
/// named) is [`ProjectError::Invalid`] or [`ProjectError::Rejected`]: nothing was stored.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    /// A request the pipeline cannot carry out as given (the message says how to fix it).
    #[error("{0}")]
    Invalid(String),
    /// Input files that failed their checks, one problem each; nothing was stored.
    #[error("{summary}")]
    Rejected {
        /// One line per problem, naming the file (and line when known).
        problems: Vec<String>,
        /// What was refused.
        summary: String,
    },
    /// The workspace (assay.toml, controls, policies) has errors; `assay validate` lists them.
    #[error("{0}")]
    Workspace(String),
    /// A file could not be read or written.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The evidence locker failed.
    #[error(transparent)]
    Locker(#[from] assay_locker::LockerError),
    /// The tables could not be built or queried.
    #[error("{0}")]
    Tables(String),
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] assay_engine::EngineError),
    /// A report could not be rendered.
    #[error(transparent)]
    Report(#[from] assay_report::RenderError),
    /// A stored assessment could not be read.
    #[error("{path}: {message}")]
    Assessment {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl ProjectError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ProjectError {
        let path = path.into();
        move |source| ProjectError::Io { path, source }
    }
}
