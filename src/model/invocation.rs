//! What a command line asks of make, dh or dpkg-buildpackage about parallelism.

use super::program::{Command, Word};
use crate::source::Span;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jobs {
    /// `-jN`
    Count(u32),
    /// `-j` without a number.
    Unlimited,
    /// `-j$(NAME)` with `NAME` not resolved in the tree (set by the environment or
    /// conditionally).
    Var(String),
    /// Computed by a function (`$(if $(X),-j$(X))`).
    Computed,
}

/// A jobs option on a command line.
#[derive(Debug, Clone)]
pub struct JobsOption {
    pub jobs: Jobs,
    /// Span of the token(s) in the recipe that produced it.
    pub span: Span,
    /// Written literally in the recipe (as opposed to coming from a variable).
    pub literal: bool,
    pub certain: bool,
    /// Index of the word in argv (or in env when `in_env`).
    pub word: usize,
    pub in_env: bool,
    /// The option takes two words (`-j 1`, `--jobs 1`).
    pub two_words: bool,
}

#[derive(Debug, Clone)]
pub struct MakeInvocation {
    pub jobs: Vec<JobsOption>,
    /// `-f FILE`, unquoted, with the index of the word that holds it.
    pub makefile: Option<(usize, String)>,
    /// Every `-C DIR` in order (make changes into each in turn, so they add up),
    /// unquoted, with the index of the word that holds it.
    pub directories: Vec<(usize, String)>,
    /// Indices into argv of goal words.
    pub targets: Vec<usize>,
    /// Indices into argv of `NAME=value` words.
    pub variables: Vec<usize>,
    /// Gets the parent's jobserver: `$(MAKE)` or a `+` recipe line.
    pub jobserver: bool,
}

pub fn is_make(cmd: &Command) -> bool {
    let Some(w) = cmd.argv.first() else {
        return false;
    };
    matches!(w.text.as_str(), "$(MAKE)" | "${MAKE}") || matches!(cmd.program(), "make" | "gmake")
}

fn var_ref(s: &str) -> Option<&str> {
    let inner = s
        .strip_prefix("$(")
        .and_then(|r| r.strip_suffix(')'))
        .or_else(|| s.strip_prefix("${").and_then(|r| r.strip_suffix('}')))?;
    inner
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'_')
        .then_some(inner)
}

fn jobs_value(v: &str) -> Jobs {
    if let Ok(n) = v.parse::<u32>() {
        return Jobs::Count(n);
    }
    match var_ref(v) {
        Some(name) => Jobs::Var(name.to_string()),
        None => Jobs::Computed,
    }
}

fn option(word: &Word, index: usize, jobs: Jobs, in_env: bool, two: Option<&Word>) -> JobsOption {
    let span = match two {
        Some(n) if n.span != word.span => word.span.start..n.span.end,
        _ => word.span.clone(),
    };
    JobsOption {
        jobs,
        span,
        literal: word.literal && two.is_none_or(|n| n.literal),
        certain: word.certain && two.is_none_or(|n| n.certain),
        word: index,
        in_env,
        two_words: two.is_some(),
    }
}

/// Jobs options among `words` as make and dpkg-buildpackage spell them.
pub fn make_style_jobs(words: &[Word], skip_first: bool, in_env: bool) -> Vec<JobsOption> {
    let mut out = Vec::new();
    let mut i = usize::from(skip_first);
    while i < words.len() {
        let w = &words[i];
        let t = w.text.as_str();
        let next = words.get(i + 1);
        let next_is_count = next.is_some_and(|n| n.text.parse::<u32>().is_ok());
        if t == "-j" || t == "--jobs" || t == "-J" {
            if next_is_count {
                let n = next.expect("checked");
                out.push(option(w, i, jobs_value(&n.text), in_env, Some(n)));
                i += 2;
                continue;
            }
            out.push(option(w, i, Jobs::Unlimited, in_env, None));
        } else if let Some(v) = t
            .strip_prefix("--jobs=")
            .or_else(|| t.strip_prefix("--jobs-force="))
            .or_else(|| t.strip_prefix("--jobs-try="))
        {
            out.push(option(
                w,
                i,
                if v == "auto" {
                    Jobs::Unlimited
                } else {
                    jobs_value(v)
                },
                in_env,
                None,
            ));
        } else if let Some(v) = t.strip_prefix("-j").or_else(|| t.strip_prefix("-J")) {
            if v == "auto" {
                out.push(option(w, i, Jobs::Unlimited, in_env, None));
            } else if !v.is_empty() && (v.as_bytes()[0].is_ascii_digit() || v.starts_with('$')) {
                out.push(option(w, i, jobs_value(v), in_env, None));
            }
        } else if t.starts_with("$(")
            && (t.contains(",-j") || t.contains(" -j") || t.contains(",--jobs"))
        {
            out.push(option(w, i, Jobs::Computed, in_env, None));
        }
        i += 1;
    }
    out
}

/// Jobs given through `MAKEFLAGS=…` in the command's environment.
fn env_jobs(cmd: &Command) -> Vec<JobsOption> {
    let mut out = Vec::new();
    for (i, w) in cmd.env.iter().enumerate() {
        let Some(v) = w
            .text
            .strip_prefix("MAKEFLAGS=")
            .or_else(|| w.text.strip_prefix("MFLAGS="))
        else {
            continue;
        };
        let v = super::shell::unquote(v);
        for part in v.split_whitespace() {
            let fake = w.with_text(part.to_string());
            for mut o in make_style_jobs(std::slice::from_ref(&fake), false, true) {
                o.word = i;
                out.push(o);
            }
        }
    }
    out
}

/// A shell redirection word (`>x`, `>>`, `2>`, `<in`): what follows the operator
/// in the same word (empty when the target is the next word).
fn redirection(word: &str) -> Option<&str> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest
        .strip_prefix(">>")
        .or_else(|| rest.strip_prefix('>'))
        .or_else(|| rest.strip_prefix('<'))?;
    Some(rest)
}

pub fn parse_make(cmd: &Command) -> Option<MakeInvocation> {
    if !is_make(cmd) {
        return None;
    }
    let argv = &cmd.argv;
    let mut jobs = env_jobs(cmd);
    jobs.extend(make_style_jobs(argv, true, false));
    let mut inv = MakeInvocation {
        jobs,
        makefile: None,
        directories: vec![],
        targets: vec![],
        variables: vec![],
        jobserver: cmd.plus_prefix || matches!(argv[0].text.as_str(), "$(MAKE)" | "${MAKE}"),
    };
    let mut i = 1;
    while i < argv.len() {
        // Redirections (`>/dev/null`, `2> log`) are the shell's, not make's.
        if let Some(target) = redirection(&argv[i].text) {
            i += if target.is_empty() { 2 } else { 1 };
            continue;
        }
        let t = argv[i].unquoted();
        if t == "-f"
            || t == "--file"
            || t == "--makefile"
            || t == "-C"
            || t == "--directory"
            || t == "-I"
            || t == "-o"
            || t == "-W"
        {
            let v = argv.get(i + 1).map(|w| (i + 1, w.unquoted().to_string()));
            if t == "-C" || t == "--directory" {
                inv.directories.extend(v);
            } else if t == "-f" || t == "--file" || t == "--makefile" {
                inv.makefile = v;
            }
            i += 2;
            continue;
        }
        if let Some(v) = t
            .strip_prefix("-f")
            .filter(|v| !v.is_empty())
            .or_else(|| t.strip_prefix("--file="))
        {
            inv.makefile = Some((i, v.to_string()));
        } else if let Some(v) = t
            .strip_prefix("-C")
            .filter(|v| !v.is_empty())
            .or_else(|| t.strip_prefix("--directory="))
        {
            inv.directories.push((i, v.to_string()));
        } else if t.starts_with('-') {
            if (t == "-j" || t == "--jobs")
                && argv
                    .get(i + 1)
                    .is_some_and(|n| n.text.parse::<u32>().is_ok())
            {
                i += 1;
            }
        } else if t.contains('=') && !t.starts_with('$') {
            inv.variables.push(i);
        } else if !inv.jobs.iter().any(|j| !j.in_env && j.word == i) {
            inv.targets.push(i);
        }
        i += 1;
    }
    Some(inv)
}

impl MakeInvocation {
    pub fn variable_names<'a>(&'a self, cmd: &'a Command) -> impl Iterator<Item = &'a str> + 'a {
        let argv = &cmd.argv;
        self.variables
            .iter()
            .filter_map(move |&i| argv[i].text.split_once('=').map(|(n, _)| n))
    }

    pub fn target_words<'a>(&'a self, cmd: &'a Command) -> impl Iterator<Item = &'a Word> + 'a {
        let argv = &cmd.argv;
        self.targets.iter().map(move |&i| &argv[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::program::StmtRef;

    fn cmd(words: &[&str]) -> Command {
        let argv = words
            .iter()
            .map(|w| Word::new(w.to_string(), 0..0, vec![], true, true))
            .collect();
        Command {
            recipe: StmtRef { file: 0, stmt: 0 },
            env: vec![],
            argv,
            plus_prefix: false,
            subshells: vec![],
        }
    }

    #[test]
    fn reads_jobs_targets_and_variables() {
        let c = cmd(&[
            "$(MAKE)", "-j", "1", "-C", "src", "ARCH=x86", "bzImage", "modules",
        ]);
        let inv = parse_make(&c).unwrap();
        assert_eq!(inv.jobs.len(), 1);
        assert_eq!(inv.jobs[0].jobs, Jobs::Count(1));
        assert!(inv.jobs[0].two_words);
        assert_eq!(inv.directories, [(4, "src".to_string())]);
        assert_eq!(inv.targets.len(), 2);
        assert_eq!(inv.variables.len(), 1);
        assert!(inv.jobserver);
    }

    #[test]
    fn jobs_spellings() {
        let c = cmd(&[
            "make",
            "--jobs=4",
            "-j$(CONCURRENCY_LEVEL)",
            "$(if $(P),-j$(P))",
            "-j",
        ]);
        let jobs: Vec<_> = parse_make(&c)
            .unwrap()
            .jobs
            .into_iter()
            .map(|j| j.jobs)
            .collect();
        assert_eq!(
            jobs,
            [
                Jobs::Count(4),
                Jobs::Var("CONCURRENCY_LEVEL".into()),
                Jobs::Computed,
                Jobs::Unlimited
            ]
        );
        assert!(!parse_make(&c).unwrap().jobserver);
    }

    #[test]
    fn redirections_are_not_goals() {
        let c = cmd(&["$(MAKE)", "oldconfig", ">/dev/null", "2>", "log", ">>", "x"]);
        let inv = parse_make(&c).unwrap();
        assert_eq!(inv.targets, [1]);
    }

    #[test]
    fn join_is_not_make() {
        assert!(parse_make(&cmd(&["join", "-j", "1", "a", "b"])).is_none());
    }
}
