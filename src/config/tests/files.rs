//! Config tests: included files, paths, key lists, odd inputs.

use super::*;

#[test]
fn include_glob_reads_sorted_files() {
    let dir = folder(&[
        (
            "main.toml",
            "[daemon]\ninclude = [\"topics/*.toml\", \"none/*.toml\"]\n[[topic]]\nname = \"main\"\nquery = \"m\"\n",
        ),
        ("topics/b.toml", "[[topic]]\nname = \"b\"\nquery = \"b\"\n"),
        (
            "topics/a.toml",
            "\n[[speaker]]\nname = \"S\"\n\n[[topic]]\nname = \"a\"\nquery = \"a\"\n",
        ),
        ("topics/notes.txt", "not toml"),
    ]);
    let main = dir.path().join("main.toml");
    let c = load(&main).unwrap();
    let names: Vec<&str> = c.topics.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["main", "a", "b"]);
    assert_eq!(c.topics[1].file, dir.path().join("topics/a.toml"));
    assert_eq!(c.topics[1].line, 5);
    assert_eq!(c.speakers[0].line, 2);
    assert_eq!(
        c.files,
        [
            main.clone(),
            dir.path().join("topics/a.toml"),
            dir.path().join("topics/b.toml")
        ]
    );
    // Top-level `include` works too, and a file matched twice is read once.
    let text = "include = [\"topics/a.toml\", \"topics/*.toml\"]\n";
    let c = load_str(text, &main).unwrap();
    assert_eq!(c.files.len(), 3);
}

#[test]
fn included_file_errors_name_that_file() {
    let dir = folder(&[
        ("main.toml", "[daemon]\ninclude = [\"topics/*.toml\"]\n"),
        ("topics/a.toml", "[[topic]]\nname = \"a\"\nquery = \"a\"\n"),
        (
            "topics/b.toml",
            "\n[[topic]]\nname = \"b\"\nquery = \"b\"\nalert = \"loud\"\n",
        ),
    ]);
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(e.file, dir.path().join("topics/b.toml"));
    assert_err(&e, 5, "topic \"b\".alert", "unknown value \"loud\"");

    fs::write(dir.path().join("topics/b.toml"), "[[topic]\nname = 1\n").unwrap();
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(
        (e.file.clone(), e.line),
        (dir.path().join("topics/b.toml"), Some(1)),
        "{e}"
    );

    fs::write(
        dir.path().join("topics/b.toml"),
        "[daemon]\nconcurrency = 3\n",
    )
    .unwrap();
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_err(&e, 1, "daemon", "only [[topic]] and [[speaker]]");

    fs::write(
        dir.path().join("topics/b.toml"),
        "[[topic]]\nname = \"A\"\nquery = \"x\"\n",
    )
    .unwrap();
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(e.file, dir.path().join("topics/b.toml"));
    let first = dir.path().join("topics/a.toml");
    assert_err(
        &e,
        1,
        "topic \"A\".name",
        &format!("first defined at {}:1", first.display()),
    );

    let e = load_str(
        "[daemon]\ninclude = [\"[\"]\n",
        &dir.path().join("main.toml"),
    )
    .unwrap_err();
    assert_err(&e, 2, "daemon.include", "invalid pattern");
}

#[test]
fn speakers_from_includes_can_be_referenced() {
    let dir = folder(&[
        (
            "main.toml",
            "include = [\"s.toml\"]\n[[source]]\nname = \"K\"\nurl = \"https://k.example/\"\nkind = \"statements\"\nspeaker = \"Peskov\"\n",
        ),
        ("s.toml", "[[speaker]]\nname = \"Peskov\"\n"),
    ]);
    let c = load(&dir.path().join("main.toml")).unwrap();
    assert_eq!(c.sources[0].speaker.as_deref(), Some("Peskov"));
}

#[test]
fn missing_file_is_named() {
    let e = load(Path::new("/nonexistent/nw.toml")).unwrap_err();
    assert_eq!(e.file, Path::new("/nonexistent/nw.toml"));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/nw.toml: cannot read config file"),
        "{e}"
    );
}

#[test]
fn default_path_order() {
    let (etc, local) = (Path::new("/etc/x.toml"), Path::new("config/x.toml"));
    let cands = [etc, local];
    assert_eq!(
        pick_path(Some("/my.toml".into()), &cands, |_| false),
        Path::new("/my.toml")
    );
    assert_eq!(pick_path(Some("".into()), &cands, |_| true), etc);
    assert_eq!(pick_path(None, &cands, |p| p == local), local);
    assert_eq!(pick_path(None, &cands, |_| false), local);
    assert!(!default_path().as_os_str().is_empty());
}

#[test]
fn key_lists_match_the_raw_structs() {
    let cases: [(&str, &[&str]); 7] = [
        ("zzz = 1\n", TOP_LEVEL_KEYS),
        ("[daemon]\nzzz = 1\n", DAEMON_KEYS),
        ("[[source]]\nzzz = 1\n", SOURCE_KEYS),
        ("[[topic]]\nzzz = 1\n", TOPIC_KEYS),
        ("[[speaker]]\nzzz = 1\n", SPEAKER_KEYS),
        ("[email]\nzzz = 1\n", EMAIL_KEYS),
        ("[[digest]]\nzzz = 1\n", DIGEST_KEYS),
    ];
    for (text, keys) in cases {
        let e = err(text);
        let listed: Vec<&str> = e.message.split('`').skip(3).step_by(2).collect();
        assert_eq!(listed, keys, "{e}");
    }
}

#[test]
fn error_display_forms() {
    let mut e = ConfigError::file(Path::new("a.toml"), "boom");
    assert_eq!(e.to_string(), "a.toml: boom");
    e.line = Some(3);
    e.key = Some("daemon.x".into());
    assert_eq!(e.to_string(), "a.toml:3: daemon.x: boom");
    e.column = Some(7);
    assert_eq!(e.to_string(), "a.toml:3:7: daemon.x: boom");
    assert_eq!(error::line_col("ab\nпри=x", 9), (2, 4));
    assert_eq!(error::line_col("ab", 99), (1, 3));
}

#[test]
fn odd_inputs_do_not_panic() {
    let inputs = [
        "\u{feff}[daemon]\n",
        "[[source]]\nname = \"\u{202e}\"\nurl = \"https://x/\"\n",
        "source = [{name=\"a\", url=\"https://a/\"}, {name=\"b\", q=1}]\n",
        "[daemon]\ninclude = [\n  3,\n]\n",
        "[daemon.x]\n",
        "[[source]]\nname=\"a\"\nurl=\"http://[::1\"\n",
        "\"quoted key\" = 1\n",
        "a.b.c = 1\n",
        "[daemon]\nmax_body = \"18446744073709551615\"\n",
        "[daemon]\nmax_body = \"1e9\"\n",
        "[daemon]\njitter = inf\n",
        "[daemon]\nconcurrency = 9223372036854775807\n",
    ];
    for text in inputs {
        let _ = load_text(text).map_err(|e| e.to_string());
    }
}
