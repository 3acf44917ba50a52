//! `unpinned-kbuild-user-host`: `KBUILD_BUILD_USER`/`KBUILD_BUILD_HOST` unset.

use super::{by_carrier, insert_settings, setting};
use crate::diagnostic::Fix;
use crate::registry::Rule;
use crate::rules::kernel_make::{note_chain, MakeCall};
use crate::rules::Checker;

const RULE: Rule = Rule::UnpinnedKbuildUserHost;

/// `user` and `host` from the Maintainer address (`Team <kernel@example.org>`), as
/// Debian's rules.real does; fixed values when there is none.
fn from_maintainer(c: &Checker) -> (String, String) {
    let maint = c
        .model
        .source_stanzas()
        .iter()
        .find_map(|s| s.paragraph.field("Maintainer").map(|f| f.value.clone()));
    // The address between `<` and the first `>` after it (a `>` may come earlier,
    // in the name: the fuzzer found `Dana T(>= inkerer <dana@example.org>`).
    let addr = maint.as_deref().and_then(|m| {
        let open = m.find('<')? + 1;
        let close = open + m[open..].find('>')?;
        Some(m[open..close].to_string())
    });
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    match addr.as_deref().and_then(|a| a.split_once('@')) {
        Some((u, h)) if safe(u) && safe(h) => (u.to_string(), h.to_string()),
        _ => ("debian".to_string(), "buildd".to_string()),
    }
}

pub fn check(c: &mut Checker, builds: &[&MakeCall]) {
    let model = c.model;
    let (user, host) = from_maintainer(c);
    for (carrier, calls) in by_carrier(model, builds) {
        let first = calls[0];
        let missing: Vec<&str> = ["KBUILD_BUILD_USER", "KBUILD_BUILD_HOST"]
            .into_iter()
            .filter(|n| setting(model, first, n).is_none())
            .collect();
        if missing.is_empty() {
            continue;
        }
        let what = match &carrier.variable {
            Some(_) => carrier.subject(),
            None => first.subject(),
        };
        let d = c.report(
            RULE,
            carrier.file,
            carrier.span.clone(),
            format!("{what} runs without {}: the login and host name of whoever builds go into compile.h and /proc/version", missing.join(" and ")),
        );
        let settings: Vec<String> = missing
            .iter()
            .map(|n| {
                if *n == "KBUILD_BUILD_USER" {
                    format!("{n}={user}")
                } else {
                    format!("{n}={host}")
                }
            })
            .collect();
        note_chain(model, d, &calls);
        d.with_help_mut(format!("set {}", settings.join(" ")));
        d.with_fix_mut(Fix::safe(
            "pin the build user and host",
            vec![insert_settings(&carrier, &settings.join(" "))],
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::lint_memory_rule;

    /// The user and host come from the Maintainer address, wherever a `>` stands in
    /// the name before it.
    #[test]
    fn maintainer_address_after_a_stray_angle_bracket() {
        for (maintainer, user_host) in [
            (
                "Dana T(>= inkerer <dana@example.org>",
                "KBUILD_BUILD_USER=dana KBUILD_BUILD_HOST=example.org",
            ),
            (
                "Kernel Team <kernel@acme.example>",
                "KBUILD_BUILD_USER=kernel KBUILD_BUILD_HOST=acme.example",
            ),
            (
                "no address at all",
                "KBUILD_BUILD_USER=debian KBUILD_BUILD_HOST=buildd",
            ),
        ] {
            let control = format!("Source: linux\nMaintainer: {maintainer}\nBuild-Depends: bc\n\nPackage: linux-image\nArchitecture: any\nDescription: x\n x\n");
            let files = [
                ("debian/control", control.as_str()),
                (
                    "debian/rules",
                    "#!/usr/bin/make -f\nbuild:\n\t$(MAKE) bindeb-pkg\n",
                ),
            ];
            let fixed =
                crate::testing::fix_memory_selected(&files, &["unpinned-kbuild-user-host"], false);
            let rules = &fixed.iter().find(|(p, _)| p == "debian/rules").unwrap().1;
            assert!(rules.contains(user_host), "{maintainer}: {rules}");
            assert_eq!(
                lint_memory_rule(&files, "unpinned-kbuild-user-host")
                    .0
                    .len(),
                1
            );
        }
    }
}
