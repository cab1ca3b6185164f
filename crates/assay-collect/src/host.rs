//! `kind = "host"`: this Linux machine's security settings, read where they live: sshd
//! configuration (with its `Include`d files), password aging (`/etc/login.defs`), disk
//! encryption (`lsblk`), firewall rules (`nft list ruleset`, else `iptables-save`) and
//! automatic updates (APT periodic settings). Files are stored as they are; commands'
//! output too. Nothing is judged here.
//!
//! ```toml
//! [[collector]]
//! kind = "host"
//! # root = "/"   # read files under another root (an image, a mounted disk); commands
//! #              # run only when root is "/"
//! ```

use crate::{opt, CollectError, Collector, Context, Report, Spec, Stored};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The registry entry.
pub const SPEC: Spec = Spec {
    kind: "host",
    about: "this Linux host: sshd, password aging, disk encryption, firewall, automatic updates",
    build,
    retention: None,
};

/// A configured host collector.
pub struct Host {
    root: PathBuf,
}

fn build(t: &toml::Table) -> Result<Box<dyn Collector>, CollectError> {
    Ok(Box::new(Host {
        root: PathBuf::from(opt(t, "root").unwrap_or("/")),
    }))
}

fn hostname(root: &Path) -> String {
    std::fs::read_to_string(root.join("etc/hostname"))
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| {
            Command::new("hostname")
                .output()
                .ok()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        })
        .unwrap_or_else(|| "localhost".into())
}

/// Files matched by an sshd `Include` pattern (absolute, or relative to /etc/ssh), sorted.
fn include(root: &Path, pattern: &str) -> Vec<PathBuf> {
    let rel = if pattern.starts_with('/') {
        pattern.trim_start_matches('/').to_string()
    } else {
        format!("etc/ssh/{pattern}")
    };
    let full = root.join(&rel);
    let (dir, file) = (
        full.parent().map(Path::to_path_buf).unwrap_or_default(),
        full.file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    let (pre, post) = file.split_once('*').unwrap_or((&file, ""));
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        if file.contains('*') {
                            n.starts_with(pre) && n.ends_with(post)
                        } else {
                            n == file
                        }
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// What a stored file or output is: its item name, its order among sshd files, and the line
/// of the main file's `Include` that brought it in.
#[derive(Clone, Copy)]
struct Item<'a> {
    name: &'a str,
    order: usize,
    included_at: Option<usize>,
}

impl<'a> Item<'a> {
    fn plain(name: &'a str) -> Self {
        Item {
            name,
            order: 0,
            included_at: None,
        }
    }
}

impl Host {
    fn file(
        &self,
        cx: &mut Context<'_>,
        report: &mut Report,
        rel: &str,
        item: Item<'_>,
    ) -> Result<Option<String>, CollectError> {
        let path = self.root.join(rel.trim_start_matches('/'));
        let Ok(bytes) = std::fs::read(&path) else {
            return Ok(None);
        };
        let text = String::from_utf8_lossy(&bytes).into_owned();
        self.store(
            cx,
            report,
            &format!("file:/{}", rel.trim_start_matches('/')),
            bytes,
            item,
        )?;
        Ok(Some(text))
    }

    fn store(
        &self,
        cx: &mut Context<'_>,
        report: &mut Report,
        locator: &str,
        bytes: Vec<u8>,
        item: Item<'_>,
    ) -> Result<(), CollectError> {
        let mut params: BTreeMap<String, String> = [
            ("item", item.name.to_string()),
            ("host", hostname(&self.root)),
            ("order", format!("{:04}", item.order)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        if let Some(line) = item.included_at {
            params.insert("included_at".into(), line.to_string());
        }
        cx.sink
            .store(Stored {
                kind: "host",
                locator: locator.to_string(),
                bytes,
                params,
            })
            .map_err(CollectError::Store)?;
        report.stored += 1;
        Ok(())
    }

    fn command(
        &self,
        cx: &mut Context<'_>,
        report: &mut Report,
        item: &str,
        cmd: &[&str],
    ) -> Result<bool, CollectError> {
        let Ok(out) = Command::new(cmd[0]).args(&cmd[1..]).output() else {
            return Ok(false);
        };
        if !out.status.success() {
            return Ok(false);
        }
        self.store(
            cx,
            report,
            &format!("command:{}", cmd.join(" ")),
            out.stdout,
            Item::plain(item),
        )?;
        Ok(true)
    }
}

impl Collector for Host {
    fn collect(&self, cx: &mut Context<'_>) -> Result<Report, CollectError> {
        let mut report = Report::default();
        (cx.progress)("sshd configuration");
        // sshd uses the first value it meets; Includes are read where they appear.
        let mut order = 0;
        if let Some(main) = self.file(
            cx,
            &mut report,
            "etc/ssh/sshd_config",
            Item {
                name: "sshd",
                order,
                included_at: None,
            },
        )? {
            for (n, line) in main.lines().enumerate() {
                let mut words = line.split_whitespace();
                if words
                    .next()
                    .is_some_and(|w| w.eq_ignore_ascii_case("include"))
                {
                    for pattern in words {
                        for p in include(&self.root, pattern) {
                            order += 1;
                            let rel = p
                                .strip_prefix(&self.root)
                                .map(|r| r.to_string_lossy().into_owned())
                                .unwrap_or_default();
                            self.file(
                                cx,
                                &mut report,
                                &rel,
                                Item {
                                    name: "sshd",
                                    order,
                                    included_at: Some(n + 1),
                                },
                            )?;
                        }
                    }
                }
            }
        } else {
            report
                .notes
                .push("no /etc/ssh/sshd_config (sshd not installed)".into());
        }
        self.file(cx, &mut report, "etc/login.defs", Item::plain("login.defs"))?;
        for f in [
            "etc/apt/apt.conf.d/20auto-upgrades",
            "etc/apt/apt.conf.d/10periodic",
            "etc/dnf/automatic.conf",
        ] {
            self.file(cx, &mut report, f, Item::plain("updates"))?;
        }
        if self.root == Path::new("/") {
            (cx.progress)("disks and firewall");
            if !self.command(
                cx,
                &mut report,
                "disks",
                &["lsblk", "--json", "-o", "NAME,TYPE,FSTYPE,MOUNTPOINT"],
            )? {
                report
                    .notes
                    .push("lsblk is not available: disk encryption not collected".into());
            }
            if !self.command(cx, &mut report, "firewall-nft", &["nft", "list", "ruleset"])?
                && !self.command(cx, &mut report, "firewall-iptables", &["iptables-save"])?
            {
                report.notes.push("neither nft nor iptables-save is available (or not permitted): firewall not collected".into());
            }
        }
        Ok(report)
    }
}
