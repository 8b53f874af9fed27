#![forbid(unsafe_code)]
//! comply: a policy-as-code rules engine and linter for CRM exports.

pub mod ast;
pub mod audit;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod engine;
pub mod excerpts;
pub mod history;
pub mod locate;
pub mod policy;
pub mod report;
pub mod report_file;
pub mod report_html;
pub mod schema;
pub mod snippet_window;
pub mod source;
pub mod stdin_export;
pub mod syntax;
pub mod violation;
pub mod waiver;
