#![forbid(unsafe_code)]
//! comply: a policy-as-code rules engine and linter for CRM exports.

pub mod baseline;
pub mod config;
pub mod data;
pub mod report;
pub mod schema;
pub mod source;
pub mod violation;
pub mod waiver;
