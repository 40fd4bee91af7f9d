//! Tests of quote attribution, headline forms, similarity and shifts.

use super::*;

fn sp(name: &str, aliases: &[&str]) -> Speaker {
    Speaker {
        name: name.to_string(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
    }
}

/// A default speaker list (indices used below).
fn speakers() -> SpeakerSet {
    SpeakerSet::new(vec![
        sp("Vladimir Putin", &["Putin", "Путин", "Путін"]), // 0
        sp(
            "Volodymyr Zelensky",
            &["Zelenskyy", "Зеленский", "Зеленський"],
        ), // 1
        sp(
            "Dmitry Peskov",
            &["Дмитрий Песков", "Пєсков", "Kremlin spokesman"],
        ), // 2
        sp("Sergey Lavrov", &["Лавров"]),                   // 3
        sp("Andrii Sybiha", &["Сибіга", "Сибига"]),         // 4
        sp("Andriy Yermak", &["Ермак", "Єрмак"]),           // 5
        sp("Steve Witkoff", &["Уиткофф", "Віткофф"]),       // 6
        sp("Donald Trump", &["Трамп"]),                     // 7
        sp("Recep Tayyip Erdoğan", &["Эрдоган", "Ердоган"]), // 8
    ])
}

const PUTIN: usize = 0;
const ZELENSKY: usize = 1;
const PESKOV: usize = 2;
const LAVROV: usize = 3;
const SYBIHA: usize = 4;
const TRUMP: usize = 7;

/// (speaker, quoted text) of every quote found.
fn quotes(title: &str, text: &str) -> Vec<(usize, String)> {
    extract_quotes(title, text, &speakers())
        .into_iter()
        .map(|q| (q.speaker, q.text))
        .collect()
}

fn one(speaker: usize, text: &str) -> Vec<(usize, String)> {
    vec![(speaker, text.to_string())]
}

#[test]
fn speaker_forms_match_by_stem_and_case_ending() {
    let set = speakers();
    for (text, who) in [
        ("Песков", PESKOV),
        ("Пескова", PESKOV),
        ("Пескову", PESKOV),
        ("Песковым", PESKOV),
        ("Путина", PUTIN),
        ("Путіну", PUTIN),
        ("Лаврова", LAVROV),
        ("Зеленского", ZELENSKY),
        ("Зеленський", ZELENSKY),
        ("Зеленського", ZELENSKY),
        ("Zelensky", ZELENSKY),
        ("Zelenskiy", ZELENSKY),
        ("Сибіги", SYBIHA),
        ("Dmitry Peskov", PESKOV),
    ] {
        let found = set.find(&format!("Сказал {text} вчера"));
        assert_eq!(found.len(), 1, "{text}: {found:?}");
        assert_eq!(found[0].0, who, "{text}");
    }
    // Spans point into the text as given.
    let t = "По словам Дмитрия Пескова, всё";
    let f = set.find(t);
    assert_eq!(&t[f[0].1.start..f[0].1.end], "Дмитрия Пескова");
    // Lower-case words and longer derivations are not names.
    assert!(set.find("путинский режим, trumpet").is_empty());
    // Another person with the same surname.
    assert!(
        set.find("Trump Vodka available for pre-orders — Eric Trump")
            .len()
            == 1
    );
}

#[test]
fn english_attribution_forms() {
    for (text, who, quote) in [
        (
            "“We see no progress,” Peskov said.",
            PESKOV,
            "We see no progress",
        ),
        (
            "\"We see no progress\", said Peskov.",
            PESKOV,
            "We see no progress",
        ),
        (
            "Peskov said that \"the negotiations are difficult but continuing.\"",
            PESKOV,
            "the negotiations are difficult but continuing.",
        ),
        (
            "Peskov said: “The ball is in Kyiv's court.”",
            PESKOV,
            "The ball is in Kyiv's court.",
        ),
        (
            "According to Peskov, \"contacts with Washington continue at working level.\"",
            PESKOV,
            "contacts with Washington continue at working level.",
        ),
        (
            "Peskov told reporters \"there is nothing to announce yet.\"",
            PESKOV,
            "there is nothing to announce yet.",
        ),
        (
            "“No,” Kremlin spokesman Dmitry Peskov told reporters on Monday.",
            PESKOV,
            "No",
        ),
    ] {
        assert_eq!(quotes("", text), one(who, quote), "{text}");
    }
}

#[test]
fn kyiv_independent_sentences() {
    // history/kyiv-independent/20240824T004649Z.xml: a partial quote with
    // spaces inside the marks (left by the HTML), attribution at the end.
    let t = "Moscow began concentrating its efforts in the east, \" throwing everything they have \" in the Pokrovsk direction after Russia's Kharkiv Oblast offensive failed, President Volodymyr Zelensky said in late July.";
    assert_eq!(
        quotes("", t),
        one(ZELENSKY, "throwing everything they have")
    );

    // history/kyiv-independent/20240727T002037Z.xml, with the speakers of
    // that day: a partial quote is kept, the one-word "privileges" is a
    // scare quote and dropped; a pronoun carries the speaker over.
    let set = SpeakerSet::new(vec![sp("Ruslan Stefanchuk", &[]), sp("Matvii Bidnyi", &[])]);
    let t = "Nonetheless, Stefanchuk said that the Ukrainian military on the front line \"has an exclusive right to justice,\" which is why it is necessary to provide them with vacations, rotations, or other \"privileges.\"";
    let q = extract_quotes("", t, &set);
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].text, "has an exclusive right to justice");
    assert_eq!(q[0].context, t);
    let t = "\"Every athlete killed by Russia is a tragedy for the entire (Ukrainian) sports family,\" Ukraine's acting sports and youth minister Matvii Bidnyi said at a press conference ahead of the Olympic games. \"These crimes are not only targeting our sports, but it is also an aggressor's attempt to attack our national identity,\" he added.";
    let q = extract_quotes("", t, &set);
    assert_eq!(q.len(), 2, "{q:?}");
    assert!(q.iter().all(|q| q.speaker == 1));
    assert!(q[1].text.starts_with("These crimes"));

    // Same file: quotes by people who are not configured speakers.
    let t = "\"They can replenish these losses,\" Yusov said, adding: \"But there are already serious problems with the recruitment of new contract soldiers.";
    assert!(quotes("", t).is_empty());
    // Same file: the speaker is only in the headline, the sentence says
    // "foreign minister" — no speaker in the same or adjacent sentence.
    let title = "Kuleba calls on Hong Kong to close sanctions circumvention routes for Russia";
    let t = "Ukraine’s foreign minister said that these restrictive measures are necessary to “weaken Russia’s potential to wage war and kill people in Ukraine.”";
    let set = SpeakerSet::new(vec![sp("Dmytro Kuleba", &[])]);
    // (The headline itself is reported speech and is his statement.)
    let q = extract_quotes(title, t, &set);
    assert!(q.iter().all(|q| q.context == title), "{q:?}");
}

#[test]
fn negatives_and_scare_quotes() {
    // A quote with no speaker anywhere.
    assert!(quotes("", "“We will not back down,” the statement read.").is_empty());
    // A speaker named, but nothing quoted.
    assert!(quotes("", "Peskov said the talks would resume next week.").is_empty());
    // Scare quotes: a label in mid-sentence, even with a speech verb.
    assert!(
        quotes(
            "",
            "Peskov said the “special military operation” would go on."
        )
        .is_empty()
    );
    assert!(quotes("", "Lavrov called the plan “unacceptable” and left.").is_empty());
    // A name inside the quote is not the speaker.
    assert!(
        quotes(
            "",
            "“Putin is not ready for peace,” a European diplomat said."
        )
        .is_empty()
    );
    // Someone else's speech next to a sentence naming a speaker.
    let t = "Putin met Erdogan in Ankara. “The meeting was useful,” Yusov said.";
    assert!(quotes("", t).is_empty());
    // history/kyiv-independent/20240727T002037Z.xml: a phrase quoted in
    // the writer's prose after a sentence about Trump is not his
    // statement; a teaser cut off inside the quote is not a quote.
    let t = "Trump spoke for 90 minutes. He is back to his American carnage, “apres moi, le deluge” phase.";
    assert!(quotes("", t).is_empty(), "{:?}", quotes("", t));
    let t = "Trump spoke for 90 minutes.\n“ We will keep ral…";
    assert!(quotes("", t).is_empty(), "{:?}", quotes("", t));
    // "Putin's spokesman said" is not Putin speaking.
    assert!(quotes("", "“There is no deadline,” Putin's spokesman said.").is_empty());
}

#[test]
fn russian_attribution_forms() {
    // Interfax / RBC style.
    for (text, who, quote) in [
        (
            "«Мы не видим готовности Киева к переговорам», — заявил Песков журналистам.",
            PESKOV,
            "Мы не видим готовности Киева к переговорам",
        ),
        (
            "Песков заявил, что «пока никаких договоренностей нет».",
            PESKOV,
            "пока никаких договоренностей нет",
        ),
        (
            "По словам Пескова, «процесс идет непросто, но он идет».",
            PESKOV,
            "процесс идет непросто, но он идет",
        ),
        (
            "Пресс-секретарь президента Дмитрий Песков: «Это вопрос не к Кремлю».",
            PESKOV,
            "Это вопрос не к Кремлю",
        ),
        ("«Нет», — сказал Лавров.", LAVROV, "Нет"),
        (
            "«Мы готовы к диалогу „без предварительных условий“», — подчеркнул Лавров.",
            LAVROV,
            "Мы готовы к диалогу „без предварительных условий“",
        ),
        (
            "«Переговоры продолжаются в рабочем режиме». Об этом заявил Песков в понедельник.",
            PESKOV,
            "Переговоры продолжаются в рабочем режиме",
        ),
    ] {
        assert_eq!(quotes("", text), one(who, quote), "{text}");
    }
    // A continuation after the attributed sentence.
    let t = "«Мы готовы продолжать контакты», — сказал Лавров. «Но решать будет Москва».";
    assert_eq!(quotes("", t).len(), 2);
    // Putin is the topic here, not the speaker (and Ushakov is not one).
    let t = "Ушаков сообщил, что Путин «готов к встрече в любое время».";
    assert!(quotes("", t).is_empty(), "{:?}", quotes("", t));
}

#[test]
fn ukrainian_attribution_forms() {
    // Ukrainska Pravda style.
    assert_eq!(
        quotes(
            "",
            "«Україна готова до повного припинення вогню на 30 днів», — заявив Зеленський."
        ),
        one(
            ZELENSKY,
            "Україна готова до повного припинення вогню на 30 днів"
        )
    );
    assert_eq!(
        quotes(
            "",
            "За словами Сибіги, «Росія має продемонструвати реальну готовність до миру»."
        ),
        one(
            SYBIHA,
            "Росія має продемонструвати реальну готовність до миру"
        )
    );
    assert_eq!(
        quotes(
            "",
            "Зеленський наголосив: «Ми не визнаємо окупацію жодної території»."
        ),
        one(ZELENSKY, "Ми не визнаємо окупацію жодної території")
    );
    // Pronoun carry-over from a sentence naming him.
    let t =
        "Зеленського запитали про перемовини. «Ми не віддамо жодної території», — наголосив він.";
    assert_eq!(
        quotes("", t),
        one(ZELENSKY, "Ми не віддамо жодної території")
    );
    // Apostrophes are not quote marks.
    assert!(
        quotes(
            "",
            "Зеленський сказав, що п'ять країн готові. Ukraine’s allies agree."
        )
        .is_empty()
    );
}

#[test]
fn tass_headlines() {
    // datasets/tass__english-headlines-2025.json, field `t`.
    for (title, who, text) in [
        (
            "Russia unaware of changes US and Ukraine made to peace plan — Peskov",
            PESKOV,
            "Russia unaware of changes US and Ukraine made to peace plan",
        ),
        (
            "Still early to speak about lasting peace in Gaza — Russia’s top diplomat Lavrov",
            LAVROV,
            "Still early to speak about lasting peace in Gaza",
        ),
        (
            "Ukraine ignored Russia's settlement proposals, Lavrov says",
            LAVROV,
            "Ukraine ignored Russia's settlement proposals",
        ),
        (
            "Foreign Minister Sergey Lavrov: Russia appreciates efforts by Trump",
            LAVROV,
            "Russia appreciates efforts by Trump",
        ),
        (
            "Zelensky says Ukraine to remain under martial law until security guarantees given",
            ZELENSKY,
            "Ukraine to remain under martial law until security guarantees given",
        ),
        (
            "'Everyone’s gone quiet,' Lavrov says about reaction to Burevestnik missile tests",
            LAVROV,
            "Everyone’s gone quiet",
        ),
        // Made-up, same form: a fully quoted headline gives its quote.
        (
            "“No plans for a new round yet” — Kremlin spokesman Peskov",
            PESKOV,
            "No plans for a new round yet",
        ),
        // Reported speech without quotes: a demand with its addressee.
        (
            "Trump warns Colombian president to shut down cocaine labs",
            TRUMP,
            "Colombian president to shut down cocaine labs",
        ),
        (
            "Trump confident Putin, Zelensky want to end Ukraine conflict",
            TRUMP,
            "Putin, Zelensky want to end Ukraine conflict",
        ),
        // A bare title resolved by the institution it names (config alias
        // "Kremlin spokesman").
        (
            "Kremlin to wait for outcome of consultations — spokesman",
            PESKOV,
            "Kremlin to wait for outcome of consultations",
        ),
        // RBC style.
        (
            "Песков: переговоры с Украиной поставлены на паузу",
            PESKOV,
            "переговоры с Украиной поставлены на паузу",
        ),
        // An intent ascribed to someone is the statement of who says it.
        (
            "Russia seeks to end war unleashed by West — Putin",
            PUTIN,
            "Russia seeks to end war unleashed by West",
        ),
        (
            "Zelensky seeks to drag out peace talks, Lavrov says",
            LAVROV,
            "Zelensky seeks to drag out peace talks",
        ),
        // "Seeks" with an object is the speaker's own demand.
        (
            "Zelensky seeks 30-year security guarantees from US",
            ZELENSKY,
            "30-year security guarantees from US",
        ),
    ] {
        let q = extract_quotes(title, "", &speakers());
        assert_eq!(q.len(), 1, "{title}: {q:?}");
        assert_eq!((q[0].speaker, q[0].text.as_str()), (who, text), "{title}");
        assert_eq!(q[0].context, title);
    }
    for title in [
        "Zelensky’s regime bears all hallmarks of terrorist organization — Russian senator",
        "Ukraine has no money to hold elections — Zelensky's office",
        "Trump Vodka available for pre-orders — Eric Trump",
        "Kazakhstan, Russia have no major issues — Kazakh leader at meeting with Putin",
        "Peace plan options, signals to Trump: what Putin aide said after Kremlin talks",
        "Ukraine's Zelenskiy meets allies in Rome - Reuters",
        // The name after a verb is its object, not the speaker.
        "US expects Zelensky to sign peace plan until November 27 — FT",
        "US lawmaker urges Zelensky to accept Trump’s plan for Ukraine",
        "US believes Zelensky to accept Trump's plan due to corruption scandal — newspaper",
        // What someone is after, as others describe it, with nobody saying it.
        "Zelensky seeks to drag out peace talks for remainder of Trump term",
        "Putin tries to stall negotiations until spring",
        "Zelensky is trying to win time before the talks",
    ] {
        assert!(
            quotes(title, "").is_empty(),
            "{title}: {:?}",
            quotes(title, "")
        );
    }
}

#[test]
fn title_and_text_are_deduplicated() {
    let title = "Песков: «Переговоры идут непросто»";
    let text = "Песков: «Переговоры идут непросто».";
    assert_eq!(quotes(title, text).len(), 1);
}

#[test]
fn whole_item_is_the_statement() {
    let q = whole_item_statement(3, " Lavrov's remarks ", "  Russia is open to talks.  ");
    assert_eq!(q.speaker, 3);
    assert_eq!(q.text, "Russia is open to talks.");
    assert_eq!(q.context, "Lavrov's remarks");
    assert_eq!(
        whole_item_statement(0, "Title only", " ").text,
        "Title only"
    );
}

#[test]
fn similarity_properties() {
    let a = "Russia is ready to continue negotiations with Ukraine in Istanbul";
    assert_eq!(similarity(a, a), 1.0);
    assert_eq!(similarity("", ""), 1.0);
    assert_eq!(similarity(a, ""), 0.0);
    // Symmetric, in range.
    let b = "Moscow remains ready to continue the Istanbul negotiations with Kyiv";
    assert_eq!(similarity(a, b), similarity(b, a));
    // A paraphrase with the same key words is a repeat, not a shift.
    let p = "Russia is ready to continue the negotiations with Ukraine in Istanbul, Peskov said";
    assert!(similarity(a, p) > SHIFT_THRESHOLD, "{}", similarity(a, p));
    let ru1 = "Россия готова продолжить переговоры с Украиной в Стамбуле";
    let ru2 = "Москва готова продолжать переговоры с Украиной в Стамбуле";
    assert!(
        similarity(ru1, ru2) > SHIFT_THRESHOLD,
        "{}",
        similarity(ru1, ru2)
    );
    // Unrelated statements.
    let u = "The Central Bank will keep the key rate at 21 percent";
    assert!(similarity(a, u) < 0.2, "{}", similarity(a, u));
    // Folding: case, ё, quote glyphs do not matter.
    assert_eq!(similarity("Всё решено", "ВСЕ РЕШЕНО"), 1.0);
}

#[test]
fn shifts() {
    let earlier = [
        "The Central Bank will keep the key rate at 21 percent",
        "Russia is ready to continue negotiations with Ukraine in Istanbul",
    ];
    // The first statement is never a shift.
    assert_eq!(find_shift("Russia is ready for talks", &[]), None);
    // A near-repeat is not a shift.
    assert_eq!(
        find_shift(
            "Russia is ready to continue negotiations with Ukraine in Istanbul soon",
            &earlier
        ),
        None
    );
    // A reversed position is, shown beside the statement it reverses.
    let s = find_shift(
        "Russia is not ready to continue negotiations with Ukraine in Istanbul",
        &earlier,
    )
    .expect("reversal is a shift");
    assert_eq!(s.closest, 1);
    assert!(s.similarity < SHIFT_THRESHOLD);
    // Something new entirely: closest is still reported.
    let s = find_shift(
        "Peace talks are suspended until Kyiv withdraws its troops",
        &earlier,
    )
    .unwrap();
    assert!(s.closest < earlier.len());
}

/// Every negator of the lexicon reverses a statement, the ones revisions
/// count included ("nobody", "без", "ніколи").
#[test]
fn negators_shared_with_revisions_reverse_a_statement() {
    for (earlier, new) in [
        (
            "Everybody in Europe wants peace talks",
            "Nobody in Europe wants peace talks",
        ),
        (
            "Переговоры пройдут с предварительными условиями",
            "Переговоры пройдут без предварительных условий",
        ),
    ] {
        let s = find_shift(new, &[earlier]);
        assert!(s.is_some(), "{new} after {earlier}: {s:?}");
    }
}

#[test]
fn random_input_never_panics() {
    let set = speakers();
    let pieces = [
        "«",
        "»",
        "“",
        "”",
        "„",
        "\"",
        "'",
        "‘",
        "’",
        " ",
        ".",
        ",",
        ":",
        "—",
        "\n",
        "Песков",
        "Peskov",
        "said",
        "заявил",
        "he",
        "по",
        "словам",
        "according",
        "to",
        "ё",
        "é",
        "\u{200B}",
        "Zelensky's",
        "a",
        "1",
        "!",
        "?",
        "…",
        "Mr.",
    ];
    let mut rng = fastrand::Rng::with_seed(3);
    for _ in 0..3000 {
        let n = rng.usize(0..40);
        let s: String = (0..n).map(|_| pieces[rng.usize(0..pieces.len())]).collect();
        let t: String = (0..rng.usize(0..8))
            .map(|_| pieces[rng.usize(0..pieces.len())])
            .collect();
        for q in extract_quotes(&t, &s, &set) {
            assert!(q.speaker < set.speakers().len());
            let p = position(&q.text, &q.context);
            assert_eq!(Issue::parse(p.issue.as_str()), Some(p.issue));
        }
        let p = position(&s, &t);
        assert_eq!(Stance::parse(p.stance.as_str()), Some(p.stance));
        let sim = similarity(&s, &t);
        assert!((0.0..=1.0).contains(&sim));
        let _ = find_shift(&s, &[&t, ""]);
        let _ = set.find(&s);
    }
    // Bytes that are not valid UTF-8 never get here (&str); odd
    // characters do.
    let _ = extract_quotes("\u{FFFF}«", "\u{10FFFF}“\u{0}”", &set);
    assert!(extract_quotes("a", "b", &SpeakerSet::new(Vec::new())).is_empty());
}
