//! Cues (statements stage): where a cue of `detect::lexicon::positions`
//! (prefixes separated by spaces, a whole word when it ends in `$`) occurs
//! in the folded words of a statement.

pub(super) fn part_matches(word: &str, part: &str) -> bool {
    match part.strip_suffix('$') {
        Some(exact) => word == exact,
        None => word.starts_with(part),
    }
}

/// Where `cue` (prefixes separated by spaces) occurs in `ws`: the index of
/// its first word.
pub(super) fn find_cue(ws: &[String], cue: &str) -> Option<usize> {
    // Called for every cue of every list on every statement (and on every
    // earlier statement a new one is compared with): no collected parts,
    // and the first word checked by its first byte before the rest.
    let n = cue.bytes().filter(|&b| b == b' ').count() + 1;
    if ws.len() < n {
        return None;
    }
    let (first, rest) = cue.split_once(' ').unwrap_or((cue, ""));
    let head = Part::of(first);
    (0..=ws.len() - n).find(|&i| {
        head.matches(&ws[i])
            && (n == 1
                || rest
                    .split(' ')
                    .enumerate()
                    .all(|(j, p)| part_matches(&ws[i + 1 + j], p)))
    })
}

/// One part of a cue, as [`part_matches`] reads it: a prefix, or a whole
/// word when it ends in `$`.
pub(super) struct Part<'a> {
    bytes: &'a [u8],
    exact: bool,
}

impl<'a> Part<'a> {
    fn of(part: &'a str) -> Part<'a> {
        match part.strip_suffix('$') {
            Some(exact) => Part {
                bytes: exact.as_bytes(),
                exact: true,
            },
            None => Part {
                bytes: part.as_bytes(),
                exact: false,
            },
        }
    }

    /// `part_matches(word, part)`, with the first byte compared first.
    fn matches(&self, word: &str) -> bool {
        let w = word.as_bytes();
        let p = self.bytes;
        match (w.first(), p.first()) {
            (_, None) => !self.exact || w.is_empty(),
            (Some(a), Some(b)) if a == b => {
                if self.exact {
                    w == p
                } else {
                    w.starts_with(p)
                }
            }
            _ => false,
        }
    }
}

/// The first byte and the first two bytes of every word of a list: a cue
/// whose first part no word can begin with is not looked for (most of the
/// few hundred cues of each list, on a statement of a dozen words). The
/// pairs share 4,096 bits by a hash, so a pair may look present when it is
/// not (the cue is then looked for), never the other way.
pub(super) struct Starts {
    one: [u64; 4],
    two: [u64; 64],
}

fn bit(set: &[u64], k: usize) -> bool {
    set[k >> 6] & (1 << (k & 63)) != 0
}

fn pair(a: u8, b: u8) -> usize {
    (usize::from(a) * 31 + usize::from(b)) & 4095
}

impl Starts {
    pub(super) fn of(ws: &[String]) -> Starts {
        let mut s = Starts {
            one: [0; 4],
            two: [0; 64],
        };
        for w in ws {
            if let Some(&a) = w.as_bytes().first() {
                let k = usize::from(a);
                s.one[k >> 6] |= 1 << (k & 63);
            }
            if let [a, b, ..] = w.as_bytes() {
                let k = pair(*a, *b);
                s.two[k >> 6] |= 1 << (k & 63);
            }
        }
        s
    }

    /// Whether some word may begin `cue`'s first part ([`part_matches`]):
    /// false only when none can.
    fn may_begin(&self, cue: &str) -> bool {
        let b = cue.as_bytes();
        // The first part's length when under 3 (a space ends it), else 3.
        let end = b
            .iter()
            .take(3)
            .position(|&x| x == b' ')
            .unwrap_or(b.len().min(3));
        if end == 3 {
            // Two bytes or more after a final `$` is dropped.
            return bit(&self.two, pair(b[0], b[1]));
        }
        let part = &b[..end];
        match part.strip_suffix(b"$").unwrap_or(part) {
            [] => true,
            [a] => bit(&self.one, usize::from(*a)),
            [a, c, ..] => bit(&self.two, pair(*a, *c)),
        }
    }

    /// [`find_cue`] on the words these starts were taken from (or a tail
    /// of them).
    pub(super) fn find(&self, ws: &[String], cue: &str) -> Option<usize> {
        if self.may_begin(cue) {
            find_cue(ws, cue)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod cue_tests {
    use super::*;

    /// The first-byte check answers as `part_matches` on every pairing of
    /// prefixes, whole words, empty parts and words of two scripts.
    #[test]
    fn a_part_matches_as_part_matches_does() {
        let words = ["", "talk", "talks", "t", "переговоры", "пере", "x"];
        let parts = [
            "",
            "$",
            "talk",
            "talk$",
            "talks$",
            "t",
            "переговор",
            "переговоры$",
            "y",
        ];
        for w in words {
            for p in parts {
                assert_eq!(Part::of(p).matches(w), part_matches(w, p), "{w:?} {p:?}");
            }
        }
        let ws: Vec<String> = ["peace", "talks", "in", "istanbul"]
            .iter()
            .map(|w| (*w).to_owned())
            .collect();
        assert_eq!(find_cue(&ws, "talk in$"), Some(1));
        assert_eq!(find_cue(&ws, "peace talks$ in istanbul$"), Some(0));
        assert_eq!(find_cue(&ws, "in$ istanbul$ x"), None);
        assert_eq!(find_cue(&ws, "istanbul"), Some(3));
    }

    /// The starts of a list of words turn away only cues `find_cue` does
    /// not find there: every cue of the lexicon and a few made up, on
    /// words of two scripts, one-letter and empty words among them.
    #[test]
    fn starts_turn_away_only_cues_not_there() {
        use crate::detect::lexicon::positions::{ISSUE_TERMS, STANCE_CUES, TALKS_ASPECTS};
        let texts = [
            "peace talks in istanbul are not ready",
            "переговоры в стамбуле готовы",
            "a x t talk talks",
            "",
        ];
        let mut cues: Vec<&str> = vec![
            "", "$", "$$", " talk", "t", "t$", "x$", "ta$", "ta$ in", "a$b", "talk in$", "пере",
            "a",
        ];
        cues.extend(
            ISSUE_TERMS
                .iter()
                .flat_map(|(_, ts)| ts.iter().map(|(t, _)| *t)),
        );
        cues.extend(STANCE_CUES.iter().flat_map(|(_, cs)| cs.iter().copied()));
        cues.extend(TALKS_ASPECTS.iter().flat_map(|(_, cs)| cs.iter().copied()));
        let mut found = 0;
        for text in texts {
            let mut ws: Vec<String> = text.split(' ').map(str::to_owned).collect();
            ws.push(String::new());
            let starts = Starts::of(&ws);
            for cue in &cues {
                let want = find_cue(&ws, cue);
                found += usize::from(want.is_some());
                assert_eq!(starts.find(&ws, cue), want, "{text:?} {cue:?}");
            }
        }
        assert!(found > 10, "cues found: {found}");
    }
}
