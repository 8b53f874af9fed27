//! Writing the report to standard output, where a failed write must not
//! pass for a finished run: a full disk or a file size limit is a broken
//! run (exit 2, said on standard error), while a reader that went away
//! (`comply check … | head`) wanted no more and is not an error.

use std::io::{self, Write};

/// How the report reached standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// Whole, or the reader closed the pipe: nothing to say.
    Done,
    /// A write failed; the error is already said on standard error.
    Failed,
}

/// Writes what `render` produces to standard output.
pub fn write(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Written {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    let mut w = io::BufWriter::new(&mut lock);
    let result = render(&mut w).and_then(|()| w.flush());
    outcome(result)
}

fn outcome(result: io::Result<()>) -> Written {
    match result {
        Ok(()) => Written::Done,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Written::Done,
        Err(e) => {
            eprintln!("error: cannot write the report to standard output: {e}");
            Written::Failed
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_not_a_failure_but_a_full_disk_is() {
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert_eq!(outcome(Err(pipe)), Written::Done);
        let full = io::Error::from(io::ErrorKind::StorageFull);
        assert_eq!(outcome(Err(full)), Written::Failed);
        assert_eq!(outcome(Ok(())), Written::Done);
    }
}
