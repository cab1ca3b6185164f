//! The population cache of `assay ci` and the monitor's runs (`assay_engine::cache`), kept in
//! `.assay/cache/populations/`: one file per population run, named by its fingerprint. After a
//! run, the files it did not use are removed, so the cache holds one assessment's populations.
//! It counts what was reused and what ran.

use assay_engine::cache::PopulationCache;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Population runs kept as files.
pub struct FileCache {
    dir: PathBuf,
    build: String,
    used: Mutex<BTreeSet<String>>,
    ran: AtomicUsize,
}

impl FileCache {
    /// The cache in `dir` for the engine build `build`.
    pub fn new(dir: PathBuf, build: String) -> FileCache {
        FileCache {
            dir,
            build,
            used: Mutex::new(BTreeSet::new()),
            ran: AtomicUsize::new(0),
        }
    }

    fn path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    fn mark(&self, key: &str) {
        if let Ok(mut u) = self.used.lock() {
            u.insert(key.to_string());
        }
    }

    /// (reused, ran) so far: populations read back, and populations queried and stored.
    pub fn counts(&self) -> (usize, usize) {
        let ran = self.ran.load(Ordering::Relaxed);
        let used = self.used.lock().map(|u| u.len()).unwrap_or(0);
        (used.saturating_sub(ran), ran)
    }

    /// Removes the files this run did not use.
    pub fn prune(&self) {
        let Ok(used) = self.used.lock() else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let key = name.trim_end_matches(".json");
            if !used.contains(key) {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

impl PopulationCache for FileCache {
    fn build(&self) -> &str {
        &self.build
    }

    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path(key)).ok();
        if bytes.is_some() {
            self.mark(key);
        }
        bytes
    }

    fn put(&self, key: &str, bytes: &[u8]) {
        self.mark(key);
        self.ran.fetch_add(1, Ordering::Relaxed);
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        let path = self.path(key);
        let tmp = path.with_extension("tmp");
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
}
