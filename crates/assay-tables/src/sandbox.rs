//! The SQL sandbox. Every query over the evidence tables (control populations and
//! expectations, `assay query`, the HTTP API) is exactly one read-only `SELECT` (or
//! `WITH … SELECT`), checked before DataFusion plans it, on a session that reads no files
//! and whose catalog no query can change.
//!
//! How it is enforced:
//! - [`check_query`] parses the text with DataFusion's own parser and refuses anything but
//!   one query: `CREATE`, `CREATE EXTERNAL TABLE`, `COPY`, `INSERT`, `SET`, `EXPLAIN`,
//!   `SELECT … INTO`, data-modifying statements nested in a query, several statements.
//!   Nothing runs before this check.
//! - [`sql`] then plans with [`options`]: DDL, DML and statements disallowed, so DataFusion
//!   itself refuses what the check might have missed.
//! - [`Sandbox::session`] builds a fresh session for each query (or test) over shared
//!   tables wrapped read-only ([`ReadOnlyTable`]): no table factories (no external tables),
//!   no file formats, no object store (the local file system is unregistered), URL tables
//!   off, and only the table functions `generate_series` and `range`, which read no files.

use crate::query::QueryError;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::{Constraints, Statistics};
use datafusion::datasource::TableType;
use datafusion::error::Result as DfResult;
use datafusion::execution::context::SQLOptions;
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::execution::SessionStateBuilder;
use datafusion::logical_expr::{Expr, ScalarUDF, TableProviderFilterPushDown};
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::{DataFrame, SessionConfig, SessionContext};
use datafusion::sql::parser::{DFParser, Statement as DfStatement};
use datafusion::sql::sqlparser::ast::{Query, SetExpr, Statement, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::GenericDialect;
use datafusion::sql::sqlparser::parser::Parser;
use datafusion::sql::sqlparser::tokenizer::Token;
use std::collections::HashMap;
use std::ops::ControlFlow;
use std::sync::Arc;

/// The only table functions a query may call (they generate numbers; they read nothing).
pub const TABLE_FUNCTIONS: &[&str] = &["generate_series", "range"];

/// What the planner allows: queries only (no DDL, no DML, no `SET` or other statements).
pub fn options() -> SQLOptions {
    SQLOptions::new()
        .with_allow_ddl(false)
        .with_allow_dml(false)
        .with_allow_statements(false)
}

const ONLY_QUERIES: &str =
    "only a single read-only query (SELECT, or WITH … SELECT) may run over the evidence tables";

/// The first word of a statement, upper case (`CREATE`, `COPY`, `INSERT`, ...).
fn verb(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// Refuses `SELECT … INTO` and statements nested in a query (data-modifying CTEs).
struct ReadOnlyVisitor;

fn into_in(body: &SetExpr) -> bool {
    match body {
        SetExpr::Select(s) => s.into.is_some(),
        SetExpr::SetOperation { left, right, .. } => into_in(left) || into_in(right),
        _ => false,
    }
}

impl Visitor for ReadOnlyVisitor {
    type Break = String;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        if into_in(&query.body) {
            return ControlFlow::Break(format!("`SELECT … INTO` creates a table; {ONLY_QUERIES}"));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, s: &Statement) -> ControlFlow<String> {
        match s {
            Statement::Query(_) => ControlFlow::Continue(()),
            other => ControlFlow::Break(format!(
                "a query holds a `{}` statement; {ONLY_QUERIES}",
                verb(&other.to_string())
            )),
        }
    }
}

/// Checks that `sql` is exactly one read-only query, before anything is planned or run.
/// The message says what was found and what is allowed.
pub fn check_query(sql: &str) -> Result<(), String> {
    let mut statements = DFParser::parse_sql_with_dialect(sql, &GenericDialect {})
        .map_err(|e| clean(&e.to_string()))?;
    if statements.len() != 1 {
        return Err(match statements.len() {
            0 => format!("the SQL is empty; {ONLY_QUERIES}"),
            n => format!("the SQL holds {n} statements; {ONLY_QUERIES}"),
        });
    }
    match statements.pop_front() {
        Some(DfStatement::Statement(s)) if matches!(*s, Statement::Query(_)) => {
            match s.visit(&mut ReadOnlyVisitor) {
                ControlFlow::Break(m) => Err(m),
                ControlFlow::Continue(()) => Ok(()),
            }
        }
        Some(DfStatement::CreateExternalTable(_)) => Err(format!(
            "`CREATE EXTERNAL TABLE` is refused (queries read no files); {ONLY_QUERIES}"
        )),
        Some(DfStatement::CopyTo(_)) => Err(format!(
            "`COPY` is refused (queries write no files); {ONLY_QUERIES}"
        )),
        Some(other) => Err(format!(
            "a `{}` statement is refused; {ONLY_QUERIES}",
            verb(&other.to_string())
        )),
        None => Err(format!("the SQL is empty; {ONLY_QUERIES}")),
    }
}

/// Checks that `expr` is exactly one SQL expression (a test's `expect` or `reason`), with
/// nothing after it that could close the query it is placed in, and no statement inside.
pub fn check_expression(expr: &str) -> Result<(), String> {
    let dialect = GenericDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(expr)
        .map_err(|e| e.to_string())?;
    let parsed = parser.parse_expr().map_err(|e| e.to_string())?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!(
            "the expression ends before `{}`; write one SQL expression over the population's columns",
            next.token
        ));
    }
    match parsed.visit(&mut ReadOnlyVisitor) {
        ControlFlow::Break(m) => Err(m),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// Plans one query on a sandboxed session: [`check_query`] first, then DataFusion with
/// [`options`]. Nothing is executed until the frame is collected.
pub async fn sql(ctx: &SessionContext, sql: &str) -> Result<DataFrame, QueryError> {
    check_query(sql).map_err(QueryError::Refused)?;
    ctx.sql_with_options(sql, options())
        .await
        .map_err(|e| QueryError::Sql(clean(&e.to_string())))
}

/// DataFusion's messages without their internal prefixes.
pub fn clean(msg: &str) -> String {
    msg.trim_start_matches("Error during planning: ")
        .trim_start_matches("SQL error: ")
        .trim_start_matches("Schema error: ")
        .trim_start_matches("ParserError(\"")
        .to_string()
}

/// A table a query can scan and nothing else: writes, deletes, updates and truncation are
/// DataFusion's defaults for a provider, which refuse.
#[derive(Debug)]
pub struct ReadOnlyTable(Arc<dyn TableProvider>);

#[async_trait::async_trait]
impl TableProvider for ReadOnlyTable {
    fn schema(&self) -> datafusion::arrow::datatypes::SchemaRef {
        self.0.schema()
    }

    fn constraints(&self) -> Option<&Constraints> {
        self.0.constraints()
    }

    fn table_type(&self) -> TableType {
        self.0.table_type()
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> DfResult<Arc<dyn ExecutionPlan>> {
        self.0.scan(state, projection, filters, limit).await
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> DfResult<Vec<TableProviderFilterPushDown>> {
        self.0.supports_filters_pushdown(filters)
    }

    fn statistics(&self) -> Option<Statistics> {
        self.0.statistics()
    }
}

/// The tables and functions queries may use; hands out a fresh session per query, so no
/// query (or control test) can change what another sees.
#[derive(Clone)]
pub struct Sandbox {
    config: SessionConfig,
    runtime: Arc<RuntimeEnv>,
    tables: Vec<(String, Arc<dyn TableProvider>)>,
    udfs: Vec<Arc<ScalarUDF>>,
}

impl Sandbox {
    /// A sandbox with no tables yet. The runtime has no object store: the local file
    /// system DataFusion registers by default is removed.
    pub fn new(config: SessionConfig) -> Result<Sandbox, QueryError> {
        let runtime = RuntimeEnvBuilder::new()
            .build_arc()
            .map_err(|e| QueryError::Build(e.to_string()))?;
        // Gone from the registry: a scan of a `file://` URL finds no store.
        let _ = runtime.deregister_object_store(ObjectStoreUrl::local_filesystem().as_ref());
        Ok(Sandbox {
            config,
            runtime,
            tables: Vec::new(),
            udfs: Vec::new(),
        })
    }

    /// Adds a table, wrapped read-only.
    pub fn register_table(&mut self, name: &str, table: Arc<dyn TableProvider>) {
        self.tables
            .push((name.to_string(), Arc::new(ReadOnlyTable(table))));
    }

    /// Adds a scalar function.
    pub fn register_udf(&mut self, f: ScalarUDF) {
        self.udfs.push(Arc::new(f));
    }

    /// A new session over the tables: default functions, no table factories, no file
    /// formats, URL tables off, only [`TABLE_FUNCTIONS`].
    pub fn session(&self) -> Result<SessionContext, QueryError> {
        let state = SessionStateBuilder::new()
            .with_config(self.config.clone())
            .with_runtime_env(Arc::clone(&self.runtime))
            .with_default_features()
            .with_table_factories(HashMap::new())
            .with_file_formats(Vec::new())
            .build();
        let ctx = SessionContext::new_with_state(state);
        let allowed: Vec<String> = ctx
            .state()
            .table_functions()
            .keys()
            .filter(|k| !TABLE_FUNCTIONS.contains(&k.as_str()))
            .cloned()
            .collect();
        for name in allowed {
            ctx.deregister_udtf(&name);
        }
        for f in &self.udfs {
            ctx.register_udf(f.as_ref().clone());
        }
        for (name, table) in &self.tables {
            ctx.register_table(name.as_str(), Arc::clone(table))
                .map_err(|e| QueryError::Build(e.to_string()))?;
        }
        Ok(ctx)
    }
}
