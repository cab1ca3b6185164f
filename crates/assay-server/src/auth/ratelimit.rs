//! Login throttling: failed sign-ins are counted per account and per client address in a
//! sliding minute. From the eleventh failure within a minute (or the fifty-first from one
//! address), further attempts are refused without checking the password, for a back-off
//! that doubles with every further failure (2 s, 4 s, ... at most 15 minutes). A success
//! clears the account's count.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures allowed per account in the window before throttling.
pub const PER_ACCOUNT: usize = 10;
/// Failures allowed per client address in the window.
pub const PER_ADDRESS: usize = 50;
/// The window.
pub const WINDOW: Duration = Duration::from_secs(60);
const MAX_BACKOFF: u64 = 15 * 60;

#[derive(Default)]
struct Track {
    failures: Vec<Instant>,
    blocked_until: Option<Instant>,
    streak: u32,
}

/// The throttle's state (in memory: a restart forgives, which the back-off makes harmless).
#[derive(Default)]
pub struct Limiter {
    keys: Mutex<HashMap<String, Track>>,
}

fn limit_for(key: &str) -> usize {
    if key.starts_with("ip:") {
        PER_ADDRESS
    } else {
        PER_ACCOUNT
    }
}

impl Limiter {
    /// Seconds to wait when any of `keys` is throttled now.
    pub fn blocked(&self, keys: &[String]) -> Option<u64> {
        let now = Instant::now();
        let map = self.keys.lock().ok()?;
        keys.iter()
            .filter_map(|k| map.get(k)?.blocked_until)
            .filter(|&t| t > now)
            .map(|t| (t - now).as_secs().max(1))
            .max()
    }

    /// Records a failure for each key.
    pub fn fail(&self, keys: &[String]) {
        let now = Instant::now();
        let Ok(mut map) = self.keys.lock() else {
            return;
        };
        for k in keys {
            let t = map.entry(k.clone()).or_default();
            t.failures.retain(|&at| now.duration_since(at) < WINDOW);
            t.failures.push(now);
            if t.failures.len() >= limit_for(k) {
                t.streak += 1;
                let secs = (1u64 << t.streak.min(20)).min(MAX_BACKOFF);
                t.blocked_until = Some(now + Duration::from_secs(secs));
            }
        }
        // Forget keys idle for long, so the map cannot grow without bound.
        if map.len() > 100_000 {
            map.retain(|_, t| {
                t.failures
                    .last()
                    .is_some_and(|&at| now.duration_since(at) < WINDOW)
            });
        }
    }

    /// Clears an account's failures after a successful sign-in.
    pub fn succeed(&self, key: &str) {
        if let Ok(mut map) = self.keys.lock() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eleventh_failure_within_a_minute_is_throttled() {
        let l = Limiter::default();
        let keys = vec!["acct:a@example.com".to_string(), "ip:127.0.0.1".to_string()];
        for _ in 0..9 {
            l.fail(&keys);
            assert_eq!(l.blocked(&keys), None);
        }
        l.fail(&keys); // the tenth
        assert!(l.blocked(&keys).is_some());
        l.succeed("acct:a@example.com");
        assert_eq!(l.blocked(&["acct:a@example.com".to_string()]), None);
    }
}
