//! `cargo bench`: linting whole packaging trees (criterion), each next to the cost
//! of just reading the bytes kpkg-lint reads; and loading a full-size apt index.
//!
//! The trees are generated from the test trees we wrote (trees.rs). Whole-process
//! timings against `cat`, peak memory and the CLI's start-up are measured by
//! src/benches/process.sh with hyperfine; it gets the same trees from this binary:
//! `KPKG_LINT_BENCH_TREES=<dir> cargo bench --bench lint` writes them and exits.
//! docs/performance.md has the numbers.

mod shapes;
mod trees;

use criterion::{criterion_group, BatchSize, Criterion, Throughput};
use kpkg_lint::discover;
use kpkg_lint::rules::LintOptions;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The files discovery reads in `root`: the "read" baseline reads exactly these.
fn files_read(root: &Path) -> Vec<PathBuf> {
    discover::discover(&[root.to_path_buf()])
        .trees
        .iter()
        .flat_map(|t| {
            t.files
                .iter()
                .filter(|f| f.skipped.is_none())
                .map(|f| f.path.clone())
        })
        .collect()
}

fn lint_path(root: &Path) -> usize {
    let d = discover::discover(&[root.to_path_buf()]);
    let options = LintOptions::default();
    kpkg_lint::par::map(&d.trees, |t| kpkg_lint::lint_tree(t, &options).len())
        .into_iter()
        .sum()
}

fn trees_dir() -> &'static (tempfile::TempDir, trees::BenchTrees) {
    static TREES: std::sync::OnceLock<(tempfile::TempDir, trees::BenchTrees)> =
        std::sync::OnceLock::new();
    TREES.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        // `cargo bench` passes --bench; without it (`cargo test --benches`, as CI runs
        // them) criterion runs each benchmark once, and small trees will do.
        let quick = !std::env::args().any(|a| a == "--bench");
        let t = trees::generate(tmp.path(), quick);
        (tmp, t)
    })
}

fn bench_trees(c: &mut Criterion) {
    let (_, t) = trees_dir();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let cases: [(&str, &Path); 11] = [
        ("ubuntu-12x20", &t.ubuntu),
        ("debian-linux-full", &t.debian),
        ("kernel-package", &t.kernel_package),
        ("kernel-source-80k", &t.kernel),
        ("testdata-all", &data),
        ("packages-2000", &t.many),
        ("wide-20k-makefiles-20k-patches", &t.wide),
        ("shape-debian-6x", &t.debian_6x),
        ("shape-ubuntu", &t.ubuntu_shape),
        ("shape-configs-3000", &t.configs),
        ("many-tree-set-16", &t.set),
    ];
    let options = LintOptions::default();
    for (name, root) in &cases {
        let files = files_read(root);
        let bytes: u64 = files
            .iter()
            .map(|f| fs::metadata(f).map(|m| m.len()).unwrap_or(0))
            .sum();
        let mut g = c.benchmark_group(*name);
        g.throughput(Throughput::Bytes(bytes));
        if files.len() > 1_000 {
            g.sample_size(20).measurement_time(Duration::from_secs(8));
        }
        g.bench_function("read", |b| {
            b.iter(|| {
                for f in &files {
                    std::hint::black_box(fs::read(f).unwrap());
                }
            })
        });
        g.bench_function("discover+parse+lint", |b| {
            b.iter(|| std::hint::black_box(lint_path(root)))
        });
        // Parsing and rules alone, on trees already read (no file system).
        let read = discover::discover(&[root.to_path_buf()]);
        g.bench_function("parse+lint", |b| {
            b.iter(|| kpkg_lint::par::map(&read.trees, |t| kpkg_lint::lint_tree(t, &options).len()))
        });
        // The whole run as the binary does it, streaming, with the text output
        // rendered (into a sink) and every finding's snippet.
        g.bench_function("cli-text", |b| {
            b.iter(|| cli_run(&["--format", "text", "--color", "never"], root))
        });
        g.finish();
    }
}

/// `kpkg-lint ARGS ROOT` in process, its output thrown away; the exit status.
fn cli_run(args: &[&str], root: &Path) -> i32 {
    use clap::Parser;
    let mut argv = vec!["kpkg-lint"];
    argv.extend_from_slice(args);
    let root = root.to_string_lossy();
    argv.push(&root);
    let cli = kpkg_lint::cli::Cli::parse_from(argv);
    kpkg_lint::run(cli, &mut std::io::sink(), &mut std::io::sink())
}

fn bench_index(c: &mut Criterion) {
    let (_, t) = trees_dir();
    let bytes = fs::metadata(&t.index).unwrap().len();
    let mut g = c.benchmark_group("packages-index-63k");
    g.throughput(Throughput::Bytes(bytes))
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    g.bench_function("read", |b| {
        b.iter(|| std::hint::black_box(fs::read(&t.index).unwrap()))
    });
    let spec = vec![t.index.to_string_lossy().into_owned()];
    g.bench_function("load", |b| {
        b.iter_batched(
            || spec.clone(),
            |s| kpkg_lint::archive::load(&s).unwrap(),
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

/// A cross build's resolution (`kpkg-lint resolve`): loading the indices of two
/// architectures and resolving a kernel's 60 build-dependencies, next to loading
/// one index, which is what `--archive` cost before (issue 17: within 2×).
/// `resolve` alone runs on every record of both indices.
fn bench_cross(c: &mut Criterion) {
    use kpkg_lint::archive::cross::{Arches, Chroot};
    let (_, t) = trees_dir();
    let n = fs::read_to_string(&t.index)
        .unwrap()
        .matches("\nPackage: ")
        .count()
        + 1;
    let text = trees::cross_build_depends(n);
    let (groups, _) = kpkg_lint::model::relation::parse_relations(&text, 0);
    let refs: Vec<_> = groups.iter().collect();
    let arches = Arches {
        build: "amd64".into(),
        host: "arm64".into(),
    };
    let resolve = |archive: &kpkg_lint::archive::Archive| {
        let chroot = Chroot::new(archive, "bookworm", arches.clone(), None);
        chroot
            .resolve_groups(&refs, &[])
            .iter()
            .filter(|g| g.picked().is_some())
            .count()
    };
    let amd64 = vec![t
        .cross
        .join("bookworm/main/binary-amd64/Packages")
        .to_string_lossy()
        .into_owned()];
    let both = vec![t.cross.to_string_lossy().into_owned()];
    let mut g = c.benchmark_group("cross-resolve-2x63k");
    g.sample_size(20).measurement_time(Duration::from_secs(8));
    g.bench_function("load one index", |b| {
        b.iter_batched(
            || amd64.clone(),
            |s| kpkg_lint::archive::load(&s).unwrap(),
            BatchSize::PerIteration,
        )
    });
    // What `kpkg-lint resolve` does: read both, keep the entries' packages.
    let names: kpkg_lint::archive::Names = groups
        .iter()
        .flat_map(|g| &g.alternatives)
        .map(|a| a.name.clone())
        .collect();
    g.bench_function("load two indices + resolve", |b| {
        b.iter_batched(
            || both.clone(),
            |s| {
                let archive = kpkg_lint::archive::load_only(&s, &names).unwrap();
                let picked = resolve(&archive);
                (archive, picked)
            },
            BatchSize::PerIteration,
        )
    });
    // Every record of both (what linting with --archive keeps).
    g.bench_function("load two indices, every record", |b| {
        b.iter_batched(
            || both.clone(),
            |s| kpkg_lint::archive::load(&s).unwrap(),
            BatchSize::PerIteration,
        )
    });
    let loaded = kpkg_lint::archive::load(&both).unwrap();
    g.bench_function("resolve", |b| {
        b.iter(|| std::hint::black_box(resolve(&loaded)))
    });
    g.finish();
}

criterion_group!(benches, bench_trees, bench_index, bench_cross);

fn main() {
    if let Some(dir) = std::env::var_os("KPKG_LINT_BENCH_TREES") {
        write_trees(Path::new(&dir));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

/// For process.sh: the trees, and for each the list of files kpkg-lint reads
/// (`<name>.files`), which `cat` reads as the baseline.
fn write_trees(dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let t = trees::generate(dir, false);
    for (name, root) in [
        ("ubuntu", &t.ubuntu),
        ("debian-linux", &t.debian),
        ("linux", &t.kernel),
        ("many", &t.many),
        ("wide", &t.wide),
        ("debian-6x", &t.debian_6x),
        ("ubuntu-shape", &t.ubuntu_shape),
        ("configs-3000", &t.configs),
        ("set", &t.set),
    ] {
        let list: String = files_read(root)
            .iter()
            .map(|p| format!("{}\n", p.display()))
            .collect();
        fs::write(dir.join(format!("{name}.files")), list).unwrap();
    }
    // Each tree of the many-tree set on its own, for its ratio to `cat`.
    let trees_dir = dir.join("set-trees");
    fs::create_dir_all(&trees_dir).unwrap();
    for tree in discover::discover(std::slice::from_ref(&t.set)).trees {
        let name = tree
            .root
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let list: String = tree
            .files
            .iter()
            .filter(|f| f.skipped.is_none())
            .map(|f| format!("{}\n", f.path.display()))
            .collect();
        fs::write(trees_dir.join(format!("{name}.files")), list).unwrap();
    }
    trees::cross_tree(dir, 63_000);
    println!("{}", dir.display());
}
