//! `completions SHELL` and `man`: a shell completion script (clap_complete)
//! and the man page (clap_mangen, one page with every command), both made
//! from the clap definitions in `cli`, so they always match the program.
//! `docs/newswatch.1` is this page as shipped; a test fails when it is out
//! of date.

use std::io::Write;

use clap::CommandFactory;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

use super::{Cli, CliResult};

/// The page's DESCRIPTION (`--help` keeps its one line).
const DESCRIPTION: &str =
    "newswatch polls RSS, Atom and JSON Feed sources on a schedule and keeps \
every item, and every edit of every item, in one SQLite file. It finds the items that match your \
topics, notices when an item is edited or an official's statements shift, groups one event's \
reports across outlets into a story, and mails immediate alerts and scheduled digests.

`newswatch run` is the daemon (see docs/guide/service.md for the systemd service); the other \
commands poll once, inspect what was stored, or manage sources and mail. `newswatch demo` shows \
the whole job offline in about 20 seconds.";

pub fn completions(shell: clap_complete::Shell) -> CliResult {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "newswatch", &mut out);
    std::io::stdout().lock().write_all(&out)?;
    Ok(0)
}

pub fn man() -> CliResult {
    std::io::stdout().lock().write_all(&man_page()?)?;
    Ok(0)
}

/// The whole page: clap_mangen's title, name, synopsis, description and
/// global options; then every command (and the commands of `sources` and
/// `outbox`) with its synopsis and options; then exit status, environment,
/// files and where the rest is documented.
pub fn man_page() -> std::io::Result<Vec<u8>> {
    let top = Cli::command();
    // No date: the page must not change unless the program does.
    let man = Man::new(top.clone().long_about(DESCRIPTION)).manual("User Commands");
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    man.render_options_section(&mut out)?;

    let mut roff = Roff::default();
    roff.control("SH", ["COMMANDS"]);
    roff.text([roman(
        "Each command with its own options; the options above apply to every command.",
    )]);
    roff.to_writer(&mut out)?;
    for sub in top.get_subcommands().filter(|s| !s.is_hide_set()) {
        command_section(&mut out, sub, "newswatch")?;
    }

    let mut roff = Roff::default();
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in [
        ("0", "success"),
        (
            "1",
            "a runtime failure (a feed or the mail server failed, the database refused a write, the demo did not go as scripted)",
        ),
        (
            "2",
            "bad usage or a bad configuration (the message names the file, line and key)",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(code)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["ENVIRONMENT"]);
    for (name, meaning) in [
        (
            "NEWSWATCH_CONFIG",
            "the configuration file when --config is not given",
        ),
        (
            "RUST_LOG",
            "log filter (tracing syntax), overriding -v and the configuration's log",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["FILES"]);
    for (name, meaning) in [
        (
            "/etc/newswatch/newswatch.toml",
            "the configuration, unless --config or NEWSWATCH_CONFIG names another; \
             else ./config/newswatch.toml",
        ),
        (
            "/var/lib/newswatch/newswatch.db",
            "the database under the systemd service (set by [daemon] database)",
        ),
    ] {
        roff.control("TP", []);
        roff.text([bold(name)]);
        roff.text([roman(meaning)]);
    }
    roff.control("SH", ["SEE ALSO"]);
    roff.text([roman(
        "The user guide in docs/guide/ of the newswatch sources: configuration.md (every key), \
         topics.md, detection.md, alerts.md, database.md, service.md, security.md; and the \
         commented reference configuration config/newswatch.example.toml.",
    )]);
    roff.to_writer(&mut out)?;
    man.render_version_section(&mut out)?;
    Ok(once_preamble(&out))
}

/// The page with roff's two-line preamble (defining the apostrophe string
/// `Aq`) kept once: each part rendered apart brings its own copy.
fn once_preamble(page: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(page.len());
    let mut seen = false;
    let mut lines = String::from_utf8_lossy(page)
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter()
        .peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(".ie \\n(.g .ds Aq")
            && lines.peek().is_some_and(|l| l.starts_with(".el .ds Aq"))
        {
            let next = lines.next().unwrap_or_default();
            if seen {
                continue;
            }
            seen = true;
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
            out.extend_from_slice(next.as_bytes());
            out.push(b'\n');
            continue;
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
    }
    out
}

/// One command's part of COMMANDS: a subsection titled by its full name,
/// what it does, its synopsis and options; then its own commands.
fn command_section(out: &mut Vec<u8>, cmd: &clap::Command, parent: &str) -> std::io::Result<()> {
    let name = format!("{parent} {}", cmd.get_name());
    let mut roff = Roff::default();
    roff.control("SS", [name.as_str()]);
    if let Some(about) = cmd.get_long_about().or_else(|| cmd.get_about()) {
        roff.text([roman(about.to_string())]);
    }
    roff.control("PP", []);
    roff.to_writer(out)?;
    let page = Man::new(
        cmd.clone()
            .bin_name(&name)
            .disable_help_flag(true)
            .disable_help_subcommand(true),
    );
    let mut part = Vec::new();
    page.render_synopsis_section(&mut part)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        page.render_options_section(&mut part)?;
    }
    // The parts without their own section headings: they belong to this
    // command's subsection.
    for line in String::from_utf8_lossy(&part).lines() {
        if !line.starts_with(".SH ") {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
        }
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        command_section(out, sub, &name)?;
    }
    Ok(())
}
