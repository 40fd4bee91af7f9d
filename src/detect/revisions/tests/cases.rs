//! Before/after pairs from the shared corpus (`history/<source>/<file>`),
//! each with the significance and reasons a reader would give it.

use super::assert_rebuilds;
use crate::detect::revisions::{Significance, VersionText, compare, render_plain};

/// One before/after pair from `shared/corpus/history/<source>/<file>`
/// (or constructed from one, said so in `from`).
struct Case {
    name: &'static str,
    from: &'static str,
    old: (&'static str, &'static str),
    new: (&'static str, &'static str),
    terms: &'static [&'static str],
    class: Significance,
    /// Reasons that must be present (prefix match).
    reasons: &'static [&'static str],
}

pub(super) const AP_KILL_5: &str = "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill 5 in Ukraine before announced ceasefire";
pub(super) const AP_KILL_22: &str = "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill 22 in Ukraine before announced ceasefire";
pub(super) const AP_BRIEF_TRUCE: &str = "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill 5 in Ukraine before brief truce takes hold";
const AP_US_DOTS: &str = "Russia accuses Ukraine of violating U.S.-brokered three-day truce";
const AP_US: &str = "Russia accuses Ukraine of violating US-brokered 3-day truce";
const AP_EACH_OTHER: &str =
    "Russia and Ukraine accuse each other of violating US-brokered 3-day truce";
pub(super) const AP_DROPS: &str = "Wall Street drops from its records and oil prices jump after fighting flares in the Middle East";
const AP_FALLS: &str = "Wall Street falls from its records and oil prices jump after fighting flares in the Middle East";
const AP_FRAUD_Q: &str = "Venezuela tells UN court that mineral-rich part of Guyana was ‘fraudulently’ taken in colonial era";
const AP_FRAUD: &str = "Venezuela tells UN court that mineral-rich part of Guyana was fraudulently taken in colonial era";
const AP_ABOUT_800: &str = "Russia fires about 800 drones at Ukraine despite recent talk by Putin and Trump of possible peace";
const AP_800: &str =
    "Russia fires 800 drones at Ukraine despite recent talk by Putin and Trump of possible peace";
const AP_TOLL_OLD: &str = "Death toll rises to 14 in Pakistan suicide attack. Pakistani Taliban splinter group claims blast";
const AP_TOLL_NEW: &str = "Death toll rises to 14 in a Pakistan suicide attack claimed by a Pakistani Taliban splinter group";
const NG_MULTIVISA: &str = "СМИ пишут, что Евросоюз готовится фактически прекратить выдачу мультивиз россиянам. Это правда?";
const NG_KADYROV: &str = "В ходе прямой линии с населением Рамзан Кадыров дал ответ на, пожалуй, главный вопрос, который хочет, но не может задать республика: он жив. И снова пойдет на выборы главы";
const NG_KOZAK: &str = "Как задержанные в Казахстане россияне дожидаются освобождения? Рассказывает анархист Дмитрий Козак, который провел год в СИЗО Алматы из-за политического дела в РФ";
const NG_KOZAK_FIX: &str = "Как задержанные в Казахстане россияне дожидаются освобождения? Рассказывает анархист Денис Козак, который провел год в СИЗО Алматы из-за политического дела в РФ";
const NG_MONK_TITLE: &str = "Монашеский «респект» как «акт терроризма»";
const NG_MONK: &str = "На Урале арестован отец Никандр (Пунчук) — иеромонах одной из православных юрисдикций, не признающих РПЦ.";
const NG_MONK_FIX: &str = "На Урале арестован отец Никандр (Пинчук) — иеромонах одной из православных юрисдикций, не признающих РПЦ.";
const NG_JAM_TITLE: &str = "Что такое «Маршрут Трампа»?";
const NG_JAM: &str = "JAMnews — о позициях Армении и Азербайджана в нынешнем переговорном процессе, а также об отношении обеих стран к новому транзитному пути";
const NG_JAM_FIX: &str = "JAMnews— о позициях Армении и Азербайджана в нынешнем переговорном процессе, а также об отношении обеих стран к новому транзитному пути";
const NG_GEORGIA_TITLE: &str = "«Пожалуйста, не могли бы вы остаться»";
const NG_GEORGIA: &str = "«Грузинская мечта» всё сильнее закручивает гайки в стране, а ЕС, наконец, признал, что не слишком и старался удержать Грузию на Европейском треке";
const NG_GEORGIA_FIX: &str = "«Грузинская мечта» всё сильнее закручивает гайки в стране, а ЕС, наконец, признал, что не слишком и старался удержать Грузию на европейском треке";
const NG_LAPIN: &str = "Непотопляемого генерала Александра Лапина уволили из армии и направили работать в Татарстан. Чем запомнился военачальник (кроме скандала с Кадыровым)?";
const NG_PUTIN_TITLE: &str = "«Путин может всё что угодно»";
const NG_PUTIN_TEXT: &str = "В 73-й день рождения Путина депутаты устроили овации, чиновники написали поздравления по методичке, а детей заставили о нем спеть";
const SV_RUBICON: &str = "Тайна \"Рубикона\". БПЛА-спецназ в парке \"Патриот\"";
const SV_RUBICON_NEW: &str = "Тайна центра \"Рубикон\". БПЛА-спецназ в парке \"Патриот\"";
const SV_ROSTEC: &str =
    "Гламурная фотосессия помешала падчерице главы \"Ростеха\" Чемезова выйти из-под санкций";
const SV_ROSTEC_NEW: &str = "Фотосессия помешала падчерице Чемезова выйти из-под санкций";
const SV_CHEMEZOV_A: &str =
    "Кооператив \"22 карата\". Как Сергей Чемезов с товарищами обустроился в Дубае";
const SV_CHEMEZOV_C: &str =
    "Кооператив \"22 карата\". Как обустроился в Дубае Сергей Чемезов с товарищами";
const INS_LAUNDROMAT: &str = "Ландромат на службе Кремля: миллиардер-мошенник Владимир Плахотнюк неоднократно прилетал в Москву на секретные переговоры";
const INS_LAUNDROMAT_NEW: &str = "Ландромат на службе Кремля. Миллиардер-мошенник Владимир Плахотнюк неоднократно прилетал в Москву на секретные переговоры";
const INS_BRATVA: &str = "«Братва» с гумвизой. Как связанные с мафией кадыровцы проникли в центры немецкой инфраструктуры";
const INS_BRATVA_NEW: &str = "«Братва» с политубежищем. Как связанные с мафией кадыровцы проникли в центры немецкой инфраструктуры";
const TX_GRATY: &str = "Члени наркобанд майже не потрапляють за грати. Аналіз судових рішень";
const TX_GRATY_NEW: &str = "Члени наркобанд майже не потрапляють за ґрати. Аналіз судових рішень";
const TX_GRATY_TEXT: &str = "Роками українська правоохоронна система звітує про тисячі засуджених «наркозлочинців». Однак аналіз судових даних показує, що цими злочинцями насправді є переважно споживачі, а не дилери.";
const TX_ORPHAN_TITLE: &str = "Один із сотень тисяч. Історія життя і позбавлення ідентичності українського сироти, зниклого в Росії";
const TX_ORPHAN: &str = "Хлопчик з Херсонщини залишився сиротою у Росії, яка знищила його дім і вулицю, окупувала його місто, позбавила рідної мови і батьківщини. Застосувавши власну методику на основі ШІ, ми знайшли Остапа Тополіна на Уралі, де його віддали на всиновлення. Спільний проект Texty.org.ua та NZZ>>";
const TX_ORPHAN_NEW: &str = "Хлопчик із Херсонщини залишився сиротою в Росії, яка знищила його дім і вулицю, окупувала його місто, позбавила рідної мови і Батьківщини. Застосувавши власну методику на основі ШІ, ми знайшли Остапа Тополіна на Уралі, де його віддали на всиновлення.Спільний проєкт Texty.org.ua та NZZ>>";
const TX_BLAST_TITLE: &str = "Невидима сила вибуху. Як ударна хвиля руйнує будівлі";
const TX_BLAST: &str = "На прикладі конкретного удару по Києву Texty.org.ua змоделювали, як вибухова хвиля проходить через вулиці й будинки>>";
const TX_BLAST_NEW: &str = "На прикладі конкретного удару російської армії по Києву Texty.org.ua змоделювали, як вибухова хвиля проходить крізь будинки і вулиці.>>";

const PEACE_TERMS: &[&str] = &["ceasefire", "truce", "negotiat*", "\"peace talks\""];

use Significance::{Cosmetic, Major, Minor};

const CASES: &[Case] = &[
    // ---- major
    Case {
        name: "ap_strikes_kill_5_to_22",
        from: "apnews/20260505T180105Z.xml",
        old: (AP_KILL_5, AP_KILL_5),
        new: (AP_KILL_22, AP_KILL_22),
        terms: &[],
        class: Major,
        reasons: &["figure 5 → 22"],
    },
    Case {
        name: "ap_accuse_each_other",
        from: "apnews/20260510T210106Z.xml",
        old: (AP_US, AP_US),
        new: (AP_EACH_OTHER, AP_EACH_OTHER),
        terms: &[],
        class: Major,
        reasons: &["speaker changed: Russia → Russia and Ukraine"],
    },
    Case {
        name: "ap_truce_to_ceasefire_watched",
        from: "apnews/20260505T162850Z.xml",
        old: (AP_BRIEF_TRUCE, AP_BRIEF_TRUCE),
        new: (AP_KILL_5, AP_KILL_5),
        terms: PEACE_TERMS,
        class: Major,
        reasons: &["topic words changed: ceasefire, truce"],
    },
    Case {
        name: "ng_not_quite_dropped",
        from: "novaya-gazeta-europe/20251107T114622Z.xml",
        old: (
            "СМИ пишут, что Евросоюз готовится фактически прекратить выдачу мультивиз россиянам. Это правда? Не совсем",
            "10 главных вопросов",
        ),
        new: (NG_MULTIVISA, "10 главных вопросов"),
        terms: &[],
        class: Major,
        reasons: &["negation dropped"],
    },
    Case {
        name: "ng_quote_idiom_respelled",
        from: "novaya-gazeta-europe/20251219T171751Z.xml",
        old: ("«Сыт по горло этой властью»", NG_KADYROV),
        new: ("«Сыт до горла этой властью»", NG_KADYROV),
        terms: &[],
        class: Cosmetic,
        reasons: &["same content words"],
    },
    Case {
        name: "ng_first_name_changed",
        from: "novaya-gazeta-europe/20250913T172339Z.xml",
        old: ("«Я знаю, где какая камера лучше»", NG_KOZAK),
        new: ("«Я знаю, где какая камера лучше»", NG_KOZAK_FIX),
        terms: &[],
        class: Major,
        reasons: &["name changed: Дмитрий → Денис"],
    },
    // ---- minor
    Case {
        name: "ap_truce_to_ceasefire_unwatched",
        from: "apnews/20260505T162850Z.xml",
        old: (AP_BRIEF_TRUCE, AP_BRIEF_TRUCE),
        new: (AP_KILL_5, AP_KILL_5),
        terms: &[],
        class: Minor,
        reasons: &["reworded"],
    },
    Case {
        name: "ap_drops_to_falls",
        from: "apnews/20260504T211452Z.xml",
        old: (AP_DROPS, AP_DROPS),
        new: (AP_FALLS, AP_FALLS),
        terms: PEACE_TERMS,
        // A near-synonym of the same move (labeled cosmetic).
        class: Cosmetic,
        reasons: &["synonym: drops/falls"],
    },
    Case {
        name: "ap_scare_quotes_removed",
        from: "apnews/20260510T160056Z.xml",
        old: (AP_FRAUD_Q, AP_FRAUD_Q),
        new: (AP_FRAUD, AP_FRAUD),
        terms: &[],
        class: Cosmetic,
        reasons: &["quote marks changed"],
    },
    Case {
        name: "ap_about_800_hedge_dropped",
        from: "apnews/20260514T012706Z.xml",
        old: (AP_ABOUT_800, AP_ABOUT_800),
        new: (AP_800, AP_800),
        terms: &[],
        // A hedge dropped is minor by the guideline (this pair is not
        // labeled); the learned cosmetic head, from its cut of 0.4, calls
        // the rules' minor a rewording: one of the minors it quiets
        // (known-gaps, "Revisions").
        class: Cosmetic,
        reasons: &["wording only: reworded (2 words)"],
    },
    Case {
        name: "ap_passive_keeps_the_actor",
        from: "apnews/20260510T170848Z.xml",
        old: (AP_TOLL_OLD, AP_TOLL_OLD),
        new: (AP_TOLL_NEW, AP_TOLL_NEW),
        terms: &[],
        // Labeled cosmetic: the learned cosmetic head calls the rules'
        // minor a rewording.
        class: Cosmetic,
        reasons: &["wording only: reworded (2 words)"],
    },
    Case {
        name: "ng_surname_typo",
        from: "novaya-gazeta-europe/20251020T172757Z.xml",
        old: (NG_MONK_TITLE, NG_MONK),
        new: (NG_MONK_TITLE, NG_MONK_FIX),
        terms: &[],
        class: Cosmetic,
        reasons: &["name spelling: Пунчук/Пинчук"],
    },
    Case {
        name: "ng_headline_quote_no_longer_repeated",
        from: "novaya-gazeta-europe/20251007T172903Z.xml",
        old: (
            NG_PUTIN_TITLE,
            "«Путин может всё что угодно» В 73-й день рождения Путина депутаты устроили овации, чиновники написали поздравления по методичке, а детей заставили о нем спеть",
        ),
        new: (NG_PUTIN_TITLE, NG_PUTIN_TEXT),
        terms: &[],
        // The headline no longer repeated at the top of the text (labeled
        // cosmetic): the text says what it said.
        class: Cosmetic,
        reasons: &["headline copy in the text"],
    },
    Case {
        name: "sv_quoted_name_inflected",
        from: "svoboda/20250917T125814Z.xml",
        old: (SV_RUBICON, SV_RUBICON),
        new: (SV_RUBICON_NEW, SV_RUBICON_NEW),
        terms: &[],
        class: Minor,
        reasons: &[],
    },
    Case {
        name: "sv_quoted_org_name_dropped",
        from: "svoboda/20250916T093248Z.xml",
        old: (SV_ROSTEC, SV_ROSTEC),
        new: (SV_ROSTEC_NEW, SV_ROSTEC_NEW),
        terms: &[],
        class: Minor,
        reasons: &[],
    },
    Case {
        name: "ins_one_word_swapped",
        from: "the-insider/20251218T201933Z.xml",
        old: (INS_BRATVA, ""),
        new: (INS_BRATVA_NEW, ""),
        terms: &[],
        class: Minor,
        reasons: &["reworded (2 words)"],
    },
    Case {
        name: "tx_words_added_and_reordered",
        from: "texty-org-ua/20250807T084258Z.xml",
        old: (TX_BLAST_TITLE, TX_BLAST),
        new: (TX_BLAST_TITLE, TX_BLAST_NEW),
        terms: &[],
        class: Minor,
        reasons: &[],
    },
    // ---- cosmetic
    Case {
        name: "ap_us_dots_and_spelled_three",
        from: "apnews/20260510T170848Z.xml",
        old: (AP_US_DOTS, AP_US_DOTS),
        new: (AP_US, AP_US),
        terms: PEACE_TERMS,
        class: Cosmetic,
        reasons: &["spelling variant: U.S./US", "number written out: three/3"],
    },
    Case {
        name: "ins_colon_to_full_stop",
        from: "the-insider/20250925T103218Z.xml",
        old: (INS_LAUNDROMAT, ""),
        new: (INS_LAUNDROMAT_NEW, ""),
        terms: &[],
        class: Cosmetic,
        reasons: &["punctuation only"],
    },
    Case {
        name: "ng_question_mark_dropped",
        from: "novaya-gazeta-europe/20250923T125637Z.xml",
        old: ("Ссылка или трамплин?", NG_LAPIN),
        new: ("Ссылка или трамплин", NG_LAPIN),
        terms: &[],
        class: Cosmetic,
        reasons: &["punctuation only"],
    },
    Case {
        name: "ng_space_before_dash",
        from: "novaya-gazeta-europe/20251114T095112Z.xml",
        old: (NG_JAM_TITLE, NG_JAM),
        new: (NG_JAM_TITLE, NG_JAM_FIX),
        terms: &[],
        class: Cosmetic,
        reasons: &["spacing only"],
    },
    Case {
        name: "ng_lower_case",
        from: "novaya-gazeta-europe/20251102T103016Z.xml",
        old: (NG_GEORGIA_TITLE, NG_GEORGIA),
        new: (NG_GEORGIA_TITLE, NG_GEORGIA_FIX),
        terms: &[],
        class: Cosmetic,
        reasons: &["letter case only"],
    },
    Case {
        name: "tx_g_with_upturn",
        from: "texty-org-ua/20250804T094359Z.xml",
        old: (TX_GRATY, TX_GRATY_TEXT),
        new: (TX_GRATY_NEW, TX_GRATY_TEXT),
        terms: &[],
        class: Cosmetic,
        reasons: &["spelling variant: грати/ґрати"],
    },
    Case {
        name: "tx_euphony_and_ye",
        from: "texty-org-ua/20251215T100427Z.xml",
        old: (TX_ORPHAN_TITLE, TX_ORPHAN),
        new: (TX_ORPHAN_TITLE, TX_ORPHAN_NEW),
        terms: &[],
        class: Cosmetic,
        reasons: &[
            "spelling variant: з/із",
            "spelling variant: у/в",
            "spelling variant: проект/проєкт",
        ],
    },
    Case {
        name: "sv_word_order_only",
        from: "svoboda/20250731T114847Z.xml vs 20250731T135121Z.xml (middle fetch skipped)",
        old: (SV_CHEMEZOV_A, ""),
        new: (SV_CHEMEZOV_C, ""),
        terms: &[],
        class: Cosmetic,
        reasons: &["word order only"],
    },
    Case {
        name: "quote_glyphs_only",
        from: "constructed from svoboda/20250731T114847Z.xml",
        old: (SV_CHEMEZOV_A, ""),
        new: (
            "Кооператив «22 карата». Как Сергей Чемезов с товарищами обустроился в Дубае",
            "",
        ),
        terms: &[],
        class: Cosmetic,
        reasons: &["quote marks only"],
    },
    Case {
        name: "invisible_characters",
        from: "constructed from apnews/20260510T170848Z.xml",
        old: (AP_US, AP_US),
        new: (
            "Russia accuses Ukr\u{200B}aine of violating US-brokered\u{00A0}3-day  truce",
            AP_US,
        ),
        terms: &[],
        class: Cosmetic,
        reasons: &["spacing only"],
    },
    Case {
        name: "swapped_accuser_is_not_word_order",
        from: "constructed from apnews/20260510T170848Z.xml",
        old: (AP_US, ""),
        new: (
            "Ukraine accuses Russia of violating US-brokered 3-day truce",
            "",
        ),
        terms: &[],
        class: Major,
        reasons: &["speaker changed: Russia → Ukraine"],
    },
];

fn terms(c: &Case) -> Vec<String> {
    c.terms.iter().map(|t| (*t).to_string()).collect()
}

#[test]
fn corpus_pairs_are_classified() {
    let mut failures = Vec::new();
    for c in CASES {
        let old = VersionText {
            title: c.old.0,
            text: c.old.1,
        };
        let new = VersionText {
            title: c.new.0,
            text: c.new.1,
        };
        let r = compare(&old, &new, &terms(c));
        assert_rebuilds(&r.title, c.old.0, c.new.0);
        assert_rebuilds(&r.text, c.old.1, c.new.1);
        let missing: Vec<&&str> = c
            .reasons
            .iter()
            .filter(|want| !r.reasons.iter().any(|got| got.starts_with(**want)))
            .collect();
        if r.significance != c.class || !missing.is_empty() {
            failures.push(format!(
                "{} ({}): expected {:?} with {:?}, got {:?} with {:?}\n  title: {}\n  text:  {}",
                c.name,
                c.from,
                c.class,
                c.reasons,
                r.significance,
                r.reasons,
                render_plain(&r.title),
                render_plain(&r.text),
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
