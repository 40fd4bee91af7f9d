//! Names and event words across scripts and spellings: the shipped alias
//! list (`config/entities.txt`: Zelensky = Zelenskiy = Зеленский =
//! Зеленський) and a Russian/Ukrainian → Latin transliteration for names
//! the list does not hold (Путин = Putin). Used by story grouping; any stage
//! comparing names across languages may use it. Pure data and lookups.

use std::cell::Cell;
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

use foldhash::HashMap;

use super::cyrillic::loose_letter;

/// The shipped list, compiled in (the file is the one users copy and edit).
pub const SHIPPED: &str = include_str!("../../../config/entities.txt");

/// The list [`Aliases::install`] set last (`None`: the shipped one is
/// used). Lists are never freed: a reader may hold the one it loaded while
/// another is installed, and a thread's word memo (stories) is keyed by
/// the list's address, which so is never reused.
static INSTALLED: RwLock<Option<&'static Aliases>> = RwLock::new(None);

/// Counts [`Aliases::install`] calls: a thread reads `INSTALLED` again
/// only when it changed, so the list in use costs one atomic load.
static GENERATION: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// This thread's copy of `INSTALLED`, as of a `GENERATION`.
    static CURRENT: Cell<(u64, Option<&'static Aliases>)> = const { Cell::new((0, None)) };
}

/// An alias list: exact variants and prefix variants (`word*`), each
/// mapped to its canonical name.
#[derive(Debug, Default)]
pub struct Aliases {
    exact: HashMap<String, Entry>,
    prefix: HashMap<String, Entry>,
    /// Shortest and longest prefix, in characters (bounds the lookup).
    prefix_chars: (usize, usize),
    /// Canonical event words (the `## … words` sections).
    event_words: foldhash::HashSet<String>,
    /// Canonical names of actors: people and organisations (every name
    /// section but the `## … places` ones).
    actors: foldhash::HashSet<String>,
    /// Canonical names of places (the `## … places` sections).
    places: foldhash::HashSet<String>,
    /// Canonical name → its UTC offset in hours (the `## Time zones`
    /// section: `name: +3`): the day a person's occasion falls on.
    zones: HashMap<String, i32>,
    /// A role's words (loose, space-joined) → the canonical name of who
    /// holds it (the `## Roles` section: `gerasimov: chief of general
    /// staff`): a headline signed with the role is that person's.
    roles: HashMap<String, String>,
}

/// A canonical name and whether it is a name (person, place,
/// organisation) or an event word (a `## … words` section of the list).
#[derive(Clone, Debug)]
struct Entry {
    canonical: String,
    name: bool,
}

/// A line of the list that is not `canonical: variant, …`.
#[derive(Debug, PartialEq)]
pub struct BadLine {
    pub line: usize,
    pub text: String,
}

impl std::fmt::Display for BadLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "entity list line {}: expected `name: variant, variant*, …`, got {:?}",
            self.line, self.text
        )
    }
}

impl Aliases {
    /// Parse a list (format in `config/entities.txt`).
    pub fn parse(text: &str) -> Result<Aliases, BadLine> {
        let mut out = Aliases {
            prefix_chars: (usize::MAX, 0),
            ..Aliases::default()
        };
        out.extend(text)?;
        Ok(out)
    }

    /// The shipped list with a user's list added: the user's lines come
    /// after the shipped ones, so a variant they share takes the user's
    /// canonical name. The user's file starts in a names section.
    pub fn shipped_and(user: &str) -> Result<Aliases, BadLine> {
        let mut out = Aliases::parse(SHIPPED).unwrap_or_default();
        out.extend(user)?;
        Ok(out)
    }

    fn extend(&mut self, text: &str) -> Result<(), BadLine> {
        let out = self;
        let mut names = true;
        let mut actors = true;
        let mut zones = false;
        let mut roles = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if let Some(section) = line.strip_prefix("## ") {
                let section = section.to_lowercase();
                zones = section.contains("time zone");
                roles = section.contains("role");
                names = !section.contains("word") && !zones && !roles;
                actors = names && !section.contains("place");
                continue;
            }
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = || BadLine {
                line: i + 1,
                text: raw.to_string(),
            };
            let (name, variants) = line.split_once(':').ok_or_else(bad)?;
            let name = name.trim();
            if name.is_empty() {
                return Err(bad());
            }
            if zones {
                let hours: i32 = variants.trim().parse().map_err(|_| bad())?;
                if !(-12..=14).contains(&hours) {
                    return Err(bad());
                }
                out.zones.insert(name.to_string(), hours);
                continue;
            }
            if roles {
                for v in variants.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                    out.roles.insert(role_words(v), name.to_string());
                }
                continue;
            }
            let entry = Entry {
                canonical: name.to_string(),
                name: names,
            };
            if !names {
                out.event_words.insert(name.to_string());
            } else if actors {
                out.actors.insert(name.to_string());
            } else {
                out.places.insert(name.to_string());
            }
            for v in variants.split(',').map(str::trim).filter(|v| !v.is_empty()) {
                match v.strip_suffix('*') {
                    Some(p) => {
                        let key = loose(p);
                        let n = key.chars().count();
                        if n == 0 {
                            return Err(bad());
                        }
                        out.prefix_chars.0 = out.prefix_chars.0.min(n);
                        out.prefix_chars.1 = out.prefix_chars.1.max(n);
                        out.prefix.insert(key, entry.clone());
                    }
                    None => {
                        out.exact.insert(loose(v), entry.clone());
                    }
                }
            }
        }
        Ok(())
    }

    /// The list in use: the shipped one, with the user's list added when
    /// one was installed ([`Aliases::install`]).
    pub fn shipped() -> &'static Aliases {
        static SHIPPED_LIST: LazyLock<Aliases> =
            LazyLock::new(|| Aliases::parse(SHIPPED).unwrap_or_default());
        let generation = GENERATION.load(Ordering::Acquire);
        let installed = CURRENT.with(|current| {
            let (seen, list) = current.get();
            if seen == generation {
                return list;
            }
            let list = *INSTALLED.read().unwrap_or_else(PoisonError::into_inner);
            current.set((generation, list));
            list
        });
        installed.unwrap_or(&SHIPPED_LIST)
    }

    /// Use `list` (the shipped list and the user's; `None`: the shipped one
    /// alone) from now on, for the rest of the process or until the next
    /// call: at start, and when the daemon reloads its configuration.
    /// Detection already under way finishes with the list it started with.
    /// Each list installed stays in memory (tens of KB; reloads are
    /// rare), so that nothing holding the previous one is left dangling.
    pub fn install(list: Option<Aliases>) {
        let list: Option<&'static Aliases> = list.map(|l| &*Box::leak(Box::new(l)));
        *INSTALLED.write().unwrap_or_else(PoisonError::into_inner) = list;
        GENERATION.fetch_add(1, Ordering::AcqRel);
    }

    /// The canonical name of a loose word ([`loose`]): an exact variant,
    /// else the longest prefix variant it starts with.
    pub fn canonical(&self, loose_word: &str) -> Option<&str> {
        self.lookup(loose_word).map(|(c, _)| c)
    }

    /// Whether `key` is the canonical form of an event word of the list
    /// (one that meets its translations).
    pub fn is_event_word(&self, key: &str) -> bool {
        self.event_words.contains(key)
    }

    /// Whether `key` is the canonical name of an actor of the list: a
    /// person or an organisation, not a place or an event word.
    pub fn is_actor(&self, key: &str) -> bool {
        self.actors.contains(key)
    }

    /// Whether `key` is the canonical name of a place of the list.
    pub fn is_place(&self, key: &str) -> bool {
        self.places.contains(key)
    }

    /// The UTC offset in hours of a canonical name, if the list gives one
    /// (`## Time zones`).
    pub fn utc_offset_hours(&self, key: &str) -> Option<i32> {
        self.zones.get(key).copied()
    }

    /// The canonical name of whoever holds a role, given the role's words
    /// as written ("Chief of General Staff"), if the list gives it.
    pub fn role_holder(&self, role: &str) -> Option<&str> {
        self.roles.get(&role_words(role)).map(String::as_str)
    }

    /// [`Aliases::canonical`], and whether it is a name (not an event word).
    pub fn lookup(&self, loose_word: &str) -> Option<(&str, bool)> {
        if let Some(e) = self.exact.get(loose_word) {
            return Some((&e.canonical, e.name));
        }
        let (lo, hi) = self.prefix_chars;
        if lo > hi {
            return None;
        }
        let ends: Vec<usize> = loose_word
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .collect();
        for n in (lo..=hi.min(ends.len())).rev() {
            if let Some(e) = self.prefix.get(&loose_word[..ends[n - 1]]) {
                return Some((&e.canonical, e.name));
            }
        }
        None
    }
}

/// A role's words as the list compares them: loose, one space apart.
fn role_words(role: &str) -> String {
    role.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .map(loose)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A word as the list compares it: lower case, ё→е, Ukrainian letters
/// levelled to Russian ones, й→и, soft and hard signs and apostrophes
/// dropped.
pub fn loose(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c == 'ё' { 'е' } else { c })
        .filter(|c| *c != '’')
        .filter_map(loose_letter)
        .collect()
}

/// A loose Cyrillic word in Latin letters (a simple BGN-like scheme), so a
/// name the list does not hold still meets its English spelling: путин →
/// putin, медведев → medvedev. Other characters pass through.
pub fn transliterate(loose_word: &str) -> String {
    let mut out = String::with_capacity(loose_word.len());
    for c in loose_word.chars() {
        out.push_str(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'г' => "g",
            'д' => "d",
            'е' | 'э' => "e",
            'ж' => "zh",
            'з' => "z",
            'и' => "i",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'х' => "kh",
            'ц' => "ts",
            'ч' => "ch",
            'ш' => "sh",
            'щ' => "shch",
            'ы' => "y",
            'ю' => "yu",
            'я' => "ya",
            _ => {
                out.push(c);
                continue;
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_give_a_persons_offset_and_are_no_names() {
        let list =
            Aliases::parse("## People\nkallas: kallas*\n## Time zones\nkallas: +2\n").unwrap();
        assert_eq!(list.utc_offset_hours("kallas"), Some(2));
        assert!(list.is_actor("kallas"));
        assert_eq!(list.canonical("+2"), None);
        assert_eq!(Aliases::shipped().utc_offset_hours("trump"), Some(-5));
        let bad = Aliases::parse("## Time zones\nkallas: east\n").unwrap_err();
        assert_eq!(bad.line, 2);
        assert!(Aliases::parse("## Time zones\nkallas: +20\n").is_err());
    }

    #[test]
    fn spellings_across_scripts_meet_in_the_shipped_list() {
        let list = Aliases::shipped();
        for w in ["Zelenskiy", "Zelensky", "Зеленский", "Зеленського"] {
            assert_eq!(list.canonical(&loose(w)), Some("zelensky"), "{w}");
        }
        for w in ["Zaporizhzhia", "Zaporozhye", "Запорожской", "Запоріжжя"] {
            assert_eq!(list.canonical(&loose(w)), Some("zaporizhzhia"), "{w}");
        }
        assert_eq!(list.canonical(&loose("Уиткофф")), Some("witkoff"));
        assert_eq!(list.canonical(&loose("beetroot")), None);
        assert_eq!(list.lookup(&loose("беспилотников")), Some(("drone", false)));
    }

    #[test]
    fn roles_name_their_holder_and_are_no_names() {
        let list =
            Aliases::parse("## Roles\ngerasimov: chief of general staff, начальник генштаба\n")
                .unwrap();
        assert_eq!(
            list.role_holder("Chief of  General Staff"),
            Some("gerasimov")
        );
        assert_eq!(list.role_holder("Начальник Генштаба"), Some("gerasimov"));
        assert_eq!(list.role_holder("chief"), None);
        assert_eq!(list.canonical("chief"), None);
        assert!(!list.is_actor("gerasimov"));
    }

    #[test]
    fn unlisted_names_transliterate() {
        assert_eq!(transliterate(&loose("Шмыгаль")), "shmygal");
        assert_eq!(transliterate("abc"), "abc");
    }

    #[test]
    fn a_malformed_line_is_an_error_with_its_number() {
        let err = Aliases::parse("# c\nok: a, b*\nno colon here\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.to_string().contains("line 3"));
        assert!(Aliases::parse(SHIPPED).is_ok());
    }
}
