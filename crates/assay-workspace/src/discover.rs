//! Finding the workspace root: the nearest folder, upward from a start, holding `assay.toml`.

use std::path::{Path, PathBuf};

/// The file that marks a workspace root.
pub const WORKSPACE_FILE: &str = "assay.toml";

/// The nearest folder at or above `start` that holds `assay.toml`.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(WORKSPACE_FILE).is_file())
        .map(Path::to_path_buf)
}
