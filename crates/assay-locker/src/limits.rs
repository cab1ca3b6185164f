//! Decompression limits: gzip is inflated as a stream that stops at a maximum expanded size
//! and a maximum expansion ratio, so a small file that inflates to gigabytes (a "gzip bomb")
//! is refused with bounded memory instead of exhausting it.
//!
//! Defaults: 4 GiB expanded per file (or per bundle) and 200:1 expanded to compressed, the
//! ratio enforced once more than 64 MiB came out. Callers set the process-wide limits once
//! ([`set_active`]) from `[limits]` in `assay.toml` or the environment ([`ENV_MAX_MIB`],
//! [`ENV_MAX_RATIO`]).

use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};

/// Environment variable: maximum expanded size, in MiB.
pub const ENV_MAX_MIB: &str = "ASSAY_MAX_EXPANDED_MIB";
/// Environment variable: maximum expansion ratio (expanded bytes per compressed byte).
pub const ENV_MAX_RATIO: &str = "ASSAY_MAX_EXPANSION_RATIO";

const MIB: u64 = 1 << 20;
/// Default maximum expanded size: 4 GiB.
pub const DEFAULT_MAX_EXPANDED: u64 = 4096 * MIB;
/// Default maximum expansion ratio.
pub const DEFAULT_MAX_RATIO: u64 = 200;
/// Output below this size is never refused for its ratio (small, very regular files
/// compress beyond any sensible ratio and cost nothing to hold).
pub const RATIO_GRACE: u64 = 64 * MIB;

/// How far decompression may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum expanded bytes.
    pub max_expanded: u64,
    /// Maximum expanded bytes per compressed byte (applied beyond [`RATIO_GRACE`]).
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_expanded: DEFAULT_MAX_EXPANDED,
            max_ratio: DEFAULT_MAX_RATIO,
        }
    }
}

/// Why decompression stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// More than the maximum expanded size came out.
    #[error("it inflates to more than {} MiB, the limit of expanded size; if the file is genuine, raise `max_expanded_mib` under [limits] in assay.toml (or set {ENV_MAX_MIB})", .limit / MIB)]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The output outgrew the input by more than the maximum ratio.
    #[error("it inflates more than {limit}:1 ({expanded} bytes from {compressed}), the limit of expansion ratio, which only decompression bombs reach; if the file is genuine, raise `max_expansion_ratio` under [limits] in assay.toml (or set {ENV_MAX_RATIO})")]
    Ratio {
        /// The limit.
        limit: u64,
        /// Bytes out when it stopped.
        expanded: u64,
        /// Compressed bytes read by then.
        compressed: u64,
    },
    /// The gzip data is not valid.
    #[error("the gzip data is damaged or cut off ({0}); copy the file again")]
    Damaged(String),
}

static ACTIVE_MAX: AtomicU64 = AtomicU64::new(DEFAULT_MAX_EXPANDED);
static ACTIVE_RATIO: AtomicU64 = AtomicU64::new(DEFAULT_MAX_RATIO);

/// Sets the limits every later decompression in this process uses (redaction of gzip
/// evidence included).
pub fn set_active(limits: Limits) {
    ACTIVE_MAX.store(limits.max_expanded, Ordering::Relaxed);
    ACTIVE_RATIO.store(limits.max_ratio, Ordering::Relaxed);
}

/// The limits in force.
pub fn active() -> Limits {
    Limits {
        max_expanded: ACTIVE_MAX.load(Ordering::Relaxed),
        max_ratio: ACTIVE_RATIO.load(Ordering::Relaxed),
    }
}

impl Limits {
    /// `base` with the environment's overrides; `Err` names the variable and what is wrong.
    pub fn with_env(self, get: impl Fn(&str) -> Option<String>) -> Result<Limits, String> {
        let read = |name: &str| -> Result<Option<u64>, String> {
            match get(name) {
                None => Ok(None),
                Some(v) => match v.trim().parse::<u64>() {
                    Ok(n) if n > 0 => Ok(Some(n)),
                    _ => Err(format!(
                        "{name}={v}: must be a whole number above 0 (e.g. {name}=8192)"
                    )),
                },
            }
        };
        let mut out = self;
        if let Some(mib) = read(ENV_MAX_MIB)? {
            out.max_expanded = mib.saturating_mul(MIB);
        }
        if let Some(r) = read(ENV_MAX_RATIO)? {
            out.max_ratio = r;
        }
        Ok(out)
    }

    /// Checks `expanded` bytes out of `compressed` bytes in.
    pub fn check(&self, expanded: u64, compressed: u64) -> Result<(), LimitError> {
        if expanded > self.max_expanded {
            return Err(LimitError::TooLarge {
                limit: self.max_expanded,
            });
        }
        if expanded > RATIO_GRACE && expanded / compressed.max(1) > self.max_ratio {
            return Err(LimitError::Ratio {
                limit: self.max_ratio,
                expanded,
                compressed,
            });
        }
        Ok(())
    }
}

/// A reader that counts the bytes read through it.
pub struct Counted<R> {
    inner: R,
    count: std::sync::Arc<AtomicU64>,
}

impl<R> Counted<R> {
    /// Wraps `inner`; `count` grows with every byte read.
    pub fn new(inner: R, count: std::sync::Arc<AtomicU64>) -> Counted<R> {
        Counted { inner, count }
    }
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A decompressed stream that fails with a [`LimitError`] (inside an `io::Error` of kind
/// `InvalidData`; see [`limit_error`]) as soon as it goes past its limits.
pub struct Bounded<R> {
    inner: R,
    compressed: std::sync::Arc<AtomicU64>,
    expanded: u64,
    limits: Limits,
}

impl<R: Read> Bounded<R> {
    /// Bounds `inner`, whose compressed input is counted in `compressed`.
    pub fn new(inner: R, compressed: std::sync::Arc<AtomicU64>, limits: Limits) -> Bounded<R> {
        Bounded {
            inner,
            compressed,
            expanded: 0,
            limits,
        }
    }
}

/// A gzip stream (every member) of `input`, bounded by `limits`.
pub fn gzip_reader<R: Read>(
    input: R,
    limits: Limits,
) -> Bounded<flate2::read::MultiGzDecoder<Counted<R>>> {
    let count = std::sync::Arc::new(AtomicU64::new(0));
    let dec = flate2::read::MultiGzDecoder::new(Counted::new(input, count.clone()));
    Bounded::new(dec, count, limits)
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.expanded += n as u64;
        self.limits
            .check(self.expanded, self.compressed.load(Ordering::Relaxed))
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(n)
    }
}

/// The [`LimitError`] an I/O error of a [`Bounded`] stream carries, if any.
pub fn limit_error(e: &std::io::Error) -> Option<&LimitError> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitError>())
}

/// Whether `bytes` start like gzip.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The decompressed content of gzip `input` (every member) within `limits`; `Ok(None)` when
/// it is not gzip. Memory is bounded by the limits, whatever the input claims.
pub fn gunzip(input: &[u8], limits: Limits) -> Result<Option<Vec<u8>>, LimitError> {
    if !is_gzip(input) {
        return Ok(None);
    }
    // The trailer's size is only a hint (an attacker writes what they like there).
    let hint = input
        .len()
        .checked_sub(4)
        .and_then(|at| input.get(at..))
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| u64::from(u32::from_le_bytes(b)));
    let cap = hint
        .min(limits.max_expanded)
        .min((input.len() as u64).saturating_mul(limits.max_ratio.min(64)))
        .min(1 << 30);
    let mut plain = Vec::with_capacity(usize::try_from(cap).unwrap_or(0));
    match gzip_reader(input, limits).read_to_end(&mut plain) {
        Ok(_) => Ok(Some(plain)),
        Err(e) => Err(limit_error(&e)
            .cloned()
            .unwrap_or_else(|| LimitError::Damaged(e.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::io::Write;

    fn zeros_gz(n: usize) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let chunk = vec![0u8; 1 << 20];
        let mut left = n;
        while left > 0 {
            let k = left.min(chunk.len());
            enc.write_all(&chunk[..k]).unwrap();
            left -= k;
        }
        enc.finish().unwrap()
    }

    #[test]
    fn small_and_ordinary_gzip_inflates() {
        let gz = zeros_gz(1000);
        assert_eq!(gunzip(&gz, Limits::default()).unwrap().unwrap().len(), 1000);
        assert_eq!(gunzip(b"plain", Limits::default()).unwrap(), None);
    }

    #[test]
    fn over_the_size_limit_is_refused_and_named() {
        let gz = zeros_gz(3 << 20);
        let limits = Limits {
            max_expanded: 2 << 20,
            max_ratio: DEFAULT_MAX_RATIO,
        };
        let e = gunzip(&gz, limits).unwrap_err();
        assert_eq!(e, LimitError::TooLarge { limit: 2 << 20 });
        assert!(e.to_string().contains("max_expanded_mib"), "{e}");
    }

    #[test]
    fn over_the_ratio_is_refused_past_the_grace() {
        let gz = zeros_gz(80 << 20);
        let e = gunzip(&gz, Limits::default()).unwrap_err();
        assert!(matches!(e, LimitError::Ratio { limit: 200, .. }), "{e:?}");
        assert!(e.to_string().contains("max_expansion_ratio"), "{e}");
        let generous = Limits {
            max_expanded: DEFAULT_MAX_EXPANDED,
            max_ratio: 10_000,
        };
        assert_eq!(gunzip(&gz, generous).unwrap().unwrap().len(), 80 << 20);
    }

    #[test]
    fn damaged_gzip_is_named_damaged() {
        let mut gz = zeros_gz(1 << 16);
        gz.truncate(gz.len() / 2);
        assert!(matches!(
            gunzip(&gz, Limits::default()),
            Err(LimitError::Damaged(_))
        ));
    }

    #[test]
    fn environment_overrides_and_rejects_nonsense() {
        let env = |k: &str| (k == ENV_MAX_MIB).then(|| "8192".to_string());
        let l = Limits::default().with_env(env).unwrap();
        assert_eq!(l.max_expanded, 8192 * MIB);
        assert_eq!(l.max_ratio, DEFAULT_MAX_RATIO);
        let bad = |k: &str| (k == ENV_MAX_RATIO).then(|| "lots".to_string());
        assert!(Limits::default()
            .with_env(bad)
            .unwrap_err()
            .contains(ENV_MAX_RATIO));
    }
}
