#![forbid(unsafe_code)]
//! comply: a policy-as-code rules engine and linter for CRM exports.

pub mod data;
pub mod report_html;
pub mod schema;
pub mod source;
pub mod violation;
