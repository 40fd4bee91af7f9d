//! Cue words of edit significance (revisions): the few words whose change
//! turns a rewording into a new fact. Folded; English, Russian, Ukrainian.
//! `revisions` compares them by stem, so one form of each word is enough
//! where the stemmer joins the others (rise = rises = rising).

/// Function words a revision ignores when it compares content words:
/// articles, prepositions, auxiliaries, pronouns, conjunctions. Adding "the"
/// or swapping "following" for "after" changes nothing a reader needs.
#[rustfmt::skip]
pub const FILLER: &[&str] = &[
    "the", "a", "an", "of", "in", "on", "at", "for", "with", "by", "from", "into", "onto", "as",
    "and", "or", "but", "is", "are", "am", "was", "were", "be", "been", "being", "has", "have",
    "had", "having", "do", "does", "did", "it", "its", "they", "their", "them", "he", "his", "him",
    "she", "her", "we", "our", "us", "you", "your", "i", "that", "this", "these", "those",
    "which", "who", "whom", "there", "here", "so", "then", "than", "about", "after", "following",
    "before", "ahead", "over", "while", "amid", "during", "also", "just", "some", "one", "both",
    "own", "s", "t", "ll", "re", "ve", "d",
    // Russian
    "в", "во", "на", "и", "с", "со", "по", "о", "об", "обо", "из", "за", "к", "ко", "для", "что",
    "как", "от", "до", "а", "у", "это", "этот", "эта", "эти", "его", "ее", "их", "же", "ли", "бы",
    "то", "или", "при", "после", "он", "она", "они", "оно", "который", "которая", "которые",
    "которого", "которой", "которых", "свой", "своей", "своих", "свои", "также", "уже",
    // Ukrainian
    "і", "й", "та", "з", "із", "зі", "про", "що", "як", "це", "цей", "ця", "ці", "її", "або",
    "після", "від", "він", "вона", "вони", "який", "яка", "які", "якого", "також", "вже",
];

/// Words that say an event has not happened yet: it is set, poised,
/// expected, planned, likely, coming. Dropping one while the rest of the
/// headline stays turns "will" into "does" ("is set to mark" → "marks").
#[rustfmt::skip]
pub const PENDING: &[&str] = &[
    "will", "ll", "set", "poised", "expected", "likely", "plans", "planned", "planning", "plan",
    "prepares", "preparing", "heading", "looks", "may", "might", "could", "faces", "facing",
    "seek", "seeks", "seeking", "aim", "aims", "intend", "intends", "headed", "upcoming", "pending", "possible", "potential",
    "awaits", "awaiting", "approaches", "nears", "nearing", "ahead",
    // Russian
    "будет", "будут", "может", "могут", "собирается", "намерен", "намерена", "планирует",
    "планируют", "готовится", "готовятся", "ожидается", "ожидают", "предстоит", "возможно",
    "намерены", "хочет", "хотят",
    // Ukrainian
    "буде", "будуть", "може", "можуть", "збирається", "планує", "плануют", "готується",
    "очікується", "має", "мають", "хоче",
];

/// Outcome words: the event reached an end state (passed, convicted,
/// freed, killed, resigned, ended). One added where it was not before is a
/// development a reader needs ("faces 5 years" → "sentenced to 5 years").
#[rustfmt::skip]
pub const OUTCOME: &[&str] = &[
    "pass", "passes", "passed", "enact", "enacts", "approve", "approves", "approved", "reject",
    "rejects", "rejected", "sign", "signs", "signed", "win", "wins", "won", "lose", "loses",
    "sentenced", "convicted", "acquitted", "freed", "released", "arrested", "detained", "jailed",
    "charged", "killed", "dies", "died", "dead", "deadly", "resign", "resigns", "resigned", "quit",
    "quits", "collapse", "collapses", "ends", "ended", "halted", "halts", "agree", "agrees",
    "agreed", "adopt", "adopts", "adopted", "elected", "sworn", "lands", "landed", "arrested",
    "withdraws", "withdrew", "fired", "ousted", "impeached", "pleads", "guilty", "struck",
    "attacked", "intercepted", "evacuated", "positive", "banned", "suspended", "cancelled",
    "canceled", "closed", "opens", "opened", "raises", "raised", "cuts", "launched", "arrives",
    "arrived", "leaves", "blocked", "destroyed", "demolished", "bulldozed", "razed",
    // Russian
    "принят", "принял", "приняла", "принят", "одобрил", "одобрила", "отклонил", "отклонила",
    "подписал", "подписала", "осужден", "осуждена", "приговорил", "приговорила", "приговорен",
    "оправдан", "освобожден", "освободили", "освободилась", "освободился", "задержан", "задержана",
    "задержали", "арестован", "арестована", "арестовали", "погиб", "погибли", "убит", "убиты",
    "умер", "умерла", "уволен", "уволили", "отставку", "закончился", "завершился", "запретил",
    "запретила", "внесет", "внес", "внесла", "ввел", "ввела", "избран", "избрана",
    "заблокировали", "заблокировал", "заблокировала", "заблокирован", "заблокирована",
    "разрушен", "разрушена", "разрушили", "снесли",
    // Ukrainian
    "ухвалив", "ухвалила", "підписав", "засуджено", "засудив", "звільнено", "затримано",
    "затримали", "заарештовано", "загинув", "загинули", "вбито", "помер", "померла",
    "заблокували", "заблоковано", "зруйновано", "знищено",
];

/// Markets and amounts that go up.
#[rustfmt::skip]
pub const UP: &[&str] = &[
    "rise", "rises", "rising", "rose", "gain", "gains", "climb", "climbs", "jump", "jumps",
    "surge", "surges", "soar", "soars", "rally", "rallies", "leap", "leaps", "higher", "up",
    "rebound", "rebounds", "bounce", "bounces", "advance", "advances", "increase", "increases",
    "grow", "grows", "spurt", "spurting", "tops", "top",
    "растет", "вырос", "выросла", "выросли", "повысил", "повысила", "увеличил", "увеличилось",
    "зростає", "зріс", "зросла", "зросли", "підвищив",
];

/// Markets and amounts that go down.
#[rustfmt::skip]
pub const DOWN: &[&str] = &[
    "fall", "falls", "falling", "fell", "drop", "drops", "dropping", "slip", "slips", "sink",
    "sinks", "slide", "slides", "decline", "declines", "dip", "dips", "lower", "down", "retreat",
    "retreats", "slump", "slumps", "plunge", "plunges", "tumble", "tumbles", "ease", "eases",
    "sag", "sags", "decrease", "decreases", "shrink", "shrinks", "sank", "slid",
    "падает", "упал", "упала", "упали", "снизил", "снизила", "снизилась", "сократил",
    "падає", "впав", "впала", "впали", "знизив", "знизилась",
];

/// Words for a record or a threshold ("records", "record high").
#[rustfmt::skip]
pub const RECORD: &[&str] = &["record", "records", "рекорд", "рекорда", "рекорды", "рекорди"];

/// Words that put a figure short of a record: near it, toward it, below it.
/// When they go and the record stays, the record was reached or lost.
#[rustfmt::skip]
pub const SHORT_OF: &[&str] = &[
    "near", "toward", "towards", "below", "under", "close", "hover", "hovers", "hang", "hangs",
    "approach", "approaches", "edge", "edges", "hold", "holds", "hesitate", "hesitates",
    "около", "близко", "ниже", "біля", "нижче",
];

/// Words that attribute a claim to a source (the speech verbs of
/// `speech` cover who said it; these are the reporting forms).
#[rustfmt::skip]
pub const ATTRIBUTION: &[&str] = &[
    "says", "say", "said", "tells", "told", "reports", "reported", "according", "claims",
    "claimed", "alleges", "alleged", "reportedly",
    "пишут", "сообщает", "сообщают", "сообщил", "сообщила", "сообщили", "заявил", "заявила",
    "заявили", "утверждает", "утверждают", "данным", "сми", "источники",
    "пишуть", "повідомляє", "повідомив", "повідомила", "заявив", "заявила", "стверджує", "даними",
];

/// Ordinals written as words, with the digit form a feed may use instead
/// ("1st" = "first").
#[rustfmt::skip]
pub const ORDINALS: &[(&str, &str)] = &[
    ("first", "1st"), ("second", "2nd"), ("third", "3rd"), ("fourth", "4th"), ("fifth", "5th"),
    ("sixth", "6th"), ("seventh", "7th"), ("eighth", "8th"), ("ninth", "9th"), ("tenth", "10th"),
];

/// Near-synonyms of general news vocabulary: a word of a group swapped for
/// another of the same group says the same thing ("kills" → "strikes" is
/// not this; "Supreme Court" → "top court", "jet" → "plane", "officers" →
/// "police" are). `revisions` pairs them off by stem, like spelling fixes.
/// The up and down words of [`UP`] and [`DOWN`] are groups too. No name,
/// place or figure belongs here.
#[rustfmt::skip]
pub const SYNONYMS: &[&[&str]] = &[
    // English
    &["say", "says", "said", "tell", "tells", "told"],
    &["hit", "hits", "strike", "strikes", "struck"],
    &["kill", "kills", "killed", "die", "dies", "died"],
    &["begin", "begins", "began", "start", "starts", "started", "kick", "kicks"],
    &["top", "supreme", "highest"],
    &["police", "officers", "policemen", "cops"],
    &["jet", "plane", "aircraft", "airliner"],
    &["ship", "vessel"],
    &["boss", "chief", "head", "leader"],
    &["talks", "negotiations"],
    &["deal", "agreement", "accord", "pact"],
    &["ceasefire", "truce"],
    &["attack", "attacks", "assault"],
    &["blast", "explosion"],
    &["fire", "blaze"],
    &["probe", "investigation", "investigate", "investigates"],
    &["kids", "children", "child"],
    &["shares", "stocks", "equities"],
    &["oil", "crude"],
    &["lawmakers", "legislators"],
    &["jail", "prison"],
    &["quit", "quits", "resign", "resigns", "resigned"],
    &["trip", "visit", "tour"],
    &["help", "aid", "assist"],
    &["steady", "flat", "unchanged"],
    &["former", "ex"],
    // Russian
    &["заявил", "заявила", "заявили", "сказал", "сказала", "сказали", "сообщил", "сообщила",
      "сообщили"],
    &["погиб", "погибла", "погибли", "умер", "умерла", "умерли", "убит", "убита", "убиты"],
    &["удар", "удары", "атака", "атаки", "нападение"],
    &["глава", "руководитель", "начальник", "лидер"],
    &["беспилотник", "беспилотники", "дрон", "дроны", "бпла"],
    &["самолет", "лайнер"],
    &["фильм", "фильмы", "картина", "картины"],
    &["бывший", "бывшего", "бывшему", "бывшим", "экс"],
    // Ukrainian
    &["заявив", "заявила", "заявили", "сказав", "сказала", "сказали", "повідомив",
      "повідомила", "повідомили"],
    &["загинув", "загинула", "загинули", "помер", "померла", "померли", "вбито", "вбитий"],
    &["удар", "удари", "атака", "атаки", "напад"],
    &["голова", "керівник", "очільник", "лідер"],
    &["безпілотник", "безпілотники", "дрон", "дрони", "бпла"],
    &["літак", "лайнер"],
];
