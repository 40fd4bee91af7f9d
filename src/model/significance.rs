//! How much a revision matters, spelled one way everywhere: the database
//! (`revisions.significance`), `--min`, `min_significance` in the config,
//! JSON output and messages all use [`Significance::as_str`], and read it
//! back with its `FromStr`.

use std::fmt;
use std::str::FromStr;

/// How much a revision matters. Ordered: `Cosmetic < Minor < Major`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Significance {
    Cosmetic,
    Minor,
    Major,
}

impl Significance {
    /// Every class, least significant first.
    pub const ALL: [Significance; 3] = [
        Significance::Cosmetic,
        Significance::Minor,
        Significance::Major,
    ];

    /// The stored and printed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Significance::Cosmetic => "cosmetic",
            Significance::Minor => "minor",
            Significance::Major => "major",
        }
    }

    /// Every name, least significant first (for messages listing them).
    pub fn names() -> [&'static str; 3] {
        Significance::ALL.map(Significance::as_str)
    }

    /// This class and the ones above it, least significant first.
    pub fn and_above(self) -> impl Iterator<Item = Significance> {
        Significance::ALL.into_iter().filter(move |s| *s >= self)
    }
}

impl fmt::Display for Significance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: tables print it with a width (`{:<8}`).
        f.pad(self.as_str())
    }
}

/// A significance name that is not `cosmetic`, `minor` or `major`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown significance {0:?} (expected cosmetic, minor or major)")]
pub struct UnknownSignificance(pub String);

impl FromStr for Significance {
    type Err = UnknownSignificance;

    /// Exactly the names [`Significance::as_str`] writes: the config and
    /// `--min` refuse `Major` (with a hint) rather than guess.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Significance::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownSignificance(s.to_string()))
    }
}

impl serde::Serialize for Significance {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Significance::{self, *};

    #[test]
    fn names_round_trip_and_nothing_else_parses() {
        for s in Significance::ALL {
            assert_eq!(s.as_str().parse::<Significance>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        for bad in ["Major", " major", "huge", ""] {
            let err = bad.parse::<Significance>().unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        assert_eq!(Significance::names(), ["cosmetic", "minor", "major"]);
    }

    #[test]
    fn ordered_least_first() {
        assert!(Cosmetic < Minor && Minor < Major);
        assert_eq!(Minor.and_above().collect::<Vec<_>>(), [Minor, Major]);
        assert_eq!(Major.and_above().collect::<Vec<_>>(), [Major]);
        assert_eq!(format!("{:<8}|", Minor), "minor   |");
        assert_eq!(serde_json::to_string(&Major).unwrap(), "\"major\"");
    }
}
