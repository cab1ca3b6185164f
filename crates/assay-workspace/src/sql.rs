//! The SQL fields of a control's tests, checked before anything runs: `population` must be
//! exactly one read-only query (`SELECT`, or `WITH … SELECT`); `expect` and `reason` exactly
//! one expression each. A control file can arrive in a pull request, so `assay validate`
//! refuses DDL (`CREATE`, `CREATE EXTERNAL TABLE`), DML (`INSERT`, `COPY`), `SET`, `EXPLAIN`,
//! `SELECT … INTO`, statements nested in a query and several statements, naming the file
//! and line. The engine enforces the same rules again (`assay_tables::sandbox`).
//!
//! Parsed with the SQL parser DataFusion uses (sqlparser, generic dialect), so what passes
//! here parses there. Parameters such as `:period_start` parse as placeholders.

use sqlparser::ast::{Query, SetExpr, Statement, Visit, Visitor};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;
use std::ops::ControlFlow;

/// What may appear in a population.
pub(crate) const ONLY_QUERY: &str = "a population is exactly one read-only query: `SELECT …` or `WITH … SELECT …`, no other statement and no `;` between statements";

fn verb(s: &Statement) -> String {
    s.to_string()
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

fn into_in(body: &SetExpr) -> bool {
    match body {
        SetExpr::Select(s) => s.into.is_some(),
        SetExpr::SetOperation { left, right, .. } => into_in(left) || into_in(right),
        _ => false,
    }
}

/// Refuses `SELECT … INTO` and any statement other than a query, nested or not.
struct ReadOnly;

impl Visitor for ReadOnly {
    type Break = String;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        if into_in(&query.body) {
            return ControlFlow::Break("`SELECT … INTO` creates a table".into());
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, s: &Statement) -> ControlFlow<String> {
        match s {
            Statement::Query(_) => ControlFlow::Continue(()),
            other => ControlFlow::Break(format!("it holds a `{}` statement", verb(other))),
        }
    }
}

/// `Ok` when `sql` is exactly one read-only query; else what is wrong.
pub(crate) fn check_query(sql: &str) -> Result<(), String> {
    let statements = Parser::parse_sql(&GenericDialect {}, sql)
        .map_err(|e| format!("it does not parse: {e}"))?;
    match statements.as_slice() {
        [] => Err("it is empty".into()),
        [one @ Statement::Query(_)] => match one.visit(&mut ReadOnly) {
            ControlFlow::Break(m) => Err(m),
            ControlFlow::Continue(()) => Ok(()),
        },
        [one] => Err(format!("it is a `{}` statement", verb(one))),
        many => Err(format!("it holds {} statements", many.len())),
    }
}

/// `Ok` when `expr` is exactly one SQL expression with nothing after it; else what is wrong.
pub(crate) fn check_expression(expr: &str) -> Result<(), String> {
    let dialect = GenericDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(expr)
        .map_err(|e| format!("it does not parse: {e}"))?;
    let parsed = parser
        .parse_expr()
        .map_err(|e| format!("it does not parse: {e}"))?;
    let next = parser.peek_token();
    if next.token != Token::EOF {
        return Err(format!(
            "it goes on after one expression, at `{}` (line {} of the field)",
            next.token, next.span.start.line
        ));
    }
    match parsed.visit(&mut ReadOnly) {
        ControlFlow::Break(m) => Err(m),
        ControlFlow::Continue(()) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_with_parameters_pass() {
        for q in [
            "SELECT key, evidence FROM accounts WHERE created_at >= :period_start",
            "WITH a AS (SELECT * FROM accounts) SELECT key, evidence FROM a -- trailing note",
            "select key, evidence from changes where merged_at::date <= :period_end;",
            "SELECT key FROM a UNION ALL SELECT key FROM b",
        ] {
            assert_eq!(check_query(q), Ok(()), "{q}");
        }
    }

    #[test]
    fn anything_but_one_query_is_refused() {
        for (q, says) in [
            (
                "CREATE EXTERNAL TABLE p (l VARCHAR) STORED AS CSV LOCATION '/etc/passwd'",
                "does not parse",
            ),
            (
                "CREATE OR REPLACE TABLE accounts AS SELECT * FROM accounts WHERE NOT active",
                "`CREATE`",
            ),
            ("COPY (SELECT 1) TO '/tmp/x'", "`COPY`"),
            ("INSERT INTO accounts SELECT * FROM accounts", "`INSERT`"),
            ("SET datafusion.catalog.information_schema = true", "`SET`"),
            ("SELECT 1; SELECT 2", "2 statements"),
            ("SELECT * INTO copy FROM accounts", "INTO"),
            ("DROP TABLE accounts", "`DROP`"),
            ("", "empty"),
        ] {
            let e = check_query(q).unwrap_err();
            assert!(e.contains(says), "{q}: {e}");
        }
    }

    #[test]
    fn expressions_are_one_expression() {
        assert_eq!(check_expression("mfa_enabled AND NOT admin"), Ok(()));
        assert_eq!(
            check_expression("approvals >= :min_approvals -- two people"),
            Ok(())
        );
        assert_eq!(
            check_expression("EXISTS (SELECT 1 FROM accounts a WHERE a.key = key)"),
            Ok(())
        );
        assert!(check_expression("TRUE) AS x FROM accounts --").is_err());
        assert!(check_expression("TRUE; DROP TABLE accounts").is_err());
        assert!(check_expression("").is_err());
    }
}
