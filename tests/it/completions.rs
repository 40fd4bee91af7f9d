//! Shell completions and the man page: made from the clap definitions, they
//! cover every command `--help` lists, and the page shipped in
//! `docs/newswatch.1` is the one the program makes.

use std::process::Command;
use std::time::Duration;

use crate::support::env::Run;

fn newswatch(args: &[&str]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newswatch"));
    cmd.args(args).env_remove("NEWSWATCH_CONFIG");
    Run::within(cmd, Duration::from_secs(30)).expect(0)
}

/// The commands `newswatch --help` lists (the "Commands:" block), without
/// `help`.
fn commands() -> Vec<String> {
    let help = newswatch(&["--help"]).stdout;
    let block = help
        .split("Commands:")
        .nth(1)
        .unwrap_or_else(|| panic!("no Commands: in\n{help}"));
    let names: Vec<String> = block
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // A wrapped description goes on under its command, indented more.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_string)
        .collect();
    assert!(names.len() >= 15, "{names:?}\n{help}");
    assert!(names.iter().any(|n| n == "demo"), "{names:?}");
    names
}

#[test]
fn completions_for_each_shell_know_every_command() {
    let commands = commands();
    for shell in ["bash", "zsh", "fish"] {
        let script = newswatch(&["completions", shell]).stdout;
        assert!(script.len() > 1000, "{shell}: {script}");
        for command in &commands {
            assert!(
                script.contains(command.as_str()),
                "{shell} completion lacks {command}"
            );
        }
        // Options of a command are completed too.
        assert!(script.contains("older-than"), "{shell}");
    }
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newswatch"));
    cmd.args(["completions", "tcsh"]);
    let run = Run::within(cmd, Duration::from_secs(30)).expect(2);
    assert!(run.stderr.contains("bash"), "{}", run.stderr);
}

#[test]
fn the_man_page_documents_every_command_and_is_shipped_up_to_date() {
    let page = newswatch(&["man"]).stdout;
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{page}");
    assert!(page.contains(".TH newswatch 1"), "{page}");
    for command in commands() {
        assert!(
            page.contains(&format!(".SS \"newswatch {command}\""))
                || page.contains(&format!(".SS newswatch {command}\n")),
            "no section for {command}"
        );
    }
    for nested in ["newswatch sources add", "newswatch outbox retry"] {
        assert!(page.contains(nested), "{nested}");
    }
    for section in ["OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES"] {
        assert!(
            page.contains(&format!(".SH {section}"))
                || page.contains(&format!(".SH \"{section}\"")),
            "{section}"
        );
    }
    let shipped = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/newswatch.1"))
        .expect("docs/newswatch.1");
    assert!(
        shipped == page,
        "docs/newswatch.1 is out of date with the command-line definitions; \
         regenerate it: cargo run -- man > docs/newswatch.1"
    );
}
