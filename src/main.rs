use clap::Parser;
use kpkg_lint::cli::Cli;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap exits 0 for --help/--version and 2 for usage errors, as we document.
            std::process::exit(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = kpkg_lint::run(cli, &mut stdout.lock(), &mut stderr.lock());
    std::process::exit(code);
}
