//! UTF-16 text (Windows exports, PowerShell output): detected by its byte-order mark, or as
//! little-endian without one when nearly every code unit of its start is printable ASCII.
//! Such text is scanned as one byte per code unit (ASCII kept, anything else replaced by a
//! byte no rule takes for ASCII), and redacted in its own encoding.

/// The byte order of UTF-16 input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Order {
    /// Little-endian.
    Le,
    /// Big-endian.
    Be,
}

/// Code units sampled to recognise UTF-16LE without a byte-order mark.
const SAMPLE_UNITS: usize = 2048;
/// Fewest code units for that guess.
const MIN_UNITS: usize = 8;

/// The stand-in for a code unit outside ASCII.
pub(super) const NON_ASCII: u8 = 0x80;

/// UTF-16 byte order and byte-order-mark length of `input`, or `None` for other text.
pub(super) fn detect(input: &[u8]) -> Option<(Order, usize)> {
    if input.starts_with(&[0xFF, 0xFE]) {
        // FF FE 00 00 is UTF-32LE's mark.
        return (!input.starts_with(&[0xFF, 0xFE, 0, 0])).then_some((Order::Le, 2));
    }
    if input.starts_with(&[0xFE, 0xFF]) {
        return Some((Order::Be, 2));
    }
    let units = (input.len() / 2).min(SAMPLE_UNITS);
    if units < MIN_UNITS {
        return None;
    }
    let ascii = input
        .chunks_exact(2)
        .take(units)
        .filter(|u| {
            u[1] == 0 && (u[0].is_ascii_graphic() || matches!(u[0], b' ' | b'\t' | b'\r' | b'\n'))
        })
        .count();
    // At least 95% printable ASCII units.
    (ascii * 20 >= units * 19).then_some((Order::Le, 0))
}

/// One byte per code unit of `body` (the input after its mark); an odd last byte is left out.
pub(super) fn narrow(body: &[u8], order: Order) -> Vec<u8> {
    body.chunks_exact(2)
        .map(|u| {
            let (lo, hi) = match order {
                Order::Le => (u[0], u[1]),
                Order::Be => (u[1], u[0]),
            };
            if hi == 0 && lo < 0x80 {
                lo
            } else {
                NON_ASCII
            }
        })
        .collect()
}

/// ASCII `text` encoded as UTF-16 in `order`.
pub(super) fn widen(text: &[u8], order: Order) -> Vec<u8> {
    text.iter()
        .flat_map(|&b| match order {
            Order::Le => [b, 0],
            Order::Be => [0, b],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn detects_marks_and_bare_little_endian() {
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16le("x"));
        assert_eq!(detect(&le), Some((Order::Le, 2)));
        assert_eq!(detect(&[0xFE, 0xFF, 0, b'x']), Some((Order::Be, 2)));
        assert_eq!(
            detect(&utf16le("password=hunter2hunter2")),
            Some((Order::Le, 0))
        );
        assert_eq!(detect(b"plain ascii text, long enough"), None);
        assert_eq!(detect(&[0xFF, 0xFE, 0, 0, b'x', 0, 0, 0]), None);
        assert_eq!(detect(&[0u8; 64]), None);
    }

    #[test]
    fn narrows_one_byte_per_unit() {
        let text = utf16le("é=ab");
        assert_eq!(narrow(&text, Order::Le), [NON_ASCII, b'=', b'a', b'b']);
        assert_eq!(widen(b"ab", Order::Be), [0, b'a', 0, b'b']);
    }
}
