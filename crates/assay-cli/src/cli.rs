//! Command-line definitions. Each flag's doc comment is its `--help` text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Assay: SOC 2 audit as code, with evidence you can prove.
#[derive(Debug, Parser)]
#[command(name = "assay", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Run as if started in DIR (the workspace is searched from there upward).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Audit types on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AuditTypeArg {
    /// Design of controls as of one date.
    Type1,
    /// Operating effectiveness over a period of 3 to 12 months.
    Type2,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new audit workspace with a complete SOC 2 starting set.
    Init(InitArgs),
    /// Answer security questionnaires from the workspace: proposals with sources, which a
    /// person accepts or rejects.
    #[command(subcommand)]
    Questionnaire(QuestionnaireCommand),
    /// Review policy documents against the criteria in scope.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Review what vendors send: propose the facts of a SOC report or a penetration test report.
    #[command(subcommand)]
    Vendor(VendorCommand),
    /// Check the workspace's files and report design coverage.
    Validate(ValidateArgs),
    /// Browse the Trust Services Criteria and the default library.
    #[command(subcommand)]
    Catalog(CatalogCommand),
    /// Build a demo workspace for a synthetic company and show what Assay does.
    Demo(DemoArgs),
    /// Store and inspect evidence in the workspace's locker.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// Re-hash every blob and check the ledger's chain, tree and checkpoint signatures.
    Verify {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Export evidence to one file that anyone can verify offline, or verify such a file.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Run the collectors configured in assay.toml ([[collector]] tables).
    Collect {
        /// Only the collector with this name.
        #[arg(long)]
        only: Option<String>,
        /// Only evidence since this date (YYYY-MM-DD), instead of since the last run.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the standard evidence tables with their row counts (or their columns).
    Tables {
        /// Show every table's columns and types.
        #[arg(long)]
        schema: bool,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
        /// Write every table as Parquet into this folder (`<table>.parquet`), for other
        /// tools (DuckDB, pandas, Spark) to read.
        #[arg(long, value_name = "DIR")]
        export: Option<PathBuf>,
    },
    /// Run SQL over the evidence tables (e.g. "select count(*) from changes").
    Query {
        /// One SQL statement.
        sql: String,
        /// Print rows as JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print rows as CSV.
        #[arg(long)]
        csv: bool,
    },
    /// Run the controls' tests over the evidence (all, or one control's).
    Test {
        /// Only this control's tests (e.g. CHG-01).
        #[arg(long)]
        control: Option<String>,
        /// Print the results as JSON.
        #[arg(long)]
        json: bool,
        /// Also write every population, exactly the rows behind its `rows_sha256`, as
        /// `DIR/<TEST>.parquet`, to re-perform the digest (docs/assessment.md).
        #[arg(long, value_name = "DIR")]
        populations: Option<PathBuf>,
    },
    /// Run every test and judge: criteria verdicts, findings and a draft opinion.
    Assess {
        /// Print the assessment as JSON (schema assay.assessment/v1, docs/assessment.md).
        #[arg(long)]
        json: bool,
    },
    /// List the items selected for a manual test's sample, with the seed.
    Sample {
        /// The test id, e.g. HR-02.1.
        test: String,
        /// Print as JSON.
        #[arg(long, conflicts_with = "csv")]
        json: bool,
        /// Print as CSV.
        #[arg(long)]
        csv: bool,
    },
    /// List findings with their triage; --sync writes findings/<id>.yaml for new ones.
    Findings {
        /// Write a findings file (status open, owner and due date filled in) for each new
        /// finding; existing files are never changed.
        #[arg(long)]
        sync: bool,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Render a report from a fresh assessment (or a stored one, --from): readiness (html,
    /// md, json, pdf), soc2 (html, pdf, md), workpapers (xlsx), oscal (json: six documents),
    /// soa (ISO 27001 Statement of Applicability, xlsx), hipaa-matrix (xlsx).
    Report {
        /// readiness, soc2, workpapers, oscal, soa or hipaa-matrix.
        kind: String,
        /// The format (default: the kind's first).
        #[arg(long)]
        format: Option<String>,
        /// Where to write (default reports/<kind>.<format>, or reports/oscal/ for OSCAL).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Render from a stored assessment (`assay assess --json > FILE`) instead of
        /// assessing again; the result is byte-identical to rendering it fresh.
        #[arg(long, value_name = "FILE")]
        from: Option<PathBuf>,
    },
    /// For a pipeline (GitHub Actions, GitLab CI): collect, run every test, compare with the
    /// last run, write JUnit XML and a Markdown summary; exit 1 when a test fails.
    Ci {
        /// Write JUnit XML here (one test case per control test, named by its id).
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Write a Markdown summary here (e.g. "$GITHUB_STEP_SUMMARY").
        #[arg(long, value_name = "FILE")]
        summary: Option<PathBuf>,
        /// Exit 1 only for new failures and new exception keys since the baseline.
        #[arg(long)]
        new_only: bool,
        /// Compare with this earlier run (`assay ci --json`, `assay test --json` or `assay
        /// assess --json`) instead of the workspace's last `assay ci` run.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Do not run the configured collectors first.
        #[arg(long)]
        no_collect: bool,
        /// Collect only with the collectors that have no `schedule` of their own (the
        /// monitor's suite runs do this; those collectors run on their own schedules).
        #[arg(long, conflicts_with = "no_collect")]
        skip_scheduled_collectors: bool,
        /// Query every population again instead of reusing the runs whose query and tables
        /// are unchanged since the last run.
        #[arg(long)]
        fresh: bool,
        /// Print the run's record as JSON (schema assay.ci/v1) instead of the summary.
        #[arg(long)]
        json: bool,
    },
    /// Run collection and the tests (as `assay ci`, notifications included) on the
    /// `[monitor]` schedule of assay.toml, recording every run in the ledger.
    Monitor {
        /// Stop after this many runs (default: run until stopped).
        #[arg(long, value_name = "N")]
        runs: Option<u64>,
        /// Print each run's record as one JSON line.
        #[arg(long)]
        json: bool,
    },
    /// A test's result and exception count at every run `assay monitor` recorded, or, with
    /// --replay, every day of the audit period replayed from the evidence.
    History {
        /// The test (e.g. CHG-01.1); with --replay and no test, every control's summary.
        test: Option<String>,
        /// Replay the period day by day from the evidence (one assessment), instead of
        /// reading the monitor's recorded runs.
        #[arg(long)]
        replay: bool,
        /// With --replay: read this stored assessment (`assay assess --json`) instead of
        /// assessing the workspace now.
        #[arg(long, value_name = "FILE", requires = "replay")]
        from: Option<std::path::PathBuf>,
        /// With --replay and a test: also write the control's day-by-day chart (SVG) here.
        #[arg(long, value_name = "FILE", requires = "replay")]
        svg: Option<std::path::PathBuf>,
        /// Print as JSON (schema assay.history/v1, or assay.history.replay/v1 with --replay).
        #[arg(long)]
        json: bool,
    },
    /// Sign a checkpoint of the ledger as it is now.
    Checkpoint {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Serve the workspace (and more with --audit) over HTTP: the API for a whole audit team.
    Serve(ServeArgs),
}

/// `assay serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    pub listen: String,
    /// Another workspace to serve as an audit (repeatable); the -C workspace is the first.
    #[arg(long = "audit", value_name = "DIR")]
    pub audits: Vec<PathBuf>,
    /// The URL people reach the server at, for the setup link (default: http://ADDR).
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Mark the session cookie Secure and send HSTS: set this when TLS ends at a proxy.
    #[arg(long)]
    pub secure_cookies: bool,
    /// Serve HTTPS with this PEM certificate chain (with --tls-key); implies --secure-cookies.
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// The largest evidence upload, in MiB.
    #[arg(long, default_value_t = 512, value_name = "MIB")]
    pub max_upload_mib: u64,
    /// Log as JSON lines (for a log collector) instead of text.
    #[arg(long)]
    pub log_json: bool,
    /// Single sign-on: the OpenID Connect issuer URL (the secret comes from
    /// ASSAY_OIDC_CLIENT_SECRET).
    #[arg(long, value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// The client id registered at the identity provider.
    #[arg(long, value_name = "ID")]
    pub oidc_client_id: Option<String>,
    /// Map an identity-provider group to a role: GROUP=ORG[/AUDIT]:ROLE (repeatable).
    #[arg(long = "oidc-group", value_name = "RULE")]
    pub oidc_groups: Vec<String>,
    /// Do not run the `[monitor]` schedules of the served workspaces (run `assay monitor`
    /// beside the server instead).
    #[arg(long)]
    pub no_monitor: bool,
}

/// `assay evidence ...`.
#[derive(Debug, Subcommand)]
pub enum EvidenceCommand {
    /// Store files (or every file under folders) as evidence of one kind.
    Add(EvidenceAddArgs),
    /// Import exports in a known format (checked before anything is stored): hr-roster,
    /// aws-credential-report, aws-cloudtrail, okta-system-log, github-pulls, csv, json.
    Import(EvidenceImportArgs),
    /// List the evidence in the ledger.
    List {
        /// Only this kind.
        #[arg(long)]
        kind: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one entry: its record, hash and provenance.
    Show {
        /// Sequence number (e.g. 12) or a blob hash prefix (at least 6 hex digits).
        id: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write an entry's stored bytes to standard output.
    Cat {
        /// Sequence number or blob hash prefix.
        id: String,
    },
}

/// `assay bundle ...`.
#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write the evidence (all, or one period), the ledger, proofs and public key to OUT.
    Export {
        /// The bundle file to write, e.g. evidence-2026H1.tar.gz.
        out: PathBuf,
        /// Only evidence that speaks for this span (START..END, YYYY-MM-DD); default: all.
        #[arg(long, value_name = "START..END")]
        period: Option<String>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Verify a bundle on any machine, with no workspace.
    Verify {
        /// The bundle file.
        file: PathBuf,
        /// A checkpoint you recorded earlier (SIZE:ROOT): prove the ledger only grew since.
        #[arg(long, value_name = "SIZE:ROOT")]
        recorded: Option<String>,
        /// The key id the organization published (`assay bundle key` prints it): the bundle
        /// must be signed by that key. 16 hex digits, or the full 64-digit fingerprint.
        #[arg(long, value_name = "HEX", conflicts_with = "key")]
        key_id: Option<String>,
        /// The organization's public key file (hex, as `.assay/keys/ledger.ed25519.pub`):
        /// the bundle must be signed by that key.
        #[arg(long, value_name = "FILE")]
        key: Option<PathBuf>,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print this workspace's signing key: the key id to publish so recipients can pin it.
    Key {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `assay evidence import`.
#[derive(Debug, Args)]
pub struct EvidenceImportArgs {
    /// Files or folders (a CloudTrail folder tree of .json/.json.gz files, say).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The format: hr-roster, aws-credential-report, aws-cloudtrail, okta-system-log,
    /// github-pulls, csv, json.
    #[arg(long)]
    pub kind: String,
    /// For csv/json: the standard table to fill (`assay tables` lists them).
    #[arg(long)]
    pub table: Option<String>,
    /// For csv/json: column=Header pairs, comma-separated; `key` is required.
    #[arg(long, value_name = "COLUMN=HEADER,...")]
    pub map: Option<String>,
    /// The system the evidence comes from (default: from the kind).
    #[arg(long)]
    pub source: Option<String>,
    /// The day (YYYY-MM-DD) or span (START..END) the evidence speaks for.
    #[arg(long, value_name = "DATE|START..END")]
    pub effective: Option<String>,
    /// Refuse lines longer than this many bytes (a sign of a wrong or damaged file).
    #[arg(long, default_value_t = 256 * 1024 * 1024, hide = true)]
    pub max_line_bytes: u64,
    /// Print nothing on success (the demo imports this way).
    #[arg(long, hide = true)]
    pub quiet: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `assay evidence add`.
#[derive(Debug, Args)]
pub struct EvidenceAddArgs {
    /// Files or folders to store.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Evidence kind, e.g. document, hr-roster, aws-credential-report (lowercase, dashes).
    #[arg(long)]
    pub kind: String,
    /// The system the evidence comes from, e.g. okta, aws, manual.
    #[arg(long, default_value = "manual")]
    pub source: String,
    /// The day (YYYY-MM-DD) or span (START..END) the evidence speaks for.
    #[arg(long, value_name = "DATE|START..END")]
    pub effective: Option<String>,
    /// Keep the SHA-256 of each redacted secret in the ledger (never the secret itself).
    #[arg(long)]
    pub keep_secret_hashes: bool,
    /// Record unchanged files again as a new observation (by default, re-running the same
    /// import only completes what an interrupted run left undone).
    #[arg(long)]
    pub new_observation: bool,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `assay init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to create the workspace in (created if missing; must not hold one already).
    pub dir: PathBuf,
    /// The service organization's name.
    #[arg(long)]
    pub org: String,
    /// SOC 2 Type I or Type II.
    #[arg(long = "type", value_enum)]
    pub audit_type: AuditTypeArg,
    /// Type I: the date the design is judged as of (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", conflicts_with_all = ["period_start", "period_end"])]
    pub as_of: Option<String>,
    /// Type II: first day of the period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "period_end")]
    pub period_start: Option<String>,
    /// Type II: last day of the period (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", requires = "period_start")]
    pub period_end: Option<String>,
    /// Categories in scope, comma-separated: security, availability, confidentiality,
    /// processing-integrity, privacy. Security is always included.
    #[arg(long, value_delimiter = ',', default_value = "security")]
    pub categories: Vec<String>,
    /// The system's name (default: "<org> Platform").
    #[arg(long)]
    pub system: Option<String>,
    /// Frameworks beside SOC 2 to report on, comma-separated: iso27001,
    /// nist-800-53-moderate, hipaa, csf2 (also `[audit] frameworks` in assay.toml).
    #[arg(long, value_delimiter = ',')]
    pub frameworks: Vec<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `assay questionnaire ...`.
#[derive(Debug, Subcommand)]
pub enum QuestionnaireCommand {
    /// Propose an answer to every question of a security questionnaire (CSV or XLSX), with
    /// its class, sources and confidence; every input column is kept. Answers are proposals
    /// until a person accepts them (`assay questionnaire accept`).
    Answer {
        /// The questionnaire (.csv or .xlsx).
        file: PathBuf,
        /// The header of the column holding the questions.
        #[arg(long, value_name = "NAME")]
        question_column: String,
        /// Where to write the answered questionnaire (.csv or .xlsx; the format follows the
        /// extension).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Cite the test results of this stored assessment (`assay assess --json > FILE`)
        /// instead of assessing now.
        #[arg(long, value_name = "FILE")]
        assessment: Option<PathBuf>,
        /// Answer extractively, without the model `[ai]` names.
        #[arg(long)]
        offline: bool,
        /// Print, as JSON lines, exactly what would be sent to the model, and send nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the proposals as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record your decisions: rows of an answered questionnaire whose `Status` you set to
    /// `accepted` (the answer, class and sources as you left them) or `rejected`. Accepted
    /// answers join the answer library (answers/library.json) and are reused first.
    Accept {
        /// The answered questionnaire.
        file: PathBuf,
        /// The header of the column holding the questions.
        #[arg(long, value_name = "NAME")]
        question_column: String,
        /// Who decided (default: $USER).
        #[arg(long, value_name = "NAME")]
        by: Option<String>,
    },
    /// Score answering against a labelled set (CSV: id,question,class,sources): class
    /// accuracy, citation precision and recall, the needs-info rate.
    Eval {
        /// The labelled set.
        file: PathBuf,
        /// Cite the test results of this stored assessment instead of assessing now.
        #[arg(long, value_name = "FILE")]
        assessment: Option<PathBuf>,
        /// Answer extractively, without the model `[ai]` names.
        #[arg(long)]
        offline: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `assay policy ...`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Propose, for each criterion in scope and each of its points of focus, whether the
    /// policies cover it (covered, partial, missing), with the passages behind each proposal
    /// and existing controls to link. Extractive: no model is used.
    Review {
        /// Documents to review instead of the workspace's policies (.md, .txt, .docx).
        files: Vec<PathBuf>,
        /// List every point of focus, not only those partly covered or missing.
        #[arg(long)]
        all: bool,
        /// Print the review as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `assay vendor ...`.
#[derive(Debug, Subcommand)]
pub enum VendorCommand {
    /// Propose the facts an auditor extracts from a vendor's SOC report (PDF, DOCX, Markdown
    /// or text): report type, period, service auditor, opinion, exceptions noted and
    /// complementary user entity controls; or from a penetration test report: the tester, the
    /// test dates and the findings by severity. Each fact comes with the line it was read
    /// from. Extractive: no model is used. PDF text is read with pdftotext (poppler-utils).
    Review {
        /// The report.
        file: PathBuf,
        /// The vendor it is from.
        #[arg(long)]
        vendor: Option<String>,
        /// Print the proposal as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// `assay validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Exit 1 on warnings too (design gaps, unknown owners, ...), for CI gates.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// `assay catalog ...`.
#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// List the Trust Services Criteria.
    Criteria {
        /// Only this category (security, availability, processing-integrity, confidentiality, privacy).
        #[arg(long)]
        category: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one criterion (CC6.1), default control (ACC-01) or framework requirement
    /// (A.8.5, AC-2, 164.312(d), PR.AA-01) in full, with the controls mapped to it.
    Show {
        /// A criterion, control or requirement id.
        id: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the default control library.
    Controls {
        /// Only controls mapped to criteria of this category.
        #[arg(long)]
        category: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List the policy templates.
    Policies {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// The pairs of requirements two frameworks share through the default controls
    /// (soc2, iso27001, nist-800-53-moderate, hipaa, csf2).
    Crosswalk {
        /// The first framework.
        from: String,
        /// The second framework.
        to: String,
        /// As CSV, with each pair's two rationales per control.
        #[arg(long)]
        csv: bool,
    },
}

/// `assay demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Leave the demo workspace in this folder (must be new or empty); default: a new temporary folder.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Size of the synthetic company: small (50 people, ~10k events), medium (500 people,
    /// 1M events, 100k changes) or large (5,000 people, 10M events, 1M changes).
    #[arg(long, default_value = "small")]
    pub scale: String,
    /// Seed of the synthetic company: the same seed gives the same evidence.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Frameworks beside SOC 2, comma-separated (iso27001 adds the Statement of
    /// Applicability, hipaa the safeguard matrix).
    #[arg(long, value_delimiter = ',')]
    pub frameworks: Vec<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}
