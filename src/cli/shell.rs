//! `comply completions SHELL` and `comply man`: generated from the clap
//! definition, so they never drift from the real flags.

use super::{Cli, Exit};
use clap::CommandFactory;

pub fn completions(shell: clap_complete::Shell) -> Exit {
    let mut cmd = Cli::command();
    clap_complete::generate(shell, &mut cmd, "comply", &mut std::io::stdout());
    Exit::Clean
}

pub fn man() -> Exit {
    let mut out = Vec::new();
    let page = clap_mangen::Man::new(Cli::command());
    if page.render(&mut out).is_err() {
        return Exit::Broken;
    }
    // Each subcommand gets its own section, so that `man comply` documents every flag.
    for sub in Cli::command().get_subcommands() {
        // clap wants a 'static name; the process ends right after printing.
        let name: &'static str = Box::leak(format!("comply-{}", sub.get_name()).into_boxed_str());
        let page = clap_mangen::Man::new(sub.clone().name(name));
        if page.render(&mut out).is_err() {
            return Exit::Broken;
        }
    }
    use std::io::Write;
    let _ = std::io::stdout().write_all(&out);
    Exit::Clean
}
