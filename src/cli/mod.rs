//! The command line: one module per subcommand.

pub mod check;
pub mod convert;
pub mod coverage;
pub mod diagnostics;
pub mod fmt;
pub mod lint;
pub mod rules;
pub mod shell;
pub mod stdout_report;
pub mod test;
pub mod trend;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit codes: 0 clean, 1 violations (or warnings with --deny-warnings),
/// 2 bad usage, policy or input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Clean = 0,
    Findings = 1,
    Broken = 2,
}

#[derive(Debug, Parser)]
#[command(
    name = "comply",
    version,
    about = "Policy-as-code rules engine and linter for CRM exports",
    after_help = "Exit codes: 0 clean, 1 violations at or above --fail-on (lint: warnings with --deny-warnings), 2 usage, policy or input error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ErrorFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check an export against the policy
    Check(Box<check::CheckArgs>),
    /// Write the validated export as Parquet, one file per collection
    Convert(convert::ConvertArgs),
    /// Parse and check policies; report every error with its span
    Lint {
        /// Policy files or directories (default: policies/, else the shipped policy)
        policies: Vec<PathBuf>,
        /// Exit 1 when there are warnings
        #[arg(long)]
        deny_warnings: bool,
        #[arg(long, value_enum, default_value = "human")]
        error_format: ErrorFormat,
    },
    /// Rewrite policies in the canonical layout (comments kept)
    Fmt {
        /// Policy files or directories (default: policies/)
        policies: Vec<PathBuf>,
        /// Do not write; exit 1 if a file would change
        #[arg(long)]
        check: bool,
    },
    /// List the rules of a policy
    Rules {
        #[arg(long = "policy", short = 'p')]
        policies: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: rules::ListFormat,
    },
    /// Run policy tests: exports with the violations they must produce
    Test {
        /// Case directories (default: fixtures/rules)
        dirs: Vec<PathBuf>,
        #[arg(long = "policy", short = 'p')]
        policies: Vec<PathBuf>,
        /// Report which rules no case exercised both ways
        #[arg(long)]
        coverage: bool,
        /// Fail when rule coverage (percent) is below this
        #[arg(long)]
        min_coverage: Option<f64>,
        /// Print failing cases only
        #[arg(long, short)]
        quiet: bool,
        /// The engine that runs the rules
        #[arg(long, value_enum, default_value_t = crate::audit::Engine::Native)]
        engine: crate::audit::Engine,
    },
    /// The clause → rules matrix; fails if a clause is unaccounted for
    Coverage {
        #[arg(long = "policy", short = 'p')]
        policies: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: rules::ListFormat,
    },
    /// Print a shell completion script: `comply completions bash > /etc/bash_completion.d/comply`
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `comply man > comply.1`
    Man,
    /// Explain one rule: what it checks, its clause, its parameters
    Explain {
        code: String,
        #[arg(long = "policy", short = 'p')]
        policies: Vec<PathBuf>,
        /// Print the rule's optimized DataFusion logical plan
        #[arg(long)]
        plan: bool,
    },
    /// List the runs `check --history` kept
    History {
        /// The history directory (default: `history` in comply.toml)
        #[arg(long)]
        history: Option<PathBuf>,
    },
    /// New, fixed and persisting violations from run A to run B, by owner
    Diff {
        a: i64,
        b: i64,
        /// The history directory (default: `history` in comply.toml)
        #[arg(long)]
        history: Option<PathBuf>,
    },
}

/// Called once the export is loaded and judged, before any report is
/// rendered: the binary tunes its allocator for the rendering phase there
/// (see its `allocator` module); a library user leaves it unset.
pub static BEFORE_REPORTS: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

pub fn run(cli: Cli) -> Exit {
    match cli.command {
        Command::Check(args) => check::run(*args),
        Command::Convert(args) => convert::run(args),
        Command::Lint {
            policies,
            deny_warnings,
            error_format,
        } => lint::run(&policies, deny_warnings, error_format),
        Command::Fmt { policies, check } => fmt::run(&policies, check),
        Command::Rules { policies, format } => rules::list(&policies, format),
        Command::Coverage { policies, format } => coverage::run(&policies, format),
        Command::Completions { shell } => shell::completions(shell),
        Command::Man => shell::man(),
        Command::History { history } => trend::list(history),
        Command::Diff { a, b, history } => trend::diff(a, b, history),
        Command::Explain {
            code,
            policies,
            plan,
        } => rules::explain(&policies, &code, plan),
        Command::Test {
            dirs,
            policies,
            coverage,
            min_coverage,
            quiet,
            engine,
        } => match rules::program(&policies) {
            Some(p) => test::run(&p, &dirs, coverage, min_coverage, quiet, engine),
            None => Exit::Broken,
        },
    }
}
