//! Writing fixed files in place: temp file in the same directory, then rename.

use std::fs;
use std::io::Write;
use std::path::Path;

/// Replace `path` with `content` atomically, keeping its permission bits.
/// `expected` is what was linted: if the file changed since, nothing is written.
pub fn replace_file(
    path: &Path,
    expected: &[u8],
    content: &[u8],
    mode: Option<u32>,
) -> Result<(), String> {
    let current = fs::read(path).map_err(|e| crate::discover::io_message(&e))?;
    if current != expected {
        return Err("changed on disk while kpkg-lint was running; not rewritten".into());
    }
    write_new(path, content, mode)
}

/// Write a file through a temporary file in its directory and rename it into place.
pub fn write_new(path: &Path, content: &[u8], mode: Option<u32>) -> Result<(), String> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create {}: {}",
            dir.display(),
            crate::discover::io_message(&e)
        )
    })?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".kpkg-lint.")
        .tempfile_in(dir)
        .map_err(|e| {
            format!(
                "cannot create a temporary file in {}: {}",
                dir.display(),
                crate::discover::io_message(&e)
            )
        })?;
    tmp.write_all(content)
        .map_err(|e| format!("cannot write: {}", crate::discover::io_message(&e)))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("cannot sync: {}", crate::discover::io_message(&e)))?;
    #[cfg(unix)]
    if let Some(mode) = mode {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(mode & 0o7777)).map_err(
            |e| {
                format!(
                    "cannot set permissions: {}",
                    crate::discover::io_message(&e)
                )
            },
        )?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    tmp.persist(path).map_err(|e| {
        format!(
            "cannot replace the file: {}",
            crate::discover::io_message(&e.error)
        )
    })?;
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn keeps_mode_and_refuses_changed_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("rules");
        fs::write(&p, "old\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o755)).unwrap();
        replace_file(&p, b"old\n", b"new\n", Some(0o100755)).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new\n");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o755
        );
        assert!(replace_file(&p, b"old\n", b"newer\n", Some(0o100755)).is_err());
        assert_eq!(fs::read_to_string(&p).unwrap(), "new\n");
        let leftovers: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".kpkg-lint."))
            .collect();
        assert!(leftovers.is_empty());
    }
}
