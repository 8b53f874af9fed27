#![forbid(unsafe_code)]
//! comply: a policy-as-code rules engine and linter for CRM exports.

pub mod data;
pub mod schema;
pub mod source;
pub mod violation;
pub mod ast;
pub mod audit;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod eval;
pub mod policy;
pub mod report_file;
pub mod syntax;
