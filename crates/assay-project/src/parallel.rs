//! Work spread over the machine's cores: each item handled once, by whichever thread is
//! free, results returned in item order and reported to the calling thread as they finish
//! (for progress bars).

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads to use: one per core.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(2, usize::from)
}

/// `work(i, item)` for every item on `threads()` threads; `done(i, &result)` is called on
/// this thread as each finishes. Results come back in item order.
pub fn map<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(usize, &T) -> R + Sync,
    done: impl FnMut(usize, &R),
) -> Vec<R> {
    map_on(threads(), items, work, done)
}

/// [`map`] on `threads` threads (more than the cores when work also waits on the disk).
pub fn map_on<T: Sync, R: Send>(
    threads: usize,
    items: &[T],
    work: impl Fn(usize, &T) -> R + Sync,
    mut done: impl FnMut(usize, &R),
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel::<(usize, R)>();
        for _ in 0..threads.min(items.len()).max(1) {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { return };
                if tx.send((i, work(i, item))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        for (i, r) in rx {
            done(i, &r);
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(r);
            }
        }
    });
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_once_in_order() {
        let items: Vec<u64> = (0..1000).collect();
        let mut seen = 0;
        let out = super::map(&items, |i, x| (i as u64) + x * 2, |_, _| seen += 1);
        assert_eq!(seen, 1000);
        assert_eq!(out, (0..1000).map(|x| x * 3).collect::<Vec<_>>());
        assert!(super::map(&[] as &[u8], |_, x| *x, |_, _| {}).is_empty());
    }
}
