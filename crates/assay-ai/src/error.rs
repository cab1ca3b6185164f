//! What can go wrong, with what to do about it.

use std::path::PathBuf;

/// An error of AI assistance.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A questionnaire or library file is not what it should be.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The model server could not be reached, or kept failing.
    #[error("the model server at {url}: {message}")]
    Server {
        /// The endpoint.
        url: String,
        /// What happened, after every retry.
        message: String,
    },
    /// The model's reply is not the JSON the schema asks for.
    #[error("the model's reply is not a valid answer: {0}")]
    Reply(String),
}

impl AiError {
    /// An [`AiError::Io`] for `path`.
    pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> AiError + '_ {
        move |source| AiError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An [`AiError::File`].
    pub fn file(path: &std::path::Path, message: impl Into<String>) -> AiError {
        AiError::File {
            path: path.to_path_buf(),
            message: message.into(),
        }
    }
}
