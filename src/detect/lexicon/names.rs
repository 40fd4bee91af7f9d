//! Words around names: the titles that may stand before a surname, and the
//! abbreviations after which a full stop does not end a sentence.

/// Capitalised words that may stand before a surname ("President Putin",
/// "Kremlin spokesman Peskov"), so the surname is not taken for someone
/// else's ("Eric Trump"). English, as loose keys.
#[rustfmt::skip]
pub const TITLES: &[&str] = &[
    "president", "prime", "minister", "pm", "spokesman", "spokesperson", "envoy", "secretary",
    "chancellor", "leader", "senator", "mr", "mrs", "ms", "dr", "gen", "foreign", "kremlin",
    "russian", "ukrainian", "us", "u.s", "turkish", "american", "special", "aide", "chief", "head",
    "adviser", "advisor", "press", "former", "ex", "envoys",
];

/// Words before a full stop that do not end a sentence (folded): English
/// titles, ranks, months and company forms; Russian and Ukrainian units and
/// address words.
#[rustfmt::skip]
pub const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "st", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vs", "etc", "inc", "jr", "sr", "prof",
    "gov", "sen", "rep", "maj", "capt", "adm", "corp", "co", "ltd", "mt", "ft",
    // Russian and Ukrainian
    "г", "гг", "им", "ул", "тыс", "млн", "млрд", "руб", "долл", "пер", "см", "т", "д", "тис", "грн",
];
