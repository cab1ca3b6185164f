//! `assay init`: a complete starting workspace from the embedded library, filtered to the
//! categories in scope. Every file is built in memory first; nothing is written if any target
//! already exists, and files written before a failure are removed again.

use crate::render::{control_yaml, inline_list, scalar};
use crate::WORKSPACE_FILE;
use assay_catalog::{Catalog, TemplateFile};
use assay_core::{AuditPeriod, Category, Control};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to create.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// Organization name.
    pub organization: String,
    /// System name; defaults to `"<org> Platform"`.
    pub system_name: Option<String>,
    /// System description for Section III; a fill-in prompt when absent.
    pub system_description: Option<String>,
    /// Type and date or period.
    pub period: AuditPeriod,
    /// Categories in scope (security is added if missing).
    pub categories: Vec<Category>,
    /// Use the demo company's filled-in inventory instead of the skeleton.
    pub demo_inventory: bool,
    /// Frameworks beside SOC 2 to report on (`iso27001`, `nist-800-53-moderate`, `hipaa`,
    /// `csf2`); written to `[audit] frameworks`.
    pub frameworks: Vec<String>,
}

/// What was created.
#[derive(Debug, Clone)]
pub struct InitReport {
    /// Files written, relative to the workspace root, sorted.
    pub files: Vec<String>,
    /// Number of controls written.
    pub controls: usize,
    /// Number of policies written.
    pub policies: usize,
}

/// Why `init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// A framework Assay does not know.
    #[error("--frameworks: `{0}` is not a framework Assay knows; use any of {list}", list = assay_catalog::framework::IDS.join(", "))]
    UnknownFramework(String),
    /// The folder already holds a workspace.
    #[error("{0} already holds a workspace (assay.toml exists); choose an empty or new folder")]
    AlreadyWorkspace(PathBuf),
    /// Some files would be overwritten.
    #[error("{} would be overwritten in {}: {}; move them away or choose another folder", .files.len(), .dir.display(), .files.join(", "))]
    Conflict {
        /// The folder.
        dir: PathBuf,
        /// The files that exist.
        files: Vec<String>,
    },
    /// Writing failed; files written so far were removed.
    #[error("cannot write {}: {source}; nothing was left behind", .path.display())]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Controls of the library restricted to `categories`: links to criteria outside the scope
/// are dropped, and controls left with no link are left out.
pub fn scoped_controls(catalog: &Catalog, categories: &[Category]) -> Vec<(Control, Vec<String>)> {
    let in_scope = |id: &str| {
        catalog
            .criterion(id)
            .is_some_and(|c| categories.contains(&c.category))
    };
    catalog
        .controls
        .iter()
        .filter_map(|lc| {
            let mut c = lc.control.clone();
            c.criteria.retain(|l| in_scope(&l.id));
            (!c.criteria.is_empty()).then(|| (c, lc.policies.clone()))
        })
        .collect()
}

/// The files of a new workspace, as (relative path, text), sorted by path.
pub fn workspace_files(catalog: &Catalog, opts: &InitOptions) -> Vec<(String, String)> {
    let mut categories = opts.categories.clone();
    if !categories.contains(&Category::Security) {
        categories.push(Category::Security);
    }
    categories.sort();
    categories.dedup();
    let org = opts.organization.trim();
    let fill = |t: &str| t.replace("{{org}}", org);
    let mut files = vec![(WORKSPACE_FILE.to_string(), assay_toml(opts, &categories))];

    let controls = scoped_controls(catalog, &categories);
    let written: BTreeSet<&str> = controls.iter().map(|(c, _)| c.id.as_str()).collect();
    for (c, _) in &controls {
        files.push((format!("controls/{}.yaml", c.id), control_yaml(c)));
    }

    for p in &catalog.policies {
        let criteria: Vec<String> = p
            .meta
            .criteria
            .iter()
            .filter(|id| {
                catalog
                    .criterion(id)
                    .is_some_and(|c| categories.contains(&c.category))
            })
            .cloned()
            .collect();
        let mut pcontrols: Vec<String> = controls
            .iter()
            .filter(|(c, pols)| pols.contains(&p.meta.id) && written.contains(c.id.as_str()))
            .map(|(c, _)| c.id.clone())
            .collect();
        pcontrols.sort();
        if criteria.is_empty() && pcontrols.is_empty() {
            continue;
        }
        let mut text = String::from("---\n");
        let _ = writeln!(text, "id: {}", scalar(&p.meta.id));
        let _ = writeln!(text, "title: {}", scalar(&fill(&p.meta.title)));
        let _ = writeln!(
            text,
            "version: {}",
            serde_json::to_string(&p.meta.version).unwrap_or_default()
        );
        let _ = writeln!(text, "owner: {}", scalar(&p.meta.owner));
        if let Some(a) = &p.meta.approver {
            let _ = writeln!(text, "approver: {}", scalar(a));
        }
        let _ = writeln!(text, "status: {}            # draft until approved; then `status: approved` and `approved: YYYY-MM-DD`", scalar(&p.meta.status));
        let _ = writeln!(text, "review_cycle: {}", scalar(&p.meta.review_cycle));
        let _ = writeln!(text, "criteria: {}", inline_list(&criteria));
        let _ = writeln!(text, "controls: {}", inline_list(&pcontrols));
        text.push_str("---\n");
        text.push_str(&fill(&p.body));
        files.push((format!("policies/{}", p.file_name), text));
    }

    let inventory: &[TemplateFile] = if opts.demo_inventory {
        &catalog.demo_inventory
    } else {
        &catalog.inventory
    };
    for t in inventory {
        files.push((t.path.clone(), fill(&t.text)));
    }
    files.push((".gitignore".into(), "# The evidence locker: keep it out of git (it is verified by hash, not by review).\n.assay/\n".into()));
    files.push(("README.md".into(), workspace_readme(org)));
    files.sort();
    files
}

fn assay_toml(opts: &InitOptions, categories: &[Category]) -> String {
    let org = opts.organization.trim();
    let system = opts
        .system_name
        .clone()
        .unwrap_or_else(|| format!("{org} Platform"));
    let description = opts.system_description.clone().unwrap_or_else(|| {
        "Describe the services the system provides, who uses it, and what it is made of. This text opens Section III of the report.".into()
    });
    let mut t = String::new();
    t.push_str("# Assay audit workspace. Every field is described in docs/workspace.md of the Assay repository.\n\n");
    t.push_str("[organization]\n");
    let _ = writeln!(t, "name = {}", toml_str(org));
    t.push_str("# legal_name = \"\"   # if it differs from the name\n# website = \"\"\n\n");
    t.push_str("[system]\n");
    let _ = writeln!(t, "name = {}", toml_str(&system));
    let _ = writeln!(
        t,
        "description = \"\"\"\n{}\n\"\"\"\n",
        description
            .trim()
            .replace('\\', "\\\\")
            .replace("\"\"\"", "\\\"\\\"\\\"")
    );
    t.push_str("[audit]\n");
    match opts.period {
        AuditPeriod::Type1 { as_of } => {
            t.push_str("type = \"type1\"            # type1: design as of one date; type2: operation over 3-12 months\n");
            let _ = writeln!(t, "as_of = {as_of}");
        }
        AuditPeriod::Type2 { start, end } => {
            t.push_str("type = \"type2\"            # type1: design as of one date; type2: operation over 3-12 months\n");
            let _ = writeln!(t, "period_start = {start}");
            let _ = writeln!(t, "period_end = {end}");
        }
    }
    let cats: Vec<String> = categories.iter().map(|c| toml_str(c.slug())).collect();
    let _ = writeln!(t, "# security is always in scope; add availability, processing-integrity, confidentiality, privacy as chosen");
    let _ = writeln!(t, "categories = [{}]", cats.join(", "));
    let mut fws: Vec<String> = vec![toml_str("soc2")];
    fws.extend(
        opts.frameworks
            .iter()
            .filter(|f| *f != "soc2")
            .map(|f| toml_str(f)),
    );
    let _ = writeln!(t, "# soc2 always; add iso27001, nist-800-53-moderate, hipaa, csf2 to report on them too (docs/frameworks.md)");
    let _ = writeln!(t, "frameworks = [{}]\n", fws.join(", "));
    t.push_str("# Who answers for the audit: role id (inventory/people.yaml) = \"Name <email>\".\n[owners]\n");
    t.push_str("# security-lead = \"Jane Doe <jane@example.com>\"\n\n");
    t.push_str("# Evidence collectors; secrets come only from the environment (token_env), never this file.\n");
    t.push_str("# [[collector]]\n# kind = \"github\"\n# org = \"your-org\"\n# token_env = \"GITHUB_TOKEN\"\n");
    t
}

fn toml_str(s: &str) -> String {
    // JSON string escapes are valid TOML basic-string escapes.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn workspace_readme(org: &str) -> String {
    format!(
        "# {org}: SOC 2 audit workspace\n\n\
Created by `assay init`. Keep this folder in git; the evidence locker (`.assay/`) stays out of it.\n\n\
| path | what |\n|---|---|\n\
| `assay.toml` | organization, system, audit type and period, categories in scope, collectors |\n\
| `controls/` | one control per file, mapped to criteria with a rationale for each link |\n\
| `policies/` | policy documents; front matter names owner, version, criteria and controls |\n\
| `inventory/` | the system boundary: systems, data, roles, vendors and subservice organizations, CUECs |\n\n\
## Next steps\n\n\
1. Fill in `inventory/` (comments in each file say what auditors need) and the system description in `assay.toml`.\n\
2. Read each control and policy; change them to match what you really do, or remove them.\n\
3. Run `assay validate` after each change; it names the file, line and column of every problem.\n\
4. Approve the policies: set `status: approved` and `approved: YYYY-MM-DD`.\n"
    )
}

/// Writes a new workspace into `dir` (created if needed).
pub fn init(dir: &Path, catalog: &Catalog, opts: &InitOptions) -> Result<InitReport, InitError> {
    if let Some(f) = opts
        .frameworks
        .iter()
        .find(|f| !assay_catalog::framework::IDS.contains(&f.as_str()))
    {
        return Err(InitError::UnknownFramework(f.clone()));
    }
    if dir.join(WORKSPACE_FILE).exists() {
        return Err(InitError::AlreadyWorkspace(dir.to_path_buf()));
    }
    let files = workspace_files(catalog, opts);
    let conflicts: Vec<String> = files
        .iter()
        .filter(|(rel, _)| dir.join(rel).exists())
        .map(|(rel, _)| rel.clone())
        .collect();
    if !conflicts.is_empty() {
        return Err(InitError::Conflict {
            dir: dir.to_path_buf(),
            files: conflicts,
        });
    }
    let existed = dir.exists();
    let mut written: Vec<PathBuf> = Vec::new();
    let mut made_dirs: Vec<PathBuf> = Vec::new();
    for (rel, text) in &files {
        let path = dir.join(rel);
        let result = (|| {
            if let Some(parent) = path.parent() {
                if !parent.exists() {
                    std::fs::create_dir_all(parent)?;
                    made_dirs.push(parent.to_path_buf());
                }
            }
            std::fs::write(&path, text)
        })();
        if let Err(source) = result {
            for p in written.iter().rev() {
                let _ = std::fs::remove_file(p);
            }
            for d in made_dirs.iter().rev() {
                let _ = std::fs::remove_dir(d);
            }
            if !existed {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(InitError::Io { path, source });
        }
        written.push(path);
    }
    Ok(InitReport {
        controls: files
            .iter()
            .filter(|(r, _)| r.starts_with("controls/"))
            .count(),
        policies: files
            .iter()
            .filter(|(r, _)| r.starts_with("policies/"))
            .count(),
        files: files.into_iter().map(|(r, _)| r).collect(),
    })
}
