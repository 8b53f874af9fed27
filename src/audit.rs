//! An audit: a checked policy applied to an export at an instant. The one
//! entry point the commands share: load, settle `as_of`, time zone and
//! parameters, evaluate.

use crate::check::ir::{ParamValue, Program};
use crate::data::model::Export;
use crate::data::timestamp::{parse_time, TimeVal};
use crate::diagnostic::did_you_mean;
use crate::engine::Settings;
use crate::violation::Run;
use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// `--as-of`, as given.
    pub as_of: Option<String>,
    /// `--param NAME=VALUE`, in order; later ones win.
    pub params: Vec<(String, String)>,
    /// Keep every declared field rather than only those the rules read.
    pub no_projection: bool,
    pub engine: Engine,
    /// `--memory-limit`, in bytes: the relational engine's memory pool.
    pub memory_limit: Option<u64>,
}

/// Which engine runs the rules. Both find the same violations; the report
/// pipeline after them is one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// The evaluator over the loaded records (the default).
    #[default]
    Native,
    /// Each rule compiled to an Apache DataFusion plan over Arrow tables
    /// (needs a comply built with the `datafusion` feature).
    Datafusion,
}

/// Why an audit could not start: no rule was run.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SetupError {
    #[error("no `as_of`: the instant the rules judge \"now\" by is not given")]
    #[diagnostic(code(no_as_of), help("pass `--as-of 2025-12-31T23:59:59+08:00`, or set `as_of` (or `generated_at`) in the export's `export` object"))]
    NoAsOf,
    #[error("no `as_of` was read: the export's metadata may be in what the input errors above kept from being read")]
    #[diagnostic(
        code(no_as_of),
        help("fix the input errors, or pass `--as-of 2025-12-31T23:59:59+08:00`")
    )]
    AsOfNotRead,
    #[error("`--as-of {0}` is not an RFC 3339 timestamp")]
    #[diagnostic(
        code(bad_as_of),
        help("write it like `2025-12-31T23:59:59+08:00` or `2025-12-31`")
    )]
    BadAsOf(String),
    #[error("`export.as_of` is `{0}`, not a timestamp, so there is no instant to judge by")]
    #[diagnostic(
        code(bad_export_as_of),
        help("fix `as_of` in the export's `export` object, or pass `--as-of 2025-12-31T23:59:59+08:00`; `generated_at` is not used in its place")
    )]
    BadExportAsOf(String),
    #[error("unknown parameter `{name}`")]
    #[diagnostic(code(unknown_param))]
    UnknownParam {
        name: String,
        #[help]
        help: Option<String>,
    },
    #[error("parameter `{name}` is {ty}, but `{value}` is not")]
    #[diagnostic(
        code(bad_param),
        help("give a value of type {ty}, like `--param {name}={example}`")
    )]
    BadParam {
        name: String,
        ty: String,
        value: String,
        example: String,
    },
    #[error("parameter `{name}` takes values from {lo} to {hi}, but `{value}` is outside them")]
    #[diagnostic(code(bad_param), help("give a value from {lo} to {hi}"))]
    ParamOutOfRange {
        name: String,
        value: String,
        lo: i64,
        hi: i64,
    },
    #[error("`--param {0}` is not of the form NAME=VALUE")]
    #[diagnostic(code(bad_param))]
    ParamSyntax(String),
    #[error("`--engine datafusion` needs a comply built with the `datafusion` feature")]
    #[diagnostic(
        code(engine_unavailable),
        help("install it with `cargo install --path . --features datafusion`, or use `--engine native`")
    )]
    EngineUnavailable,
    #[error("{0}")]
    #[diagnostic(code(engine_failed))]
    EngineFailed(String),
}

pub struct Audit {
    pub run: Run,
    pub export: Export,
    pub settings: Settings,
}

const DEFAULT_TZ_HOURS: i8 = 8;

pub fn params(
    program: &Program,
    overrides: &[(String, String)],
) -> Result<Vec<ParamValue>, SetupError> {
    let mut values: Vec<ParamValue> = program.params.iter().map(|p| p.default.clone()).collect();
    for (name, value) in overrides {
        let Some(i) = program.params.iter().position(|p| &p.name == name) else {
            return Err(SetupError::UnknownParam {
                name: name.clone(),
                help: did_you_mean(name, program.params.iter().map(|p| p.name.as_str())),
            });
        };
        let bad = |ty: &str, example: &str| SetupError::BadParam {
            name: name.clone(),
            ty: ty.into(),
            value: value.clone(),
            example: example.into(),
        };
        values[i] = match &program.params[i].default {
            ParamValue::Int(_) => {
                ParamValue::Int(value.trim().parse().map_err(|_| bad("an integer", "15"))?)
            }
            ParamValue::Num(_) => match value.trim().parse::<f64>() {
                Ok(v) if v.is_finite() => ParamValue::Num(v),
                _ => return Err(bad("a number", "2.5")),
            },
            ParamValue::Bool(_) => ParamValue::Bool(
                value
                    .trim()
                    .parse()
                    .map_err(|_| bad("`true` or `false`", "true"))?,
            ),
            ParamValue::Str(_) => ParamValue::Str(value.clone()),
        };
        if let (false, Some((lo, hi))) = (
            program.params[i].admits(&values[i]),
            program.params[i].range,
        ) {
            return Err(SetupError::ParamOutOfRange {
                name: name.clone(),
                value: value.trim().to_string(),
                lo,
                hi,
            });
        }
    }
    Ok(values)
}

pub fn parse_param(arg: &str) -> Result<(String, String), SetupError> {
    match arg.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(SetupError::ParamSyntax(arg.to_string())),
    }
}

pub fn audit(
    program: &Program,
    paths: &[PathBuf],
    opts: &AuditOptions,
) -> Result<Audit, SetupError> {
    let params = params(program, &opts.params)?;
    let export = load(program, paths, opts);
    judge(program, export, opts, params)
}

/// Loads the export with the fields the policy's rules read.
pub fn load(program: &Program, paths: &[PathBuf], opts: &AuditOptions) -> Export {
    #[cfg(feature = "datafusion")]
    if let [dir] = paths {
        use crate::engine::datafusion::columnar;
        if opts.engine == Engine::Datafusion && columnar::is_columnar(dir) {
            return match columnar::open(program, dir) {
                Ok(mut export) => {
                    export.stored = Some(dir.clone());
                    export
                }
                Err(e) => Export {
                    errors: vec![miette::miette!("{e}")],
                    collections: vec![Vec::new(); program.schema.collections.len()],
                    incomplete: vec![None; program.schema.collections.len()],
                    ..Export::default()
                },
            };
        }
    }
    let load_opts = crate::data::LoadOptions {
        projection: (!opts.no_projection).then(|| program.projection.clone()),
        ..crate::data::LoadOptions::default()
    };
    crate::data::load(paths, &program.schema, &load_opts)
}

/// The export's time zone: its metadata's, else the spec's default, +08:00.
pub fn time_zone(export: &Export) -> jiff::tz::Offset {
    export
        .meta
        .timezone
        .as_ref()
        .map(|(_, o)| *o)
        .or_else(|| jiff::tz::Offset::from_hours(DEFAULT_TZ_HOURS).ok())
        .unwrap_or(jiff::tz::Offset::UTC)
}

/// Settles `as_of` and the time zone from the loaded export, then evaluates.
/// Callers show the export's input errors first: they matter even when the
/// run cannot start.
pub fn judge(
    program: &Program,
    export: Export,
    opts: &AuditOptions,
    params: Vec<ParamValue>,
) -> Result<Audit, SetupError> {
    let tz = time_zone(&export);
    let as_of = match &opts.as_of {
        Some(text) => match parse_time(text.trim()) {
            Some(TimeVal::Instant(t)) => t,
            Some(TimeVal::Date(d)) => crate::data::timestamp::midnight(d, tz)
                .ok_or_else(|| SetupError::BadAsOf(text.clone()))?,
            None => return Err(SetupError::BadAsOf(text.clone())),
        },
        None if export.meta.bad_as_of.is_some() => {
            return Err(SetupError::BadExportAsOf(
                export.meta.bad_as_of.clone().unwrap_or_default(),
            ))
        }
        None => match (&export.meta.as_of, &export.meta.generated_at) {
            (Some((_, t)), _) | (None, Some((_, t))) => *t,
            // The metadata may sit after the break of a truncated file.
            (None, None) if !export.errors.is_empty() => return Err(SetupError::AsOfNotRead),
            (None, None) => return Err(SetupError::NoAsOf),
        },
    };
    let settings = Settings { as_of, tz, params };
    // The relational engine adds to a converted export the records it shows.
    #[cfg_attr(not(feature = "datafusion"), allow(unused_mut))]
    let mut export = export;
    let found = match opts.engine {
        Engine::Native => crate::engine::native::find(program, &export, &settings),
        #[cfg(feature = "datafusion")]
        Engine::Datafusion => {
            crate::engine::datafusion::find(program, &mut export, &settings, opts.memory_limit)
                .map_err(|e| SetupError::EngineFailed(e.to_string()))?
        }
        #[cfg(not(feature = "datafusion"))]
        Engine::Datafusion => return Err(SetupError::EngineUnavailable),
    };
    let run = crate::locate::report(program, &export, &settings, found);
    Ok(Audit {
        run,
        export,
        settings,
    })
}
