//! The host collector over a fixture root (Debian's default sshd_config plus a drop-in), and
//! its normalizer on real `lsblk --json` and `nft list ruleset` output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may fail loudly

use assay_collect::{Context, Sink, Stored};
use std::collections::BTreeMap;

#[derive(Default)]
struct Memory(Vec<Stored>);
impl Sink for Memory {
    fn store(&mut self, item: Stored) -> Result<(), String> {
        self.0.push(item);
        Ok(())
    }
}

const LSBLK: &str = r#"{"blockdevices": [
  {"name":"nvme0n1","type":"disk","fstype":null,"mountpoint":null,"children":[
    {"name":"nvme0n1p1","type":"part","fstype":"vfat","mountpoint":"/boot/efi"},
    {"name":"nvme0n1p2","type":"part","fstype":"crypto_LUKS","mountpoint":null,"children":[
      {"name":"nvme0n1p2_crypt","type":"crypt","fstype":"ext4","mountpoint":"/"}]}]}]}"#;

const NFT: &str = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tct state established,related accept\n\t\tiif \"lo\" accept\n\t\ttcp dport 22 accept\n\t}\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy drop;\n\t}\n}\n";

#[test]
fn sshd_with_includes_login_defs_updates_disks_firewall() {
    let root = format!("{}/tests/fixtures/host", env!("CARGO_MANIFEST_DIR"));
    let t: toml::Table = toml::from_str(&format!("kind = \"host\"\nroot = \"{root}\"")).unwrap();
    let c = (assay_collect::spec("host").unwrap().build)(&t).unwrap();
    let mut sink = Memory::default();
    let mut progress = |_: &str| {};
    let mut cx = Context {
        sink: &mut sink,
        cursor: None,
        since: None,
        period_start: None,
        now: jiff::Timestamp::now(),
        progress: &mut progress,
    };
    let report = c.collect(&mut cx).unwrap();
    let locators: Vec<&str> = sink.0.iter().map(|s| s.locator.as_str()).collect();
    assert_eq!(
        locators,
        [
            "file:/etc/ssh/sshd_config",
            "file:/etc/ssh/sshd_config.d/10-hardening.conf",
            "file:/etc/login.defs",
            "file:/etc/apt/apt.conf.d/20auto-upgrades"
        ]
    );
    assert_eq!(report.stored, 4);
    assert!(sink.0.iter().all(|s| s.params["host"] == "web-01"));
    // Command output as the real tools print it.
    let mut items = sink.0;
    for (item, body) in [("disks", LSBLK), ("firewall-nft", NFT)] {
        let params: BTreeMap<String, String> =
            [("item", item), ("host", "web-01"), ("order", "0000")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        items.push(Stored {
            kind: "host",
            locator: format!("command:{item}"),
            bytes: body.as_bytes().to_vec(),
            params,
        });
    }
    let tables = assay_tables::Tables::build(items.iter().map(|s| {
        (
            s.kind,
            assay_tables::Input {
                bytes: &s.bytes,
                evidence: "e",
                snapshot_at: Some(0),
                params: &s.params,
                batch: Some("r"),
            },
        )
    }))
    .map_err(|(i, e)| format!("{i}: {e}"))
    .unwrap();
    let rows = assay_testkit::block_on(
        tables.query("select setting, value, explicit from host_settings order by setting"),
    )
    .unwrap()
    .text_rows();
    let got: Vec<String> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| c.unwrap_or_default())
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect();
    for want in [
        "disk.encrypted=true=true",
        "firewall.input_policy=drop=true",
        "firewall.rules=3=true",
        "password.max_days=90=true",
        "password.warn_age=14=true",
        "ssh.kbdinteractiveauthentication=no=true",
        "ssh.passwordauthentication=no=true",
        "ssh.permitrootlogin=no=true",
        "ssh.pubkeyauthentication=yes=false",
        "ssh.x11forwarding=yes=true",
        "updates.unattended=true=true",
    ] {
        assert!(
            got.contains(&want.to_string()),
            "missing {want} in {got:#?}"
        );
    }
}

#[test]
fn an_include_at_the_end_does_not_override_earlier_lines() {
    let mk = |body: &str, order: &str, included_at: Option<&str>| {
        let mut params: BTreeMap<String, String> =
            [("item", "sshd"), ("host", "h"), ("order", order)]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        if let Some(l) = included_at {
            params.insert("included_at".into(), l.into());
        }
        Stored {
            kind: "host",
            locator: String::new(),
            bytes: body.as_bytes().to_vec(),
            params,
        }
    };
    let items = [
        mk("PermitRootLogin yes\nInclude /etc/ssh/sshd_config.d/*.conf\nMatch User backup\n  PasswordAuthentication yes\n", "0000", None),
        mk("PermitRootLogin no\nPasswordAuthentication no\n", "0001", Some("2")),
    ];
    let tables = assay_tables::Tables::build(items.iter().map(|s| {
        (
            s.kind,
            assay_tables::Input {
                bytes: &s.bytes,
                evidence: "e",
                snapshot_at: None,
                params: &s.params,
                batch: Some("r"),
            },
        )
    }))
    .map_err(|(i, e)| format!("{i}: {e}"))
    .unwrap();
    let rows = assay_testkit::block_on(tables.query("select setting, value from host_settings where setting in ('ssh.permitrootlogin', 'ssh.passwordauthentication') order by setting")).unwrap().text_rows();
    let got: Vec<String> = rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| c.unwrap_or_default())
                .collect::<Vec<_>>()
                .join("=")
        })
        .collect();
    assert_eq!(
        got,
        ["ssh.passwordauthentication=no", "ssh.permitrootlogin=yes"],
        "first value wins; the Match block is not applied globally"
    );
}
