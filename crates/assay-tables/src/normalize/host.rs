//! `host`: files and command output the host collector stored in one run → `host_settings`:
//! the effective sshd options (first value wins, `Include`d files read where they appear,
//! `Match` blocks ignored, OpenSSH defaults filled in and marked as not explicit), password
//! aging from `login.defs`, unattended upgrades, whether `/` sits on an encrypted device
//! (`lsblk`), and the firewall's rules and input policy.

use super::{Input, NormalizeError, Normalizer, Output};
use crate::rows::{set, Cols, Rows};
use crate::schema;
use crate::value::Value;
use serde_json::Value as Json;
use std::collections::BTreeMap;

/// The normalizer.
pub const NORMALIZER: Normalizer = Normalizer {
    kind: "host",
    version: 1,
    tables: &["host_settings"],
    format: "host files and command output stored by the host collector",
    run: super::Run::Batch(run),
    importable: false,
};

/// sshd options reported, with OpenSSH's defaults.
const SSHD: &[(&str, &str)] = &[
    ("permitrootlogin", "prohibit-password"),
    ("passwordauthentication", "yes"),
    ("pubkeyauthentication", "yes"),
    ("permitemptypasswords", "no"),
    ("kbdinteractiveauthentication", "yes"),
    ("x11forwarding", "no"),
    ("maxauthtries", "6"),
    ("logingracetime", "120"),
    ("clientaliveinterval", "0"),
];

/// login.defs keys reported, with shadow-utils' defaults.
const LOGIN: &[(&str, &str)] = &[
    ("PASS_MAX_DAYS", "99999"),
    ("PASS_MIN_DAYS", "0"),
    ("PASS_WARN_AGE", "7"),
    ("ENCRYPT_METHOD", "des"),
];

struct Emit<'r> {
    rows: &'r mut Rows,
    c: Cols,
    n: usize,
}

impl Emit<'_> {
    fn push(
        &mut self,
        input: &Input<'_>,
        host: &str,
        setting: &str,
        value: &str,
        explicit: bool,
        source: &str,
    ) {
        self.rows.set_source(input.evidence, input.snapshot_at);
        let mut row = self.rows.blank();
        set(
            &mut row,
            self.c.at("key"),
            Value::Text(format!("{host}:{setting}")),
        );
        set(&mut row, self.c.at("host"), Value::Text(host.to_string()));
        set(
            &mut row,
            self.c.at("setting"),
            Value::Text(setting.to_string()),
        );
        set(
            &mut row,
            self.c.at("value"),
            Value::Text(value.to_ascii_lowercase()),
        );
        set(&mut row, self.c.at("explicit"), Value::Bool(explicit));
        set(
            &mut row,
            self.c.at("source"),
            Value::Text(source.to_string()),
        );
        self.rows.push(&mut row);
        self.n += 1;
    }
}

fn text<'a>(i: &Input<'a>) -> std::borrow::Cow<'a, str> {
    String::from_utf8_lossy(i.bytes)
}

/// The block device mounted at `/` and whether it (or a parent) is a dm-crypt device.
fn root_encrypted(devices: &[Json], under_crypt: bool) -> Option<bool> {
    for d in devices {
        let crypt = under_crypt || d.get("type").and_then(Json::as_str) == Some("crypt");
        if d.get("mountpoint").and_then(Json::as_str) == Some("/") {
            return Some(crypt);
        }
        if let Some(found) = d
            .get("children")
            .and_then(Json::as_array)
            .and_then(|c| root_encrypted(c, crypt))
        {
            return Some(found);
        }
    }
    None
}

fn run(inputs: &[Input<'_>], out: &mut Output) -> Result<usize, NormalizeError> {
    let table =
        schema::table("host_settings").ok_or_else(|| NormalizeError::whole("table missing"))?;
    let rows = out
        .rows("host_settings")
        .ok_or_else(|| NormalizeError::whole("table missing"))?;
    let mut e = Emit {
        rows,
        c: Cols::of(table),
        n: 0,
    };
    let item = |i: &Input<'_>| i.params.get("item").cloned().unwrap_or_default();
    let host = inputs
        .first()
        .and_then(|i| i.params.get("host").cloned())
        .unwrap_or_else(|| "localhost".into());

    let sshd: Vec<&Input<'_>> = inputs.iter().filter(|i| item(i) == "sshd").collect();
    let main = sshd
        .iter()
        .find(|i| !i.params.contains_key("included_at"))
        .copied();
    if let Some(main) = main {
        // sshd keeps the first value it meets, reading an Include's files where the Include
        // line stands; a Match block applies conditionally, so reading stops there.
        let mut seen: BTreeMap<String, (String, String)> = BTreeMap::new();
        let mut stopped = false;
        let take =
            |text: &str, source: &str, seen: &mut BTreeMap<String, (String, String)>| -> bool {
                for line in text.lines() {
                    let mut w = line.split_whitespace();
                    let Some(k) = w.next() else { continue };
                    if k.starts_with('#') {
                        continue;
                    }
                    let k = k.to_ascii_lowercase();
                    if k == "match" {
                        return true;
                    }
                    let v = w.next().unwrap_or("").trim_matches('"');
                    seen.entry(k)
                        .or_insert_with(|| (v.to_string(), source.to_string()));
                }
                false
            };
        for (n, line) in text(main).lines().enumerate() {
            if stopped {
                break;
            }
            let first = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            if first == "include" {
                let mut included: Vec<&&Input<'_>> = sshd
                    .iter()
                    .filter(|i| i.params.get("included_at") == Some(&(n + 1).to_string()))
                    .collect();
                included.sort_by_key(|i| i.params.get("order").cloned());
                for inc in included {
                    if take(&text(inc), "included sshd config", &mut seen) {
                        stopped = true;
                        break;
                    }
                }
            } else {
                stopped = take(line, "sshd_config", &mut seen);
            }
        }
        for (k, default) in SSHD {
            match seen.get(*k) {
                Some((v, source)) => e.push(main, &host, &format!("ssh.{k}"), v, true, source),
                None => e.push(
                    main,
                    &host,
                    &format!("ssh.{k}"),
                    default,
                    false,
                    "OpenSSH default",
                ),
            }
        }
    }
    for i in inputs.iter().filter(|i| item(i) == "login.defs") {
        let t = text(i);
        for (k, default) in LOGIN {
            let found = t
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .find_map(|l| {
                    let mut w = l.split_whitespace();
                    (w.next() == Some(*k)).then(|| w.next().unwrap_or("").to_string())
                });
            let setting = format!(
                "password.{}",
                k.to_ascii_lowercase().trim_start_matches("pass_")
            );
            match found {
                Some(v) => e.push(i, &host, &setting, &v, true, "/etc/login.defs"),
                None => e.push(i, &host, &setting, default, false, "shadow-utils default"),
            }
        }
    }
    let updates: Vec<&Input<'_>> = inputs.iter().filter(|i| item(i) == "updates").collect();
    if let Some(first) = updates.first().copied() {
        let on = updates.iter().any(|i| {
            let t = text(i);
            t.lines().any(|l| {
                let l = l.trim();
                (l.starts_with("APT::Periodic::Unattended-Upgrade") && l.contains("\"1\""))
                    || (l.starts_with("apply_updates") && l.contains("yes"))
            })
        });
        e.push(
            first,
            &host,
            "updates.unattended",
            if on { "true" } else { "false" },
            true,
            "apt/dnf configuration",
        );
    }
    for i in inputs.iter().filter(|i| item(i) == "disks") {
        let doc: Json = serde_json::from_slice(i.bytes).map_err(|err| {
            NormalizeError::at(err.line(), format!("lsblk output is not JSON: {err}"))
        })?;
        let devices = doc
            .get("blockdevices")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(enc) = root_encrypted(&devices, false) {
            e.push(
                i,
                &host,
                "disk.encrypted",
                if enc { "true" } else { "false" },
                true,
                "lsblk",
            );
        }
    }
    for i in inputs.iter().filter(|i| item(i).starts_with("firewall")) {
        let t = text(i);
        let (rules, policy) = if item(i) == "firewall-nft" {
            let rules = t
                .lines()
                .filter(|l| {
                    ["accept", "drop", "reject"]
                        .iter()
                        .any(|w| l.split_whitespace().any(|x| x == *w))
                        && !l.contains("policy")
                })
                .count();
            let policy = t
                .lines()
                .find(|l| l.contains("hook input"))
                .and_then(|l| l.split("policy").nth(1))
                .map(|p| p.trim().trim_end_matches(';').trim().to_string());
            (rules, policy)
        } else {
            let rules = t.lines().filter(|l| l.starts_with("-A ")).count();
            let policy = t
                .lines()
                .find(|l| l.starts_with(":INPUT "))
                .and_then(|l| l.split_whitespace().nth(1))
                .map(str::to_string);
            (rules, policy)
        };
        e.push(
            i,
            &host,
            "firewall.rules",
            &rules.to_string(),
            true,
            &item(i),
        );
        e.push(
            i,
            &host,
            "firewall.input_policy",
            policy.as_deref().unwrap_or("accept"),
            policy.is_some(),
            &item(i),
        );
    }
    Ok(e.n)
}
