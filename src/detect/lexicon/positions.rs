//! Positions: the terms that say which negotiating issue a statement is
//! about, and the cues of the stance it takes (readiness, refusal,
//! condition, demand, offer, acceptance, rejection, and verdicts on the
//! other side or on progress). Word *prefixes*, folded (`crate::text::fold`,
//! then apostrophes dropped); English, Russian, Ukrainian. A word matches a
//! prefix when it starts with it; a prefix ending in `$` must be the whole
//! word. Phrases are several prefixes in a row; a hyphen splits words
//! ("28 point" matches "28-point"), and a possessive 's is cut. Every entry
//! must be reachable in that form (`statements` tests check it).

/// Issue terms, by issue name (`detect::statements::Issue`), with a weight:
/// a specific term (prisoner swap, Crimea) outweighs a general one (talks).
/// The issue with the highest sum wins; ties go to the earlier issue here.
/// The general `talks` terms count at most [`TALKS_CAP`] together: many
/// talk words do not outweigh one specific term.
/// See [`ISSUE_TERMS`].
pub const TALKS_CAP: u32 = 2;

#[rustfmt::skip]
pub const ISSUE_TERMS: &[(&str, &[(&str, u8)])] = &[
    ("humanitarian", &[
        ("prisoner", 3), ("pows$", 3), ("pow$", 3), ("swap", 2), ("exchang", 2), ("bodies", 3),
        ("repatriat", 3), ("humanitarian", 2), ("children", 2), ("пленн", 3), ("обмен", 2),
        ("тел$", 2), ("полонен", 3), ("обмін", 2), ("тіл$", 2), ("гуманитар", 2), ("гуманітар", 2),
    ]),
    ("ceasefire", &[
        ("ceasefire", 3), ("cease fire", 3), ("truce", 3), ("armistice", 3), ("moratorium", 2),
        ("перемир", 3), ("прекращени огня", 3), ("припиненн вогню", 3), ("перемир'я", 3),
    ]),
    ("elections", &[
        ("election", 3), ("referendum", 3), ("legitima", 3), ("illegitima", 3), ("martial law", 3),
        ("vote", 2), ("ballot", 2), ("выбор", 3), ("референдум", 3), ("легитим", 3), ("вибор", 3),
        ("легітим", 3), ("военн положени", 3), ("воєнн стан", 3),
    ]),
    ("sanctions", &[
        ("sanction", 3), ("tariff", 2), ("oil", 1), ("lukoil", 2), ("rosneft", 2), ("embargo", 2),
        ("санкц", 3), ("пошлин", 2), ("мит$", 1),
    ]),
    ("territory", &[
        ("territor", 3), ("donbass", 3), ("donbas", 3), ("crimea", 3), ("donetsk", 3),
        ("luhansk", 3), ("lugansk", 3), ("zaporozh", 2), ("kherson", 3), ("novorossi", 3),
        ("znpp", 3), ("nuclear power plant", 3), ("withdraw", 2), ("buffer zone", 3), ("land", 1),
        ("border", 1), ("recogni", 2), ("территор", 3), ("донбасс", 3), ("крым", 3), ("донецк", 3),
        ("луганск", 3), ("запорож", 2), ("херсон", 3), ("вывод войск", 3), ("територ", 3),
        ("донбас", 3), ("крим", 3), ("виведенн", 3), ("запоріж", 2),
    ]),
    ("guarantees", &[
        ("guarant", 3), ("security system", 3), ("security model", 3),
        ("security commitment", 3), ("military mission", 3), ("nato", 2), ("troops", 2), ("peacekeep", 3), ("neutral", 3),
        ("non aggression", 3), ("nonaggression", 3), ("army size", 3),
        ("army cap", 3), ("reassurance force", 3), ("security agreement", 3),
        ("security architecture", 2), ("contingent", 2), ("deploy", 1), ("гарант", 3), ("нато", 2),
        ("войск", 1), ("миротвор", 3), ("нейтрал", 3), ("ненападени", 3), ("військ", 1),
        ("ненапад", 3), ("military target", 3), ("legitimate target", 3),
        ("security issue", 3), ("european security", 3), ("coalition of the willing", 3),
    ]),
    ("plan", &[
        ("plan$", 2), ("peace plan", 3), ("28 point", 3), ("20 point", 3), ("22 point", 3),
        ("12 point", 3), ("agreement", 2), ("deadline", 2), ("concession", 2),
        ("outcome", 2), ("result", 2), ("red line", 2), ("open question", 2),
        ("draft", 2), ("document", 2), ("framework", 2), ("anchorage", 2), ("alaska", 2),
        ("understanding", 2), ("root cause", 3), ("underlying cause", 3), ("terms", 2), ("memorandum", 2), ("version", 2),
        ("proposal", 2), ("provision", 2), ("position", 1), ("план", 2), ("пункт", 1), ("проект", 2), ("документ", 2),
        ("анкоридж", 2), ("аляск", 2), ("договоренност", 1), ("первопричин", 3), ("предложени", 2),
        ("пропозиц", 2), ("домовленост", 1),
    ]),
    ("talks", &[
        ("talk", 2), ("negotiat", 2), ("meeting", 2), ("meet", 2), ("summit", 2), ("dialogue", 2),
        ("contact", 2), ("call$", 2), ("phone", 2), ("visit", 2), ("consultation", 2), ("mediat", 1), ("venue", 2),
        ("host", 2), ("deal", 1), ("settl", 1), ("peace", 1), ("conversation", 1), ("round", 2),
        ("delegation", 2), ("envoy", 1), ("conflict", 1), ("resolv", 1), ("solution", 1),
        ("discuss", 1), ("diplomac", 1), ("communicat", 1), ("channel", 1), ("interaction", 1),
        ("war$", 1), ("format", 1), ("effort", 1), ("speak", 1), ("spoke", 1),
        ("telephone", 2), ("arriv", 1), ("переговор", 2), ("встреч", 2), ("саммит", 2),
        ("диалог", 2), ("контакт", 2), ("урегулир", 1), ("мир", 1), ("перемовин", 2), ("зустріч", 2),
        ("саміт", 2), ("діалог", 2), ("врегулюван", 1),
    ]),
];

/// Stance cues, by stance name (`detect::statements::Stance`). The first
/// stance here with a cue in the statement wins, so the narrow, strong
/// kinds (a condition, a rejection) come before the broad ones.
#[rustfmt::skip]
pub const STANCE_CUES: &[(&str, &[&str])] = &[
    ("condition", &[
        "only if", "only after", "only when", "only once", "not before", "until$", "unless",
        "provided", "on condition", "depends on", "depend on", "hinge", "if$", "once$",
        "in case", "как только", "только после", "только если", "при условии", "если$",
        "пока не", "лише після", "лише якщо", "за умови", "якщо$", "доки не", "поки не",
    ]),
    ("rejection", &[
        "reject", "rule out", "rules out", "ruled out", "unacceptable", "not like", "won't accept",
        "will not accept", "object to", "oppose", "no chance", "never", "tougher", "toughen",
        "harder line", "отверг", "исключ", "неприемлем", "никогда", "відкин", "виключ",
        "неприйнятн", "ніколи",
    ]),
    ("refusal", &[
        "refus", "won't", "will not", "not going to", "not ready", "unwilling", "unwillingness",
        "reluctan", "halt", "stopped", "no need", "not participat", "not taking part",
        "отказ", "не готов", "не намерен", "відмов", "не готов", "не має наміру",
    ]),
    ("demand", &[
        "must", "should", "need", "needs", "have to", "has to", "will have to", "require",
        "demand", "insist", "seek", "call on", "calls on", "urge", "должн", "нужн", "необходим",
        "требу", "потрібн", "повинн", "мають", "має$", "вимага",
    ]),
    ("acceptance", &[
        "agree$", "agrees$", "agreed to", "agreed that", "has agreed", "have agreed", "accept",
        "backs$", "backed$", "backing$", "support", "welcome", "fine with", "acceptable", "positive",
        "substantive", "согласи", "соглас", "принима", "поддерж", "приветству", "погоди",
        "згод", "прийма", "підтрим", "вітає",
    ]),
    ("offer", &[
        "offer", "propos", "consider", "not final", "concession", "compromise", "flexib",
        "предлага", "предлож", "рассмотр", "компромисс", "пропону", "розгляну", "компроміс",
    ]),
    ("readiness", &[
        "ready", "willing", "open to", "interested", "prepared to", "готов", "открыт",
        "заинтересован", "готовий", "готова", "відкрит", "зацікавлен",
    ]),
    ("verdict", &[
        "progress", "closer", "nearing", "constructive", "productive", "good chance", "optimis",
        "breakthrough", "blocked", "stalled", "stalemate", "deadlock", "sabotag", "obstruct",
        "bad faith", "good faith", "not serious", "serious about", "excellent", "successful",
        "прогресс", "конструктив", "продуктив", "тупик", "саботир", "прогрес", "глухий кут",
    ]),
];

/// Verbs of conceding ("admits", "acknowledges"): with a negation and no
/// other stance cue ("admits that Ukraine cannot take … back") the speaker
/// gives up a claim, a concession (an offer); without one it is an
/// admission of fact, no stance.
#[rustfmt::skip]
pub const CONCESSION_CUES: &[&str] = &[
    "admit", "acknowledg", "concede", "призна", "визна",
];

/// Cues of a position that says it has changed: terms made worse for the
/// other side, a stance toughened or softened ("will have to return to talks
/// from a worse position", "will toughen its stance"). Such a statement is a
/// move even in the direction of the last one.
#[rustfmt::skip]
pub const CHANGE_CUES: &[&str] = &[
    "worse position", "weaker position", "worse terms", "worse condition", "harsher terms",
    "toughen", "tougher", "harden", "harder line", "soften", "softer", "no longer",
    "ужесточ", "жестче", "худш позици", "худш услови", "смягч", "больше не",
    "жорсткіш", "посилить позиц", "гірш позиц", "гірш умов", "пом'якш", "більше не",
];

/// Words of someone's view that a speaker agrees with ("agrees with
/// Trump's assessment that …"): the view is the stance, a verdict.
#[rustfmt::skip]
pub const VIEW_WORDS: &[&str] = &[
    "assessment", "view", "opinion", "estimate", "оценк", "мнени", "оцінк", "думк",
];

/// What a `talks` statement is about, by aspect name
/// (`detect::statements::Aspect`): where (a venue, hosting), the format
/// (public or not, working groups, who sits at the table), when (timing,
/// urgency), a date (a meeting on a given day). Whether to talk at all is
/// the rest. The first aspect here with a cue wins.
#[rustfmt::skip]
pub const TALKS_ASPECTS: &[(&str, &[&str])] = &[
    ("where", &[
        "host$", "hosts$", "hosted$", "hosting$", "venue", "площадк", "мест проведени",
        "майданчик", "місц проведенн",
    ]),
    ("format", &[
        "format", "megaphone", "public", "working group", "trilateral", "bilateral", "direct$",
        "directly", "level$", "mediat", "формат", "публичн", "рабоч групп", "трехсторон",
        "двусторон", "прям", "посредн", "публічн", "робоч груп", "тристорон", "двосторон",
        "посередн",
    ]),
    ("when", &[
        "soon", "urgen", "timing", "timeframe", "schedul", "postpon", "delay", "later$",
        "скоро", "срочн", "срок", "отлож", "перенес", "терміно", "невдовз", "строк", "відклад",
    ]),
    // A meeting on a given day: schedule news.
    ("date", &[
        "date$", "dates$", "week", "month", "tomorrow", "today", "дат", "недел", "тижн",
        "завтра", "сегодня", "сьогодні",
        "january", "february", "march$", "april", "june", "july", "august", "september",
        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "январ", "феврал", "март", "апрел", "мая$", "июн", "июл", "август",
        "сентябр", "октябр", "ноябр", "декабр", "понедельник", "вторник", "четверг", "пятниц",
        "суббот", "воскресень", "січн", "лютого", "березн", "квітн", "травн", "червн", "липн",
        "серпн", "вересн", "жовтн", "листопад", "грудн", "понеділ", "вівтор", "четвер",
        "п'ятниц", "субот", "неділ",
    ]),
];

/// Cues of a position restated ("continue to", "remains", "reaffirms",
/// "agree to maintain dialogue"): a statement with one keeps its stance but
/// is never a shift — repeating a known position is not a move.
#[rustfmt::skip]
pub const RESTATEMENT_CUES: &[&str] = &[
    "continu", "remain", "still$", "reaffirm", "reiterat", "as before", "keep", "keeps$",
    "maintain", "сохран", "зберіг", "зберег",
    "продолж", "по прежнему", "остает", "вновь", "снова", "продовж", "як і раніше",
    "залишаєт", "знову",
];
