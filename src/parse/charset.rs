//! Charset decision and transcoding to UTF-8 for feed documents.
//!
//! Pure byte/str functions: no I/O, never panics on any input. feed-rs (via
//! quick-xml) only knows the BOM and the XML prolog, and it panics when the
//! prolog asks for a different encoding after it has started decoding
//! (`suites/feedparser/tests/encoding/utf-16be-autodetect.xml`), so every
//! document reaches it as UTF-8 with a prolog that says so.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// A document decoded to UTF-8.
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// Name of the encoding the bytes were read as ("UTF-8", "windows-1251"…).
    pub encoding: &'static str,
}

/// Why a document could not be decoded.
#[derive(Debug)]
pub(crate) enum CharsetError {
    /// The declared encoding is unknown to encoding_rs (or is the
    /// "replacement" encoding for ISO-2022-KR and friends).
    Unsupported(String),
}

#[derive(Clone, Copy)]
enum Utf32 {
    Le,
    Be,
}

/// What the bytes will be decoded as.
#[derive(Clone, Copy)]
enum Choice {
    Enc(&'static Encoding),
    Utf32(Utf32),
}

/// Decides the charset and decodes `bytes` to UTF-8, in this order:
/// BOM; `charset=` of the HTTP Content-Type (overrides the prolog, RFC 3023);
/// BOM-less UTF-16/32 byte patterns; the XML prolog's `encoding`; UTF-8 when
/// valid; windows-1252.
pub(crate) fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
) -> Result<Decoded<'a>, CharsetError> {
    // 1. Byte order mark. UTF-32 first: its LE BOM starts with the UTF-16 LE one.
    let bom: Option<(Choice, usize)> = if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
        Some((Choice::Utf32(Utf32::Le), 4))
    } else if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        Some((Choice::Utf32(Utf32::Be), 4))
    } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        Some((Choice::Enc(UTF_8), 3))
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        Some((Choice::Enc(UTF_16LE), 2))
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        Some((Choice::Enc(UTF_16BE), 2))
    } else {
        None
    };
    if let Some((choice, len)) = bom {
        return Ok(decode_as(choice, &bytes[len..]));
    }

    let prolog = prolog_encoding(bytes);

    // 2. HTTP charset overrides the document (RFC 3023; feedparser's
    //    tests/encoding/http_*_charset_overrides_encoding.xml).
    if let Some(label) = content_type.and_then(header_charset)
        && let Some(choice) = choice_for_label(&label)
    {
        let strict = decode_strict(choice, bytes);
        match strict {
            Some(text) => {
                return Ok(Decoded {
                    text,
                    encoding: choice_name(choice),
                });
            }
            None => {
                // The header's charset produced malformed data. Servers
                // often send a blanket "charset=utf-8" for files written
                // in windows-1251 by a CMS that declared it in the
                // prolog; a prolog encoding that decodes cleanly is then
                // the better witness of what the bytes are.
                if let Some(p) = prolog.as_deref().and_then(choice_for_label)
                    && let Some(text) = decode_strict(p, bytes)
                {
                    return Ok(Decoded {
                        text,
                        encoding: choice_name(p),
                    });
                }
                return Ok(decode_as(choice, bytes));
            }
        }
    }
    // An unknown header charset ("text/xml; charset=bogus") is ignored:
    // the document itself may still say what it is.

    // 3. BOM-less UTF-32/UTF-16: the byte pattern of '<' (or "<?") in the
    //    first code unit (feedparser's utf-16le-autodetect.xml and friends).
    if let Some(choice) = sniff_wide(bytes) {
        return Ok(decode_as(choice, bytes));
    }

    // 4. The XML prolog's encoding. A prolog that claims UTF-16/32 while we
    //    could read it as ASCII is wrong about the width; fall through.
    if let Some(label) = prolog {
        match choice_for_label(&label) {
            Some(Choice::Enc(e)) if e != UTF_16LE && e != UTF_16BE => {
                return Ok(decode_as(Choice::Enc(e), bytes));
            }
            Some(_) => {}
            None => {
                if std::str::from_utf8(bytes).is_err() {
                    return Err(CharsetError::Unsupported(label));
                }
            }
        }
    }

    // 5. UTF-8 if valid, else windows-1252 (what undeclared 8-bit feeds
    //    nearly always are).
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(Decoded {
            text: Cow::Borrowed(s),
            encoding: UTF_8.name(),
        }),
        Err(_) => Ok(decode_as(Choice::Enc(encoding_rs::WINDOWS_1252), bytes)),
    }
}

fn choice_name(choice: Choice) -> &'static str {
    match choice {
        Choice::Enc(e) => e.name(),
        Choice::Utf32(Utf32::Le) => "UTF-32LE",
        Choice::Utf32(Utf32::Be) => "UTF-32BE",
    }
}

/// Maps a charset label to a decoder; None when unknown or unusable.
fn choice_for_label(label: &str) -> Option<Choice> {
    let l = label.trim().to_ascii_lowercase();
    match l.as_str() {
        "utf-32" | "utf32" | "ucs-4" | "utf-32le" | "ucs-4le" => {
            return Some(Choice::Utf32(Utf32::Le));
        }
        "utf-32be" | "ucs-4be" => return Some(Choice::Utf32(Utf32::Be)),
        _ => {}
    }
    let enc = Encoding::for_label(l.as_bytes())?;
    // "replacement" decodes everything to one U+FFFD (ISO-2022-KR, HZ…).
    (enc != encoding_rs::REPLACEMENT).then_some(Choice::Enc(enc))
}

/// Decodes, replacing malformed sequences with U+FFFD.
fn decode_as(choice: Choice, bytes: &[u8]) -> Decoded<'_> {
    let text = match choice {
        Choice::Enc(e) => e.decode_without_bom_handling(bytes).0,
        Choice::Utf32(order) => Cow::Owned(decode_utf32(order, bytes).0),
    };
    Decoded {
        text,
        encoding: choice_name(choice),
    }
}

/// Decodes, returning None when the bytes are malformed for `choice`.
fn decode_strict(choice: Choice, bytes: &[u8]) -> Option<Cow<'_, str>> {
    match choice {
        Choice::Enc(e) => e.decode_without_bom_handling_and_without_replacement(bytes),
        Choice::Utf32(order) => {
            let (s, malformed) = decode_utf32(order, bytes);
            (!malformed).then_some(Cow::Owned(s))
        }
    }
}

/// encoding_rs has no UTF-32 (the WHATWG Encoding Standard dropped it), so
/// decode it by hand. Returns the text and whether anything was malformed.
fn decode_utf32(order: Utf32, bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len() / 4);
    let mut malformed = !bytes.len().is_multiple_of(4);
    for chunk in bytes.chunks_exact(4) {
        let unit = [chunk[0], chunk[1], chunk[2], chunk[3]];
        let v = match order {
            Utf32::Le => u32::from_le_bytes(unit),
            Utf32::Be => u32::from_be_bytes(unit),
        };
        match char::from_u32(v) {
            Some(c) => out.push(c),
            None => {
                malformed = true;
                out.push('\u{FFFD}');
            }
        }
    }
    (out, malformed)
}

/// UTF-16/32 without BOM, recognised by where the zero bytes of the first
/// markup character fall (XML 1.0 appendix F).
fn sniff_wide(bytes: &[u8]) -> Option<Choice> {
    match bytes {
        [0, 0, 0, b'<', ..] => Some(Choice::Utf32(Utf32::Be)),
        [b'<', 0, 0, 0, ..] => Some(Choice::Utf32(Utf32::Le)),
        [0, b'<', 0, x, ..] if *x != 0 => Some(Choice::Enc(UTF_16BE)),
        [b'<', 0, x, 0, ..] if *x != 0 => Some(Choice::Enc(UTF_16LE)),
        _ => None,
    }
}

/// The `charset` parameter of a Content-Type header, unquoted.
/// Accepts `charset=x`, `charset = x`, `charset='x'`, `charset= "x"`.
pub(crate) fn header_charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("charset") {
            return None;
        }
        let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
        (!v.is_empty()).then(|| v.to_owned())
    })
}

/// Byte range of the XML declaration (`<?xml … ?>`) at the start of `bytes`
/// (after ASCII whitespace), if any, and whether `?>` closed it.
///
/// quick-xml reads a declaration up to the next `?>`, however far, and takes
/// an `encoding` from whatever it passes on the way; switching to it after
/// its 64-byte prefix panics (found by fuzzing: `<?xml … encoding="euc-kr"`
/// left open, then a `?>` 28 KB later in an item). So a declaration still
/// open at the next `<` ends there, and the caller closes it.
fn prolog_range(bytes: &[u8]) -> Option<(usize, usize, bool)> {
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace())?;
    let rest = &bytes[start..];
    if !(rest.starts_with(b"<?xml")
        && rest
            .get(5)
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'?'))
    {
        return None;
    }
    let mut from = 5;
    while let Some(i) = memchr::memchr2(b'?', b'<', &rest[from..]) {
        let at = from + i;
        if rest[at] == b'<' {
            return Some((start, start + at, false));
        }
        if rest.get(at + 1) == Some(&b'>') {
            return Some((start, start + at + 2, true));
        }
        from = at + 1;
    }
    // Open to the end: quick-xml reports that as an error, not a panic.
    None
}

/// Every `encoding="…"` attribute in the XML declaration at the start of
/// `bytes` (normally one; quick-xml honours a later one too, found by
/// fuzzing), as (value, start, end) byte ranges of the whole attribute.
fn encoding_attributes(bytes: &[u8]) -> impl Iterator<Item = (String, usize, usize)> + '_ {
    let decl = prolog_range(bytes).map(|(start, end, _)| (start, &bytes[start..end]));
    let mut from = 0;
    std::iter::from_fn(move || {
        let (start, decl) = decl?;
        loop {
            let key = from
                + decl
                    .get(from..)?
                    .windows(8)
                    .position(|w| w.eq_ignore_ascii_case(b"encoding"))?;
            from = key + 8;
            if let Some((value, end)) = attribute_value(decl, key + 8) {
                from = end;
                return Some((value, start + key, start + end));
            }
        }
    })
}

/// The quoted value after `=` at `i` in `decl`, and where it ends.
fn attribute_value(decl: &[u8], mut i: usize) -> Option<(String, usize)> {
    while decl.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    if decl.get(i) != Some(&b'=') {
        return None;
    }
    i += 1;
    while decl.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
        i += 1;
    }
    let quote = *decl.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let vstart = i + 1;
    let vlen = decl.get(vstart..)?.iter().position(|&b| b == quote)?;
    let value = String::from_utf8_lossy(&decl[vstart..vstart + vlen]).into_owned();
    Some((value, vstart + vlen + 1))
}

/// The value of the first `encoding="…"` in the XML declaration.
pub(crate) fn prolog_encoding(bytes: &[u8]) -> Option<String> {
    encoding_attributes(bytes).next().map(|(v, _, _)| v)
}

/// Makes decoded text safe to hand to feed-rs: drops a leading U+FEFF and
/// whitespace before the first markup, and removes a prolog `encoding`
/// attribute that names anything but UTF-8 (quick-xml would otherwise try to
/// re-decode our UTF-8 with it — mojibake for windows-1251, a panic for
/// UTF-16). Borrows when nothing needs to change.
pub(crate) fn prepare_utf8(text: Cow<'_, str>) -> Cow<'_, str> {
    let trimmed_len = {
        let t = text.trim_start_matches(|c: char| c == '\u{FEFF}' || c.is_whitespace());
        text.len() - t.len()
    };
    let body = &text[trimmed_len..];
    // Edits to every XML declaration, as (from, to, replacement) byte
    // ranges of `body`: an `encoding="label"` attribute that names anything
    // but UTF-8 is dropped, and a declaration left open is closed with `?>`.
    // Normally only the leading one; but quick-xml also honours a stray
    // declaration in the middle of a document and then panics switching
    // decoders (found by fuzzing), so later ones get the same edits.
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    let mut from = 0;
    // memmem, not str::find: a feed has a '<' every few bytes, and the
    // standard two-way search stops at each (0.8% of a cold poll).
    while let Some(p) = body
        .as_bytes()
        .get(from..)
        .and_then(|rest| memchr::memmem::find(rest, b"<?xml"))
    {
        let at = from + p;
        from = at + 5;
        let decl = &body.as_bytes()[at..];
        let Some((_, end, closed)) = prolog_range(decl) else {
            continue;
        };
        for (label, a, b) in encoding_attributes(decl) {
            if !is_utf8_label(&label) {
                edits.push((at + a, at + b, ""));
            }
        }
        if !closed {
            edits.push((at + end, at + end, "?>"));
        }
        // A declaration nested inside another's attributes (found by
        // fuzzing) must not yield the same edit twice.
        from = from.max(at + end);
    }
    match (text, edits.is_empty()) {
        (Cow::Borrowed(s), true) => Cow::Borrowed(&s[trimmed_len..]),
        (Cow::Owned(mut s), true) => {
            s.drain(..trimmed_len);
            Cow::Owned(s)
        }
        (t, false) => {
            // The edit points sit on ASCII bytes of the declarations, so
            // all are char boundaries.
            let t = &t[trimmed_len..];
            let mut s = String::with_capacity(t.len() + 2 * edits.len());
            let mut at = 0;
            for (a, b, with) in edits {
                // Overlapping edits (only from malformed input) are skipped.
                if a < at || b > t.len() {
                    continue;
                }
                s.push_str(&t[at..a]);
                s.push_str(with);
                at = b;
            }
            s.push_str(&t[at..]);
            Cow::Owned(s)
        }
    }
}

fn is_utf8_label(label: &str) -> bool {
    let l = label.trim();
    l.eq_ignore_ascii_case("utf-8") || l.eq_ignore_ascii_case("utf8")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(bytes: &[u8], ct: Option<&str>) -> (String, &'static str) {
        let d = decode(bytes, ct).expect("decodes");
        (prepare_utf8(d.text).into_owned(), d.encoding)
    }

    #[test]
    fn header_charset_forms() {
        assert_eq!(
            header_charset("text/xml; charset=utf-8").as_deref(),
            Some("utf-8")
        );
        assert_eq!(
            header_charset("application/xml;charset = us-ascii").as_deref(),
            Some("us-ascii")
        );
        assert_eq!(
            header_charset("application/atom+xml; charset='gb2312'").as_deref(),
            Some("gb2312")
        );
        assert_eq!(
            header_charset("application/rss+xml;charset= \"us-ascii\"").as_deref(),
            Some("us-ascii")
        );
        assert_eq!(header_charset("text/xml;"), None);
        assert_eq!(header_charset("text/xml"), None);
    }

    #[test]
    fn prolog_windows_1251() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251
            .encode("<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss>Привет</rss>");
        let (text, enc) = dec(&bytes, None);
        assert_eq!(enc, "windows-1251");
        assert_eq!(text, "<?xml version=\"1.0\" ?><rss>Привет</rss>");
        let (text, _) = dec(b"<a>x<?xml version='1.0' encoding='utf-16'?></a>", None);
        assert_eq!(text, "<a>x<?xml version='1.0' ?></a>");
    }

    #[test]
    fn header_overrides_prolog_and_falls_back_when_malformed() {
        let (bytes, _, _) =
            encoding_rs::KOI8_R.encode("<?xml version='1.0' encoding='koi8-r'?><a>Мир</a>");
        // Header says windows-1251: decodes (every byte is valid 1251), header wins.
        assert_eq!(
            dec(&bytes, Some("text/xml; charset=windows-1251")).1,
            "windows-1251"
        );
        // Header says UTF-8: malformed, the prolog's koi8-r decodes cleanly.
        let (text, enc) = dec(&bytes, Some("text/xml; charset=utf-8"));
        assert_eq!(enc, "KOI8-R");
        assert!(text.contains("Мир"));
    }

    #[test]
    fn utf16_and_utf32() {
        let src = "<?xml version=\"1.0\" encoding=\"utf-16\"?><a>ё</a>";
        let mut le = vec![0xFF, 0xFE];
        le.extend(src.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(
            dec(&le, None),
            ("<?xml version=\"1.0\" ?><a>ё</a>".into(), "UTF-16LE")
        );
        let be: Vec<u8> = src.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(dec(&be, None).1, "UTF-16BE");
        let u32le: Vec<u8> = src.chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        assert_eq!(dec(&u32le, None).1, "UTF-32LE");
        let mut u32be = vec![0, 0, 0xFE, 0xFF];
        u32be.extend(src.chars().flat_map(|c| (c as u32).to_be_bytes()));
        let (t, e) = dec(&u32be, None);
        assert_eq!(e, "UTF-32BE");
        assert!(t.ends_with("<a>ё</a>"));
        // Truncated garbage must not panic.
        let _ = decode(&[0xFF, 0xFE, 0, 0, 1], None);
        let _ = decode(&[0, 0, 0, b'<', 0xFF, 0xFF, 0xFF], None);
    }

    #[test]
    fn fallbacks() {
        assert_eq!(
            dec(b"  <rss>caf\xe9</rss>", None),
            ("<rss>café</rss>".into(), "windows-1252")
        );
        assert_eq!(dec("<rss>ok ё</rss>".as_bytes(), None).1, "UTF-8");
        assert!(matches!(
            decode(b"<?xml version='1.0' encoding='x-foo'?><a>\xff</a>", None),
            Err(CharsetError::Unsupported(l)) if l == "x-foo"
        ));
        // Valid UTF-8 with an unknown label is read as UTF-8.
        assert_eq!(
            dec(b"<?xml version='1.0' encoding='x-foo'?><a/>", None).0,
            "<?xml version='1.0' ?><a/>"
        );
    }

    #[test]
    fn utf8_fast_path_borrows() {
        let bytes = b"<?xml version='1.0' encoding='utf-8'?><rss/>";
        let d = decode(bytes, Some("application/rss+xml; charset=utf-8")).expect("decodes");
        assert!(matches!(prepare_utf8(d.text), Cow::Borrowed(_)));
    }

    /// Found by cargo fuzz: a declaration left open (`encoding="euc-kr"`
    /// then straight into the root element) made quick-xml read up to a `?>`
    /// 28 KB later in an item, take euc-kr from it and panic switching
    /// decoders past its 64-byte prefix.
    #[test]
    fn an_open_declaration_is_closed_at_the_next_tag() {
        let text = "<?xml version=\"1.0\" encoding=\"euc-kr\"<rss version=\"2.0\"><channel><item><title>a?>b</title></item></channel></rss>";
        let out = prepare_utf8(Cow::Borrowed(text));
        assert_eq!(
            out,
            "<?xml version=\"1.0\" ?><rss version=\"2.0\"><channel><item><title>a?>b</title></item></channel></rss>"
        );
        // Its label still decides the decoding, as a closed one's would.
        assert_eq!(prolog_encoding(text.as_bytes()).as_deref(), Some("euc-kr"));
        // A UTF-8 one is only closed; one open to the end is left to
        // quick-xml, which reports it.
        let utf8 = "<?xml version=\"1.0\" encoding=\"utf-8\"\n<rss/>";
        assert_eq!(
            prepare_utf8(Cow::Borrowed(utf8)),
            "<?xml version=\"1.0\" encoding=\"utf-8\"\n?><rss/>"
        );
        let open = "<?xml version=\"1.0\" encoding=\"koi8-r\"";
        assert_eq!(prepare_utf8(Cow::Borrowed(open)), open);
    }

    /// Found by tests/it/mutations.rs: a declaration spliced into another's
    /// version attribute made the same encoding cut twice (slice panic).
    #[test]
    fn nested_declarations_do_not_panic() {
        let text = "<?xml version=\"1<?xml version=\"1.0\" encoding=\"utf-16\"?>.0\" encoding=\"utf-8\"?>\n<rss/>";
        let out = prepare_utf8(Cow::Borrowed(text));
        assert!(!out.contains("utf-16"), "{out}");
        assert!(out.ends_with("<rss/>"));
    }
}
