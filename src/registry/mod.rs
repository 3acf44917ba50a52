//! Rule identity: the [`Rule`] and [`Family`] enums generated from `rules/*.rule` by
//! `build.rs`, [`Severity`], [`FixSafety`], [`RuleSet`], and the one resolver for the
//! names users type (rules, former names, families, `all`) with "did you mean", and
//! the [`catalogue`]: each rule's documentation and examples, read from its `.rule`.
//!
//! Nothing here imports anything else of the crate: every other layer may use it.

pub mod catalogue;

use std::fmt;

mod generated {
    use super::{FixSafety, Severity};
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

pub use generated::{Family, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of fix a rule offers, as its `Fix:` field declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixSafety {
    None,
    Safe,
    Unsafe,
    /// Safe in some cases, unsafe in others (the rule's Fix-Safety says which).
    Mixed,
}

impl FixSafety {
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::None => "none",
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
            FixSafety::Mixed => "mixed",
        }
    }

    /// May a fix of this rule be safe (`safe`) or unsafe (`unsafe = true`)?
    pub fn allows(self, unsafe_fix: bool) -> bool {
        match self {
            FixSafety::None => false,
            FixSafety::Safe => !unsafe_fix,
            FixSafety::Unsafe => unsafe_fix,
            FixSafety::Mixed => true,
        }
    }
}

impl Rule {
    /// The rule with this name or former name.
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.name() == name)
            .or_else(|| {
                Rule::ALL
                    .iter()
                    .copied()
                    .find(|r| r.aliases().contains(&name))
            })
    }

    /// The rule's position in [`Rule::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Rules compare with their names, so tests and callers can write `d.rule == "x"`.
impl PartialEq<&str> for Rule {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl PartialEq<str> for Rule {
    fn eq(&self, other: &str) -> bool {
        self.name() == other
    }
}

impl PartialEq<String> for Rule {
    fn eq(&self, other: &String) -> bool {
        self.name() == other
    }
}

impl Family {
    pub fn from_name(name: &str) -> Option<Family> {
        Family::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// The family's rules, in name order.
    pub fn rules(self) -> impl Iterator<Item = Rule> {
        Rule::ALL.into_iter().filter(move |r| r.family() == self)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a name on the command line, in kpkg-lint.toml or in a suppression comment
/// stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    All,
    Family(Family),
    Rule(Rule),
}

impl Selector {
    /// Does this name cover the rule?
    pub fn covers(self, rule: Rule) -> bool {
        match self {
            Selector::All => true,
            Selector::Family(f) => rule.family() == f,
            Selector::Rule(r) => r == rule,
        }
    }

    pub fn rules(self) -> RuleSet {
        let mut set = RuleSet::empty();
        for r in Rule::ALL {
            if self.covers(r) {
                set.insert(r);
            }
        }
        set
    }
}

/// A name that is no rule, former name or family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub name: String,
    /// The closest known name, when one is close.
    pub suggestion: Option<&'static str>,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hint = self
            .suggestion
            .map(|s| format!("did you mean `{s}`? "))
            .unwrap_or_default();
        write!(
            f,
            "unknown rule or family `{}` ({hint}run `kpkg-lint rules` for the list)",
            self.name
        )
    }
}

/// Resolve a rule name, former name, family name, or `all` (when `allow_all`).
pub fn resolve(name: &str, allow_all: bool) -> Result<Selector, UnknownName> {
    if allow_all && name == "all" {
        return Ok(Selector::All);
    }
    if let Some(r) = Rule::from_name(name) {
        return Ok(Selector::Rule(r));
    }
    if let Some(f) = Family::from_name(name) {
        return Ok(Selector::Family(f));
    }
    let candidates = Rule::ALL
        .iter()
        .map(|r| r.name())
        .chain(Family::ALL.iter().map(|f| f.name()));
    Err(UnknownName {
        name: name.to_string(),
        suggestion: suggest(name, candidates),
    })
}

/// The candidate within a third of the word's length in edits, if any.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

const WORDS: usize = Rule::ALL.len().div_ceil(64);

/// A set of rules, one bit each.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct RuleSet([u64; WORDS]);

impl RuleSet {
    pub const fn empty() -> RuleSet {
        RuleSet([0; WORDS])
    }

    pub fn all() -> RuleSet {
        let mut s = RuleSet::empty();
        for r in Rule::ALL {
            s.insert(r);
        }
        s
    }

    pub fn insert(&mut self, rule: Rule) {
        self.0[rule.index() / 64] |= 1 << (rule.index() % 64);
    }

    pub fn remove(&mut self, rule: Rule) {
        self.0[rule.index() / 64] &= !(1 << (rule.index() % 64));
    }

    pub fn contains(&self, rule: Rule) -> bool {
        self.0[rule.index() / 64] & (1 << (rule.index() % 64)) != 0
    }

    pub fn union(mut self, other: RuleSet) -> RuleSet {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a |= b;
        }
        self
    }

    pub fn difference(mut self, other: RuleSet) -> RuleSet {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            *a &= !b;
        }
        self
    }

    pub fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rules in the set, in name order.
    pub fn iter(&self) -> impl Iterator<Item = Rule> + '_ {
        Rule::ALL.into_iter().filter(|r| self.contains(*r))
    }

    /// `select` (empty: every rule) minus `ignore`; every name must resolve.
    pub fn from_names(select: &[String], ignore: &[String]) -> Result<RuleSet, UnknownName> {
        let mut set = if select.is_empty() {
            RuleSet::all()
        } else {
            let mut s = RuleSet::empty();
            for n in select {
                s = s.union(resolve(n, true)?.rules());
            }
            s
        };
        for n in ignore {
            set = set.difference(resolve(n, true)?.rules());
        }
        Ok(set)
    }
}

impl Default for RuleSet {
    fn default() -> RuleSet {
        RuleSet::all()
    }
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Rule::name)).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_rules_families_and_all() {
        assert_eq!(
            resolve("serial-kernel-build", false),
            Ok(Selector::Rule(Rule::SerialKernelBuild))
        );
        assert_eq!(
            resolve("parallel", false),
            Ok(Selector::Family(Family::Parallel))
        );
        assert_eq!(resolve("all", true), Ok(Selector::All));
        assert!(resolve("all", false).is_err());
        let e = resolve("serial-kernel-biuld", true).unwrap_err();
        assert_eq!(e.suggestion, Some("serial-kernel-build"));
        assert!(resolve("nothing-like-it-at-all", true)
            .unwrap_err()
            .suggestion
            .is_none());
    }

    #[test]
    fn rule_sets_select_and_ignore() {
        let s = RuleSet::from_names(&["parallel".into()], &["forced-serial-flag".into()]).unwrap();
        assert!(s.contains(Rule::SerialKernelBuild));
        assert!(!s.contains(Rule::ForcedSerialFlag));
        assert!(!s.contains(Rule::MalformedFile));
        assert_eq!(s.len(), Family::Parallel.rules().count() - 1);
        assert_eq!(RuleSet::all().len(), Rule::ALL.len());
        let none = RuleSet::from_names(&[], &["all".into()]).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn names_are_unique_and_aliases_shadow_none() {
        for r in Rule::ALL {
            assert_eq!(Rule::from_name(r.name()), Some(r));
            for a in r.aliases() {
                assert!(Rule::ALL.iter().all(|o| o.name() != *a), "{a}");
                assert!(Family::from_name(a).is_none(), "{a}");
            }
            assert!(Family::from_name(r.name()).is_none());
        }
    }
}
