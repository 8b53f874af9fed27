//! Writing output files atomically: a temporary file beside the target,
//! streamed to, then renamed over it, so an interrupted run never leaves
//! half a file, and a report is never held whole in memory.
//!
//! The temporary files of a run are registered while they exist: SIGINT or
//! SIGTERM removes them before the process ends, so a killed run leaves no
//! `.NAME.comply-PID.tmp` behind.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};

/// The temporary files being written now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static HANDLER: Once = Once::new();

/// Exit status of a run ended by a signal: 128 + SIGINT, as shells report it.
const INTERRUPTED: i32 = 130;

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while the lock was held leaves a list that is still right.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

fn install_handler() {
    HANDLER.call_once(|| {
        // Without the handler a signal still ends the run (the default
        // action); only the clean-up is lost, so a failure is not an error.
        let _ = ctrlc::set_handler(|| {
            for tmp in pending().drain(..) {
                let _ = std::fs::remove_file(tmp);
            }
            std::process::exit(INTERRUPTED);
        });
    });
}

/// Removes `path` if the run is interrupted (a spool of standard input).
pub fn remove_on_signal(path: &Path) {
    install_handler();
    pending().push(path.to_path_buf());
}

/// Undoes [`remove_on_signal`] once the file is gone.
pub fn forget_on_signal(path: &Path) {
    pending().retain(|p| p != path);
}

/// A file being written in place of `path`; [`AtomicFile::commit`] puts it
/// there, dropping it without a commit removes it.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    pub fn create(path: &Path) -> io::Result<Self> {
        install_handler();
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = dir.join(format!(".{name}.comply-{}.tmp", std::process::id()));
        pending().push(tmp.clone());
        let mut file = AtomicFile {
            path: path.to_path_buf(),
            tmp,
            out: None,
        };
        let f = File::create(&file.tmp)?;
        // A replaced file keeps its permissions (a 0600 report stays 0600);
        // a new one gets the umask's, as `File::create` gives.
        if let Ok(m) = std::fs::metadata(path) {
            f.set_permissions(m.permissions())?;
        }
        file.out = Some(BufWriter::with_capacity(1 << 16, f));
        Ok(file)
    }

    /// Flushes the file to disk and renames it over the target.
    pub fn commit(mut self) -> io::Result<()> {
        let out = self.out.take().ok_or_else(|| io::Error::other("closed"))?;
        let f = out.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&self.tmp, &self.path)?;
        pending().retain(|p| p != &self.tmp);
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Some(o) => o.write(buf),
            None => Err(io::Error::other("closed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.out {
            Some(o) => o.write_all(buf),
            None => Err(io::Error::other("closed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Some(o) => o.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        let mut pending = pending();
        if let Some(i) = pending.iter().position(|p| p == &self.tmp) {
            pending.swap_remove(i);
            drop(self.out.take());
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `path` with `render`'s output, atomically and streamed.
pub fn write_with(
    path: &Path,
    render: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut file = AtomicFile::create(path)?;
    render(&mut file)?;
    file.commit()
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_with(path, |w| w.write_all(bytes))
}
