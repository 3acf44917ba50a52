//! The journal of a tree's renames, so a `--write` killed part-way is seen and
//! completed by the next run.
//!
//! [`super::write::write_tree`] stages and syncs every file of a tree first. Then,
//! before the first rename, it writes `.kpkg-lint-journal` at the tree's root: one
//! line per staged file (its temporary file, its target, the digest of what the
//! target holds now and of what it gets), synced, and locked with `flock(2)` for as
//! long as the run is renaming. The journal goes once every rename is done. A run
//! killed in between leaves the journal, unlocked (the kernel drops the lock of a
//! dead process), and every file of the tree either old or new, never mixed inside
//! one file (a rename is atomic).
//!
//! The next run looks for it before it reads the tree ([`inspect`]): a run that
//! only reads says the tree is partly fixed and exits 2; `--fix --write`
//! ([`recover`]) completes it, renaming each remaining temporary file over its
//! target if the target still holds what was journaled, and says so. A target
//! changed since is kept and its fix dropped (reported, exit 2). A journal still
//! locked belongs to a run that is writing right now: that tree is not touched.
//!
//! The journal is read from the tree, so a hostile tree may ship one: every path in
//! it must be plain and relative, the temporary file a `.kpkg-lint.` file beside its
//! target, and the target's directory free of links; anything else is refused and
//! nothing is renamed.

use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Component, Path, PathBuf};

use crate::source::io_message;

/// The journal's name at the tree's root.
pub const NAME: &str = ".kpkg-lint-journal";
const HEADER: &str = "kpkg-lint write journal 1";
/// A journal is a line per file: far below this.
const MAX_BYTES: u64 = 16 << 20;

/// What a file holds, as its length and FNV-1a hash: enough to tell the journaled
/// contents from an edit made since (not a defence against forgery: a tree that
/// forges its journal could as well ship the contents).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Digest(u64, u64);

impl Digest {
    pub fn of(bytes: &[u8]) -> Digest {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        Digest(bytes.len() as u64, h)
    }

    fn render(self) -> String {
        format!("{}:{:016x}", self.0, self.1)
    }

    fn parse(s: &str) -> Option<Digest> {
        let (len, hash) = s.split_once(':')?;
        Some(Digest(
            len.parse().ok()?,
            u64::from_str_radix(hash, 16).ok()?,
        ))
    }
}

/// One staged file: paths relative to the tree's (resolved) root.
#[derive(Debug, PartialEq)]
pub struct Entry {
    pub tmp: PathBuf,
    pub target: PathBuf,
    /// What the target holds now; `None` for a file the fix creates.
    pub old: Option<Digest>,
    pub new: Digest,
}

/// A journal being held while the run renames.
pub struct Journal {
    path: PathBuf,
    root: PathBuf,
    _lock: fs::File,
}

/// Write and lock the journal of `entries` at `root` (resolved). Fails if one is
/// there already: another run is writing this tree, or one was interrupted and
/// not yet completed.
pub fn begin(root: &Path, entries: &[Entry]) -> Result<Journal, String> {
    let mut text = format!("{HEADER}\n");
    for e in entries {
        text.push_str(&format!(
            "{} {} {} {}\n",
            e.old.map_or("-".to_string(), Digest::render),
            e.new.render(),
            hex(&e.tmp),
            hex(&e.target)
        ));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".kpkg-lint.")
        .tempfile_in(root)
        .map_err(|e| format!("cannot create the write journal: {}", io_message(&e)))?;
    lock(tmp.as_file(), false)
        .map_err(|e| format!("cannot lock the write journal: {}", io_message(&e)))?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| format!("cannot write the write journal: {}", io_message(&e)))?;
    let path = root.join(NAME);
    let file = tmp.persist_noclobber(&path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            format!("{NAME} exists: another `kpkg-lint --fix --write` is writing this tree, or one was interrupted (the next run completes it)")
        } else {
            format!("cannot write the write journal: {}", io_message(&e.error))
        }
    })?;
    sync_dir(root);
    Ok(Journal {
        path,
        root: root.to_path_buf(),
        _lock: file,
    })
}

impl Journal {
    /// Every rename done (or failed and reported): the journal goes.
    pub fn finish(self) {
        let _ = fs::remove_file(&self.path);
        sync_dir(&self.root);
    }
}

/// What a tree's root holds.
#[derive(Debug, PartialEq)]
pub enum Found {
    Nothing,
    /// A run is renaming right now.
    Busy,
    /// A run was interrupted: `done` of `total` files are in place.
    Interrupted {
        done: usize,
        total: usize,
    },
}

/// Look for a journal without changing anything (runs that only read).
pub fn inspect(root: &Path) -> Result<Found, String> {
    let Some(file) = open(root)? else {
        return Ok(Found::Nothing);
    };
    if lock(&file, true).is_err() {
        return Ok(Found::Busy);
    }
    let entries = read(root, &file)?;
    let done = entries
        .iter()
        .filter(|e| fs::symlink_metadata(root.join(&e.tmp)).is_err())
        .count();
    Ok(Found::Interrupted {
        done,
        total: entries.len(),
    })
}

/// What [`recover`] did.
#[derive(Debug, Default, PartialEq)]
pub struct Recovered {
    /// The journal was there (and is gone now).
    pub found: bool,
    /// Files put in place now, relative to the root.
    pub completed: Vec<PathBuf>,
    /// Files whose fix was dropped, and why.
    pub dropped: Vec<(PathBuf, String)>,
}

/// Complete an interrupted write. `Err` when a run is writing the tree now, or
/// the journal cannot be trusted (then nothing is renamed and it stays).
pub fn recover(root: &Path) -> Result<Recovered, String> {
    let Some(file) = open(root)? else {
        return Ok(Recovered::default());
    };
    if lock(&file, false).is_err() {
        return Err(format!(
            "another `kpkg-lint --fix --write` is writing this tree right now ({NAME} is locked); not written"
        ));
    }
    // The run that held it may have finished and removed it meanwhile.
    let same = |a: &fs::Metadata, b: &fs::Metadata| {
        use std::os::unix::fs::MetadataExt;
        (a.dev(), a.ino()) == (b.dev(), b.ino())
    };
    match (fs::symlink_metadata(root.join(NAME)), file.metadata()) {
        (Ok(a), Ok(b)) if same(&a, &b) => {}
        _ => return Ok(Recovered::default()),
    }
    let entries = read(root, &file)?;
    let mut out = Recovered {
        found: true,
        ..Recovered::default()
    };
    for e in &entries {
        let (tmp, target) = (root.join(&e.tmp), root.join(&e.target));
        if !fs::symlink_metadata(&tmp).is_ok_and(|m| m.file_type().is_file()) {
            continue; // renamed before the interruption
        }
        let drop_it = |why: &str, out: &mut Recovered| {
            let _ = fs::remove_file(&tmp);
            out.dropped.push((e.target.clone(), why.to_string()));
        };
        if fs::read(&tmp).map(|b| Digest::of(&b)).ok() != Some(e.new) {
            drop_it("its staged copy is not what was journaled", &mut out);
            continue;
        }
        let now = match fs::symlink_metadata(&target) {
            Ok(m) if m.file_type().is_file() => fs::read(&target).ok().map(|b| Digest::of(&b)),
            Ok(_) => {
                drop_it("is no longer a plain file", &mut out);
                continue;
            }
            Err(_) => None,
        };
        if now != e.old {
            drop_it(
                "changed since the interrupted run; kept as it is, its fix dropped",
                &mut out,
            );
            continue;
        }
        let placed = match e.old {
            Some(_) => fs::rename(&tmp, &target),
            // Never over a file that appeared: a hard link fails on an existing name.
            None => fs::hard_link(&tmp, &target).and_then(|()| fs::remove_file(&tmp)),
        };
        match placed {
            Ok(()) => {
                sync_dir(target.parent().unwrap_or(root));
                out.completed.push(e.target.clone());
            }
            Err(err) => drop_it(&io_message(&err), &mut out),
        }
    }
    fs::remove_file(root.join(NAME))
        .map_err(|e| format!("cannot remove {NAME}: {}", io_message(&e)))?;
    sync_dir(root);
    Ok(out)
}

/// The journal, opened without following a link; `None` when there is none.
fn open(root: &Path) -> Result<Option<fs::File>, String> {
    match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(root.join(NAME))
    {
        Ok(f) if f.metadata().is_ok_and(|m| m.is_file()) => Ok(Some(f)),
        Ok(_) => Err(format!("{NAME} is not a plain file; remove it")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {NAME}: {}", io_message(&e))),
    }
}

/// Parse and check a journal: refused whole if any entry could lead anywhere but
/// a `.kpkg-lint.` file and its target in one link-free directory of the tree.
fn read(root: &Path, file: &fs::File) -> Result<Vec<Entry>, String> {
    let bad = |why: &str| {
        format!("{NAME} cannot be trusted ({why}); nothing renamed; remove it and its `.kpkg-lint.*` files to give up the interrupted write")
    };
    let mut text = String::new();
    file.take(MAX_BYTES)
        .read_to_string(&mut text)
        .map_err(|_| bad("unreadable"))?;
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Err(bad("not a journal this version writes"));
    }
    let mut entries = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(' ').collect();
        let [old, new, tmp, target] = f[..] else {
            return Err(bad("a malformed line"));
        };
        let old = match old {
            "-" => None,
            d => Some(Digest::parse(d).ok_or_else(|| bad("a malformed digest"))?),
        };
        let new = Digest::parse(new).ok_or_else(|| bad("a malformed digest"))?;
        let (tmp, target) = (
            unhex(tmp).ok_or_else(|| bad("a malformed path"))?,
            unhex(target).ok_or_else(|| bad("a malformed path"))?,
        );
        let plain = |p: &Path| {
            !p.as_os_str().is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))
        };
        if !plain(&tmp) || !plain(&target) || tmp.parent() != target.parent() {
            return Err(bad("a path out of place"));
        }
        if !tmp
            .file_name()
            .is_some_and(|n| n.as_bytes().starts_with(b".kpkg-lint."))
        {
            return Err(bad("a path out of place"));
        }
        let dir = root.join(target.parent().unwrap_or(Path::new("")));
        if fs::canonicalize(&dir).ok().as_deref() != Some(dir.as_path()) {
            return Err(bad("a directory reached through a symbolic link"));
        }
        entries.push(Entry {
            tmp,
            target,
            old,
            new,
        });
    }
    Ok(entries)
}

fn lock(file: &fs::File, shared: bool) -> std::io::Result<()> {
    let how = if shared { libc::LOCK_SH } else { libc::LOCK_EX };
    // SAFETY: flock on a file descriptor we own; no memory is passed.
    if unsafe { libc::flock(file.as_raw_fd(), how | libc::LOCK_NB) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn hex(p: &Path) -> String {
    p.as_os_str()
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unhex(s: &str) -> Option<PathBuf> {
    if s.len() % 2 != 0 || s.is_empty() {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    Some(PathBuf::from(std::ffi::OsStr::from_bytes(&bytes?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(tmp: &str, target: &str, old: Option<&[u8]>, new: &[u8]) -> Entry {
        Entry {
            tmp: tmp.into(),
            target: target.into(),
            old: old.map(Digest::of),
            new: Digest::of(new),
        }
    }

    /// Completed where the target is as journaled; a target edited since is kept
    /// and its fix dropped; a held journal (a live run) is left alone.
    #[test]
    fn recovers_what_is_journaled_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir(root.join("d")).unwrap();
        fs::write(root.join("d/a"), "old a").unwrap();
        fs::write(root.join("d/b"), "edited b").unwrap();
        fs::write(root.join("d/.kpkg-lint.1"), "new a").unwrap();
        fs::write(root.join("d/.kpkg-lint.2"), "new b").unwrap();
        fs::write(root.join("d/.kpkg-lint.3"), "new c").unwrap();
        let entries = [
            entry("d/.kpkg-lint.1", "d/a", Some(b"old a"), b"new a"),
            entry("d/.kpkg-lint.2", "d/b", Some(b"old b"), b"new b"),
            entry("d/.kpkg-lint.3", "d/c", None, b"new c"),
            entry("d/.kpkg-lint.4", "d/e", Some(b"x"), b"done"),
        ];
        let live = begin(&root, &entries).unwrap();
        assert_eq!(inspect(&root).unwrap(), Found::Busy);
        assert!(recover(&root).unwrap_err().contains("right now"));
        // The run dies: its lock goes with it (here: the file is closed).
        drop(live);
        assert_eq!(
            inspect(&root).unwrap(),
            Found::Interrupted { done: 1, total: 4 }
        );
        let r = recover(&root).unwrap();
        assert_eq!(r.completed, [PathBuf::from("d/a"), PathBuf::from("d/c")]);
        assert_eq!(r.dropped.len(), 1, "{r:?}");
        assert_eq!(fs::read_to_string(root.join("d/a")).unwrap(), "new a");
        assert_eq!(fs::read_to_string(root.join("d/b")).unwrap(), "edited b");
        assert_eq!(fs::read_to_string(root.join("d/c")).unwrap(), "new c");
        assert!(!root.join(NAME).exists());
        let left: Vec<_> = fs::read_dir(root.join("d")).unwrap().collect();
        assert_eq!(left.len(), 3, "no temporary file left");
        assert_eq!(recover(&root).unwrap(), Recovered::default());
    }

    /// A journal shipped by a hostile tree can rename nothing out of place: `..`,
    /// a temporary file that is not ours, a directory reached through a link.
    #[test]
    fn a_forged_journal_renames_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap().join("tree");
        let out = root.parent().unwrap().join("outside");
        fs::create_dir_all(root.join("d")).unwrap();
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("victim"), "v").unwrap();
        fs::write(out.join(".kpkg-lint.x"), "evil").unwrap();
        std::os::unix::fs::symlink("../outside", root.join("link")).unwrap();
        fs::write(root.join("d/.kpkg-lint.x"), "evil").unwrap();
        for (tmp, target) in [
            ("d/../../outside/.kpkg-lint.x", "d/../../outside/victim"),
            ("link/.kpkg-lint.x", "link/victim"),
            ("d/evil", "d/rules"),
            ("d/.kpkg-lint.x", "e/rules"),
        ] {
            let line = format!(
                "{HEADER}\n{} {} {} {}\n",
                Digest::of(b"v").render(),
                Digest::of(b"evil").render(),
                hex(Path::new(tmp)),
                hex(Path::new(target))
            );
            fs::write(root.join(NAME), line).unwrap();
            let e = recover(&root).unwrap_err();
            assert!(e.contains("cannot be trusted"), "{tmp}: {e}");
            assert_eq!(fs::read_to_string(out.join("victim")).unwrap(), "v");
        }
        fs::remove_file(root.join(NAME)).unwrap();
        std::os::unix::fs::symlink("../outside/victim", root.join(NAME)).unwrap();
        assert!(recover(&root).is_err(), "a linked journal is not followed");
        assert_eq!(fs::read_to_string(out.join("victim")).unwrap(), "v");
    }
}
