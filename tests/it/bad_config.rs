//! Every option's invalid values, through the real binary: `check-config`
//! (and so every command) exits 2 with a message naming the file, line and
//! key, and saying what is wrong. The table also proves no option is left
//! unchecked: it covers every key the loader accepts.

use newswatch::config::{
    DAEMON_KEYS, DIGEST_KEYS, EMAIL_KEYS, SOURCE_KEYS, SPEAKER_KEYS, TOPIC_KEYS,
};

use crate::support::env::Env;

const SOURCE: &str = "[[source]]\nname = \"wire\"\nurl = \"https://news.example/feed\"\n";
const TOPIC: &str = "[[topic]]\nname = \"talks\"\nquery = \"ceasefire\"\n";
const EMAIL: &str =
    "[email]\nmaildir = \"mail\"\nfrom = \"nw@example.org\"\nto = \"me@example.org\"\n";

/// (section, key, bad line, words the message must contain).
const CASES: &[(&str, &str, &str, &str)] = &[
    ("daemon", "database", "database = \"\"", "must not be empty"),
    ("daemon", "concurrency", "concurrency = 0", "concurrency"),
    (
        "daemon",
        "concurrency",
        "concurrency = \"many\"",
        "concurrency",
    ),
    ("daemon", "per_host", "per_host = 100000", "per_host"),
    (
        "daemon",
        "default_interval",
        "default_interval = \"5 fortnights\"",
        "default_interval",
    ),
    (
        "daemon",
        "min_interval",
        "min_interval = \"2h\"\nmax_interval = \"1h\"",
        "min_interval",
    ),
    (
        "daemon",
        "max_interval",
        "max_interval = \"400d\"",
        "longer than the limit",
    ),
    ("daemon", "max_backoff", "max_backoff = 60", "max_backoff"),
    ("daemon", "jitter", "jitter = 0.9", "jitter"),
    ("daemon", "timeout", "timeout = \"0s\"", "timeout"),
    (
        "daemon",
        "connect_timeout",
        "connect_timeout = \"2m\"\ntimeout = \"30s\"",
        "connect_timeout",
    ),
    ("daemon", "max_body", "max_body = \"2TB\"", "max_body"),
    (
        "daemon",
        "max_redirects",
        "max_redirects = 50",
        "max_redirects",
    ),
    (
        "daemon",
        "user_agent",
        "user_agent = \"bad\\nagent\"",
        "user_agent",
    ),
    ("daemon", "log", "log = \"info,[[\"", "invalid log filter"),
    (
        "daemon",
        "log_format",
        "log_format = \"xml\"",
        "expected \"auto\"",
    ),
    (
        "daemon",
        "retention",
        "retention = \"1h\"",
        "minimum of 1day",
    ),
    (
        "daemon",
        "allow_private_networks",
        "allow_private_networks = \"yes\"",
        "allow_private_networks",
    ),
    ("daemon", "include", "include = \"topics\"", "include"),
    (
        "daemon",
        "entities",
        "entities = \"no-such-entities.txt\"",
        "entities",
    ),
    (
        "source",
        "name",
        "[[source]]\nname = \"\"\nurl = \"https://a.example/\"",
        "name",
    ),
    (
        "source",
        "url",
        "[[source]]\nname = \"a\"\nurl = \"ftp://a.example/\"",
        "unsupported URL scheme",
    ),
    (
        "source",
        "interval",
        "[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\ninterval = \"soon\"",
        "interval",
    ),
    (
        "source",
        "tags",
        "[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\ntags = [\"\"]",
        "tags",
    ),
    (
        "source",
        "kind",
        "[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\nkind = \"blog\"",
        "expected \"news\"",
    ),
    (
        "source",
        "language",
        "[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\nlanguage = \"klingon!\"",
        "language",
    ),
    (
        "source",
        "speaker",
        "[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\nkind = \"statements\"\nspeaker = \"Nobody\"",
        "speaker",
    ),
    (
        "source",
        "enabled",
        "[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\nenabled = \"yes\"",
        "enabled",
    ),
    (
        "source",
        "allow_private_network",
        "[[source]]\nname = \"a\"\nurl = \"https://a.example/\"\nallow_private_network = 1",
        "allow_private_network",
    ),
    (
        "topic",
        "name",
        "[[topic]]\nname = \"\"\nquery = \"x\"",
        "name",
    ),
    (
        "topic",
        "query",
        "[[topic]]\nname = \"t\"\nquery = \"ceasefire AND\"",
        "bad query",
    ),
    (
        "topic",
        "exclude",
        "[[topic]]\nname = \"t\"\nquery = \"x\"\nexclude = \"((\"",
        "bad query",
    ),
    (
        "topic",
        "alert",
        "[[topic]]\nname = \"t\"\nquery = \"x\"\nalert = \"sometimes\"",
        "expected \"digest\"",
    ),
    (
        "topic",
        "model",
        "[[topic]]\nname = \"t\"\nquery = \"x\"\nmodel = \"builtin:nosuch\"",
        "no built-in model \"nosuch\"",
    ),
    (
        "speaker",
        "name",
        "[[speaker]]\nname = \"\"\naliases = [\"x\"]",
        "name",
    ),
    (
        "speaker",
        "aliases",
        "[[speaker]]\nname = \"Someone\"\naliases = [\"\"]",
        "aliases",
    ),
    (
        "email",
        "smtp_url",
        "[email]\nsmtp_url = \"http://mail.example\"\nfrom = \"a@example.org\"\nto = \"b@example.org\"",
        "smtp_url",
    ),
    (
        "email",
        "password_file",
        "[email]\nsmtp_url = \"smtp://u@mail.example\"\npassword_file = \"\"\nfrom = \"a@example.org\"\nto = \"b@example.org\"",
        "password_file",
    ),
    (
        "email",
        "password_env",
        "[email]\nsmtp_url = \"smtp://u@mail.example\"\npassword_env = \"1 BAD\"\nfrom = \"a@example.org\"\nto = \"b@example.org\"",
        "password_env",
    ),
    (
        "email",
        "allow_plaintext_auth",
        "[email]\nsmtp_url = \"smtps://u@mail.example\"\npassword_env = \"PW\"\nallow_plaintext_auth = true\nfrom = \"a@example.org\"\nto = \"b@example.org\"",
        "no effect here (smtps:// always encrypts",
    ),
    (
        "email",
        "sendmail",
        "[email]\nsendmail = \"\"\nfrom = \"a@example.org\"\nto = \"b@example.org\"",
        "sendmail",
    ),
    (
        "email",
        "maildir",
        "[email]\nmaildir = \"mail\"\nsendmail = \"/usr/sbin/sendmail\"\nfrom = \"a@example.org\"\nto = \"b@example.org\"",
        "email",
    ),
    (
        "email",
        "from",
        "[email]\nmaildir = \"mail\"\nfrom = \"not an address\"\nto = \"b@example.org\"",
        "from",
    ),
    (
        "email",
        "to",
        "[email]\nmaildir = \"mail\"\nfrom = \"a@example.org\"\nto = []",
        "to",
    ),
    ("email", "timeout", "EMAIL\ntimeout = \"0s\"", "timeout"),
    (
        "email",
        "group_window",
        "EMAIL\ngroup_window = \"3h\"",
        "group_window",
    ),
    (
        "email",
        "alert_max_age",
        "EMAIL\nalert_max_age = \"forever\"",
        "alert_max_age",
    ),
    (
        "email",
        "retry_min",
        "EMAIL\nretry_min = \"0s\"",
        "retry_min",
    ),
    (
        "email",
        "retry_max",
        "EMAIL\nretry_max = \"2d\"",
        "retry_max",
    ),
    (
        "email",
        "give_up_after",
        "EMAIL\ngive_up_after = \"60d\"",
        "give_up_after",
    ),
    ("email", "templates", "EMAIL\ntemplates = \"\"", "templates"),
    (
        "email",
        "subject_prefix",
        "EMAIL\nsubject_prefix = \"a\\nBcc: x@example.org\"",
        "control characters",
    ),
    (
        "digest",
        "name",
        "EMAIL\n[[digest]]\nname = \"\"\nschedule = \"daily 08:00\"",
        "name",
    ),
    (
        "digest",
        "schedule",
        "EMAIL\n[[digest]]\nname = \"d\"\nschedule = \"whenever\"",
        "schedule",
    ),
    (
        "digest",
        "timezone",
        "EMAIL\n[[digest]]\nname = \"d\"\nschedule = \"daily 08:00\"\ntimezone = \"Mars/Olympus\"",
        "timezone",
    ),
    (
        "digest",
        "topics",
        "EMAIL\n[[digest]]\nname = \"d\"\nschedule = \"daily 08:00\"\ntopics = [\"nope\"]",
        "topics",
    ),
    (
        "digest",
        "to",
        "EMAIL\n[[digest]]\nname = \"d\"\nschedule = \"daily 08:00\"\nto = \"nobody\"",
        "to",
    ),
    (
        "digest",
        "send_empty",
        "EMAIL\n[[digest]]\nname = \"d\"\nschedule = \"daily 08:00\"\nsend_empty = \"yes\"",
        "send_empty",
    ),
    (
        "digest",
        "min_significance",
        "EMAIL\n[[digest]]\nname = \"d\"\nschedule = \"daily 08:00\"\nmin_significance = \"huge\"",
        "min_significance",
    ),
];

/// The config text for one case: `[daemon]` lines go into `[daemon]`,
/// everything else after a valid source and topic.
fn config_for(section: &str, bad: &str) -> String {
    let bad = bad.replace("EMAIL\n", EMAIL);
    if section == "daemon" {
        format!("[daemon]\n{bad}\n\n{SOURCE}\n{TOPIC}")
    } else {
        format!("{SOURCE}\n{TOPIC}\n{bad}\n")
    }
}

#[test]
fn every_option_rejects_bad_values_with_exit_2_and_a_located_message() {
    let env = Env::new("", "");
    let mut failures = Vec::new();
    for (section, key, bad, words) in CASES {
        env.write_config(&config_for(section, bad));
        let out = env.run(&["check-config"]);
        let msg = out.stderr.trim().to_string();
        let located = msg.contains("newswatch.toml:");
        if out.code != 2 || !located || !msg.contains(key) || !msg.contains(words) {
            failures.push(format!(
                "{section}.{key} = {bad:?}: exit {}, message {msg:?}",
                out.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_covers_every_key() {
    for (section, keys) in [
        ("daemon", DAEMON_KEYS),
        ("source", SOURCE_KEYS),
        ("topic", TOPIC_KEYS),
        ("speaker", SPEAKER_KEYS),
        ("email", EMAIL_KEYS),
        ("digest", DIGEST_KEYS),
    ] {
        for key in keys {
            assert!(
                CASES.iter().any(|(s, k, _, _)| s == &section && k == key),
                "no bad-value case for {section}.{key}"
            );
        }
    }
}
