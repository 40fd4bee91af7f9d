//! Function words: words that carry no event, no content or no actor, and
//! are dropped or skipped.
//!
//! Stories and statements keep separate stopword lists on purpose. A
//! fingerprint drops what does not tell one event from another: the speech
//! verbs of every headline ("says", "заявил") and negation go too. Statement
//! similarity keeps negation apart (a negated statement is not a repeat) and
//! drops more pronouns and auxiliaries. One list for both moves the TASS
//! false merges of the stories tests from 56 to 57 pairs; and fingerprints
//! are stored, so the items fingerprinted before and after a change in the
//! fingerprint list would no longer meet.

/// Dropped before a fingerprint's shingles (stories; folded): "the", "в",
/// "у" carry no event and would make unrelated headlines share shingles.
/// English, Russian, Ukrainian.
#[rustfmt::skip]
pub const FINGERPRINT_STOPWORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "with", "by", "at", "from", "as",
    "is", "are", "be", "was", "were", "been", "has", "have", "had", "will", "would", "it", "its",
    "this", "that", "these", "those", "he", "his", "she", "her", "they", "their", "we", "our", "i",
    "you", "after", "over", "into", "about", "but", "not", "than", "so", "says", "said", "say",
    "amid", "while", "what", "who", "how", "why", "new",
    // Russian
    "в", "во", "на", "и", "с", "со", "по", "о", "об", "из", "за", "к", "ко", "для", "что", "как",
    "от", "до", "а", "у", "не", "это", "его", "ее", "их", "же", "ли", "бы", "то", "но", "или",
    "при", "после", "заявил", "заявила",
    // Ukrainian ("до" is in the Russian row)
    "і", "й", "та", "з", "із", "зі", "про", "що", "як", "це", "його", "її", "або", "після",
    "заявив", "від",
];

/// Dropped before comparing two statements (statements; loose keys).
/// English, Russian, Ukrainian.
#[rustfmt::skip]
pub const SIMILARITY_STOPWORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "with", "by", "at", "from", "as",
    "is", "are", "be", "was", "were", "been", "has", "have", "had", "will", "would", "it", "its",
    "this", "that", "these", "those", "we", "our", "they", "their", "he", "his", "she", "her", "i",
    "you", "there", "which", "who", "what", "but", "also", "about", "into", "than", "so", "if",
    "do", "does", "did", "can", "could", "should", "may", "must", "all", "any",
    // Russian
    "в", "во", "на", "и", "с", "со", "по", "о", "об", "из", "за", "к", "ко", "для", "что", "как",
    "от", "до", "а", "у", "это", "этот", "эти", "его", "ее", "их", "мы", "вы", "он", "она", "они",
    "бы", "же", "ли", "то", "так", "но", "или", "при", "уже", "еще", "будет", "был", "была",
    "было", "быт", "все", "всех", "сеичас",
    // Ukrainian (із, для, при and їх have the loose keys of the Russian row)
    "та", "що", "як", "це", "ми", "ви", "вин", "вона", "вони", "або", "вже", "ще", "буде", "був",
    "була", "було", "бути", "ваш", "наш", "над", "пид", "тому", "иого", "ии",
];

/// Skipped when collecting who speaks (revisions; revision keys): articles
/// and auxiliaries ("Operator of hantavirus-hit ship will say…", AP
/// 20260513T182509Z). English, Russian, Ukrainian.
#[rustfmt::skip]
pub const NOT_ACTORS: &[&str] = &[
    "the", "a", "an", "will", "would", "has", "have", "had", "is", "are", "was", "were", "also",
    "reportedly", "did", "does", "do", "could", "may", "might", "must", "should", "can",
    "также", "уже",
    "теж", "вже",
];

/// Words that show a headline tail is not the speaker's tag (statements;
/// loose keys): "— Kazakh leader at meeting with Putin" names Putin without
/// quoting him. English, Russian, Ukrainian.
#[rustfmt::skip]
pub const HEADLINE_TAIL_WORDS: &[&str] = &[
    "with", "at", "to", "in", "on", "after", "for", "by", "about", "from", "and", "of",
    "с", "на", "после", "о", "и",
    "з", "писля", "про",
];
