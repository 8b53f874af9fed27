//! The relational engine: each checked rule compiled to an Apache
//! DataFusion logical plan and run over the export as Arrow tables. It
//! finds what the native engine finds; the report pipeline (locations,
//! waivers, baselines, every format) is the same for both.

pub mod arith;
pub mod columnar;
pub mod instant;
pub mod parquet;
pub mod periods;
pub mod plan;
pub mod show;
pub mod tables;
pub mod types;

use crate::check::ir::{Program, Source};
use crate::data::model::Export;
use crate::engine::{Found, Settings};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Decimal128Type, UInt32Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::MemTable;
use datafusion::datasource::provider_as_source;
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{LogicalPlan, LogicalPlanBuilder};
use datafusion::prelude::SessionConfig;
use std::sync::Arc;

/// A failure of the engine itself (a rule it cannot compile, a plan that
/// fails), as one line for the user.
#[derive(Debug, thiserror::Error)]
#[error("datafusion engine: {0}")]
pub struct EngineError(pub String);

impl From<datafusion::error::DataFusionError> for EngineError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        EngineError(e.to_string())
    }
}

impl From<datafusion::parquet::errors::ParquetError> for EngineError {
    fn from(e: datafusion::parquet::errors::ParquetError) -> Self {
        EngineError(format!("cannot write Parquet: {e}"))
    }
}

impl From<datafusion::arrow::error::ArrowError> for EngineError {
    fn from(e: datafusion::arrow::error::ArrowError) -> Self {
        EngineError(e.to_string())
    }
}

/// Each collection of the loaded export as an in-memory table, split into
/// one partition per core so that the plans run on all of them.
fn memory_tables(
    program: &Program,
    export: &Export,
    tz: jiff::tz::Offset,
) -> Result<Vec<LogicalPlan>, EngineError> {
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut out = Vec::new();
    for c in 0..program.schema.collections.len() {
        let need = &program.projection.collections[c];
        let batch = tables::table(&program.schema, export, c, need, tz)?;
        let rows = batch.num_rows();
        let per = rows.div_ceil(parts).max(1);
        let partitions: Vec<Vec<RecordBatch>> = (0..rows)
            .step_by(per)
            .map(|start| vec![batch.slice(start, per.min(rows - start))])
            .collect();
        let partitions = if partitions.is_empty() {
            vec![vec![batch.clone()]]
        } else {
            partitions
        };
        let table = MemTable::try_new(batch.schema(), partitions)?;
        let name = &program.schema.collections[c].name;
        out.push(
            LogicalPlanBuilder::scan(name, provider_as_source(Arc::new(table)), None)?.build()?,
        );
    }
    Ok(out)
}

fn runtime() -> Result<tokio::runtime::Runtime, EngineError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| EngineError(format!("cannot start the runtime: {e}")))
}

fn session(memory_limit: Option<u64>) -> Result<SessionContext, EngineError> {
    let parts = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut config = SessionConfig::new().with_target_partitions(parts);
    // Strings read from Parquet as the engine holds them in memory (`Utf8`),
    // so that a plan and its functions see one representation.
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    // With a limit, operators that can spill (sorts, aggregates, joins)
    // spill to the system's temporary directory instead of growing past it.
    let mut runtime = datafusion::execution::runtime_env::RuntimeEnvBuilder::new();
    if let Some(bytes) = memory_limit {
        runtime = runtime.with_memory_limit(usize::try_from(bytes).unwrap_or(usize::MAX), 1.0);
    }
    let ctx = SessionContext::new_with_config_rt(config, runtime.build_arc()?);
    // DataFusion 55's pushdown of leaf expressions fails on a projection
    // that renames a scan's column to its own name ("qualified field name
    // … and unqualified field name … would be ambiguous"), which is what
    // reading a converted export's columns into the engine's types does.
    for rule in ["extract_leaf_expressions", "push_down_leaf_projections"] {
        ctx.remove_optimizer_rule(rule);
    }
    Ok(ctx)
}

/// What the rules find in `export`, as the native engine's `find` returns
/// it. A converted export's records are read from its Parquet files, and
/// those the violations show are added to `export`.
pub fn find(
    program: &Program,
    export: &mut Export,
    settings: &Settings,
    memory_limit: Option<u64>,
) -> Result<Vec<Found>, EngineError> {
    let ctx = session(memory_limit)?;
    let rt = runtime()?;
    let tables = match &export.stored {
        Some(dir) => rt.block_on(columnar::tables(&ctx, program, dir))?,
        None => memory_tables(program, export, settings.tz)?,
    };
    let inputs = plan::Inputs {
        program,
        tables,
        params: &settings.params,
        as_of: settings.as_of.as_nanosecond(),
        tz: settings.tz,
    };
    let offset = program.integrity.len();
    let mut found = rt.block_on(async {
        let mut found = Vec::new();
        for (i, rule) in program.rules.iter().enumerate() {
            let plan = plan::rule_plan(&inputs, rule)
                .map_err(|e| EngineError(format!("rule {}: {e}", rule.info.code)))?;
            let batches = ctx
                .execute_logical_plan(plan)
                .await?
                .collect()
                .await
                .map_err(|e| failed(rule, e, memory_limit))?;
            let coll = match rule.binders.first().map(|b| &b.source) {
                Some(Source::Scan(c) | Source::Lookup { coll: c, .. }) => Some(*c),
                _ => None,
            };
            for b in &batches {
                found.extend(rows(b, offset + i, coll, rule.owner.is_some()));
            }
        }
        Ok::<_, EngineError>(found)
    })?;
    if let Some(dir) = export.stored.clone() {
        rt.block_on(columnar::load_found(
            &ctx, program, &dir, export, &mut found,
        ))?;
    }
    Ok(found)
}

fn failed(
    rule: &crate::check::ir::CheckedRule,
    e: datafusion::error::DataFusionError,
    memory_limit: Option<u64>,
) -> EngineError {
    let code = &rule.info.code;
    match (e.find_root(), memory_limit) {
        (datafusion::error::DataFusionError::ResourcesExhausted(why), Some(limit)) => EngineError(format!(
            "rule {code} needs more memory than `--memory-limit` allows ({limit} bytes), even spilling to disk: {why}"
        )),
        _ => EngineError(format!("rule {code}: {e}")),
    }
}

fn rows(b: &RecordBatch, rule: usize, coll: Option<usize>, owned: bool) -> Vec<Found> {
    let record = b.column(0).as_primitive::<UInt32Type>();
    let key = b.column(1).as_string::<i32>();
    let message = b.column(2).as_string::<i32>();
    let field = b.column(3).as_string::<i32>();
    let date = b.column(4).as_primitive::<Decimal128Type>();
    let (owner, department) = (
        b.column(5).as_string::<i32>(),
        b.column(6).as_string::<i32>(),
    );
    let text = |a: &datafusion::arrow::array::StringArray, i: usize| {
        (!a.is_null(i)).then(|| a.value(i).to_string())
    };
    (0..b.num_rows())
        .map(|i| Found {
            rule,
            record: coll
                .filter(|_| !record.is_null(i))
                .map(|c| (c, record.value(i))),
            key: text(key, i),
            message: message.value(i).to_string(),
            field: text(field, i),
            date: (!date.is_null(i)).then(|| date.value(i)),
            owner: owned.then(|| (text(owner, i), text(department, i))),
        })
        .collect()
}

/// The optimized logical plan of the rule with this code, as text.
pub fn explain(
    program: &Program,
    export: &Export,
    settings: &Settings,
    code: &str,
) -> Result<String, EngineError> {
    let Some(rule) = program.rules.iter().find(|r| r.info.code == code) else {
        return Err(EngineError(format!("no rule `{code}`")));
    };
    let inputs = plan::Inputs {
        program,
        tables: memory_tables(program, export, settings.tz)?,
        params: &settings.params,
        as_of: settings.as_of.as_nanosecond(),
        tz: settings.tz,
    };
    let plan = plan::rule_plan(&inputs, rule)?;
    let optimized = session(None)?.state().optimize(&plan)?;
    let text = optimized.display_indent().to_string();
    Ok(text)
}
