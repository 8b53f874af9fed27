#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = comply::cli::Cli::parse();
    let code = comply::cli::run(cli);
    std::process::exit(code as i32);
}
