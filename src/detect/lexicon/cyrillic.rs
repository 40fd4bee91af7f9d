//! Cyrillic spelling: the folds that let Ukrainian and Russian spellings of
//! one word meet, Ukrainian euphony, and the case endings a name may carry.

/// Ukrainian letters levelled to their Russian counterparts: ґ→г, є→е,
/// і/ї→и. Revisions treat the result as the same word (2019 Ukrainian
/// orthography, Russian vs Ukrainian spellings of names: грати/ґрати,
/// проект/проєкт); loose keys build on it ([`loose_letter`]).
pub fn level_spelling(c: char) -> char {
    match c {
        'ґ' => 'г',
        'є' => 'е',
        'ї' | 'і' => 'и',
        c => c,
    }
}

/// One letter of a loose key (statements): [`level_spelling`], and й→и, with
/// ь, ъ and apostrophes dropped (`None`), so that Зеленський = Зеленский and
/// Пєсков = Песков. Looser than revisions need: й/и and a soft sign tell
/// common words apart (мой/мои, брат/брать), where for a name they are
/// transliteration noise.
pub fn loose_letter(c: char) -> Option<char> {
    match c {
        'ь' | 'ъ' | '\'' => None,
        'й' => Some('и'),
        c => Some(level_spelling(c)),
    }
}

/// Ukrainian euphony (милозвучність): the same preposition or conjunction
/// spelled by its neighbouring sounds, e.g. texty.org.ua "у Росії" → "в
/// Росії", "з Херсонщини" → "із Херсонщини". The form a variant stands for
/// (folded words), for Ukrainian text only: Russian "в" and "у" differ.
pub fn euphonic_base(word: &str) -> Option<&'static str> {
    match word {
        "в" => Some("у"),
        "й" => Some("і"),
        "із" | "зі" | "зо" => Some("з"),
        _ => None,
    }
}

/// Case endings a Cyrillic name may carry after its nominative form, as
/// loose keys (й→и, ь dropped): Песков/Пескову/Песковым, Путин/Путина.
/// Russian and Ukrainian.
#[rustfmt::skip]
pub const CASE_ENDINGS: &[&str] = &[
    "а", "у", "ом", "ым", "им", "ем", "е", "ои", "ою", "ого", "ому", "ыи", "ии", "и", "ы", "ю",
    "я", "ов", "ых", "их", "ове", "еве", "ови",
];
