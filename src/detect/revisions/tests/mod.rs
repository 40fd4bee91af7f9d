//! Tests of `compare` as a whole; the corpus pairs are in `cases`.

mod cases;
mod kinds;
mod learned;
mod limits;

use super::verdict::TITLE_WEIGHT;
use super::*;
use Significance::{Cosmetic, Major, Minor};
use cases::{AP_BRIEF_TRUCE, AP_DROPS, AP_KILL_5, AP_KILL_22};

/// The verdict and reasons of a headline edit (no text).
fn judge(old: &str, new: &str) -> (Significance, Vec<String>) {
    let v = |t| VersionText { title: t, text: "" };
    let r = compare(&v(old), &v(new), &[]);
    (r.significance, r.reasons)
}

/// [`judge`], asserting the verdict; the reasons, for a closer look.
fn assert_class(old: &str, new: &str, want: Significance) -> Vec<String> {
    let (got, reasons) = judge(old, new);
    assert_eq!(got, want, "{old} → {new}: {reasons:?}");
    reasons
}

/// `Equal`+`Delete` is the old text and `Equal`+`Insert` the new one.
fn assert_rebuilds(d: &FieldDiff, old: &str, new: &str) {
    let side = |keep_delete: bool| -> String {
        d.ops
            .iter()
            .filter_map(|op| match op {
                DiffOp::Equal(s) => Some(s.as_str()),
                DiffOp::Delete(s) if keep_delete => Some(s.as_str()),
                DiffOp::Insert(s) if !keep_delete => Some(s.as_str()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(side(true), old, "old side of {d:?}");
    assert_eq!(side(false), new, "new side of {d:?}");
}

#[test]
fn share_is_weighted_and_bounded() {
    let same = VersionText {
        title: AP_DROPS,
        text: AP_DROPS,
    };
    let r = compare(&same, &same, &[]);
    assert_eq!(r.significance, Cosmetic);
    assert_eq!(r.reasons, ["unchanged"]);
    assert_eq!(r.changed_share, 0.0);
    // Title fully rewritten, long text untouched: the title's quarter.
    let text = "word ".repeat(200);
    let a = VersionText {
        title: "Talks resume in Istanbul",
        text: &text,
    };
    let b = VersionText {
        title: "Envoys leave Geneva early",
        text: &text,
    };
    let r = compare(&a, &b, &[]);
    assert!(
        (r.changed_share - TITLE_WEIGHT).abs() < 1e-9,
        "{}",
        r.changed_share
    );
    assert_eq!(r.significance, Major);
    assert!(
        r.reasons
            .iter()
            .any(|x| x.starts_with("headline rewritten"))
    );
}

#[test]
fn numbers_are_normalised_before_comparing() {
    let cmp = |a: &str, b: &str| {
        compare(
            &VersionText { title: a, text: "" },
            &VersionText { title: b, text: "" },
            &[],
        )
    };
    // Thousands separators are formatting…
    assert_eq!(
        cmp("10,000 evacuated", "10 000 evacuated").significance,
        Cosmetic
    );
    // …but digits inside words are numbers (AP "800-drone", "Q1").
    let r = cmp(
        "Russia launches 800-drone attack",
        "Russia launches 900-drone attack",
    );
    assert_eq!(r.reasons[0], "figure 800 → 900");
    assert_eq!(cmp("Q1 profit", "Q2 profit").significance, Major);
    assert_eq!(cmp("пять раз", "5 раз").significance, Cosmetic);
}

/// Revisions and statements keep apart verb lists (`lexicon::speech`): a
/// verb that reports or goes on ("continued") does not make the words before
/// it a speaker, so rewording them is no `speaker changed`.
#[test]
fn only_speech_and_blame_verbs_mark_a_speaker() {
    let title = |t| VersionText { title: t, text: "" };
    let r = compare(
        &title("Fighting continued in Pokrovsk on Monday"),
        &title("Shelling continued in Pokrovsk on Monday"),
        &[],
    );
    assert_eq!(r.significance, Minor, "{:?}", r.reasons);
    assert_eq!(r.reasons, ["reworded (2 words)"]);
    let r = compare(
        &title("Russia blamed Ukraine for the attack in Pokrovsk"),
        &title("Moscow blamed Ukraine for the attack in Pokrovsk"),
        &[],
    );
    assert!(
        r.reasons
            .iter()
            .any(|x| x == "speaker changed: Russia → Moscow"),
        "{:?}",
        r.reasons
    );
}

/// Revision keys level Ukrainian spellings but keep й and the soft sign
/// (`lexicon::cyrillic`): "бой" → "бои" is battle → battles, not a spelling
/// variant as it would be in the statements' loose keys.
#[test]
fn short_i_and_soft_sign_are_not_spelling_variants() {
    let title = |t| VersionText { title: t, text: "" };
    for (a, b) in [
        ("Бой за Покровск", "Бои за Покровск"),
        ("Цены на уголь растут", "Цены на угол растут"),
    ] {
        let r = compare(&title(a), &title(b), &[]);
        assert!(
            !r.reasons.iter().any(|x| x.starts_with("spelling variant")),
            "{a} → {b}: {:?}",
            r.reasons
        );
    }
    // The spelling variants themselves stay cosmetic.
    let r = compare(&title("Спільний проект"), &title("Спільний проєкт"), &[]);
    assert_eq!(r.significance, Cosmetic, "{:?}", r.reasons);
}

/// Negators the statements list brought to the shared list count too:
/// "Ніякого перемир'я" (no truce) → "Перемир'я" reverses the headline.
#[test]
fn every_shared_negator_flips_a_revision() {
    let title = |t| VersionText { title: t, text: "" };
    let r = compare(
        &title("Ніякого перемир'я на Великдень"),
        &title("Перемир'я на Великдень"),
        &[],
    );
    assert_eq!(r.significance, Major, "{:?}", r.reasons);
    assert_eq!(r.reasons, ["negation dropped"]);
}

#[test]
fn topic_terms_accept_query_forms() {
    let a = VersionText {
        title: "Envoys to meet in Istanbul next week",
        text: "",
    };
    let b = VersionText {
        title: "Envoys to resume negotiations in Istanbul next week",
        text: "",
    };
    for t in [
        "negotiat*",
        "title:negotiations",
        "\"negotiations\"",
        "negoti",
    ] {
        let r = compare(&a, &b, &[t.to_string()]);
        assert_eq!(r.significance, Major, "{t}: {:?}", r.reasons);
        assert_eq!(r.reasons, ["topic words changed: negotiations"]);
    }
    let r = compare(&a, &b, &["source:negotiat*".to_string()]);
    assert_eq!(r.significance, Minor);
    // Russian stems: "перемирие" watched, "перемирия" inserted.
    let a = VersionText {
        title: "Песков прокомментировал заявление",
        text: "",
    };
    let b = VersionText {
        title: "Песков прокомментировал условия перемирия",
        text: "",
    };
    let r = compare(&a, &b, &["перемирие".to_string()]);
    assert!(
        r.reasons
            .iter()
            .any(|x| x.starts_with("topic words changed")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn render_plain_marks_changes() {
    let r = compare(
        &VersionText {
            title: AP_KILL_5,
            text: "",
        },
        &VersionText {
            title: AP_KILL_22,
            text: "",
        },
        &[],
    );
    assert_eq!(
        render_plain(&r.title),
        "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill [-5-]{+22+} in Ukraine before announced ceasefire"
    );
    // Separators between changed words join one change.
    let r = compare(
        &VersionText {
            title: AP_BRIEF_TRUCE,
            text: "",
        },
        &VersionText {
            title: AP_KILL_5,
            text: "",
        },
        &[],
    );
    assert!(
        render_plain(&r.title)
            .ends_with("before [-brief truce takes hold-]{+announced ceasefire+}"),
        "{}",
        render_plain(&r.title)
    );
    assert_eq!(render_plain(&FieldDiff::default()), "");
    let d = FieldDiff {
        ops: vec![
            DiffOp::Equal("a ".into()),
            DiffOp::Delete("b".into()),
            DiffOp::Insert("c".into()),
        ],
    };
    assert_eq!(render_plain(&d), "a [-b-]{+c+}");
}

#[test]
fn diff_ops_serialise_for_the_store() {
    let d = FieldDiff {
        ops: vec![DiffOp::Equal("a ".into()), DiffOp::Insert("b".into())],
    };
    assert_eq!(
        serde_json::to_string(&d.ops).unwrap(),
        r#"[{"Equal":"a "},{"Insert":"b"}]"#
    );
}

#[test]
fn large_texts_stay_fast_and_exact() {
    // ~256 KiB per side, every paragraph touched, plus one paragraph
    // rewritten wholesale: exercises the paragraph-first path and the
    // coarse fallback.
    let mut rng = fastrand::Rng::with_seed(7);
    let vocab = [
        "talks",
        "ceasefire",
        "Kyiv",
        "said",
        "the",
        "of",
        "перемирие",
        "12",
        "and",
    ];
    let paragraph = |rng: &mut fastrand::Rng, n: usize| -> String {
        let words: Vec<&str> = (0..n).map(|_| vocab[rng.usize(..vocab.len())]).collect();
        words.join(" ") + "\n"
    };
    let mut old = String::new();
    let mut new = String::new();
    while old.len() < 256 * 1024 {
        let p = paragraph(&mut rng, 60);
        old.push_str(&p);
        new.push_str(&p.replacen("talks", "negotiations", 1));
    }
    new.push_str(&paragraph(&mut rng, 30_000));
    let a = VersionText {
        title: "t",
        text: &old,
    };
    let b = VersionText {
        title: "t",
        text: &new,
    };
    let started = std::time::Instant::now();
    let r = compare(&a, &b, &["negotiat*".to_string()]);
    let took = started.elapsed();
    assert_rebuilds(&r.text, &old, &new);
    assert_eq!(r.significance, Major);
    assert!(
        r.reasons
            .iter()
            .any(|x| x == "diff coarse (text too long to compare word by word)"),
        "{:?}",
        r.reasons
    );
    // Generous bound for unoptimised test builds on a loaded machine.
    assert!(took.as_secs() < 20, "took {took:?}");
}

#[test]
fn random_inputs_never_panic() {
    let pieces = [
        "U.S.",
        "three",
        "3",
        "10,000",
        "10 000",
        "1.5",
        "«",
        "»",
        "“",
        "”",
        "„",
        "\"",
        "‘",
        "’",
        "'",
        "не",
        "not",
        "n't",
        "said",
        "by",
        "заявил",
        "Песков",
        "Ukraine",
        "ґ",
        "і",
        "ї",
        "й",
        "в",
        "із",
        "\u{200B}",
        "\u{00A0}",
        "\u{0301}",
        "\n",
        "\n\n",
        " ",
        ".",
        ":",
        "-",
        "—",
        "?",
        "é",
        "ß",
        "İ",
        "🙂",
        "\u{FEFF}",
        "Q1",
        "800-drone",
        "'s",
        "*",
        "\r\n",
    ];
    let mut rng = fastrand::Rng::with_seed(42);
    let random_text = |rng: &mut fastrand::Rng| -> String {
        let n = rng.usize(0..40);
        (0..n)
            .map(|_| pieces[rng.usize(..pieces.len())])
            .collect::<Vec<_>>()
            .join(if rng.bool() { " " } else { "" })
    };
    for _ in 0..2_000 {
        let (t1, x1, t2, x2) = (
            random_text(&mut rng),
            random_text(&mut rng),
            random_text(&mut rng),
            random_text(&mut rng),
        );
        let terms = vec![
            random_text(&mut rng),
            "negotiat*".to_string(),
            "title:".to_string(),
        ];
        let a = VersionText {
            title: &t1,
            text: &x1,
        };
        let b = VersionText {
            title: &t2,
            text: &x2,
        };
        let r = compare(&a, &b, &terms);
        assert_rebuilds(&r.title, &t1, &t2);
        assert_rebuilds(&r.text, &x1, &x2);
        assert!(
            (0.0..=1.0).contains(&r.changed_share),
            "{}",
            r.changed_share
        );
        assert!(!r.reasons.is_empty());
        let _ = is_extraction_failure(&a, &b);
        let _ = render_plain(&r.text);
    }
}
