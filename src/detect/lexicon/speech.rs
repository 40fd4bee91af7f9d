//! Speech: the verbs that attribute words to someone, the pronouns that
//! stand for a speaker, and the words between a verb and its quote.
//!
//! Revisions and statements keep separate verb lists on purpose. Revisions
//! compare the words before the verb between two versions (who accuses or
//! blames whom), so only verbs whose subject speaks may count: with the
//! statements' report verbs, "Fighting continued…" → "Shelling continued…"
//! would be a speaker change. Statements ask which verb introduces a quote,
//! and report verbs ("added", "noted") do. (Merged, the corpus figures do
//! not move; the revisions tests show the difference.)

/// Verbs that attribute speech or blame, for revisions' `speaker changed`:
/// the words before them are who says what. Folded; English, Russian,
/// Ukrainian.
#[rustfmt::skip]
pub const SPEECH_AND_BLAME_VERBS: &[&str] = &[
    "say", "says", "said", "tell", "tells", "told", "accuse", "accuses", "accused", "claim",
    "claims", "claimed", "deny", "denies", "denied", "warn", "warns", "warned", "insist",
    "insists", "insisted", "blame", "blames", "blamed",
    // Russian
    "заявил", "заявила", "заявили", "заявляет", "заявляют", "сказал", "сказала", "сказали",
    "сообщил", "сообщила", "сообщили", "обвинил", "обвинила", "обвинили", "обвиняет", "обвиняют",
    "утверждает", "утверждают", "отрицает",
    // Ukrainian
    "заявив", "заявляє", "заявляють", "сказав", "повідомив", "повідомила", "повідомили",
    "звинуватив", "звинуватила", "звинуватили", "звинувачує", "звинувачують", "стверджує",
    "заперечує",
];

/// English verbs that attribute a quote to a speaker (statements), as loose
/// keys. "called" is left out: "so-called" splits into two words and "X
/// called it 'Y'" is nearly always a label.
#[rustfmt::skip]
pub const QUOTE_VERBS_EN: &[&str] = &[
    "said", "says", "say", "told", "tells", "added", "adds", "stated", "states", "noted", "notes",
    "stressed", "stresses", "emphasized", "emphasised", "emphasizes", "emphasises", "underlined",
    "underscored", "declared", "announced", "warned", "warns", "insisted", "insists", "claimed",
    "claims", "wrote", "writes", "explained", "asserted", "remarked", "replied", "answered",
    "responded", "argued", "commented", "reiterated", "continued", "saying", "adding", "telling",
    "posted", "urged", "acknowledged", "admitted", "promised", "vowed", "pledged", "asked",
    // Not speech of a speaker, but speech: a sentence with one of these is
    // someone else's report ("a Washington Post article pointed out that…").
    "pointed", "reported", "cited", "quoted",
];

/// Russian and Ukrainian verbs that attribute a quote to a speaker
/// (statements), as loose keys (й→и, і→и, ь dropped).
#[rustfmt::skip]
pub const QUOTE_VERBS_CYRILLIC: &[&str] = &[
    // Russian
    "заявил", "заявила", "заявили", "заявляет", "сказал", "сказала", "сказали", "говорит",
    "отметил", "отметила", "отмечает", "подчеркнул", "подчеркнула", "подчеркивает", "сообщил",
    "сообщила", "сообщает", "добавил", "добавила", "пояснил", "пояснила", "уточнил", "уточнила",
    "указал", "указала", "констатировал", "заверил", "заверила", "написал", "написала", "пишет",
    "ответил", "ответила", "признал", "признала", "предупредил", "напомнил", "напомнила",
    "заметил", "рассказал", "рассказала", "призвал", "объяснил", "считает",
    // Ukrainian (loose keys)
    "заявив", "заявляе", "сказав", "каже", "наголосив", "наголосила", "наголошуе", "зазначив",
    "зазначила", "зазначае", "повидомив", "повидомила", "повидомляе", "додав", "додала",
    "пидкреслив", "пидкреслила", "пояснив", "уточнив", "написав", "пише", "видпов", "видповив",
    "нагадав", "попередив", "розповив", "розповила", "закликав", "вважае",
];

/// Verbs of a `Zelensky says …` / `…, says Lavrov` headline (folded): a
/// few, because a headline verb is followed by its statement only for
/// these.
#[rustfmt::skip]
pub const HEADLINE_VERBS: &[&str] = &[
    "says", "said", "tells", "warns", "insists", "claims", "заявил", "заявила", "заявив",
];

/// The [`HEADLINE_VERBS`] that may open a headline statement (`Zelensky says
/// …`); after the others an object follows ("Trump warns Colombian
/// president…", "Erdogan tells Putin…"), not the statement.
#[rustfmt::skip]
pub const HEADLINE_LEADING_VERBS: &[&str] = &[
    "says", "said", "claims", "заявил", "заявила", "заявив",
];

/// Pronouns that stand for the speaker of the previous sentence (`“…,” he
/// added`, `добавил он`), as loose keys; English, Russian, Ukrainian.
#[rustfmt::skip]
pub const SPEAKER_PRONOUNS: &[&str] = &[
    "he", "she", "they", "он", "она", "они", "вин", "вона", "вони",
];

/// Words that may sit between a speech verb and a quote it introduces
/// (`said that "…"`, `сказал журналистам: «…»`); folded.
#[rustfmt::skip]
pub const QUOTE_INTRO_WORDS: &[&str] = &[
    "that", "reporters", "journalists", "что", "що", "журналистам", "журналістам",
];
