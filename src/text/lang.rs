//! A microsecond language guess for items whose feed and source say nothing.
//!
//! Only needs to be right for the languages newswatch stems (en, ru, uk) and
//! to stay silent otherwise; it is not a general language identifier. Pure:
//! no I/O, bounded work (only the first ~200 characters are read).

use std::sync::OnceLock;

/// How many characters of the text are looked at.
const SAMPLE_CHARS: usize = 200;

const UK_WORDS: &[&str] = &[
    "що",
    "як",
    "це",
    "та",
    "від",
    "для",
    "який",
    "яка",
    "які",
    "про",
    "він",
    "вона",
    "але",
    "або",
    "щодо",
    "році",
    "заявив",
    "україни",
];
const RU_WORDS: &[&str] = &[
    "что",
    "как",
    "это",
    "от",
    "для",
    "который",
    "которая",
    "про",
    "он",
    "она",
    "но",
    "или",
    "году",
    "заявил",
    "россии",
    "его",
];

const LATIN: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "and", "of", "to", "in", "is", "that", "for", "with", "on", "was", "said",
            "are", "from", "has", "have", "by", "it", "as", "at", "after", "will",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "und", "das", "ist", "nicht", "mit", "den", "ein", "eine", "sich", "auf",
            "dem", "zu", "von", "für", "im", "wird", "auch",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "et", "des", "du", "est", "une", "un", "pour", "dans", "que", "qui",
            "pas", "sur", "au", "avec", "ce",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "las", "y", "de", "que", "en", "es", "por", "con", "para", "una",
            "del", "se", "al", "como",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "e", "la", "per", "un", "una", "sono", "della", "non", "del", "con",
            "gli", "le", "nel", "alla",
        ],
    ),
    (
        "pl",
        &[
            "i", "w", "na", "nie", "z", "się", "do", "że", "jest", "to", "od", "po", "przez",
            "jak", "dla", "oraz", "przy",
        ],
    ),
];

/// Guesses the language of `text` from its first ~200 characters.
///
/// Cyrillic → "uk" when Ukrainian-only letters (і ї є ґ) or Ukrainian function
/// words outweigh Russian-only letters (ы э ъ ё) and Russian function words,
/// else "ru". Latin → a stop-word vote among en, de, fr, es, it, pl; None
/// when the vote is empty or tied. Other scripts → None.
pub fn guess_language(text: &str) -> Option<&'static str> {
    let mut cyr = 0usize;
    let mut latin = 0usize;
    let mut uk_score = 0usize;
    let mut ru_score = 0usize;
    let mut end = text.len();
    for (n, (idx, c)) in text.char_indices().enumerate() {
        if n >= SAMPLE_CHARS {
            end = idx;
            break;
        }
        match c {
            'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є' | 'Ґ' => {
                cyr += 1;
                uk_score += 2;
            }
            'ы' | 'э' | 'ъ' | 'ё' | 'Ы' | 'Э' | 'Ъ' | 'Ё' => {
                cyr += 1;
                ru_score += 2;
            }
            '\u{0400}'..='\u{04FF}' => cyr += 1,
            c if c.is_ascii_alphabetic() => latin += 1,
            '\u{00C0}'..='\u{024F}' => latin += 1,
            _ => {}
        }
    }
    let sample = &text[..end];
    if cyr == 0 && latin == 0 {
        return None;
    }
    // One lookup per word in a table of every stop word's languages; the
    // lower-casing buffer is reused (most words are lower case already).
    let table = stop_word_table();
    let mut votes = [0usize; 2 + LATIN.len()];
    let mut lower = String::new();
    for w in sample
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
    {
        let w = if w.chars().any(char::is_uppercase) {
            lower.clear();
            lower.extend(w.chars().flat_map(char::to_lowercase));
            lower.as_str()
        } else {
            w
        };
        let Some(&langs) = table.get(w) else {
            continue;
        };
        for (k, v) in votes.iter_mut().enumerate() {
            *v += usize::from(langs >> k & 1 == 1);
        }
    }
    let [uk_words, ru_words, latin_votes @ ..] = votes;
    if cyr >= latin {
        uk_score += uk_words;
        ru_score += ru_words;
        return Some(if uk_score > ru_score { "uk" } else { "ru" });
    }
    let (best, best_votes) = latin_votes.iter().enumerate().max_by_key(|(_, v)| **v)?;
    if *best_votes == 0 {
        return None;
    }
    let tied = latin_votes
        .iter()
        .enumerate()
        .any(|(k, v)| k != best && v == best_votes);
    if tied {
        // English wins ties it takes part in: news headlines are short and
        // "la"/"in"/"to" style overlaps are common.
        return (latin_votes[0] == *best_votes).then_some("en");
    }
    LATIN.get(best).map(|(code, _)| *code)
}

/// Stop word → its languages as bits: 0 Ukrainian, 1 Russian, 2.. `LATIN`.
fn stop_word_table() -> &'static foldhash::HashMap<&'static str, u16> {
    static TABLE: OnceLock<foldhash::HashMap<&'static str, u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = foldhash::HashMap::default();
        let lists = [UK_WORDS, RU_WORDS]
            .into_iter()
            .chain(LATIN.iter().map(|(_, words)| *words));
        for (k, words) in lists.enumerate() {
            for w in words {
                *table.entry(*w).or_insert(0) |= 1 << k;
            }
        }
        table
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic() {
        assert_eq!(
            guess_language("Зеленський заявив про переговори з Росією"),
            Some("uk")
        );
        assert_eq!(
            guess_language("Песков заявил, что переговоры с Украиной возможны"),
            Some("ru")
        );
        assert_eq!(guess_language("Мирні переговори та що далі"), Some("uk"));
        assert_eq!(guess_language("Мирные переговоры: что дальше"), Some("ru"));
    }

    #[test]
    fn latin() {
        assert_eq!(
            guess_language("Russia says the talks with Ukraine will resume"),
            Some("en")
        );
        assert_eq!(
            guess_language("Die Gespräche über den Frieden sind nicht beendet und das ist gut"),
            Some("de")
        );
        assert_eq!(
            guess_language("Les négociations pour la paix sont dans une impasse"),
            Some("fr")
        );
        assert_eq!(
            guess_language("Las negociaciones de paz con Rusia y Ucrania para el alto el fuego"),
            Some("es")
        );
        assert_eq!(
            guess_language("Rozmowy pokojowe nie są łatwe i to jest problem dla"),
            Some("pl")
        );
        assert_eq!(guess_language("Xyzzy"), None);
        assert_eq!(guess_language("北京 上海"), None);
        assert_eq!(guess_language(""), None);
    }

    #[test]
    fn only_the_first_characters_are_read() {
        // English for the first 200 characters, Russian after: the guess
        // never sees the Russian, however long it is.
        let text = format!("{}{}", "the talks ".repeat(20), "что это ".repeat(100_000));
        assert_eq!(guess_language(&text), Some("en"));
        let text = format!("{}{}", "что это ".repeat(25), "the talks ".repeat(100_000));
        assert_eq!(guess_language(&text), Some("ru"));
    }
}
