//! Which files an export consists of, and what each one holds: the
//! containers of the spec (one document, a directory, several paths).

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::model::Note;
use crate::schema::{CollId, Schema};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Holds {
    /// A whole document: collections and metadata.
    Document,
    /// The root `export.json` of a directory: metadata or a whole document.
    RootExport,
    /// A `.json` array of records.
    Array(CollId),
    /// `.ndjson` / `.jsonl`: one record per line.
    Lines(CollId),
    /// A data file of a collection the schema does not declare (CD004).
    Unknown(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Task {
    pub path: PathBuf,
    pub display: String,
    pub gzip: bool,
    pub holds: Holds,
}

/// A path as shown to users: relative to the current directory when it is under it.
pub(crate) fn display(path: &Path) -> String {
    if crate::stdin_export::spool_path() == Some(path) {
        return crate::stdin_export::DISPLAY.into();
    }
    if path.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = path.strip_prefix(&cwd) {
                return rel.display().to_string();
            }
        }
    }
    path.display().to_string()
}

fn is_gzip(name: &str) -> bool {
    name.ends_with(".gz")
}

/// The file's data format and its name without extensions, or `None` for
/// a file that is not data.
fn data_kind(name: &str) -> Option<(bool, &str)> {
    let base = name.strip_suffix(".gz").unwrap_or(name);
    if let Some(stem) = base.strip_suffix(".json") {
        return Some((false, stem));
    }
    let stem = base
        .strip_suffix(".ndjson")
        .or_else(|| base.strip_suffix(".jsonl"))?;
    Some((true, stem))
}

/// The files to read, in path order (directories walked depth first, each
/// folder's entries in byte order of their names).
pub(crate) fn discover(
    paths: &[PathBuf],
    schema: &Schema,
    notes: &mut Vec<Note>,
    failures: &mut Vec<(String, String)>,
) -> Vec<Vec<Task>> {
    paths
        .iter()
        .map(|path| {
            let mut tasks = Vec::new();
            match std::fs::metadata(path) {
                Err(e) => failures.push((display(path), format!("cannot read: {e}"))),
                Ok(m) if m.is_dir() => walk(path, schema, &mut tasks, notes, failures),
                // Reading a FIFO, socket or device may block forever or never end.
                Ok(m) if !m.is_file() => failures.push((
                    display(path),
                    format!(
                        "not a regular file ({}): an export is read from files and directories",
                        special_kind(&m.file_type())
                    ),
                )),
                Ok(_) => {
                    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                    tasks.push(Task {
                        path: path.clone(),
                        display: display(path),
                        gzip: name.as_deref().is_some_and(is_gzip),
                        holds: Holds::Document,
                    });
                }
            }
            tasks
        })
        .collect()
}

/// What a file that is neither a regular file nor a directory is.
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_block_device() || t.is_char_device() {
        "a device"
    } else {
        "not a file"
    }
}

fn walk(
    root: &Path,
    schema: &Schema,
    tasks: &mut Vec<Task>,
    notes: &mut Vec<Note>,
    failures: &mut Vec<(String, String)>,
) {
    // Symlinks are not followed by the walk (no loops, nothing outside the
    // root); a link to a file inside the root is read like the file.
    let canon_root = std::fs::canonicalize(root).ok();
    let walker = WalkDir::new(root)
        .min_depth(1)
        .sort_by(|a, b| a.file_name().cmp(b.file_name()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map_or_else(|| display(root), display);
                failures.push((path, format!("cannot read: {e}")));
                continue;
            }
        };
        let path = entry.path();
        let shown = display(path);
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() && !entry.file_type().is_symlink() {
            let kind = special_kind(&entry.file_type());
            notes.push(Note {
                file: shown,
                message: format!("skipped: not a regular file ({kind})"),
            });
            continue;
        }
        if entry.file_type().is_symlink() {
            let target = std::fs::canonicalize(path);
            let inside = match (&target, &canon_root) {
                (Ok(t), Some(r)) => t.starts_with(r) && t.is_file(),
                _ => false,
            };
            if !inside {
                let why = match target {
                    Err(_) => "skipped: broken or looping symbolic link",
                    Ok(t) if t.is_dir() => "skipped: symbolic link to a directory",
                    Ok(_) => "skipped: symbolic link out of the export root",
                };
                notes.push(Note {
                    file: shown,
                    message: why.into(),
                });
                continue;
            }
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy();
        let Some((lines, stem)) = data_kind(&name) else {
            notes.push(Note {
                file: shown,
                message: "skipped: not .json, .ndjson or .jsonl".into(),
            });
            continue;
        };
        let top_level = entry.depth() == 1;
        let collection = if top_level {
            stem.to_owned()
        } else {
            match rel.components().next() {
                Some(c) => c.as_os_str().to_string_lossy().into_owned(),
                None => continue,
            }
        };
        let holds = if top_level && !lines && stem == "export" {
            Holds::RootExport
        } else if collection == "export" {
            Holds::Unknown(collection)
        } else {
            match schema.collection(&collection) {
                Some(c) if lines => Holds::Lines(c),
                Some(c) => Holds::Array(c),
                None => Holds::Unknown(collection),
            }
        };
        tasks.push(Task {
            path: path.to_path_buf(),
            display: shown,
            gzip: is_gzip(&name),
            holds,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions() {
        assert_eq!(data_kind("a.json"), Some((false, "a")));
        assert_eq!(data_kind("a.json.gz"), Some((false, "a")));
        assert_eq!(data_kind("2025-03.ndjson"), Some((true, "2025-03")));
        assert_eq!(data_kind("a.jsonl.gz"), Some((true, "a")));
        assert_eq!(data_kind("a.txt"), None);
        assert_eq!(data_kind("a.gz"), None);
    }
}
