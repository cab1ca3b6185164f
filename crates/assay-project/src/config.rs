//! The locker's backends and the decompression limits, from `assay.toml` and the
//! environment (secrets such as the database URL only ever come from the environment).

use crate::ProjectError;
use assay_locker::blob::S3Config;
use assay_locker::limits::{self, Limits};
use assay_locker::{BlobConfig, LedgerConfig, LockerConfig};
use std::path::Path;

/// The locker backends the workspace's `[locker]` settings name; also applies `[limits]`.
pub(crate) fn locker_config(root: &Path) -> Result<LockerConfig, ProjectError> {
    let cfg = assay_workspace::config::read(root).map_err(|diags| {
        let first = diags
            .first()
            .map(|d| format!("{}: {}", d.location(), d.message))
            .unwrap_or_default();
        ProjectError::Workspace(format!(
            "assay.toml has errors ({first}); run `assay validate`"
        ))
    })?;
    limits(Some(cfg.limits))?;
    let ledger = match cfg.locker.postgres_schema {
        None => LedgerConfig::Sqlite,
        Some(schema) => {
            let url = std::env::var("ASSAY_DATABASE_URL").map_err(|_| {
                ProjectError::Invalid("assay.toml sets `ledger = \"postgres\"` but ASSAY_DATABASE_URL is not set; export it, e.g. postgres://user@host/db".into())
            })?;
            LedgerConfig::Postgres { url, schema }
        }
    };
    let blobs = match cfg.locker.s3 {
        None => BlobConfig::Local,
        Some(s) => BlobConfig::S3(S3Config {
            bucket: s.bucket,
            prefix: s.prefix,
            endpoint: s.endpoint,
            region: s.region,
            allow_http: s.allow_http,
        }),
    };
    Ok(LockerConfig { ledger, blobs })
}

/// The decompression limits from `[limits]` and the environment, made active for the
/// locker and the normalizers.
pub fn limits(
    settings: Option<assay_workspace::config::LimitSettings>,
) -> Result<Limits, ProjectError> {
    let mut base = Limits::default();
    if let Some(s) = settings {
        if let Some(mib) = s.max_expanded_mib {
            base.max_expanded = mib.saturating_mul(1 << 20);
        }
        if let Some(r) = s.max_expansion_ratio {
            base.max_ratio = r;
        }
    }
    let limits = base
        .with_env(|k| std::env::var(k).ok())
        .map_err(ProjectError::Invalid)?;
    limits::set_active(limits);
    assay_tables::normalize::set_gzip_limits(limits.max_expanded, limits.max_ratio);
    Ok(limits)
}
