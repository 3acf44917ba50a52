//! When a comment justifies a serial step.

/// Does a comment say why a step runs serially? Not any comment does: the line
/// above may describe the step itself ("build the docs"), and a
/// `kpkg-lint: allow(…)` is a suppression, which the engine handles (and counts
/// as used). A reason names the hazard (a race, a hang, a crash, a failure), the
/// jobs themselves, or a bug it works around.
pub fn gives_a_reason(comment: &str) -> bool {
    const WORDS: &[&str] = &[
        "serial",
        "parallel",
        "race",
        "racy",
        "job",
        "-j",
        "concurren",
        "sequential",
        "single",
        "one at a time",
        "in order",
        "order",
        "deadlock",
        "flak",
        "hang",
        "crash",
        "fail",
        "break",
        "broken",
        "bug",
        "http",
        "lp:",
        "closes:",
        "workaround",
        "work around",
    ];
    let c = comment.to_ascii_lowercase();
    if c.contains("kpkg-lint:") {
        return false;
    }
    WORDS.iter().any(|w| c.contains(w))
        || c.as_bytes()
            .windows(2)
            .any(|w| w[0] == b'#' && w[1].is_ascii_digit())
}
