//! `-` as an export path: standard input, a pipeline's export, read once.
//!
//! The loader reads a file more than once (the stream, then the locating
//! pass for lines and columns), which a pipe cannot give. Standard input is
//! spooled to a private temporary file, removed when the run ends or is
//! interrupted, and shown to users as `<stdin>`.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// What users see instead of the spool's path.
pub const DISPLAY: &str = "<stdin>";

/// The most a run takes from standard input: an endless source
/// (`< /dev/zero`) must end in an error, not fill the disk.
pub const MAX_BYTES: u64 = 16 << 30;

/// What is kept of standard input that cannot be JSON from its first byte.
const NOT_JSON_BYTES: u64 = 64 << 10;

static SPOOL: OnceLock<PathBuf> = OnceLock::new();

/// The spool's path, once standard input has been read.
pub fn spool_path() -> Option<&'static Path> {
    SPOOL.get().map(PathBuf::as_path)
}

/// Removes the spool at the end of the run.
pub struct Spool(PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
        crate::report_file::forget_on_signal(&self.0);
    }
}

/// Copies standard input to a temporary file (`.json`, or `.json.gz` when
/// it starts with gzip's magic bytes) and returns its path.
pub fn read() -> io::Result<(PathBuf, Spool)> {
    if spool_path().is_some() {
        return Err(io::Error::other(
            "standard input (`-`) is given more than once; it can be read once",
        ));
    }
    let mut input = io::stdin().lock();
    let mut head = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match input.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let gzip = got == 2 && head == [0x1f, 0x8b];
    let name = format!(
        "comply-stdin-{}.json{}",
        std::process::id(),
        if gzip { ".gz" } else { "" }
    );
    let path = std::env::temp_dir().join(name);
    crate::report_file::remove_on_signal(&path);
    let spool = Spool(path.clone());
    let mut file = io::BufWriter::new(
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?,
    );
    file.write_all(&head[..got])?;
    // What cannot begin an export (`/dev/zero`'s NULs, binary data) is kept
    // only as far as its error needs: the run then reports it at once.
    let first = head[..got]
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    let limit = match first {
        Some(b) if !gzip && *b != b'{' && *b != b'[' => NOT_JSON_BYTES,
        _ => MAX_BYTES,
    };
    let copied = io::copy(&mut input.take(limit), &mut file)?;
    if limit == MAX_BYTES && got as u64 + copied >= MAX_BYTES {
        return Err(io::Error::other(format!(
            "standard input holds more than {} GiB, the most `-` reads; write the export to a file",
            MAX_BYTES >> 30
        )));
    }
    file.flush()?;
    let _ = SPOOL.set(path.clone());
    Ok((path, spool))
}
