//! Family `parallel`: forced serial builds.
//!
//! Background (Debian Policy §4.9.1, dpkg-buildpackage(1) ≥ 1.21.10): `parallel=N`
//! in `DEB_BUILD_OPTIONS` is only a request; since dpkg 1.21.10 nothing puts `-jN`
//! into `MAKEFLAGS` unless `--jobs-force` is used, so `debian/rules` must pass the
//! level to the kernel make itself. Kernel trees do this in different ways
//! (Ubuntu `$(conc_level)`, Debian `MAKEFLAGS += -j$(DEBIAN_KERNEL_JOBS)`,
//! kernel-package `$(do_parallel)`), and all of them also contain deliberate serial
//! steps. The rules here look at what each kernel make line expands to.

mod deprecated_make_kpkg;
mod forced_serial_flag;
mod ignores_parallel_option;
mod notparallel_serializes_build;
mod reason;
mod serial_kernel_build;
mod sets_deb_build_options;
mod unnecessary_dh_parallel;

use super::kernel_make::{includes_system_makefile, system_include_edit};
pub use super::kernel_make::{MakeCall, MakeKind};
use super::Checker;
use crate::diagnostic::Edit;
use crate::knowledge;
use crate::model::program::Program;
use crate::model::Model;
use crate::registry::Rule;
use crate::source::FileId;

pub struct Facts<'a, 'm> {
    pub makes: &'a [MakeCall<'m>],
    /// Some file of the tree reads `parallel=` (directly, through buildopts.mk or a
    /// job-level variable such as CONCURRENCY_LEVEL).
    pub honours_parallel: bool,
}

impl<'a, 'm> Facts<'a, 'm> {
    pub fn compute(model: &Model, makes: &'a [MakeCall<'m>]) -> Facts<'a, 'm> {
        let jobs_vars = knowledge::table("job-variables");
        let honours_parallel = model.makefiles.keys().any(|&f| {
            let t = &model.tree.files[f].text;
            t.contains("parallel=")
                || jobs_vars.entries().iter().any(|(v, _)| {
                    t.contains(&format!("$({v})")) || t.contains(&format!("${{{v}}}"))
                })
        }) || model.programs.iter().any(includes_buildopts);
        Facts {
            makes,
            honours_parallel,
        }
    }
}

pub fn includes_buildopts(p: &Program) -> bool {
    includes_system_makefile(p, "buildopts.mk")
}

/// The level from `parallel=N`, as dpkg's buildopts.mk provides it.
pub const PARALLEL_JOBS: &str = "$(if $(DEB_BUILD_OPTION_PARALLEL),-j$(DEB_BUILD_OPTION_PARALLEL))";

/// The same level read the way Policy §4.9.1 shows, from DEB_BUILD_OPTIONS itself:
/// `-jN` for `parallel=N`, nothing without it. Needs no include.
pub const PARALLEL_JOBS_POLICY: &str =
    "$(patsubst parallel=%,-j%,$(filter parallel=%,$(DEB_BUILD_OPTIONS)))";

/// The edit that includes buildopts.mk in a program's top file, unless it does already.
pub fn buildopts_include_edit(model: &Model, program: &Program) -> Option<Edit> {
    system_include_edit(model, program, "/usr/share/dpkg/buildopts.mk")
}

/// What a fix passes to the kernel make for `parallel=N`, and the include it needs.
/// buildopts.mk where the target release's dpkg ships it; where it does not (dpkg
/// before 1.20.1: buster, focal and older), or the release is only assumed, the
/// Policy expression, since an `include` of a missing file stops make.
pub fn parallel_jobs(c: &Checker, program: &Program) -> (&'static str, Option<Edit>) {
    let has = knowledge::dpkg_has_buildopts_mk(&c.release.codename);
    if has == Some(true) && !c.release.assumed() || includes_buildopts(program) {
        (PARALLEL_JOBS, buildopts_include_edit(c.model, program))
    } else {
        (PARALLEL_JOBS_POLICY, None)
    }
}

/// A comment on the line above, or at the end of the line, explains a serial step.
pub fn justified(model: &Model, file: FileId, offset: usize) -> bool {
    [
        model.comment_above(file, offset),
        model.trailing_comment(file, offset),
    ]
    .into_iter()
    .flatten()
    .any(reason::gives_a_reason)
}

pub fn check(c: &mut Checker, makes: &[MakeCall]) {
    let model = c.model;
    let facts = Facts::compute(model, makes);
    let serial = serial_kernel_build::check(c, &facts);
    if c.enabled(Rule::ForcedSerialFlag) {
        forced_serial_flag::check(c, &facts, &serial);
    }
    if c.enabled(Rule::NotparallelSerializesBuild) {
        notparallel_serializes_build::check(c, &facts);
    }
    if c.enabled(Rule::IgnoresParallelOption) {
        ignores_parallel_option::check(c, &facts);
    }
    if c.enabled(Rule::SetsDebBuildOptions) {
        sets_deb_build_options::check(c);
    }
    if c.enabled(Rule::UnnecessaryDhParallel) {
        unnecessary_dh_parallel::check(c);
    }
    if c.enabled(Rule::DeprecatedMakeKpkg) {
        deprecated_make_kpkg::check(c);
    }
}
