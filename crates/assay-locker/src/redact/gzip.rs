//! Gzip input: its content is decompressed so that secrets inside are found and removed.
//! (A file of its own: the decompression limits are kept here.)

/// The decompressed content of gzip `input` (every member), or `None` when it is not gzip,
/// is damaged, or inflates beyond the active [`crate::limits`] (callers that store evidence
/// check [`crate::limits::gunzip`] for the reason first, so a bomb is refused, never stored).
pub(super) fn gunzip(input: &[u8]) -> Option<Vec<u8>> {
    crate::limits::gunzip(input, crate::limits::active())
        .ok()
        .flatten()
}
