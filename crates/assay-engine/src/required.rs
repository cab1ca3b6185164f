//! The one check every file the auditor writes shares (results, `ipe.yaml`, walkthroughs):
//! which of its required text fields is empty.

/// The name of the first field whose value is empty or only spaces.
pub(crate) fn first_empty<'a>(fields: &[(&'a str, &str)]) -> Option<&'a str> {
    fields
        .iter()
        .find(|(_, value)| value.trim().is_empty())
        .map(|(field, _)| *field)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_blank_field_is_named() {
        assert_eq!(
            super::first_empty(&[("a", "x"), ("b", " "), ("c", "")]),
            Some("b")
        );
        assert_eq!(super::first_empty(&[("a", "x")]), None);
    }
}
