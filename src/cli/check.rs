//! `comply check`: run the policy over an export and report what is wrong.

use super::stdout_report;
use super::{diagnostics, Exit};
use crate::audit::{parse_param, AuditOptions};
use crate::config::{self, Config, FailOn};
use crate::report::{Format, ReportOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Export paths: a JSON document, a directory, or several of them
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Policy files or directories (default: the config's, else the shipped policy)
    #[arg(long = "policy", short = 'p')]
    pub policies: Vec<PathBuf>,
    /// The instant the rules judge "now" by (default: the export's `as_of`, else `generated_at`)
    #[arg(long)]
    pub as_of: Option<String>,
    /// Override a policy parameter: `--param complaint_response_days=10`
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Report format on standard output
    #[arg(long, short = 'f', value_name = "FORMAT")]
    pub format: Option<OutFormat>,
    /// Write a report to a file: `-o report.sarif`, or `-o json=out.json`; repeatable
    #[arg(long = "output", short = 'o', value_name = "[FORMAT=]FILE")]
    pub outputs: Vec<String>,
    /// Lowest severity that fails the run
    #[arg(long, value_name = "error|warning|info")]
    pub fail_on: Option<String>,
    /// Exit 0 even when violations are found (errors in input still exit 2)
    #[arg(long)]
    pub exit_zero: bool,
    /// Only these rules (codes or prefixes: `CD4`, `CD43`, `CD431`)
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Skip these rules (codes or prefixes)
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Add rules to the selection
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Waiver file (default: the config's, else `comply-waivers.toml` if present)
    #[arg(long)]
    pub waivers: Option<PathBuf>,
    /// Report only violations not in this baseline
    #[arg(long)]
    pub baseline: Option<PathBuf>,
    /// Record today's violations as the baseline, then exit 0
    #[arg(long)]
    pub write_baseline: Option<PathBuf>,
    /// Mask customer data in messages and snippets (default: on unless human output on a terminal)
    #[arg(long, overrides_with = "no_redact")]
    pub redact: bool,
    #[arg(long, overrides_with = "redact")]
    pub no_redact: bool,
    /// Also print counts per rule, most frequent first
    #[arg(long)]
    pub statistics: bool,
    /// Human output: show at most this many violations (the summary counts all)
    #[arg(long)]
    pub max_shown: Option<usize>,
    /// Keep this run's summary and violations in DIR, for `comply history`
    /// and `comply diff` (default: `history` in comply.toml)
    #[arg(long)]
    pub history: Option<PathBuf>,
    /// Human and statistics output: violations by who must act (owner,
    /// department), by rule, clause or month
    #[arg(long, value_enum)]
    pub group_by: Option<crate::report::grouping::GroupBy>,
    /// Configuration file (default: `comply.toml` found upward from here)
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore configuration files
    #[arg(long)]
    pub isolated: bool,
    /// Keep every declared field in memory, not only those the rules read
    #[arg(long, hide = true)]
    pub no_projection: bool,
    /// The engine that runs the rules: `native`, or `datafusion` (each rule
    /// as an Apache DataFusion plan; needs the `datafusion` feature)
    #[arg(long, value_enum, default_value_t = crate::audit::Engine::Native)]
    pub engine: crate::audit::Engine,
    /// Memory the `datafusion` engine may use (`512M`, `2G`); past it, its
    /// joins and aggregates spill to the temporary directory
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_limit: Option<u64>,
}

/// `512M`, `2G`, `1.5G`, `65536` (bytes).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&t[..i], t[i..].to_ascii_uppercase()),
        None => (t, String::new()),
    };
    let scale: u64 = match unit.trim_end_matches('B').trim_end_matches('I') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(format!("`{s}` is not a size: write it like `512M` or `2G`")),
    };
    match num.trim().parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 => Ok((n * scale as f64) as u64),
        _ => Err(format!("`{s}` is not a size: write it like `512M` or `2G`")),
    }
}

/// `--format` values: the report formats plus HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutFormat {
    Human,
    Concise,
    Json,
    Ndjson,
    Sarif,
    Junit,
    Github,
    Gitlab,
    Statistics,
    Html,
    Csv,
    Xlsx,
}

impl OutFormat {
    fn report(self) -> Option<Format> {
        Some(match self {
            OutFormat::Human => Format::Human,
            OutFormat::Concise => Format::Concise,
            OutFormat::Json => Format::Json,
            OutFormat::Ndjson => Format::Ndjson,
            OutFormat::Sarif => Format::Sarif,
            OutFormat::Junit => Format::Junit,
            OutFormat::Github => Format::Github,
            OutFormat::Gitlab => Format::Gitlab,
            OutFormat::Statistics => Format::Statistics,
            OutFormat::Csv => Format::Csv,
            OutFormat::Xlsx => Format::Xlsx,
            OutFormat::Html => return None,
        })
    }

    fn parse(s: &str) -> Option<OutFormat> {
        <OutFormat as clap::ValueEnum>::from_str(s, true).ok()
    }

    /// The format a file name suggests.
    fn of_path(p: &Path) -> Option<OutFormat> {
        let name = p.file_name()?.to_string_lossy().to_ascii_lowercase();
        Some(
            if name.ends_with(".sarif") || name.ends_with(".sarif.json") {
                OutFormat::Sarif
            } else if name.ends_with(".ndjson") || name.ends_with(".jsonl") {
                OutFormat::Ndjson
            } else if name.ends_with(".json") {
                OutFormat::Json
            } else if name.ends_with(".xml") {
                OutFormat::Junit
            } else if name.ends_with(".html") || name.ends_with(".htm") {
                OutFormat::Html
            } else if name.ends_with(".csv") {
                OutFormat::Csv
            } else if name.ends_with(".xlsx") {
                OutFormat::Xlsx
            } else {
                return None;
            },
        )
    }
}

fn usage(msg: String) -> Exit {
    eprintln!("error: {msg}");
    Exit::Broken
}

pub fn run(args: CheckArgs) -> Exit {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config = if args.isolated {
        None
    } else if let Some(path) = &args.config {
        match Config::load(path) {
            Ok(c) => Some(c),
            Err(e) => {
                eprint!("{}", diagnostics::render(e.as_ref()));
                return Exit::Broken;
            }
        }
    } else {
        match Config::discover(&cwd) {
            Ok(c) => c,
            Err(e) => {
                eprint!("{}", diagnostics::render(e.as_ref()));
                return Exit::Broken;
            }
        }
    };
    let config = config.unwrap_or_default();

    // Command line over config.
    let policies = if !args.policies.is_empty() {
        args.policies.clone()
    } else {
        config.policies.clone()
    };
    let fail_on = match args.fail_on.as_deref() {
        None => config.fail_on,
        Some(s) => match FailOn::parse(s) {
            Some(f) => f,
            None => return usage(format!("unknown `--fail-on {s}`: {}", FailOn::EXPECTED)),
        },
    };
    let mut outputs: Vec<(OutFormat, Option<PathBuf>)> = Vec::new();
    for o in &args.outputs {
        let (fmt, path) = match o.split_once('=') {
            Some((f, p)) if OutFormat::parse(f).is_some() => {
                (OutFormat::parse(f), PathBuf::from(p))
            }
            _ => (None, PathBuf::from(o)),
        };
        // `--format` names the standard output's format only.
        let Some(fmt) = fmt.or_else(|| OutFormat::of_path(&path)) else {
            return usage(format!(
                "cannot tell the format of `{o}` from its extension: write `-o json={o}` (or sarif=, junit=, html=, ...)"
            ));
        };
        outputs.push((fmt, Some(path)));
    }
    let stdout_format = args.format.or_else(|| {
        config.format.map(|f| match f {
            Format::Human => OutFormat::Human,
            Format::Concise => OutFormat::Concise,
            Format::Json => OutFormat::Json,
            Format::Ndjson => OutFormat::Ndjson,
            Format::Sarif => OutFormat::Sarif,
            Format::Junit => OutFormat::Junit,
            Format::Github => OutFormat::Github,
            Format::Gitlab => OutFormat::Gitlab,
            Format::Statistics => OutFormat::Statistics,
            Format::Csv => OutFormat::Csv,
            Format::Xlsx => OutFormat::Xlsx,
        })
    });
    let stdout_format = match (stdout_format, outputs.is_empty()) {
        (Some(f), _) => Some(f),
        (None, true) => Some(OutFormat::Human),
        // Reports go to files: the terminal gets the concise summary.
        (None, false) => Some(OutFormat::Statistics),
    };

    // The policy.
    let sources = if policies.is_empty() {
        crate::policy::shipped()
    } else {
        match crate::policy::find(&policies).and_then(|f| crate::policy::read(&f)) {
            Ok(s) => s,
            Err(e) => {
                eprint!("{}", diagnostics::render(&e));
                return Exit::Broken;
            }
        }
    };
    let policy_texts: Vec<(String, String)> = sources
        .iter()
        .map(|s| (s.name.clone(), s.text.to_string()))
        .collect();
    let (mut program, diags) = crate::policy::compile(sources);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.level == crate::diagnostic::Level::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        diagnostics::print(&errors, super::ErrorFormat::Human);
        eprintln!(
            "the policy has {} error{}: no rule was run",
            errors.len(),
            super::lint::plural(errors.len())
        );
        return Exit::Broken;
    }

    // Rule selection, command line over config.
    let all: Vec<crate::violation::RuleInfo> = program
        .integrity
        .iter()
        .map(|r| r.info.clone())
        .chain(program.rules.iter().map(|r| r.info.clone()))
        .collect();
    let pick = |a: &Vec<String>, c: &Vec<String>| if a.is_empty() { c.clone() } else { a.clone() };
    let (select, ignore, extend) = (
        pick(&args.select, &config.select),
        pick(&args.ignore, &config.ignore),
        pick(&args.extend_select, &config.extend_select),
    );
    let option = |cli: &[String], flag: &'static str, key: &'static str| {
        if cli.is_empty() {
            key
        } else {
            flag
        }
    };
    let resolved = [
        (&select, option(&args.select, "--select", "select =")),
        (&ignore, option(&args.ignore, "--ignore", "ignore =")),
        (
            &extend,
            option(&args.extend_select, "--extend-select", "extend-select ="),
        ),
    ]
    .map(|(s, o)| config::resolve_selectors(&all, s, o));
    let mut bad = false;
    for r in &resolved {
        if let Err(errors) = r {
            for e in errors {
                eprintln!("error: {e}");
            }
            bad = true;
        }
    }
    if bad {
        return Exit::Broken;
    }
    let [select, ignore, extend] = resolved.map(Result::unwrap_or_default);
    let chosen = config::select(&all, &select, &ignore, &extend);
    let n_int = program.integrity.len();
    let keep_int: Vec<bool> = chosen[..n_int].to_vec();
    let keep_rules: Vec<bool> = chosen[n_int..].to_vec();
    let mut i = 0;
    program.integrity.retain(|_| {
        i += 1;
        keep_int[i - 1]
    });
    let mut i = 0;
    program.rules.retain(|_| {
        i += 1;
        keep_rules[i - 1]
    });

    // Parameters: config, then command line.
    let mut params = match config.params_for(&program.params) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{}", diagnostics::render(e.as_ref()));
            return Exit::Broken;
        }
    };
    for p in &args.params {
        match parse_param(p) {
            Ok(kv) => params.push(kv),
            Err(e) => {
                eprint!("{}", diagnostics::render(&e));
                return Exit::Broken;
            }
        }
    }
    let opts = AuditOptions {
        as_of: args.as_of.clone(),
        params,
        no_projection: args.no_projection,
        engine: args.engine,
        memory_limit: args.memory_limit,
    };
    let params = match crate::audit::params(&program, &opts.params) {
        Ok(p) => p,
        Err(e) => {
            eprint!("{}", diagnostics::render(&e));
            return Exit::Broken;
        }
    };
    // `-` is standard input, spooled once (see `stdin_export`).
    let mut paths = args.paths.clone();
    let mut _spool = None;
    if let Some(dash) = paths.iter().position(|p| p.as_os_str() == "-") {
        match crate::stdin_export::read() {
            Ok((path, spool)) => {
                paths[dash] = path;
                _spool = Some(spool);
            }
            Err(e) => {
                eprintln!("error: cannot read standard input: {e}");
                return Exit::Broken;
            }
        }
        if paths.iter().any(|p| p.as_os_str() == "-") {
            eprintln!("error: `-` (standard input) is given more than once; it can be read once");
            return Exit::Broken;
        }
    }
    let export = crate::audit::load(&program, &paths, &opts);
    // Input errors first: they explain a missing `as_of` as much as anything.
    let input_errors = export.errors.len();
    for e in &export.errors {
        eprint!("{}", diagnostics::render(e.as_ref()));
    }
    let mut audited = match crate::audit::judge(&program, export, &opts, params) {
        Ok(a) => a,
        Err(e) => {
            eprint!("{}", diagnostics::render(&e));
            return Exit::Broken;
        }
    };

    // Waivers and baseline.
    let mut waiver_failed = false;
    let waivers = args.waivers.clone().or(config.waivers.clone()).or_else(|| {
        let p = PathBuf::from("comply-waivers.toml");
        p.exists().then_some(p)
    });
    if let Some(path) = &waivers {
        match crate::waiver::WaiverFile::load(path) {
            Ok(file) => {
                let today = jiff::Zoned::now().date();
                for problem in crate::waiver::apply(&mut audited.run, &file, today) {
                    waiver_failed |= problem.is_error();
                    eprint!("{}", diagnostics::render(&problem));
                }
            }
            Err(e) => {
                eprint!("{}", diagnostics::render(e.as_ref()));
                return Exit::Broken;
            }
        }
    }
    if let Some(path) = &args.write_baseline {
        if input_errors > 0 {
            eprintln!(
                "error: the export was not fully read: no baseline written to `{}`",
                path.display()
            );
            return Exit::Broken;
        }
        return match crate::baseline::write(&audited.run, path) {
            Ok(()) => {
                eprintln!(
                    "baseline of {} violation(s) written to {}",
                    audited.run.violations.len(),
                    path.display()
                );
                Exit::Clean
            }
            Err(e) => {
                eprint!("{}", diagnostics::render(e.as_ref()));
                Exit::Broken
            }
        };
    }
    if let Some(path) = args.baseline.clone().or(config.baseline.clone()) {
        match crate::baseline::Baseline::load(&path) {
            Ok(b) => {
                let f = crate::baseline::filter(&mut audited.run, &b);
                eprintln!(
                    "{} violation(s) already in the baseline `{}` not shown",
                    f.baselined,
                    path.display()
                );
            }
            Err(e) => {
                eprint!("{}", diagnostics::render(e.as_ref()));
                return Exit::Broken;
            }
        }
    }
    crate::waiver::recount(&mut audited.run);
    if let Some(dir) = args.history.clone().or(config.history.clone()) {
        let stored = crate::history::Store::open(&dir).and_then(|mut s| {
            let now = jiff::Timestamp::now();
            let now = now.round(jiff::Unit::Second).unwrap_or(now);
            s.record(&audited.run, &now.to_string())
        });
        match stored {
            Ok(n) => eprintln!("run {n} kept in the history `{}`", dir.display()),
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Broken;
            }
        }
    }

    // Reports.
    // Each output decides for itself: only human output on a terminal is
    // read by the person running the check; a file is not a terminal.
    let terminal = std::io::stdout().is_terminal();
    let redacts = |to_terminal: bool, fmt: OutFormat| {
        if args.no_redact {
            false
        } else {
            args.redact
                || config
                    .redact
                    .unwrap_or(!(to_terminal && fmt == OutFormat::Human))
        }
    };
    // Human output wraps at the terminal's width when it goes to one.
    let width = terminal
        .then(|| terminal_size::terminal_size_of(std::io::stdout()))
        .flatten()
        .map_or(ReportOptions::default().width, |(w, _)| {
            usize::from(w.0).max(40)
        });
    let base_opts = ReportOptions {
        width,
        max_shown: args.max_shown,
        group_by: args.group_by,
        color: crate::report::color_wanted(),
        policy_sources: policy_texts,
        builtin_policy: policies.is_empty(),
        vocabulary: std::sync::Arc::new(crate::report::Vocabulary::of(&program.schema, &all)),
        ..ReportOptions::default()
    };
    let html = |out: &mut dyn Write, redact: bool| -> std::io::Result<()> {
        let mut input = crate::report_html::HtmlInput::new(
            args.paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            jiff::Zoned::now()
                .strftime("%Y-%m-%d %H:%M:%S %:z")
                .to_string(),
        );
        input.redact = redact;
        input.vocabulary = base_opts.vocabulary.clone();
        input.fail_on = match fail_on {
            FailOn::Warning => crate::violation::Severity::Warning,
            FailOn::Info => crate::violation::Severity::Info,
            _ => crate::violation::Severity::Error,
        };
        input.clauses = super::coverage::clause_rows(&program);
        input.dates = audited
            .run
            .violations
            .iter()
            .map(|v| v.date.clone())
            .collect();
        crate::report_html::render(&audited.run, &input, out)
    };
    if let Some(tune) = super::BEFORE_REPORTS.get() {
        tune();
    }
    let render = |fmt: OutFormat, out: &mut dyn Write, ropts: &ReportOptions| match fmt.report() {
        Some(f) => f.render(&audited.run, out, ropts),
        None => html(out, ropts.redact),
    };
    let file_opts = |fmt: OutFormat| ReportOptions {
        redact: redacts(false, fmt),
        // Escape codes belong to terminals, not files.
        color: false,
        ..base_opts.clone()
    };
    let ropts = ReportOptions {
        redact: stdout_format.is_some_and(|f| redacts(terminal, f)),
        ..base_opts.clone()
    };
    let mut broken = false;
    for (fmt, path) in &outputs {
        let Some(path) = path else { continue };
        let result = crate::report_file::write_with(path, |w| render(*fmt, w, &file_opts(*fmt)));
        if let Err(e) = result {
            eprintln!("error: cannot write `{}`: {e}", path.display());
            broken = true;
        }
    }
    let mut stdout = stdout_report::Written::Done;
    if let Some(fmt) = stdout_format {
        stdout = stdout_report::write(|w| {
            render(fmt, w, &ropts)?;
            if args.statistics && fmt != OutFormat::Statistics {
                Format::Statistics.render(&audited.run, w, &ropts)?;
            }
            Ok(())
        });
    }
    for n in &audited.run.notes {
        eprintln!("note: {}: {}", n.file, n.message);
    }

    let failing = audited
        .run
        .violations
        .iter()
        .any(|v| v.waived.is_none() && fail_on.fails(audited.run.rule(v).severity));
    if input_errors > 0 || broken {
        eprintln!("{input_errors} input error(s): the export was not fully checked");
        Exit::Broken
    } else if stdout == stdout_report::Written::Failed {
        Exit::Broken
    } else if waiver_failed || failing && !args.exit_zero {
        Exit::Findings
    } else {
        Exit::Clean
    }
}
