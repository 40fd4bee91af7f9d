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
    "заметил", "рассказал", "рассказала", "призвал", "обяснил", "считает",
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

/// Words after a speaker that open a headline statement (`Zelensky says …`,
/// `Trump confident …`, `Kremlin keeps details … under wraps`) or close one
/// (`…, Szijjarto hopes`): verbs of saying, thinking and taking a stance,
/// and the predicative adjectives of a stance, folded. Reported speech
/// without quotes is how agencies headline a statement.
#[rustfmt::skip]
pub const HEADLINE_LEADING_VERBS: &[&str] = &[
    "says", "said", "claims", "believes", "thinks", "expects", "hopes", "admits", "acknowledges",
    "confirms", "denies", "rejects", "announces", "states", "asserts", "notes", "points", "sees",
    "calls", "urges", "warns", "vows", "insists", "stresses", "describes", "reminds", "agrees",
    "refuses", "offers", "proposes", "demands", "wants", "plans", "refrains", "tells", "informs",
    "confident", "sure", "convinced", "optimistic", "pessimistic", "doubts", "does", "ready",
    "willing", "open", "backs", "supports", "opposes", "keeps", "defends", "reaffirms", "rules",
    "criticizes", "accuses", "blames", "knows", "considers", "predicts", "speaks", "comments",
    "talks", "explains", "assures", "suggests", "emphasizes", "welcomes", "threatens", "promises",
    "questions", "dismisses", "doesn't", "won't", "will", "can", "cannot", "must", "should",
    "reiterates", "recalls", "unaware", "uninformed", "skeptical", "sceptical", "satisfied",
    "disappointed", "certain", "expresses", "signals", "highlights", "argues", "adds", "lays",
    "regrets", "praises", "slams", "seeks", "intends", "declines", "voices", "outlines", "has",
    "to", "told", "deems", "fears", "hints", "indicates", "blasts", "heralds", "provides", "jokes",
    // Russian
    "заявил", "заявила", "заявляет", "считает", "уверен", "уверена", "надеется", "ожидает",
    "допустил", "допускает", "признал", "признала", "отметил", "подчеркнул", "сообщил",
    "пообещал", "предупредил", "призвал", "отверг", "исключил", "исключает", "готов", "готова",
    "назвал", "заверил", "указал", "уточнил", "рассказал", "объяснил", "не",
    // Ukrainian
    "заявив", "заявила", "заявляє", "вважає", "впевнений", "упевнений", "сподівається",
    "очікує", "припустив", "визнав", "визнала", "наголосив", "зазначив", "повідомив", "пообіцяв",
    "попередив", "закликав", "відкинув", "виключив", "виключає", "готовий", "готова", "назвав",
    "запевнив", "пояснив", "розповів",
];

/// Verbs of intent that, right after the name and before "to", describe
/// what someone is after as others see it ("Zelensky seeks to drag out
/// talks", "… tries to …"): no statement of that person unless the
/// headline names who says it ("— Lavrov", ", Lavrov says"), folded.
#[rustfmt::skip]
pub const HEADLINE_INTENT_VERBS: &[&str] = &[
    "seeks", "seeking", "tries", "trying", "attempts", "attempting", "strives", "striving",
    "aims", "plots", "schemes",
];

/// Words after a possessive speaker that make the headline a digest of
/// the speaker's statements (`Lavrov’s remarks on …`, `… : Trump's
/// statements`), folded.
#[rustfmt::skip]
pub const DIGEST_WORDS: &[&str] = &[
    "statements", "remarks", "comments", "statement", "words", "speech", "interview",
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
