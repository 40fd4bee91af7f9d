//! Output for people and for programs: aligned text for a terminal, one JSON
//! object per line with `--json`. Everything printed for people goes through
//! `safe`, so a hostile feed title cannot move the cursor or recolour the
//! terminal (control and bidi-override characters are replaced).

use std::io::Write;

use serde::Serialize;

/// Print one JSON object per line.
pub fn json_line<T: Serialize>(value: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, value)?;
    out.write_all(b"\n")
}

/// Print each row as one JSON object per line (a list command's `--json`).
pub fn json_lines<T: Serialize>(rows: &[T]) -> std::io::Result<()> {
    rows.iter().try_for_each(json_line)
}

/// Replace characters that could control a terminal: C0/C1 controls (ESC
/// included), DEL, and bidi overrides/isolates that reorder what follows.
/// A line break, which stored texts keep between paragraphs, becomes ` ¶ `:
/// what is printed here is one line (a diff, a table cell), and U+FFFD
/// there read as damaged text.
pub fn safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\t' => out.push(' '),
            '\n' => out.push_str(" ¶ "),
            c if c.is_control() => out.push('\u{FFFD}'),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => {
                out.push('\u{FFFD}')
            }
            c => out.push(c),
        }
    }
    out
}

/// `safe` for text of several lines (a digest preview, an error with its
/// causes): line breaks are kept, everything else is neutralised as `safe`
/// does (a carriage return too: it would let a line overwrite another).
pub fn safe_lines(s: &str) -> String {
    s.split('\n').map(safe).collect::<Vec<_>>().join("\n")
}

/// `safe`, then cut to `max` characters with an ellipsis.
pub fn cut(s: &str, max: usize) -> String {
    let s = safe(s);
    if s.chars().count() <= max {
        s
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Print rows as left-aligned columns separated by two spaces.
pub fn table(header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<&str>| {
        let last = cells.len().saturating_sub(1);
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i < last {
                let pad = widths[i].saturating_sub(c.chars().count()) + 2;
                s.extend(std::iter::repeat_n(' ', pad));
            }
        }
        s
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", line(header.to_vec()));
    for row in rows {
        let _ = writeln!(out, "{}", line(row.iter().map(String::as_str).collect()));
    }
}

pub use crate::text::counted;

/// A stored time as how long ago it was: "4m 10s ago", "206 days ago".
pub fn ago(t: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    match crate::store::parse_ts(t) {
        Some(t) if t <= now => format!("{} ago", crate::text::span_between(t, now)),
        // Recorded by a clock since put back.
        Some(_) => "just now".into(),
        None => t.to_string(),
    }
}

/// A stored time still to come: "in 4m 10s", or "due" once it has passed.
pub fn until(t: &str, now: chrono::DateTime<chrono::Utc>) -> String {
    match crate::store::parse_ts(t) {
        Some(t) if t > now => format!("in {}", crate::text::span_between(now, t)),
        Some(_) => "due".into(),
        None => t.to_string(),
    }
}

/// "2026-05-04T19:46:55Z" → "2026-05-04 19:46" for tables.
pub fn short_time(t: &str) -> String {
    if t.len() >= 16 {
        format!("{} {}", &t[..10], &t[11..16])
    } else {
        t.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_neutralised() {
        let hostile = "ok\u{1b}[31mred\u{7}\r\nnext\u{202E}txt";
        let shown = safe(hostile);
        assert!(!shown.contains('\u{1b}'));
        assert!(!shown.contains('\r') && !shown.contains('\n') && !shown.contains('\u{7}'));
        assert!(!shown.contains('\u{202E}'));
        assert!(shown.starts_with("ok"));
    }

    #[test]
    fn safe_lines_keeps_line_breaks_only() {
        assert_eq!(
            safe_lines("one\r\ntwo\u{1b}[2J\n\tthree"),
            "one\u{FFFD}\ntwo\u{FFFD}[2J\n three"
        );
    }

    #[test]
    fn paragraph_breaks_show_as_pilcrows() {
        assert_eq!(
            safe("Points: 81\n# Comments: 47"),
            "Points: 81 ¶ # Comments: 47"
        );
    }
}
