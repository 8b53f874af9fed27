//! `comply convert EXPORT... --to parquet DIR`: the validated export as
//! Parquet, one file per collection plus the integrity findings.

use super::Exit;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// Export paths: a JSON document, a directory, or several of them
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The output format and directory: `--to parquet DIR`
    #[arg(long, num_args = 2, value_names = ["FORMAT", "DIR"], required = true)]
    pub to: Vec<String>,
    #[arg(long = "policy", short = 'p')]
    pub policies: Vec<PathBuf>,
    /// Keep every declared field, not only those the rules read
    #[arg(long)]
    pub all_fields: bool,
}

pub fn run(args: ConvertArgs) -> Exit {
    let [format, dir] = args.to.as_slice() else {
        eprintln!("error: `--to` takes a format and a directory, like `--to parquet out/`");
        return Exit::Broken;
    };
    if format != "parquet" {
        eprintln!("error: cannot convert to `{format}`: the one format is `parquet`");
        return Exit::Broken;
    }
    let Some(mut program) = super::rules::program(&args.policies) else {
        return Exit::Broken;
    };
    if args.all_fields {
        program.projection = crate::schema::Projection::all(&program.schema);
    }
    let load = crate::data::LoadOptions {
        projection: Some(program.projection.clone()),
        ..crate::data::LoadOptions::default()
    };
    write(&program, &args.paths, &load, dir.into())
}

#[cfg(feature = "datafusion")]
fn write(
    program: &crate::check::ir::Program,
    paths: &[PathBuf],
    load: &crate::data::LoadOptions,
    dir: PathBuf,
) -> Exit {
    let (export, written) = crate::engine::datafusion::parquet::convert(program, paths, load, &dir);
    for e in &export.errors {
        eprint!("{}", super::diagnostics::render(e.as_ref()));
    }
    match written {
        Ok(w) => {
            for (name, rows) in &w.files {
                println!("{:>10} rows  {}", rows, dir.join(name).display());
            }
            if export.errors.is_empty() {
                Exit::Clean
            } else {
                Exit::Broken
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Broken
        }
    }
}

#[cfg(not(feature = "datafusion"))]
fn write(
    _: &crate::check::ir::Program,
    _: &[PathBuf],
    _: &crate::data::LoadOptions,
    _: PathBuf,
) -> Exit {
    eprintln!("error: `comply convert` needs a comply built with the `datafusion` feature\n  help: install it with `cargo install --path . --features datafusion`");
    Exit::Broken
}
