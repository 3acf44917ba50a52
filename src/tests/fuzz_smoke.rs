//! The fuzz targets of `kpkg_lint::fuzzing`, driven on the stable toolchain.
//!
//! - `smoke_*`: a bounded round of mutations of each target's seeds (the test trees
//!   we wrote), so `cargo test` runs every target CI-sized. KPKG_LINT_FUZZ_ROUNDS
//!   sets the number of inputs per target for longer runs, KPKG_LINT_FUZZ_SEED
//!   other mutations than the fixed ones.
//! - `regressions_replay`: every input under `testdata/fuzz/<target>/`, each one a
//!   crash a fuzzer found once and a test from then on.
//! - `seed_corpus`: the seeds themselves; with KPKG_LINT_WRITE_CORPUS=<dir> it also
//!   writes them as cargo-fuzz corpora (`<dir>/<target>/`).
//!
//! The coverage-guided runs (libFuzzer through cargo-fuzz, `src/fuzz/`) call the
//! same functions; docs/reliability.md says how to run them and what they found.

use kpkg_lint::fuzzing::{self, TARGETS};
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that matter to our parsers, spliced in by the mutator (the libFuzzer
/// dictionary `src/fuzz/kpkg.dict` holds the same ones).
const DICTIONARY: &[&str] = &[
    "\\\n",
    "\t",
    "$(",
    ")",
    "${",
    "}",
    ":",
    "=",
    ":=",
    "+=",
    "?=",
    "ifeq (a,b)\n",
    "endif\n",
    "define X\n",
    "endef\n",
    "include ",
    "-j1",
    "|",
    ",",
    "(>= ",
    "<!stage1>",
    "[amd64]",
    ":native",
    "\r\n",
    "\n\n",
    "# ",
    "@@ -1,2 +1,2 @@\n",
    "--- a/x\n+++ b/x\n",
    "\u{e9}",
    "\u{0}",
    "\u{0}debian/rules\n",
    "[[flavour]]\n",
    "flavours = ",
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(8) {
            0 if !data.is_empty() => {
                let i = rng.below(data.len());
                data[i] ^= 1 << rng.below(8);
            }
            1 => data.truncate(at),
            2 => {
                let end = (at + rng.below(32)).min(data.len());
                data.drain(at..end);
            }
            3 => {
                let tok = DICTIONARY[rng.below(DICTIONARY.len())];
                data.splice(at..at, tok.bytes());
            }
            4 if !data.is_empty() => {
                // Duplicate a slice (repeated stanzas, lines, hunks).
                let start = rng.below(data.len());
                let end = (start + rng.below(64)).min(data.len());
                let piece = data[start..end].to_vec();
                data.splice(at..at, piece);
            }
            5 if data.len() > 1 => {
                // Invalid UTF-8 in the middle of a character or a line.
                let i = at.min(data.len() - 1);
                data[i] = 0xff;
            }
            6 if rng.below(4) == 0 => {
                // A very long line: a byte repeated past 65,535 columns.
                let b = [b'a', b' ', b'$', b'\t'][rng.below(4)];
                data.splice(at..at, std::iter::repeat_n(b, 65_536 + rng.below(8192)));
            }
            _ => data.insert(at.min(data.len()), rng.next() as u8),
        }
    }
    data
}

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// Every file we wrote under testdata/ (not the fuzz regressions), by relative path.
fn files() -> Vec<(String, Vec<u8>)> {
    let root = testdata();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if rel == "fuzz" {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.len() < 64 * 1024 {
                    out.push((rel, bytes));
                }
            }
        }
    }
    out.sort();
    out
}

/// The seeds of one target: the test files of the kind it parses.
fn seeds(target: &str, files: &[(String, Vec<u8>)]) -> Vec<Vec<u8>> {
    let name = |rel: &str| rel.rsplit('/').next().unwrap_or(rel).to_string();
    let pick = |keep: &dyn Fn(&str, &str) -> bool| -> Vec<Vec<u8>> {
        files
            .iter()
            .filter(|(rel, _)| keep(rel, &name(rel)))
            .map(|(_, b)| b.clone())
            .collect()
    };
    match target {
        "makefile" => pick(&|_, n| n == "rules" || n.ends_with(".mk")),
        "control" | "relations" => pick(&|_, n| n == "control" || n.starts_with("control.")),
        "changelog" => pick(&|_, n| n == "changelog"),
        "kconfig" => {
            pick(&|_, n| n == "annotations" || n.starts_with("config.") || n.starts_with("config-"))
        }
        "quilt" => pick(&|_, n| n.ends_with(".patch") || n == "series"),
        "vars" => pick(&|_, n| n.starts_with("vars.")),
        "defines" => files
            .iter()
            .filter_map(|(rel, b)| match name(rel).as_str() {
                "defines.toml" => Some([&[0u8][..], b].concat()),
                "defines" => Some([&[1u8][..], b].concat()),
                _ => None,
            })
            .collect(),
        "packages" => pick(&|_, n| n == "Packages"),
        "index" => pick(&|_, n| n == "Packages")
            .into_iter()
            .flat_map(|plain| compressed(&plain))
            .collect(),
        "tree" => trees().iter().map(|t| fuzzing::encode_tree(t)).collect(),
        // Selector bytes, then a tree; one seed with a 70,000-byte recipe line.
        "render" => {
            let mut v: Vec<Vec<u8>> = trees()
                .iter()
                .take(12)
                .map(|t| {
                    [
                        &b"\x00\x10\xf0\x01\x01\x00\xff\x02\x00\xff\xff\x03"[..],
                        &fuzzing::encode_tree(t),
                    ]
                    .concat()
                })
                .collect();
            let long = format!("debian/rules\nb:\n\t{} -j1\n\x1b[2J\n", "a".repeat(70_000));
            v.push([&[0u8, 250, 255, 1][..], long.as_bytes()].concat());
            v
        }
        // Test trees with some files turned into links (each kind) and FIFOs.
        "disk" => trees()
            .iter()
            .take(16)
            .enumerate()
            .map(|(i, t)| {
                let mut t = t.clone();
                for (j, (_, content)) in t.iter_mut().enumerate().take(3) {
                    *content = if (i + j) % 4 == 3 {
                        b"@fifo".to_vec()
                    } else {
                        [&b"@link "[..], &[(i + j) as u8]].concat()
                    };
                }
                t.push(("debian/debian.env".into(), b"@fifo".to_vec()));
                fuzzing::encode_tree(&t)
            })
            .collect(),
        other => panic!("no seeds for target {other}"),
    }
}

/// A `Packages` file as the index target takes it: a selector byte, then the
/// plain, gzip, xz, lz4 or zstd stream.
fn compressed(plain: &[u8]) -> Vec<Vec<u8>> {
    let gz = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(plain).unwrap();
        e.finish().unwrap()
    };
    let xz = {
        let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
        e.write_all(plain).unwrap();
        e.finish().unwrap()
    };
    let lz4 = {
        let mut e = lz4_flex::frame::FrameEncoder::new(Vec::new());
        e.write_all(plain).unwrap();
        e.finish().unwrap()
    };
    let zst = ruzstd::encoding::compress_to_vec(plain, ruzstd::encoding::CompressionLevel::Fastest);
    [plain.to_vec(), gz, xz, lz4, zst]
        .into_iter()
        .enumerate()
        .map(|(k, body)| [&[k as u8][..], &body].concat())
        .collect()
}

/// Every test tree (`in/` directories and the example), as discovery reads it.
fn trees() -> Vec<Vec<(String, Vec<u8>)>> {
    let root = testdata();
    let mut dirs = vec![root.join("examples/kernel-package")];
    for family in std::fs::read_dir(&root).unwrap().flatten() {
        for case in std::fs::read_dir(family.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            if case.path().join("in").is_dir() {
                dirs.push(case.path().join("in"));
            }
        }
    }
    dirs.sort();
    dirs.iter()
        .filter_map(|d| {
            let disc = kpkg_lint::discover::discover(std::slice::from_ref(d));
            let tree = disc.trees.into_iter().next()?;
            let files: Vec<(String, Vec<u8>)> = tree
                .files
                .into_iter()
                .filter(|f| f.skipped.is_none() && !f.bytes().contains(&0))
                .map(|f| (f.rel.clone(), f.bytes().to_vec()))
                .collect();
            (!files.is_empty()).then_some(files)
        })
        .collect()
}

fn rounds(default: usize) -> usize {
    std::env::var("KPKG_LINT_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Run one input; on a panic save it where the regression replay picks it up once
/// it is copied to testdata/fuzz/<target>/, and fail.
fn check(target: &str, f: fn(&[u8]), input: &[u8]) {
    if catch_unwind(AssertUnwindSafe(|| f(input))).is_err() {
        let dump = std::env::temp_dir().join(format!("kpkg-lint-crash-{target}"));
        let _ = std::fs::write(&dump, input);
        panic!(
            "fuzz target {target} panicked on an input saved to {}; copy it to \
             testdata/fuzz/{target}/ once fixed:\n{:?}",
            dump.display(),
            String::from_utf8_lossy(input)
        );
    }
}

fn target(name: &str) -> fn(&[u8]) {
    TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap()
}

fn smoke(name: &str, default_rounds: usize, seed: u64) {
    let files = files();
    let seeds = seeds(name, &files);
    assert!(seeds.len() >= 2, "{name}: the test trees give it seeds");
    let f = target(name);
    for s in &seeds {
        check(name, f, s);
    }
    // KPKG_LINT_FUZZ_SEED varies the mutations of a long run; `cargo test` uses the
    // fixed ones, so CI is reproducible.
    let vary = std::env::var("KPKG_LINT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut rng = Rng(seed ^ vary.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    for _ in 0..rounds(default_rounds) {
        // Mostly the target's own kind of file; now and then any file we wrote.
        let input = if rng.below(8) == 0 {
            let i = rng.below(files.len());
            mutate(&mut rng, &files[i].1)
        } else {
            let i = rng.below(seeds.len());
            mutate(&mut rng, &seeds[i])
        };
        check(name, f, &input);
    }
}

#[test]
fn smoke_parsers() {
    for (i, (name, _)) in TARGETS.iter().enumerate() {
        if !matches!(*name, "tree" | "defines" | "render" | "disk") {
            smoke(name, 600, 0x5eed_1234_abcd_0001 + i as u64);
        }
    }
}

#[test]
fn smoke_defines() {
    smoke("defines", 150, 0x5eed_5678_ef01_0004);
}

/// The whole pipeline: lint → fix until nothing changes → lint, fix again (nothing
/// more to fix), and every changed file's diff applies back onto the original.
#[test]
fn smoke_tree() {
    smoke("tree", 150, 0x5eed_5678_ef01_0002);
}

/// The renderers on arbitrary findings, spans and texts, every format.
#[test]
fn smoke_render() {
    smoke("render", 200, 0x5eed_5678_ef01_0005);
}

/// Trees on disk with links out of them, to devices, loops and FIFOs: the run
/// ends, the victim outside stays as it was, and its text is never read.
#[test]
fn smoke_disk() {
    smoke("disk", 60, 0x5eed_5678_ef01_0006);
}

#[test]
fn regressions_replay() {
    let dir = testdata().join("fuzz");
    let mut replayed = 0;
    for (name, f) in TARGETS {
        let Ok(entries) = std::fs::read_dir(dir.join(name)) else {
            continue;
        };
        for e in entries.flatten() {
            let input = std::fs::read(e.path()).unwrap();
            check(name, *f, &input);
            replayed += 1;
        }
    }
    // Directories name real targets only: a typo would silently replay nothing.
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        assert!(
            n == "README.md" || TARGETS.iter().any(|(t, _)| *t == n),
            "testdata/fuzz/{n} is not a fuzz target"
        );
    }
    assert!(replayed > 0, "testdata/fuzz holds the regression inputs");
}

/// Every target has seeds, the tree encoding round-trips, and (on request) the
/// seeds are written out as cargo-fuzz corpora.
#[test]
fn seed_corpus() {
    let files = files();
    for t in trees() {
        assert_eq!(fuzzing::decode_tree(&fuzzing::encode_tree(&t)), t);
    }
    let out = std::env::var_os("KPKG_LINT_WRITE_CORPUS").map(PathBuf::from);
    for (name, _) in TARGETS {
        let seeds = seeds(name, &files);
        assert!(seeds.len() >= 2, "{name} has {} seeds", seeds.len());
        if let Some(out) = &out {
            let dir = out.join(name);
            std::fs::create_dir_all(&dir).unwrap();
            for (i, s) in seeds.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{i:04}")), s).unwrap();
            }
        }
    }
}

/// Each target has its cargo-fuzz wrapper and `[[bin]]` in src/fuzz/, and src/fuzz/
/// has no wrapper for a target that no longer exists: the long runs fuzz exactly
/// what this file tests.
#[test]
fn cargo_fuzz_targets_match() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    for (name, _) in TARGETS {
        let wrapper = std::fs::read_to_string(fuzz.join(format!("fuzz_targets/{name}.rs")))
            .unwrap_or_else(|_| panic!("src/fuzz/fuzz_targets/{name}.rs is missing"));
        assert!(
            wrapper.contains(&format!("kpkg_lint::fuzzing::{name}(data)")),
            "{name}.rs calls another function"
        );
        assert!(
            manifest.contains(&format!(
                "name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\""
            )),
            "src/fuzz/Cargo.toml has no [[bin]] for {name}"
        );
    }
    for e in std::fs::read_dir(fuzz.join("fuzz_targets"))
        .unwrap()
        .flatten()
    {
        let n = e.file_name().to_string_lossy().into_owned();
        let stem = n.trim_end_matches(".rs");
        assert!(
            TARGETS.iter().any(|(t, _)| *t == stem),
            "src/fuzz/fuzz_targets/{n} is not in kpkg_lint::fuzzing::TARGETS"
        );
    }
}

/// Replay one input by hand: `KPKG_LINT_REPLAY=<file> KPKG_LINT_TARGET=<target>
/// cargo test --test fuzz_smoke replay_one -- --ignored` (a crash from cargo-fuzz's
/// artifacts, before it goes into testdata/fuzz/).
#[test]
#[ignore]
fn replay_one() {
    let input = std::env::var("KPKG_LINT_REPLAY").expect("KPKG_LINT_REPLAY=<file>");
    let name = std::env::var("KPKG_LINT_TARGET").expect("KPKG_LINT_TARGET=<target>");
    target(&name)(&std::fs::read(input).unwrap());
}
