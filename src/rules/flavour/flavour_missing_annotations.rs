//! `flavour-missing-annotations`: the annotations headers disagree with what the arch
//! files build.

use crate::diagnostic::{Edit, Fix};
use crate::model::flavour::UbuntuFlavours;
use crate::registry::Rule;
use crate::rules::Checker;

const RULE: Rule = Rule::FlavourMissingAnnotations;

pub fn check(c: &mut Checker, u: &UbuntuFlavours) {
    let Some((file, arch_h, flavour_h)) = &u.annotations else {
        return;
    };
    // Before format 4 the headers are the old tooling's (`# ARCH:` lists kernel
    // architectures, there is no `# FLAVOUR:`): nothing to compare.
    if u.annotations_format.is_none_or(|f| f < 4) {
        return;
    }
    // The header must match every flavour built: unknowable when an arch file's
    // list is not literal.
    if u.arch_files.is_empty() || u.arch_files.iter().any(|a| !a.flavours_literal) {
        return;
    }
    let pairs = |images_only: bool| -> Vec<String> {
        u.arch_files
            .iter()
            .filter(|a| a.builds_images || !images_only)
            .flat_map(|a| {
                a.flavours
                    .iter()
                    .map(move |(f, _)| format!("{}-{f}", a.arch))
            })
            .collect()
    };
    let arches = |images_only: bool| -> Vec<String> {
        u.arch_files
            .iter()
            .filter(|a| !a.flavours.is_empty() && (a.builds_images || !images_only))
            .map(|a| a.arch.clone())
            .collect()
    };
    // Every pair an arch file lists belongs in the header. A pair of an arch
    // that builds no image packages (`do_flavour_image_package = false`,
    // Ubuntu's i386 and riscv64 since focal) is read by nothing today: missing,
    // it is a residue to know about (info, no fix), not a defect.
    let (built, known) = (pairs(true), pairs(false));
    let (built_arches, known_arches) = (arches(true), arches(false));
    for (header, built, known, what) in [
        (flavour_h, &built, &known, "FLAVOUR"),
        (arch_h, &built_arches, &known_arches, "ARCH"),
    ] {
        let Some(h) = header else { continue };
        let missing: Vec<&String> = known.iter().filter(|w| !h.words.contains(w)).collect();
        let gone: Vec<&String> = h.words.iter().filter(|w| !known.contains(w)).collect();
        if missing.is_empty() && gone.is_empty() {
            continue;
        }
        let idle = !missing.is_empty() && missing.iter().all(|m| !built.contains(m));
        let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("lacks {}", list(&missing)));
        }
        if !gone.is_empty() {
            parts.push(format!("lists {}, which no arch file builds", list(&gone)));
        }
        let mut consequences = Vec::new();
        if idle {
            consequences.push("the arch files of the missing entries set do_flavour_image_package = false, so nothing reads them today; switched on, updateconfigs and the config checks would skip them");
        } else if !missing.is_empty() {
            consequences.push("updateconfigs and the config checks skip the missing ones");
        }
        if !gone.is_empty() {
            // Ubuntu's own jammy master keeps lowlatency pairs that a derivative
            // sharing the file builds: `debian/rules updateconfigs` loops over
            // them, the build never reads them.
            consequences.push("updateconfigs still exports and imports the extra ones; the build does not read them");
        }
        let consequence = consequences.join("; ");
        let d = c.report(
            RULE,
            *file,
            h.value_span.clone(),
            format!(
                "the annotations `# {what}:` header {}: {consequence}",
                parts.join(" and ")
            ),
        );
        d.with_help_mut("keep the header in step with the arch files' flavours");
        let kept: Vec<&str> = h
            .words
            .iter()
            .filter(|w| known.contains(w))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() && !idle {
            // Append what is missing and built (idle entries get no fix, as
            // below); entries the arch files do not build stay.
            let mut new_words: Vec<String> = h.words.clone();
            new_words.extend(
                missing
                    .iter()
                    .filter(|m| built.contains(m))
                    .map(|s| s.to_string()),
            );
            d.with_fix_mut(Fix::safe(
                format!("add the missing entries to the # {what}: header"),
                vec![Edit::replace(
                    *file,
                    h.value_span.clone(),
                    new_words.join(" "),
                )],
            ));
            continue;
        }
        // Extra entries cost nothing at build time, and idle ones are read by
        // nothing: advice. An idle architecture gets no fix: the tree may leave it
        // out on purpose (focal master left riscv64 to its own derivative), and
        // noble's updateconfigs warns "Unsupported architecture" for i386.
        d.severity = crate::diagnostic::Severity::Info;
        if !gone.is_empty() {
            // They may be there for a derivative that includes this file:
            // dropping them is a choice.
            d.with_fix_mut(Fix::unsafe_(
                format!("drop the entries no arch file builds from the # {what}: header"),
                vec![Edit::replace(*file, h.value_span.clone(), kept.join(" "))],
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::acme::{AMD64, ENV, VARS};
    use crate::testing::{found, lint_memory_rule};

    const ANNOTATIONS: &str = "# Menu: HEADER\n# FORMAT: 4\n# ARCH: amd64 arm64\n# FLAVOUR: amd64-generic arm64-generic\n\nCONFIG_MODULES policy<{'amd64': 'y', 'arm64': 'y'}>\n";

    #[test]
    fn a_header_missing_a_built_flavour_fires() {
        let files = [
            ENV,
            (
                "debian.acme/rules.d/amd64.mk",
                &*AMD64.replace("flavours = generic", "flavours = generic lowlatency"),
            ),
            (
                "debian.acme/rules.d/arm64.mk",
                "build_arch = arm64\nflavours = generic\n",
            ),
            ("debian.acme/config/annotations", ANNOTATIONS),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-annotations");
        assert_eq!(
            found(&d, &tree),
            [(
                "flavour-missing-annotations",
                "debian.acme/config/annotations",
                4,
                12
            )]
        );
        assert!(
            d[0].message.contains("lacks amd64-lowlatency"),
            "{}",
            d[0].message
        );
        assert_eq!(
            d[0].fix.as_ref().unwrap().edits[0].content,
            "amd64-generic arm64-generic amd64-lowlatency"
        );
        // With an idle arch missing too, the fix adds only what is built.
        let files = [
            ENV,
            (
                "debian.acme/rules.d/amd64.mk",
                &*AMD64.replace("flavours = generic", "flavours = generic lowlatency"),
            ),
            (
                "debian.acme/rules.d/arm64.mk",
                "build_arch = arm64\nflavours = generic\n",
            ),
            (
                "debian.acme/rules.d/i386.mk",
                "build_arch = i386\nflavours = generic\ndo_flavour_image_package = false\n",
            ),
            ("debian.acme/config/annotations", ANNOTATIONS),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, _) = lint_memory_rule(&files, "flavour-missing-annotations");
        let flavour = d.iter().find(|d| d.message.contains("FLAVOUR")).unwrap();
        assert_eq!(
            flavour.fix.as_ref().unwrap().edits[0].content,
            "amd64-generic arm64-generic amd64-lowlatency"
        );
    }

    #[test]
    fn matching_headers_or_unknowable_lists_do_not_fire() {
        let arm64 = (
            "debian.acme/rules.d/arm64.mk",
            "build_arch = arm64\nflavours = generic\n",
        );
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", AMD64),
            arm64,
            ("debian.acme/config/annotations", ANNOTATIONS),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-annotations");
        assert_eq!(found(&d, &tree), []);
        let computed = AMD64.replace("flavours = generic", "flavours = generic $(extra_flavours)");
        let files = [
            ENV,
            ("debian.acme/rules.d/amd64.mk", &*computed),
            arm64,
            ("debian.acme/config/annotations", ANNOTATIONS),
            ("debian.acme/control.d/vars.generic", VARS),
        ];
        let (d, tree) = lint_memory_rule(&files, "flavour-missing-annotations");
        assert_eq!(found(&d, &tree), []);
    }
}
