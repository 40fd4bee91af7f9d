//! `[email]` and `[[digest]]`: raw TOML → [`EmailConfig`] and
//! [`DigestConfig`] (the mail half of `validate.rs`, same habits: every
//! failure names the file, line, column and key).
//!
//! Owns the rules for delivery (exactly one transport, SMTP URL schemes,
//! where the password comes from), addresses, retry timings and digest
//! schedules, and the cross-checks that mail needs an `[email]` table. Must
//! never read files: the password file is only named here, and read when the
//! mail transport is set up (`notify::transport::Mailer::new`).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::{Mailbox, Mailboxes};
use toml::Spanned;

use super::error::{ConfigError, suggest};
use super::raw::{OneOrMany, RawDigest, RawEmail, SpStr};
use super::validate::{Ctx, named_key, word};
use super::validate_daemon::duration;
use super::values::{check_env_name, check_label, parse_smtp_url};
use super::*;
use crate::model::Significance;
use crate::notify::schedule::Schedule;

/// `[email]` with defaults filled in; relative paths resolved against `config_dir`.
/// Nothing is read: the password file is opened when the mail transport is set up.
/// `[email]`; None when it has errors (each noted).
pub(crate) fn email(
    cx: &Ctx,
    spanned: &Spanned<RawEmail>,
    config_dir: &Path,
) -> Option<EmailConfig> {
    let raw = spanned.get_ref();
    let before = cx.found_count();
    let at = |v: &SpStr, field: &str, m: String| cx.err(v.span(), &format!("email.{field}"), m);
    let dur = |key: &str, v: &Option<SpStr>, default, longest| {
        cx.keep(
            duration(cx, v.as_ref(), &format!("email.{key}"), default, longest),
            default,
        )
    };
    let transport = cx.ok(transport(cx, spanned, config_dir));
    let from = cx.ok(mailbox(raw.from.get_ref()).map_err(|m| at(&raw.from, "from", m)));
    let to = cx.ok(mailboxes(cx, &raw.to, "email.to", ""));
    let timeout = dur(
        "timeout",
        &raw.timeout,
        DEFAULT_MAIL_TIMEOUT,
        LONGEST_TIMEOUT,
    );
    let group_window = match &raw.group_window {
        Some(v) if is_zero_duration(v.get_ref()) => Duration::ZERO,
        v => dur(
            "group_window",
            v,
            DEFAULT_GROUP_WINDOW,
            LONGEST_GROUP_WINDOW,
        ),
    };
    let alert_max_age = dur(
        "alert_max_age",
        &raw.alert_max_age,
        DEFAULT_ALERT_MAX_AGE,
        LONGEST_ALERT_MAX_AGE,
    );
    let (retry_min, retry_max) = cx.keep(
        retry_delays(cx, raw),
        (DEFAULT_RETRY_MIN, DEFAULT_RETRY_MAX),
    );
    let give_up_after = dur(
        "give_up_after",
        &raw.give_up_after,
        DEFAULT_GIVE_UP_AFTER,
        LONGEST_GIVE_UP_AFTER,
    );
    let templates = match &raw.templates {
        Some(v) => cx.ok(config_path(cx, v, "email.templates", config_dir)),
        None => None,
    };
    let subject_prefix = match &raw.subject_prefix {
        None => DEFAULT_SUBJECT_PREFIX.to_string(),
        Some(v) => {
            cx.ok(subject_prefix(v.get_ref()).map_err(|m| at(v, "subject_prefix", m)));
            v.get_ref().clone()
        }
    };
    if cx.found_count() > before {
        return None;
    }
    Some(EmailConfig {
        transport: transport?,
        from: from?,
        to: to?,
        timeout,
        group_window,
        alert_max_age,
        retry_min,
        retry_max,
        give_up_after,
        templates,
        subject_prefix,
        line: cx.line(&spanned.span()),
    })
}

/// A non-empty path, resolved against the config file's folder (like `database`).
fn config_path(cx: &Ctx, v: &SpStr, key: &str, config_dir: &Path) -> Result<PathBuf, ConfigError> {
    if v.get_ref().trim().is_empty() {
        return Err(cx.err(v.span(), key, "must not be empty"));
    }
    Ok(config_dir.join(v.get_ref()))
}

/// Exactly one of `smtp_url`, `sendmail`, `maildir`, and the password source
/// (which only SMTP uses).
fn transport(
    cx: &Ctx,
    spanned: &Spanned<RawEmail>,
    config_dir: &Path,
) -> Result<MailTransport, ConfigError> {
    let raw = spanned.get_ref();
    let chosen: Vec<(&str, &SpStr)> = [
        ("smtp_url", &raw.smtp_url),
        ("sendmail", &raw.sendmail),
        ("maildir", &raw.maildir),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
    .collect();
    let (key, v) = match chosen.as_slice() {
        [] => {
            return Err(cx.err(
                spanned.span(),
                "email",
                "needs one of smtp_url, sendmail or maildir (how mail is delivered)",
            ));
        }
        [one] => *one,
        [(first, _), (second, v), ..] => {
            return Err(cx.err(
                v.span(),
                &format!("email.{second}"),
                format!(
                    "{first} and {second} are both set; use exactly one of smtp_url, sendmail or maildir"
                ),
            ));
        }
    };
    let password = password_source(cx, raw, config_dir)?;
    if key != "smtp_url"
        && let Some(allow) = &raw.allow_plaintext_auth
    {
        return Err(cx.err(
            allow.span(),
            "email.allow_plaintext_auth",
            "allow_plaintext_auth is only used with smtp_url",
        ));
    }
    match (key, password) {
        ("smtp_url", password) => smtp(cx, v, password, raw.allow_plaintext_auth.as_ref()),
        (_, Some((pw_key, pw_value, _))) => Err(cx.err(
            pw_value.span(),
            &format!("email.{pw_key}"),
            format!("{pw_key} is only used with smtp_url"),
        )),
        ("sendmail", None) => {
            let command = v.get_ref();
            if command.trim().is_empty() {
                return Err(cx.err(v.span(), "email.sendmail", "must not be empty"));
            }
            // A bare name is looked up in PATH; anything with a '/' is a path.
            let command = if command.contains('/') {
                config_dir.join(command)
            } else {
                PathBuf::from(command)
            };
            Ok(MailTransport::Sendmail { command })
        }
        (_, None) => Ok(MailTransport::Maildir {
            path: config_path(cx, v, "email.maildir", config_dir)?,
        }),
    }
}

/// `password_file` or `password_env` (not both), with its key and raw value for messages.
fn password_source<'a>(
    cx: &Ctx,
    raw: &'a RawEmail,
    config_dir: &Path,
) -> Result<Option<(&'static str, &'a SpStr, PasswordSource)>, ConfigError> {
    match (&raw.password_file, &raw.password_env) {
        (Some(_), Some(env)) => Err(cx.err(
            env.span(),
            "email.password_env",
            "password_file and password_env are both set; use one",
        )),
        (Some(f), None) => {
            let path = config_path(cx, f, "email.password_file", config_dir)?;
            Ok(Some(("password_file", f, PasswordSource::File(path))))
        }
        (None, Some(e)) => {
            check_env_name(e.get_ref()).map_err(|m| cx.err(e.span(), "email.password_env", m))?;
            Ok(Some((
                "password_env",
                e,
                PasswordSource::Env(e.get_ref().clone()),
            )))
        }
        (None, None) => Ok(None),
    }
}

/// `smtp_url` with its password source: a user name and a password come
/// together; `allow_plaintext_auth = true` only where a password could
/// otherwise go out unencrypted (`smtp://` with a user name).
fn smtp(
    cx: &Ctx,
    v: &SpStr,
    password: Option<(&str, &SpStr, PasswordSource)>,
    allow_plaintext_auth: Option<&Spanned<bool>>,
) -> Result<MailTransport, ConfigError> {
    let url = parse_smtp_url(v.get_ref()).map_err(|m| cx.err(v.span(), "email.smtp_url", m))?;
    let password = match (password, &url.username) {
        (Some((key, pw, _)), None) => {
            return Err(cx.err(
                pw.span(),
                &format!("email.{key}"),
                format!(
                    "{key} is set but smtp_url has no user name; write it before the host, \
                     e.g. \"smtps://alerts%40example.org@smtp.example.org:465\""
                ),
            ));
        }
        (None, Some(_)) => {
            return Err(cx.err(
                v.span(),
                "email.smtp_url",
                "smtp_url has a user name but no password source; add password_file or password_env",
            ));
        }
        (p, _) => p.map(|(_, _, p)| p),
    };
    let allow = allow_plaintext_auth.is_some_and(|a| *a.get_ref());
    if let Some(a) = allow_plaintext_auth.filter(|a| *a.get_ref()) {
        let why = if url.security != SmtpSecurity::Opportunistic {
            Some(format!(
                "{}:// always encrypts the connection",
                url.security.scheme()
            ))
        } else if url.username.is_none() {
            Some("smtp_url has no user name, so no password is sent".to_string())
        } else {
            None
        };
        if let Some(why) = why {
            return Err(cx.err(
                a.span(),
                "email.allow_plaintext_auth",
                format!("allow_plaintext_auth = true has no effect here ({why}); remove it"),
            ));
        }
    }
    Ok(MailTransport::Smtp(SmtpConfig {
        security: url.security,
        host: url.host,
        port: url.port,
        username: url.username,
        password,
        allow_plaintext_auth: allow,
    }))
}

/// `retry_min` (at least 1s) and `retry_max`, in that order.
fn retry_delays(cx: &Ctx, raw: &RawEmail) -> Result<(Duration, Duration), ConfigError> {
    let retry_min = duration(
        cx,
        raw.retry_min.as_ref(),
        "email.retry_min",
        DEFAULT_RETRY_MIN,
        LONGEST_RETRY,
    )?;
    let retry_max = duration(
        cx,
        raw.retry_max.as_ref(),
        "email.retry_max",
        DEFAULT_RETRY_MAX,
        LONGEST_RETRY,
    )?;
    let blame = match (&raw.retry_min, &raw.retry_max) {
        (Some(v), _) if retry_min < SHORTEST_RETRY_MIN => {
            return Err(cx.err(v.span(), "email.retry_min", "must be at least 1s"));
        }
        _ if retry_min <= retry_max => return Ok((retry_min, retry_max)),
        (Some(v), _) => ("retry_min", v.span()),
        (None, Some(v)) => ("retry_max", v.span()),
        // Both defaults: ordered, so this is not reached; blame the table.
        (None, None) => ("retry_min", 0..0),
    };
    Err(cx.err(
        blame.1,
        &format!("email.{}", blame.0),
        format!(
            "retry_min ({}) must not be longer than retry_max ({})",
            humantime::format_duration(retry_min),
            humantime::format_duration(retry_max)
        ),
    ))
}

/// `subject_prefix`: may be empty; one line, since it goes into the Subject header.
fn subject_prefix(s: &str) -> Result<(), String> {
    if s.chars().any(char::is_control) {
        return Err("must not contain control characters (it goes into the Subject header)".into());
    }
    let n = s.chars().count();
    if n > SUBJECT_PREFIX_MAX_CHARS {
        return Err(format!(
            "is {n} characters long; the limit is {SUBJECT_PREFIX_MAX_CHARS}"
        ));
    }
    Ok(())
}

/// "0", "0s", "0m", …: the one place a zero duration is allowed (`group_window`).
fn is_zero_duration(s: &str) -> bool {
    let s = s.trim();
    s == "0" || humantime::parse_duration(s).is_ok_and(|d| d.is_zero())
}

/// One address such as `"newswatch <alerts@example.org>"` or `alerts@example.org`.
fn mailbox(s: &str) -> Result<Mailbox, String> {
    let s = s.trim();
    s.parse::<Mailbox>().map_err(|_| {
        match s.parse::<Mailboxes>() {
            Ok(list) if list.iter().count() > 1 => format!(
                "{s:?} holds more than one address; write a list: [\"a@example.org\", \"b@example.org\"]"
            ),
            _ => format!(
                "invalid mail address {s:?}: write \"user@example.org\" or \"Name <user@example.org>\""
            ),
        }
    })
}

/// `to`: one address or a list of them, at least one, duplicates dropped.
fn mailboxes(
    cx: &Ctx,
    v: &Spanned<OneOrMany>,
    key: &str,
    empty_hint: &str,
) -> Result<Vec<Mailbox>, ConfigError> {
    let items: Vec<(&str, Range<usize>)> = match v.get_ref() {
        OneOrMany::One(s) => vec![(s.as_str(), v.span())],
        OneOrMany::Many(list) => list
            .iter()
            .map(|s| (s.get_ref().as_str(), s.span()))
            .collect(),
    };
    if items.is_empty() {
        return Err(cx.err(
            v.span(),
            key,
            format!("needs at least one address{empty_hint}"),
        ));
    }
    let mut out: Vec<Mailbox> = Vec::with_capacity(items.len());
    for (s, span) in items {
        let m = mailbox(s).map_err(|m| cx.err(span, key, m))?;
        if !out.iter().any(|o| o.email == m.email) {
            out.push(m);
        }
    }
    Ok(out)
}

/// All `[[digest]]` tables (main file only); `topics` are every configured
/// topic. `email_written`: the file has an `[email]` section (`email` is
/// None also when that section has errors, which are noted already). A
/// digest with an error is noted and left out.
pub(crate) fn digests(
    cx: &Ctx,
    raws: &[Spanned<RawDigest>],
    email: Option<&EmailConfig>,
    email_written: bool,
    topics: &[TopicConfig],
) -> Vec<DigestConfig> {
    let mut out: Vec<DigestConfig> = Vec::with_capacity(raws.len());
    let mut lines: Vec<(String, usize)> = Vec::new();
    for (i, spanned) in raws.iter().enumerate() {
        let raw = spanned.get_ref();
        let key = named_key("digest", i, raw.name.get_ref());
        let at = |v: &SpStr, field: &str, m: String| cx.err(v.span(), &format!("{key}.{field}"), m);
        let before = cx.found_count();
        if !email_written {
            cx.note(cx.err(
                spanned.span(),
                &key,
                "a [[digest]] needs an [email] section to send it: add an [email] section \
                 to this file (see config/newswatch.example.toml)",
            ));
        }
        cx.ok(
            check_label("digest name", raw.name.get_ref(), NAME_MAX_CHARS)
                .map_err(|m| at(&raw.name, "name", m)),
        );
        let name_lc = raw.name.get_ref().to_lowercase();
        if let Some((_, line)) = lines.iter().find(|(n, _)| *n == name_lc) {
            cx.note(at(
                &raw.name,
                "name",
                format!(
                    "duplicate digest name {:?}; first defined at line {line}",
                    raw.name.get_ref(),
                ),
            ));
        } else {
            lines.push((name_lc, cx.line(&spanned.span())));
        }
        let schedule = cx
            .ok(Schedule::parse(raw.schedule.get_ref())
                .map_err(|m| at(&raw.schedule, "schedule", m)));
        let timezone = match &raw.timezone {
            None => chrono_tz::UTC,
            Some(v) => cx.keep(
                time_zone(v.get_ref()).map_err(|m| at(v, "timezone", m)),
                chrono_tz::UTC,
            ),
        };
        let mut names: Vec<String> = Vec::new();
        for t in raw.topics.iter().flatten() {
            if let Some(name) =
                cx.ok(topic_ref(t.get_ref(), topics).map_err(|m| at(t, "topics", m)))
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        let to = match &raw.to {
            None => email.map(|e| e.to.clone()),
            Some(v) => cx.ok(mailboxes(
                cx,
                v,
                &format!("{key}.to"),
                "; leave `to` out to use [email] to",
            )),
        };
        let min_significance = match &raw.min_significance {
            None => Significance::Minor,
            Some(v) => match v.get_ref().parse::<Significance>() {
                Ok(s) => s,
                // `word` lists the names and suggests the nearest one.
                Err(e) => {
                    let m = word(v.get_ref(), &Significance::names())
                        .err()
                        .unwrap_or_else(|| e.to_string());
                    cx.note(at(v, "min_significance", m));
                    Significance::Minor
                }
            },
        };
        if cx.found_count() > before {
            continue;
        }
        let (Some(schedule), Some(to)) = (schedule, to) else {
            continue;
        };
        out.push(DigestConfig {
            name: raw.name.get_ref().clone(),
            schedule,
            timezone,
            topics: names,
            to,
            send_empty: raw.send_empty.unwrap_or(false),
            min_significance,
            line: cx.line(&spanned.span()),
        });
    }
    out
}

/// An IANA time zone name, with a hint for near misses ("europe/kyiv", "Kyiv").
fn time_zone(s: &str) -> Result<chrono_tz::Tz, String> {
    if let Ok(tz) = s.parse::<chrono_tz::Tz>() {
        return Ok(tz);
    }
    let names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    let lower = s.trim().to_lowercase();
    let last = |n: &str| n.rsplit('/').next().unwrap_or(n).to_lowercase();
    let hint = names
        .iter()
        .find(|n| n.to_lowercase() == lower)
        .or_else(|| {
            names
                .iter()
                .find(|n| n.contains('/') && last(n) == last(&lower))
        })
        .copied()
        .or_else(|| suggest(s.trim(), &names))
        .map(|n| format!(" (did you mean {n:?}?)"))
        .unwrap_or_default();
    Err(format!(
        "unknown time zone {s:?}{hint}; use an IANA name such as \"Europe/Kyiv\" or \"UTC\""
    ))
}

/// A digest's reference to a configured topic.
fn topic_ref(name: &str, topics: &[TopicConfig]) -> Result<String, String> {
    if topics.iter().any(|t| t.name == name) {
        return Ok(name.to_string());
    }
    if topics.is_empty() {
        return Err(format!(
            "no [[topic]] named {name:?}: no topics are configured"
        ));
    }
    let names: Vec<&str> = topics.iter().map(|t| t.name.as_str()).collect();
    let hint = suggest(name, &names)
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default();
    let known = names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(format!(
        "no [[topic]] named {name:?}{hint}; known topics: {known}"
    ))
}

/// Topics with `alert = "immediate"` are mailed, so they need `[email]`:
/// an error for each that has none to go by (`email_written`: the main
/// file has an `[email]` section, valid or not).
pub(crate) fn immediate_topics_need_email(
    topics: &[TopicConfig],
    email_written: bool,
    main: &Path,
) -> Vec<ConfigError> {
    if email_written {
        return Vec::new();
    }
    topics
        .iter()
        .filter(|t| t.alert == AlertMode::Immediate)
        .map(|t| {
            // The index `named_key` falls back to counts the topics of the same file.
            let index = topics
                .iter()
                .filter(|o| o.file == t.file)
                .position(|o| std::ptr::eq(o, t))
                .unwrap_or(0);
            ConfigError {
                file: t.file.clone(),
                line: Some(t.line),
                column: None,
                key: Some(format!("{}.alert", named_key("topic", index, &t.name))),
                message: format!(
                    "alert = \"immediate\" mails each match, but there is no [email] section: \
                     add an [email] section to {} or use alert = \"digest\"",
                    main.display()
                ),
                also: Box::default(),
            }
        })
        .collect()
}
