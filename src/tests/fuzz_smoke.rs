//! Bounded mutation fuzzing on the stable toolchain (cargo-fuzz needs nightly):
//! every parser and the whole lint → fix → re-lint pipeline, fed mutations of the
//! test trees we wrote. A panic fails the test and prints the input. The number of
//! rounds is small so `cargo test` stays fast; set KPKG_LINT_FUZZ_ROUNDS for long
//! runs (see docs/reliability.md).

use kpkg_lint::discover::Tree;
use kpkg_lint::model::{changelog, control, kconfig, makefile, quilt, relation};
use kpkg_lint::rules::LintOptions;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

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

/// Tokens that matter to our parsers, spliced in by the mutator.
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
];

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut data = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
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
            _ => data.insert(at.min(data.len()), rng.next() as u8),
        }
    }
    data
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p) {
                if bytes.len() < 64 * 1024 {
                    out.push((
                        p.strip_prefix(&root)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                        bytes,
                    ));
                }
            }
        }
    }
    out.sort();
    out
}

fn rounds(default: usize) -> usize {
    std::env::var("KPKG_LINT_FUZZ_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn check(what: &str, input: &[u8], f: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(f)).is_err() {
        let dump = std::env::temp_dir().join(format!("kpkg-lint-crash-{what}"));
        let _ = std::fs::write(&dump, input);
        panic!(
            "{what} panicked on an input saved to {}:\n{:?}",
            dump.display(),
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn parsers_survive_mutated_inputs() {
    let seeds = seeds();
    assert!(seeds.len() > 100, "the test trees are the seed corpus");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..rounds(3000) {
        let (_, seed) = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        let text = String::from_utf8_lossy(&input).into_owned();
        check("makefile", &input, || {
            let _ = makefile::parse(&text);
        });
        check("control", &input, || {
            let _ = control::parse(0, &text);
        });
        check("relations", &input, || {
            let _ = relation::parse_relations(&text, 0);
        });
        check("changelog", &input, || {
            let _ = changelog::parse(&text);
        });
        check("kconfig", &input, || {
            let _ = kconfig::parse_config(0, &text);
            let _ = kconfig::parse_annotations(0, &text);
        });
        check("quilt", &input, || {
            if let Ok(patches) = quilt::parse_patch(&text) {
                for p in &patches {
                    let _ = quilt::apply(&text, p);
                }
            }
        });
        check("packages", &input, || {
            let _ = kpkg_lint::archive::parse_packages(&text);
        });
    }
}

/// The whole pipeline on a mutated tree: lint, fix until nothing changes, re-lint.
/// Fixes must never make a tree the engine cannot lint again.
#[test]
fn lint_fix_relint_survives_mutated_trees() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let trees: Vec<Vec<(String, String)>> = [
        "parallel/custom-j1/in",
        "cross/ubuntu-noble/in",
        "stale/debian-bookworm/in",
        "determinism/ubuntu-focal/in",
        "flavour/ubuntu-clean/in",
        "examples/kernel-package",
    ]
    .iter()
    .map(|t| {
        let d = kpkg_lint::discover::discover(&[root.join(t)]);
        d.trees[0]
            .files
            .iter()
            .filter(|f| f.skipped.is_none())
            .map(|f| (f.rel.clone(), f.text.clone()))
            .collect()
    })
    .collect();
    let mut rng = Rng(0x5eed_5678_ef01_0002);
    for _ in 0..rounds(150) {
        let mut files = trees[rng.below(trees.len())].clone();
        let i = rng.below(files.len());
        let mutated = mutate(&mut rng, files[i].1.as_bytes());
        files[i].1 = String::from_utf8_lossy(&mutated).into_owned();
        let borrowed: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_str()))
            .collect();
        check("pipeline", &mutated, || {
            let tree = Tree::from_memory(&borrowed);
            let outcome = kpkg_lint::fix_loop(&tree, &LintOptions::default(), true);
            // A fixed tree lints again without panicking, and a second round of fixing is a no-op.
            let again = kpkg_lint::fix_loop(&outcome.tree, &LintOptions::default(), true);
            assert!(
                again.passes.iter().all(|(_, p)| p.accepted.is_empty())
                    || outcome.passes.len() == 10,
                "fixing twice differs from fixing once"
            );
        });
    }
}

/// The lossless parsers keep every byte: make statements tile the file (only line
/// breaks between them), and deb822-lossless prints back exactly what it read.
#[test]
fn lossless_parsers_keep_every_byte() {
    let seeds = seeds();
    let mut rng = Rng(0x5eed_9abc_def0_0003);
    for _ in 0..rounds(3000) {
        let (_, seed) = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        let text = String::from_utf8_lossy(&input).into_owned();
        let mf = makefile::parse(&text);
        let mut pos = 0;
        for s in &mf.stmts {
            let gap = &text[pos..s.span.start];
            assert!(
                gap.chars().all(|c| c == '\n' || c == '\r'),
                "bytes between statements are lost: {gap:?} in {text:?}"
            );
            assert!(s.span.start <= s.span.end && s.span.end <= text.len());
            pos = s.span.end;
        }
        assert!(
            text[pos..].chars().all(|c| c == '\n' || c == '\r'),
            "trailing bytes lost in {text:?}"
        );
        let parsed = deb822_lossless::Deb822::parse(&text);
        assert_eq!(parsed.tree().to_string(), text, "deb822 round trip");
    }
}
