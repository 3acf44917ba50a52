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
    // The header must match every flavour built: unknowable when an arch file's
    // list is not literal.
    if u.arch_files.is_empty() || u.arch_files.iter().any(|a| !a.flavours_literal) {
        return;
    }
    let built: Vec<String> = u
        .arch_files
        .iter()
        .flat_map(|a| {
            a.flavours
                .iter()
                .map(move |(f, _)| format!("{}-{f}", a.arch))
        })
        .collect();
    let arches: Vec<String> = u
        .arch_files
        .iter()
        .filter(|a| !a.flavours.is_empty())
        .map(|a| a.arch.clone())
        .collect();
    for (header, want, what) in [(flavour_h, &built, "FLAVOUR"), (arch_h, &arches, "ARCH")] {
        let Some(h) = header else { continue };
        let missing: Vec<&String> = want.iter().filter(|w| !h.words.contains(w)).collect();
        let gone: Vec<&String> = h.words.iter().filter(|w| !want.contains(w)).collect();
        if missing.is_empty() && gone.is_empty() {
            continue;
        }
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!(
                "lacks {}",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if !gone.is_empty() {
            parts.push(format!(
                "lists {}, which no arch file builds",
                gone.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut new_words: Vec<String> = h
            .words
            .iter()
            .filter(|w| want.contains(w))
            .cloned()
            .collect();
        new_words.extend(missing.iter().map(|s| s.to_string()));
        c.report(
            RULE,
            *file,
            h.value_span.clone(),
            format!(
                "the annotations `# {what}:` header {}: config checks skip the missing ones",
                parts.join(" and ")
            ),
        )
        .with_help_mut("keep the header in step with the arch files' flavours")
        .with_fix_mut(Fix::safe(
            format!("rewrite the # {what}: header"),
            vec![Edit::replace(
                *file,
                h.value_span.clone(),
                new_words.join(" "),
            )],
        ));
    }
}
