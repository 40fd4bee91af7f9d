//! Market reports (module docs, "Cues"): a running stocks-and-oil headline is
//! rewritten every few hours, and its rewrite is news only when a market
//! turns. Each market named in a headline (stocks, oil) takes the direction
//! word next to it; a report whose markets keep their directions is a
//! rewording however many words it swaps ("Wall Street soars, oil plunges"
//! → "Oil prices sink and stocks rally"), one whose market went up where it
//! went down, or the other way round, is a major.

use super::content::stem_of;
use super::cues::direction;
use super::words::Field;
use crate::text::StemLang;

/// A field read as a market report.
pub(super) enum Market {
    /// No market named with a direction in one of the versions.
    None,
    /// Both versions report markets and none turned.
    Kept,
    /// A market turned: the reason.
    Turned(String),
}

/// Which markets there are: stocks and oil.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Stocks,
    Oil,
}

#[derive(Clone, Copy, PartialEq)]
enum Dir {
    Up,
    Down,
    /// Mixed, steady, whipsawing: the tone of a move, never a turn.
    Flat,
}

/// Reads both versions of a field as market reports.
pub(super) fn market(old: &Field, new: &Field, doc: StemLang) -> Market {
    let (a, b) = (moves(old, doc), moves(new, doc));
    if a.is_empty() || b.is_empty() {
        return Market::None;
    }
    for kind in [Kind::Stocks, Kind::Oil] {
        // The first mention of each market is the report's lead on it
        // ("Asian shares trade mixed after Wall Street rally": mixed).
        let first = |v: &[(Kind, Dir, String)]| v.iter().find(|(k, _, _)| *k == kind).cloned();
        if let (Some((_, da, wa)), Some((_, db, wb))) = (first(&a), first(&b))
            && da != db
            && da != Dir::Flat
            && db != Dir::Flat
        {
            let name = match kind {
                Kind::Stocks => "stocks",
                Kind::Oil => "oil",
            };
            return Market::Turned(format!("market turned: {name} {wa} → {wb}"));
        }
    }
    Market::Kept
}

/// Each market named and the direction word next to it: after it, within
/// the clause, or just before it ("soaring oil prices").
fn moves(f: &Field, doc: StemLang) -> Vec<(Kind, Dir, String)> {
    let dir_of = |i: usize| -> Option<(Dir, String)> {
        let t = &f.toks[i];
        if FLAT.contains(&t.key.as_str()) {
            return Some((Dir::Flat, t.text.clone()));
        }
        if PARES.contains(&t.key.as_str()) {
            return Some((Dir::Down, t.text.clone()));
        }
        direction(&stem_of(t, doc)).map(|u| (if u { Dir::Up } else { Dir::Down }, t.text.clone()))
    };
    let mut out = Vec::new();
    for (i, t) in f.toks.iter().enumerate() {
        let Some(kind) = kind_of(f, i) else {
            continue;
        };
        if t.key == "street" {
            continue;
        }
        let mut found = None;
        for j in i + 1..(i + 1 + AFTER).min(f.toks.len()) {
            if f.toks[j].clause_start
                || kind_of(f, j).is_some_and(|k| k != kind)
                || JOINS.contains(&f.toks[j].key.as_str())
            {
                break;
            }
            if let Some(d) = dir_of(j) {
                found = Some(d);
                break;
            }
        }
        if found.is_none() && !t.clause_start {
            found = (i.saturating_sub(BEFORE)..i)
                .rev()
                .take_while(|&j| kind_of(f, j).is_none())
                .find_map(dir_of);
        }
        if let Some((d, w)) = found {
            out.push((kind, d, w));
        }
    }
    out
}

/// The market word `i` of `f` names, if any ("Wall Street": both words).
fn kind_of(f: &Field, i: usize) -> Option<Kind> {
    let k = f.toks[i].key.as_str();
    if OIL.contains(&k) {
        return Some(Kind::Oil);
    }
    if STOCKS.contains(&k) {
        return Some(Kind::Stocks);
    }
    let wall = |j: usize| f.toks.get(j).is_some_and(|t| t.key == "wall");
    let street = |j: usize| {
        f.toks
            .get(j)
            .is_some_and(|t| t.key == "street" || t.key == "st")
    };
    ((k == "wall" && street(i + 1)) || ((k == "street" || k == "st") && i > 0 && wall(i - 1)))
        .then_some(Kind::Stocks)
}

/// Words after a market name its direction may be found within.
const AFTER: usize = 5;
/// Words before it.
const BEFORE: usize = 2;

#[rustfmt::skip]
const STOCKS: &[&str] = &[
    "stocks", "shares", "markets", "equities", "kospi", "nikkei", "dow", "nasdaq", "ftse", "dax",
    "акции", "биржи", "индексы", "акції", "біржі",
];

#[rustfmt::skip]
const OIL: &[&str] = &["oil", "crude", "brent", "нефть", "нефти", "нафта", "нафти"];

/// The tone of a move without a direction.
#[rustfmt::skip]
const FLAT: &[&str] = &[
    "mixed", "steady", "flat", "unchanged", "whipsaw", "whipsaws", "hover", "hovers", "hold",
    "holds",
];

/// Verbs that take back part of a rise ("oil pares gains").
const PARES: &[&str] = &["pares", "pare", "trims", "trim", "erases", "erase"];

/// Words that end a market's clause: what follows is another market or a
/// cause ("stocks and rising oil prices", "shares slip as oil climbs").
#[rustfmt::skip]
const JOINS: &[&str] = &[
    "and", "while", "as", "but", "after", "despite", "amid", "on", "with", "и", "а", "і", "та",
];

#[cfg(test)]
mod tests {
    use super::super::{Significance, VersionText, compare};

    fn judge(old: &str, new: &str) -> (Significance, Vec<String>) {
        let r = compare(
            &VersionText {
                title: old,
                text: "",
            },
            &VersionText {
                title: new,
                text: "",
            },
            &[],
        );
        (r.significance, r.reasons)
    }

    /// A market report reworded with each market's direction kept is no
    /// major however many words changed, nor for an outcome word of a side
    /// event or of its run told again (apnews, labeled minor).
    #[test]
    fn a_market_report_reworded_is_no_major() {
        for (old, new) in [
            (
                "Wall Street soars, oil plunges as China calls for comprehensive ceasefire in Iran-US war",
                "Oil prices sink and stocks rally worldwide on hopes for a reopening of the Strait of Hormuz",
            ),
            (
                "Wall Street inches higher, oil prices falls in tenuous peace between Iran and US",
                "Oil prices keep falling, while US stocks hang near their record highs",
            ),
            (
                "Wall Street falls from its records as AI stocks slump and oil prices rise",
                "Wall Street’s record-setting run halts as AI stocks slump and oil prices rise",
            ),
            (
                "Global shares trade mixed as AI excitement fades and war worries persist",
                "Wall Street mixed early and oil prices steady as Trump arrives in China to meet with Xi",
            ),
            (
                "Asian shares trade mixed after Wall Street rally despite Iran war worries",
                "Global shares mostly drop amid Iran war worries and surging oil prices",
            ),
        ] {
            let (got, reasons) = judge(old, new);
            assert_ne!(got, Significance::Major, "{old} → {new}: {reasons:?}");
        }
    }

    /// A market that turned is a major, told by market (apnews).
    #[test]
    fn a_market_that_turned_is_major() {
        let (got, reasons) = judge(
            "Brent crude surges over $120 a barrel on Iran war worries, while world stocks are mixed",
            "Soaring oil prices ease and markets rise as Big Tech sends mixed signals",
        );
        assert_eq!(got, Significance::Major, "{reasons:?}");
        assert!(
            reasons.contains(&"market turned: oil surges → ease".to_string()),
            "{reasons:?}"
        );
        let (got, reasons) = judge(
            "Oil prices whipsaw while US stocks glide near their record heights",
            "Oil prices whipsaw while US stocks hover above their record heights",
        );
        assert_eq!(got, Significance::Major, "{reasons:?}");
    }
}
