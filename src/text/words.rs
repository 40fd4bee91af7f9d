//! The words of a text (Unicode word boundaries, UAX #29) with a fast path
//! for ASCII: every word of every item is found several times (topics,
//! model, story profile, statements, search), and most of it is ASCII.
//!
//! The text is cut where a space is followed by an ASCII character other
//! than a space: UAX #29 always breaks there (no rule joins a space to a
//! following ASCII character, and none looks across the space), so each
//! piece has the words it has in the whole text. A piece of ASCII only is
//! segmented by [`next_ascii_word`], which applies the rules as they fall
//! on ASCII; any other piece by `unicode-segmentation`. The words are the
//! crate's `unicode_word_indices` exactly (a test compares them).

use unicode_segmentation::{UnicodeSegmentation, UnicodeWordIndices};

/// Word-break classes of ASCII characters (UAX #29 table 3).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// A–Z, a–z (ALetter).
    Letter,
    /// 0–9 (Numeric).
    Digit,
    /// `_` (ExtendNumLet).
    Joiner,
    /// `:` (MidLetter).
    MidLetter,
    /// `,` `;` (MidNum).
    MidNum,
    /// `.` (MidNumLet) and `'` (Single_Quote): between two letters or two
    /// digits.
    MidBoth,
    Other,
}

const fn class_of(b: u8) -> Class {
    match b {
        b'A'..=b'Z' | b'a'..=b'z' => Class::Letter,
        b'0'..=b'9' => Class::Digit,
        b'_' => Class::Joiner,
        b':' => Class::MidLetter,
        b',' | b';' => Class::MidNum,
        b'.' | b'\'' => Class::MidBoth,
        _ => Class::Other,
    }
}

/// [`class_of`] of every byte, looked up rather than compared.
const CLASSES: [Class; 256] = {
    let mut t = [Class::Other; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = class_of(b as u8);
        b += 1;
    }
    t
};

fn class(b: u8) -> Class {
    CLASSES[usize::from(b)]
}

fn joins(c: Class) -> bool {
    matches!(c, Class::Letter | Class::Digit | Class::Joiner)
}

/// The next word of the ASCII bytes `b[from..end]` (`end` a word
/// boundary): its byte range. Letters, digits and `_` join each other
/// (WB5, WB8–WB10, WB13a/b); a `:`, `.` or `'` joins two letters (WB6/7),
/// a `,`, `;`, `.` or `'` two digits (WB11/12); everything else breaks. A
/// segment is a word when it holds a letter or a digit.
fn next_ascii_word(b: &[u8], from: usize, end: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i < end {
        let c = class(b[i]);
        if !joins(c) {
            i += 1;
            continue;
        }
        let start = i;
        let mut alnum = c != Class::Joiner;
        let mut last = c;
        let mut j = i + 1;
        while j < end {
            let d = class(b[j]);
            if joins(d) {
                alnum |= d != Class::Joiner;
                last = d;
                j += 1;
                continue;
            }
            if j + 1 < end {
                let e = class(b[j + 1]);
                let letters = last == Class::Letter
                    && e == Class::Letter
                    && matches!(d, Class::MidLetter | Class::MidBoth);
                let digits = last == Class::Digit
                    && e == Class::Digit
                    && matches!(d, Class::MidNum | Class::MidBoth);
                if letters || digits {
                    j += 2;
                    continue;
                }
            }
            break;
        }
        if alnum {
            return Some((start, j));
        }
        i = j;
    }
    None
}

/// Where the piece of `b` starting at `from` ends: after the last space
/// before the next ASCII character that is not a space, or at the end.
fn piece_end(b: &[u8], from: usize) -> usize {
    (from + 1..b.len())
        .find(|&i| b[i - 1] == b' ' && b[i] != b' ' && b[i].is_ascii())
        .unwrap_or(b.len())
}

enum Piece<'a> {
    None,
    Ascii {
        end: usize,
    },
    Unicode {
        base: usize,
        words: UnicodeWordIndices<'a>,
    },
}

/// Iterator of (byte offset, word), as `unicode_word_indices`.
pub(super) struct WordIndices<'a> {
    text: &'a str,
    pos: usize,
    piece: Piece<'a>,
}

pub(super) fn word_indices(text: &str) -> WordIndices<'_> {
    let piece = if text.is_ascii() {
        Piece::Ascii { end: text.len() }
    } else {
        Piece::None
    };
    WordIndices {
        text,
        pos: 0,
        piece,
    }
}

impl<'a> Iterator for WordIndices<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        let b = self.text.as_bytes();
        loop {
            match &mut self.piece {
                Piece::Ascii { end } => {
                    let end = *end;
                    if let Some((s, e)) = next_ascii_word(b, self.pos, end) {
                        self.pos = e;
                        return Some((s, &self.text[s..e]));
                    }
                    self.pos = end;
                    self.piece = Piece::None;
                }
                Piece::Unicode { base, words } => {
                    if let Some((s, w)) = words.next() {
                        return Some((*base + s, w));
                    }
                    self.piece = Piece::None;
                }
                Piece::None => {
                    if self.pos >= b.len() {
                        return None;
                    }
                    let end = piece_end(b, self.pos);
                    let piece = &self.text[self.pos..end];
                    self.piece = if piece.is_ascii() {
                        Piece::Ascii { end }
                    } else {
                        let base = self.pos;
                        self.pos = end;
                        Piece::Unicode {
                            base,
                            words: piece.unicode_word_indices(),
                        }
                    };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(text: &str) {
        let want: Vec<(usize, &str)> = text.unicode_word_indices().collect();
        let got: Vec<(usize, &str)> = word_indices(text).collect();
        assert_eq!(got, want, "{text:?}");
    }

    /// Every string of up to four characters of an alphabet with each
    /// ASCII word-break class, spaces, line breaks, quotes and a few
    /// non-ASCII characters (a letter, a dash, a curly apostrophe, a
    /// combining accent, a zero-width joiner) is cut as
    /// `unicode_word_indices` cuts it; and longer random ones.
    #[test]
    fn words_are_unicode_words() {
        let alphabet: Vec<char> = "aZ7_:,;.' \"-\r\né—’\u{301}\u{200d}".chars().collect();
        let n = alphabet.len();
        let mut s = String::new();
        for len in 1..=4u32 {
            for mut k in 0..n.pow(len) {
                s.clear();
                for _ in 0..len {
                    s.push(alphabet[k % n]);
                    k /= n;
                }
                same(&s);
            }
        }
        // xorshift, so the longer strings are the same on every run.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            s.clear();
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = 5 + (x % 20) as usize;
            for _ in 0..len {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                s.push(alphabet[(x % n as u64) as usize]);
            }
            same(&s);
        }
        for text in [
            "",
            "U.S. envoy Witkoff's talks: 3.5% of 1,000 e.g. can't won’t",
            "Песков: переговоры — «в Стамбуле» 2025 г.",
            "a_b __ _1 1_ x.y.z 1.2.3 a:b a::b a..b 1,,2 1;2 a,b",
            "  leading and trailing spaces  ",
            "mixed Zelensky’s and Зеленский a\u{301}b x \u{301}y",
        ] {
            same(text);
        }
    }
}
