//! A newcomer's configuration mistakes: lower-case operators, a database
//! folder that cannot be used, every error reported at once, by name, and
//! options that explain themselves.

use crate::support::env::Env;

/// `or` in lower case is a word to find: `check-config` says so, with the
/// topic, file, line and column, and suggests upper case.
#[test]
fn check_config_warns_about_lower_case_operators() {
    let env = Env::new(
        "",
        r#"[[topic]]
name = "peace-talks"
query = '(ceasefire or truce) AND "war and peace"'
exclude = "football not"
"#,
    );
    let out = env.run(&["check-config"]).expect(0);
    let file = env.config.display().to_string();
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        lines[0].starts_with(&format!(
            "warning: {file}:7:21: topic \"peace-talks\".query: \"or\" is taken as a word to find"
        )),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("write OR if that is what you mean"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!(
            "warning: {file}:8:21: topic \"peace-talks\".exclude: \"not\""
        )),
        "{}",
        lines[1]
    );
    // In a phrase, or upper case, it is what was written.
    env.write_config(
        "[daemon]\ndatabase = \"test.db\"\n[[topic]]\nname = \"t\"\nquery = '\"war and peace\" OR truce'\n",
    );
    let out = env.run(&["check-config"]).expect(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

/// `check-config` looks at where the database goes: a folder that is not
/// there or not writable is a warning, a database path that is a folder an
/// error.
#[test]
fn check_config_checks_the_database_folder() {
    let env = Env::new("", "");
    env.write_config("[daemon]\ndatabase = \"state/news.db\"\n");
    let out = env.run(&["check-config"]).expect(0);
    let folder = env.path("state");
    assert!(
        out.stderr.contains(&format!(
            "warning: the database folder {} does not exist",
            folder.display()
        )),
        "{}",
        out.stderr
    );
    std::fs::create_dir(&folder).unwrap();
    let out = env.run(&["check-config"]).expect(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);

    // Not writable for the user checking (root may write anywhere: as
    // root, the check runs as nobody).
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    mode(env.dir.path(), 0o755);
    mode(&env.config, 0o644);
    mode(&folder, 0o555);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_newswatch"));
    cmd.arg("--config").arg(&env.config).arg("check-config");
    if crate::support::running_as_root(env.dir.path()) {
        cmd.uid(65534).gid(65534);
    }
    let out = crate::support::env::Run::from(cmd.output().unwrap()).expect(0);
    assert!(
        out.stderr.contains(&format!(
            "warning: the database folder {} is not writable by ",
            folder.display()
        )),
        "{}",
        out.stderr
    );
    mode(&folder, 0o755);

    std::fs::create_dir(folder.join("news.db")).unwrap();
    let out = env.run(&["check-config"]).expect(2);
    assert!(out.stderr.contains("is a folder"), "{}", out.stderr);
}

/// A configuration with several mistakes: `check-config` reports every one
/// of them in one run, in file order, each with file:line:column and the
/// source named by its name; toml's type words are said plainly.
#[test]
fn config_errors_are_all_reported_and_named() {
    let env = Env::new(
        "timeout = \"0s\"",
        r#"[[source]]
name = "Kyiv Independent"
url = "https://kyiv.invalid/rss"
interval = "soon"

[[source]]
name = "Meduza"
url = "ftp://meduza.invalid/"

[[topic]]
name = "talks"
query = "(ceasefire"
"#,
    );
    let out = env.run(&["check-config"]).expect(2);
    let file = env.config.display().to_string();
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    let keys: Vec<String> = errors
        .iter()
        .map(|l| {
            let rest = l
                .strip_prefix(&format!("error: {file}:"))
                .unwrap_or_else(|| panic!("{l}"));
            // line:column: key: message
            let mut parts = rest.splitn(4, ": ");
            let place = parts.next().unwrap();
            assert_eq!(place.split(':').count(), 2, "line and column in {l}");
            parts.next().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        keys,
        [
            "daemon.timeout",
            "source \"Kyiv Independent\".interval",
            "source \"Meduza\".url",
            "topic \"talks\".query",
        ],
        "{}",
        out.stderr
    );

    // What the TOML reader finds: the type in plain words, the source by name.
    env.write_config(
        "[daemon]\nconcurrency = 1.5\n\n[[source]]\nname = \"Kyiv Independent\"\nurl = \"https://kyiv.invalid/rss\"\n",
    );
    let out = env.run(&["check-config"]).expect(2);
    assert!(
        out.stderr.contains("expected a whole number"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("i64"), "{}", out.stderr);
    env.write_config(
        "[[source]]\nname = \"Kyiv Independent\"\nurl = \"https://kyiv.invalid/rss\"\ninterval = 10\n",
    );
    let out = env.run(&["check-config"]).expect(2);
    assert!(
        out.stderr.contains(&format!(
            "{file}:4:12: source \"Kyiv Independent\".interval: "
        )),
        "{}",
        out.stderr
    );
}

/// `--help` explains `--limit` (and every other option; the unit test
/// `cli::tests::every_option_and_argument_has_help` walks them all).
#[test]
fn limit_options_have_help() {
    let env = Env::new("", "");
    for (args, words) in [
        (&["search", "--help"][..], "At most this many results"),
        (&["changes", "--help"], "At most this many changes"),
        (&["outbox", "list", "--help"], "At most this many messages"),
    ] {
        let out = env.run(args).expect(0);
        let line = out
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with("--limit"))
            .unwrap_or_else(|| panic!("{args:?}: {}", out.stdout));
        assert!(line.contains(words), "{args:?}: {line}");
    }
}
