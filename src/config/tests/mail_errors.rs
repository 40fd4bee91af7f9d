//! Config tests: errors of `[email]` and `[[digest]]`, named by line and
//! key; where mail settings may stand.

use super::*;

#[test]
fn email_errors_name_line_and_key() {
    let tail = "from = \"a@example.org\"\nto = \"b@example.org\"\n";
    let e = err(&format!("[email]\n{tail}"));
    assert_err(&e, 1, "email", "needs one of smtp_url, sendmail or maildir");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtp://h\"\nmaildir = \"m\"\n{tail}"
    ));
    assert_err(&e, 3, "email.maildir", "smtp_url and maildir are both set");
    let e = err(&format!("[email]\nsmtp_url = \"http://h\"\n{tail}"));
    assert_err(
        &e,
        2,
        "email.smtp_url",
        "expected smtp:// (STARTTLS if offered), smtps://",
    );
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://bob:hunter2@h\"\n{tail}"
    ));
    assert_err(
        &e,
        2,
        "email.smtp_url",
        "secrets come from password_file or password_env, never the config file",
    );
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://bob:hunter2@h:x\"\n{tail}"
    ));
    assert_err(&e, 2, "email.smtp_url", "invalid SMTP URL");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtp://h/path?x=1\"\n{tail}"
    ));
    assert_err(&e, 2, "email.smtp_url", "unexpected path");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://u@h\"\npassword_file = \"f\"\npassword_env = \"E\"\n{tail}"
    ));
    assert_err(
        &e,
        4,
        "email.password_env",
        "password_file and password_env are both set",
    );
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://h\"\npassword_env = \"E\"\n{tail}"
    ));
    assert_err(&e, 3, "email.password_env", "smtp_url has no user name");
    let e = err(&format!("[email]\nsmtp_url = \"smtps://u@h\"\n{tail}"));
    assert_err(&e, 2, "email.smtp_url", "no password source");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://u@h\"\npassword_env = \"1PW\"\n{tail}"
    ));
    assert_err(
        &e,
        3,
        "email.password_env",
        "invalid environment variable name",
    );
    let e = err(&format!(
        "[email]\nsendmail = \"sendmail\"\npassword_file = \"f\"\n{tail}"
    ));
    assert_err(&e, 3, "email.password_file", "only used with smtp_url");
    let e = err(&format!("[email]\nmaildir = \"\"\n{tail}"));
    assert_err(&e, 2, "email.maildir", "must not be empty");
    let e = err("[email]\nmaildir = \"m\"\nfrom = \"nobody\"\nto = \"b@example.org\"\n");
    assert_err(&e, 3, "email.from", "invalid mail address \"nobody\"");
    let e = err("[email]\nmaildir = \"m\"\nto = \"b@example.org\"\n");
    assert_err(&e, 1, "email", "missing field `from`");
    let e = err(&format!("{EMAIL}group_window = \"2h\"\n"));
    assert_err(&e, 5, "email.group_window", "limit of 1h");
    let e = err(&format!("{EMAIL}retry_min = \"500ms\"\n"));
    assert_err(&e, 5, "email.retry_min", "at least 1s");
    let e = err(&format!("{EMAIL}retry_min = \"2h\"\n"));
    assert_err(
        &e,
        5,
        "email.retry_min",
        "must not be longer than retry_max (1h)",
    );
    let e = err(&format!("{EMAIL}retry_max = \"10s\"\n"));
    assert_err(
        &e,
        5,
        "email.retry_max",
        "retry_min (30s) must not be longer",
    );
    let e = err(&format!("{EMAIL}timeout = \"0s\"\n"));
    assert_err(&e, 5, "email.timeout", "zero");
    let e = err(&format!("{EMAIL}alert_max_age = \"20000d\"\n"));
    assert_err(&e, 5, "email.alert_max_age", "longer than the limit");
    let e = err(&format!("{EMAIL}alert_max_age = \"soon\"\n"));
    assert_err(&e, 5, "email.alert_max_age", "");
    let e = err(&format!("{EMAIL}give_up_after = 3\n"));
    assert_err(&e, 5, "email.give_up_after", "quoted strings");
    let e = err(&format!(
        "{EMAIL}subject_prefix = \"a\\nBcc: x@example.org\"\n"
    ));
    assert_err(&e, 5, "email.subject_prefix", "control characters");
}

#[test]
fn digest_errors_name_line_and_key() {
    let topic = "[[topic]]\nname = \"peace-talks\"\nquery = \"x\"\n";
    let digest = |extra: &str| {
        format!("{EMAIL}{topic}[[digest]]\nname = \"m\"\nschedule = \"daily 08:00\"\n{extra}")
    };
    assert!(load_text(&digest("")).is_ok());
    let e = err(&digest("schedule2 = 1\n"));
    assert_err(&e, 11, "digest \"m\".schedule2", "did you mean `schedule`");
    let e = err(&format!("{EMAIL}[[digest]]\nname = \"m\"\n"));
    assert_err(&e, 5, "digest \"m\"", "missing field `schedule`");
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"m\"\nschedule = \"dayly 8\"\n"
    ));
    assert_err(
        &e,
        7,
        "digest \"m\".schedule",
        r#"expected "daily HH:MM", "weekdays HH:MM", "mon,thu HH:MM" or "every DURATION", found "dayly 8""#,
    );
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"m\"\nschedule = \"every 1m\"\n"
    ));
    assert_err(&e, 7, "digest \"m\".schedule", "minimum of 5m");
    let e = err(&digest("timezone = \"Kyiv\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".timezone",
        "did you mean \"Europe/Kyiv\"",
    );
    let e = err(&digest("timezone = \"europe/berlin\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".timezone",
        "did you mean \"Europe/Berlin\"",
    );
    let e = err(&digest("timezone = \"Mars/Olympus\"\n"));
    assert_err(&e, 11, "digest \"m\".timezone", "such as \"Europe/Kyiv\"");
    let e = err(&digest("topics = [\"peace-talk\"]\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".topics",
        "no [[topic]] named \"peace-talk\" (did you mean \"peace-talks\"?); known topics: \"peace-talks\"",
    );
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"m\"\nschedule = \"hourly\"\ntopics = [\"x\"]\n"
    ));
    assert_err(&e, 8, "digest \"m\".topics", "no topics are configured");
    let e = err(&digest("min_significance = \"big\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".min_significance",
        "expected \"cosmetic\" or \"minor\" or \"major\"",
    );
    let e = err(&digest("min_significance = \"Major\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".min_significance",
        "did you mean \"major\"",
    );
    let e = err(&digest("[[digest]]\nname = \"M\"\nschedule = \"hourly\"\n"));
    assert_err(
        &e,
        12,
        "digest \"M\".name",
        "duplicate digest name \"M\"; first defined at line 8",
    );
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"\"\nschedule = \"hourly\"\n"
    ));
    assert_err(&e, 6, "digest[0].name", "must not be empty");
}

#[test]
fn mail_needs_an_email_section() {
    let e = err("[[digest]]\nname = \"morning\"\nschedule = \"daily 08:00\"\n");
    assert_err(
        &e,
        1,
        "digest \"morning\"",
        "needs an [email] section to send it: add an [email] section",
    );
    let e = err("\n[[topic]]\nname = \"t\"\nquery = \"x\"\nalert = \"immediate\"\n");
    assert_eq!(e.file, Path::new(FAKE));
    assert_err(&e, 2, "topic \"t\".alert", "add an [email] section to");
    assert!(e.message.contains(FAKE), "{e}");
    assert!(
        load_text(&format!(
            "{EMAIL}[[topic]]\nname = \"t\"\nquery = \"x\"\nalert = \"immediate\"\n"
        ))
        .is_ok()
    );

    // An immediate topic in an included file is blamed there.
    let dir = folder(&[
        ("main.toml", "include = [\"t.toml\"]\n"),
        (
            "t.toml",
            "[[topic]]\nname = \"a\"\nquery = \"a\"\n[[topic]]\nname = \"b\"\nquery = \"b\"\nalert = \"immediate\"\n",
        ),
    ]);
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(e.file, dir.path().join("t.toml"));
    assert_err(&e, 4, "topic \"b\".alert", "no [email] section");
}

#[test]
fn email_and_digest_belong_to_the_main_file() {
    for table in ["[email]\nmaildir = \"m\"\n", "[[digest]]\nname = \"d\"\n"] {
        let dir = folder(&[("main.toml", "include = [\"t.toml\"]\n"), ("t.toml", table)]);
        let e = load(&dir.path().join("main.toml")).unwrap_err();
        assert_eq!(e.file, dir.path().join("t.toml"));
        let key = if table.starts_with("[email]") {
            "email"
        } else {
            "digest"
        };
        assert_err(&e, 1, key, "belong in the main config file");
    }
}

/// The example's commented `[email]`/`[[digest]]` tables, uncommented, load
/// (lines starting with "##" are alternatives and stay commented).
#[test]
fn example_mail_section_loads_when_uncommented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/newswatch.example.toml");
    let as_shipped = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(as_shipped.email.is_none() && as_shipped.digests.is_empty());
    let text = fs::read_to_string(&path).unwrap();
    let start = text.find("# Mail: immediate alerts").expect("mail section");
    let is_code = |rest: &&str| {
        let header = rest.starts_with('[')
            && rest
                .trim_matches(['[', ']'])
                .bytes()
                .all(|b| b.is_ascii_lowercase());
        let key = rest.split_once(" = ").is_some_and(|(k, _)| {
            !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        });
        header || key
    };
    let mut uncommented = text[..start].to_string();
    for line in text[start..].lines() {
        uncommented.push_str(line.strip_prefix("# ").filter(is_code).unwrap_or(line));
        uncommented.push('\n');
    }
    let c = load_str(&uncommented, &path).unwrap_or_else(|e| panic!("{e}"));
    let s = smtp(&c);
    assert_eq!(
        (s.host.as_str(), s.port, s.username.as_deref()),
        ("smtp.fastmail.com", 465, Some("you@fastmail.com"))
    );
    let e = c.email.as_ref().unwrap();
    assert_eq!(e.to.len(), 2);
    let d = &c.digests[0];
    assert_eq!(
        (d.name.as_str(), d.timezone),
        ("morning", chrono_tz::Europe::Kyiv)
    );
    assert_eq!(d.schedule.describe(), "daily 08:00");
    // And every [email] / [[digest]] key is documented there.
    for key in EMAIL_KEYS.iter().chain(DIGEST_KEYS) {
        let assigned = |l: &str| {
            l.trim_start_matches('#')
                .trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        };
        assert!(
            text[start..].lines().any(assigned),
            "example does not document {key}"
        );
    }
}
