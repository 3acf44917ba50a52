//! `cargo bench`: wall time of linting whole packaging trees, next to the cost of
//! just reading their bytes. A plain harness (no criterion) keeps the build light;
//! each measurement is the median of many runs.
//!
//! Trees are generated from `testdata/parallel/ubuntu/in` scaled up to 12
//! architectures × 20 flavours, plus the Debian- and kernel-package-style trees.

use kpkg_lint::discover;
use kpkg_lint::rules::LintOptions;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const ARCHES: &[&str] = &[
    "amd64", "arm64", "armhf", "i386", "ppc64el", "riscv64", "s390x", "loong64", "mips64el",
    "powerpc", "sparc64", "alpha",
];

fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// An Ubuntu-style tree with 12 arch files and 20 flavours each.
fn ubuntu_tree(root: &Path) -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parallel/ubuntu/in");
    let dst = root.join("ubuntu");
    copy_dir(&base, &dst);
    let flavours: Vec<String> = (0..20).map(|i| format!("flavour{i}")).collect();
    for arch in ARCHES {
        let mut mk = format!("build_arch = {arch}\nflavours = {}\nbuild_image = Image\nkernel_file = arch/$(build_arch)/boot/Image\ninstall_file = vmlinuz\ndo_tools_perf = true\n", flavours.join(" "));
        for f in &flavours {
            mk.push_str(&format!(
                "build_image_{f} = Image\nkernel_file_{f} = arch/$(build_arch)/boot/Image\n"
            ));
        }
        fs::write(dst.join(format!("debian.master/rules.d/{arch}.mk")), mk).unwrap();
    }
    fs::create_dir_all(dst.join("debian.master/control.d")).unwrap();
    for f in &flavours {
        fs::write(dst.join(format!("debian.master/control.d/vars.{f}")), format!("arch=\"{}\"\nsupported=\"{f}\"\ntarget=\"Geared toward {f} systems.\"\ndesc=\"{f} kernel\"\nbootloader=\"grub-pc | grub-efi-amd64 | flash-kernel\"\nprovides=\"kvm-api-4, redhat-cluster-modules\"\n", ARCHES.join(" "))).unwrap();
    }
    dst
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn measure(name: &str, root: &Path, iterations: usize) {
    let paths = vec![root.to_path_buf()];
    let sel = LintOptions::default();
    // Baseline: read every file discovery would read.
    let files: Vec<PathBuf> = {
        let d = discover::discover(&paths);
        d.trees
            .iter()
            .flat_map(|t| t.files.iter().map(|f| f.path.clone()))
            .collect()
    };
    let bytes: usize = files
        .iter()
        .map(|f| fs::metadata(f).map(|m| m.len() as usize).unwrap_or(0))
        .sum();
    let mut read = Vec::new();
    let mut full = Vec::new();
    let mut findings = 0;
    for _ in 0..iterations {
        let t = Instant::now();
        for f in &files {
            std::hint::black_box(fs::read(f).unwrap());
        }
        read.push(t.elapsed());
        let t = Instant::now();
        let d = discover::discover(&paths);
        findings = d
            .trees
            .iter()
            .map(|t| kpkg_lint::lint_tree(t, &sel).len())
            .sum();
        full.push(t.elapsed());
    }
    println!(
        "{name:<28} {:>4} files {:>8} bytes   read {:>9.3?}   discover+parse+lint {:>9.3?}   ({findings} findings, median of {iterations})",
        files.len(),
        bytes,
        median(read),
        median(full)
    );
}

fn main() {
    // `cargo test --benches` runs this with --test: keep that quick.
    let quick = std::env::args().any(|a| a == "--test");
    let iterations = if quick { 3 } else { 200 };
    let tmp = tempfile::tempdir().unwrap();
    let ubuntu = ubuntu_tree(tmp.path());
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    measure("ubuntu 12 arches x 20 flav.", &ubuntu, iterations);
    measure(
        "debian linux style",
        &data.join("parallel/debian-linux/in"),
        iterations,
    );
    measure(
        "kernel-package ruleset",
        &data.join("examples/kernel-package"),
        iterations,
    );
    measure("all testdata trees", &data, iterations);
    let kernel = kernel_tree(tmp.path(), if quick { 2_000 } else { 80_000 });
    measure("kernel tree + debian/", &kernel, if quick { 1 } else { 20 });
    let many = many_packages(tmp.path(), if quick { 50 } else { 2_000 });
    measure_many(&many, if quick { 1 } else { 10 });
    let index = packages_index(tmp.path());
    measure_index(&index, if quick { 1 } else { 20 });
}

/// A generated `Packages` index of the size of Debian main for one architecture.
fn packages_index(dir: &Path) -> PathBuf {
    let mut text = String::with_capacity(52 << 20);
    for i in 0..63_000 {
        text.push_str(&format!(
            "Package: pkg{i}\nSource: src{s}\nVersion: 1.{i}-{r}\nInstalled-Size: {sz}\nMaintainer: Example Maintainer <maint{s}@example.org>\nArchitecture: amd64\nMulti-Arch: {ma}\nProvides: virtual{v}, pkg{i}-abi (= 1.{i})\nDepends: libc6 (>= 2.34), libfoo{s} (>= 1.2), bar | baz\nDescription: generated package number {i} for the benchmark\nHomepage: https://example.org/{s}\nDescription-md5: 0123456789abcdef0123456789abcdef\nTag: devel::library, implemented-in::c, role::devel-lib\nSection: libdevel\nPriority: optional\nFilename: pool/main/s/src{s}/pkg{i}_1.{i}-{r}_amd64.deb\nSize: {sz}\nMD5sum: 0123456789abcdef0123456789abcdef\nSHA256: 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n\n",
            s = i / 3,
            r = i % 7,
            sz = 1000 + i,
            ma = ["same", "foreign", "allowed", "no"][i % 4],
            v = i % 100,
        ));
    }
    let p = dir.join("Packages");
    fs::write(&p, text).unwrap();
    p
}

fn measure_index(path: &Path, iterations: usize) {
    let bytes = fs::metadata(path).unwrap().len();
    let mut read = Vec::new();
    let mut load = Vec::new();
    let mut n = 0;
    for _ in 0..iterations {
        let t = Instant::now();
        std::hint::black_box(fs::read(path).unwrap());
        read.push(t.elapsed());
        let t = Instant::now();
        let a = kpkg_lint::archive::load(&[path.to_string_lossy().into_owned()]).unwrap();
        n = a.records.len();
        load.push(t.elapsed());
    }
    println!("{:<28} {n:>5} stanzas {bytes:>9} bytes   read {:>9.3?}   load {:>9.3?}   (median of {iterations})", "Packages index (plain)", median(read), median(load));
}

/// A kernel source tree of `files` files with the Ubuntu-style packaging at its root:
/// discovery must not read (or even walk) the kernel source.
fn kernel_tree(root: &Path, files: usize) -> PathBuf {
    let dst = root.join("linux");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parallel/ubuntu/in"),
        &dst,
    );
    fs::write(dst.join("Makefile"), "VERSION = 6\n").unwrap();
    fs::write(dst.join("Kbuild"), "obj-y += kernel/\n").unwrap();
    let dirs = [
        "arch/x86/kernel",
        "drivers/net/ethernet",
        "fs/ext4",
        "include/linux",
        "kernel/sched",
        "mm",
        "net/ipv4",
        "sound/core",
        "tools/perf/util",
        "Documentation/admin-guide",
    ];
    for i in 0..files {
        let d = dst.join(dirs[i % dirs.len()]).join(format!("d{}", i / 500));
        if i % 500 < dirs.len() {
            fs::create_dir_all(&d).unwrap();
        }
        fs::write(d.join(format!("f{i}.c")), "int x;\n").unwrap();
    }
    dst
}

/// A directory of `n` small source packages (debian/rules, control, changelog).
fn many_packages(root: &Path, n: usize) -> PathBuf {
    let dst = root.join("many");
    for i in 0..n {
        let d = dst.join(format!("pkg{i}/debian"));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("rules"), format!("#!/usr/bin/make -f\n%:\n\tdh $@\n\noverride_dh_auto_build:\n\t$(MAKE) KERNELRELEASE=6.1.{i} bindeb-pkg\n")).unwrap();
        fs::write(d.join("control"), format!("Source: pkg{i}\nMaintainer: A <a@example.org>\nBuild-Depends: debhelper-compat (= 13), bc, bison, flex, libssl-dev\n\nPackage: pkg{i}\nArchitecture: any\nDescription: package {i}\n")).unwrap();
        fs::write(d.join("changelog"), format!("pkg{i} (1.0-1) bookworm; urgency=medium\n\n  * x\n\n -- A <a@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n")).unwrap();
    }
    dst
}

/// Whole-directory lint against `cat` reading the same files (one process each).
fn measure_many(dir: &Path, iterations: usize) {
    let d = discover::discover(&[dir.to_path_buf()]);
    let files: Vec<PathBuf> = d
        .trees
        .iter()
        .flat_map(|t| t.files.iter().map(|f| f.path.clone()))
        .collect();
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/kpkg-lint");
    let mut cat = Vec::new();
    let mut lint = Vec::new();
    for _ in 0..iterations {
        let t = Instant::now();
        let ok = std::process::Command::new("cat")
            .args(&files)
            .stdout(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        cat.push(t.elapsed());
        assert!(ok, "cat");
        if bin.exists() {
            let t = Instant::now();
            let _ = std::process::Command::new(&bin)
                .arg("--format")
                .arg("json")
                .arg(dir)
                .stdout(std::process::Stdio::null())
                .status();
            lint.push(t.elapsed());
        }
    }
    let lint = if lint.is_empty() {
        "(build the release binary first)".to_string()
    } else {
        format!("{:.3?}", median(lint))
    };
    println!(
        "{:<28} {:>5} trees {:>5} files   cat {:>9.3?}   kpkg-lint process {lint}",
        "directory of packages",
        d.trees.len(),
        files.len(),
        median(cat)
    );
}
