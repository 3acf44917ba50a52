//! `kpkg-lint man`: kpkg-lint(1) from the clap definition plus the sections a man page needs.

use super::Cli;
use std::io::Write;

/// kpkg-lint(1): clap's sections (name, synopsis, description, options,
/// subcommands, version) and the ones a man page also needs.
pub fn man_page(out: &mut dyn Write) -> std::io::Result<()> {
    use clap_mangen::roff::{bold, roman, Roff};
    let cmd = <Cli as clap::CommandFactory>::command();
    clap_mangen::Man::new(cmd).render(out)?;
    let mut roff = Roff::new();
    let section = |roff: &mut Roff, title: &str, items: &[(&str, &str)]| {
        roff.control("SH", [title]);
        for (term, text) in items {
            roff.control("TP", []);
            roff.text([bold(*term)]);
            roff.text([roman(*text)]);
        }
    };
    section(
        &mut roff,
        "FILES",
        &[
            ("kpkg-lint.toml, debian/kpkg-lint.toml", "Settings of the tree they are in: select, ignore, severity, release, archive, profiles, allow-unknown. Options given on the command line win. --show-settings prints the result."),
            (".pre-commit-hooks.yaml", "In the kpkg-lint repository: the hooks kpkg-lint and kpkg-lint-fix for the pre-commit framework."),
        ],
    );
    section(
        &mut roff,
        "ENVIRONMENT",
        &[
            (
                "NO_COLOR",
                "When set and not empty, --color auto prints no colours.",
            ),
            (
                "DEB_HOST_ARCH",
                "The architecture `kpkg-lint resolve` resolves for when --host-arch is not given (dpkg-architecture exports it).",
            ),
            (
                "DEB_BUILD_ARCH",
                "The build machine's architecture for `kpkg-lint resolve` without --build-arch, and for the cross rules' resolution with --archive; default: the one kpkg-lint runs on.",
            ),
        ],
    );
    section(
        &mut roff,
        "EXIT STATUS",
        &[
            (
                "0",
                "No findings at or above --fail-on (and, with --fix, an empty patch).",
            ),
            (
                "1",
                "Findings at or above --fail-on, or a non-empty --fix patch.",
            ),
            (
                "2",
                "Usage error, invalid configuration file, unreadable input or internal error.",
            ),
        ],
    );
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "lintian(1), dpkg-buildpackage(1), git-am(1); kpkg-lint explain RULE; the guides in docs/ of the kpkg-lint sources.",
    )]);
    out.write_all(roff.to_roff().as_bytes())
}
