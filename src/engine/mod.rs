//! Engines that run a checked policy. The native evaluator is `crate::eval`;
//! the relational one, behind the `datafusion` feature, compiles the same
//! IR to DataFusion plans.

#[cfg(feature = "datafusion")]
pub mod datafusion;
