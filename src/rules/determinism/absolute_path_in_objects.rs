//! `absolute-path-in-objects`: out-of-tree or absolute-srctree builds without a
//! prefix map.

use super::{by_carrier, insert_settings, setting};
use crate::diagnostic::Fix;
use crate::registry::Rule;
use crate::rules::kernel_make::MakeCall;
use crate::rules::Checker;

const RULE: Rule = Rule::AbsolutePathInObjects;

pub fn check(c: &mut Checker, builds: &[&MakeCall]) {
    let model = c.model;
    for (carrier, calls) in by_carrier(model, builds) {
        let first = calls[0];
        let out_of_tree = calls.iter().find_map(|m| {
            m.inv
                .variable_names(m.cmd)
                .position(|n| n == "O")
                .map(|_| m)
        });
        let abs = setting(model, first, "KBUILD_ABS_SRCTREE")
            .filter(|s| crate::model::shell::unquote(&s.value) == "1");
        if out_of_tree.is_none() && abs.is_none() {
            continue;
        }
        let kcflags = setting(model, first, "KCFLAGS");
        if kcflags
            .as_ref()
            .is_some_and(|s| s.value.contains("prefix-map"))
        {
            continue;
        }
        let why = if abs.is_some() {
            "KBUILD_ABS_SRCTREE=1 makes every source path absolute"
        } else {
            "building with O= puts absolute paths of the build directory into debug info"
        };
        let d = c.report(
            RULE,
            carrier.file,
            carrier.span.clone(),
            format!("{why}, and KCFLAGS has no -ffile-prefix-map: objects and ccache keys depend on where the tree was built"),
        );
        if let Some(m) = out_of_tree {
            if m.cmd.recipe.file != carrier.file || m.cmd.argv[0].span != carrier.span {
                d.with_note_mut(
                    m.cmd.recipe.file,
                    m.cmd.argv[0].span.clone(),
                    "builds out of tree",
                );
            }
        }
        d.with_help_mut("pass `KCFLAGS=-ffile-prefix-map=$(CURDIR)/=` to the kernel make (Debian's rules.real uses -fdebug-prefix-map the same way)");
        if kcflags.is_none() {
            d.with_fix_mut(Fix::safe(
                "map the build directory out of the objects",
                vec![insert_settings(
                    &carrier,
                    "KCFLAGS=-ffile-prefix-map=$(CURDIR)/=",
                )],
            ));
        }
    }
}
