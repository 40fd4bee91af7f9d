//! A revision's reasons as a person reads them. `detect::revisions` writes
//! readable reasons ("figure 5 → 22", "headline rewritten (67% of
//! words)"); databases written by earlier builds hold short codes
//! (`share_changed: 0.61`, `numbers_changed: 5 → 22`, `negation_flipped`).
//! Every reader of stored reasons (`changes`, `show`, alerts, digests)
//! passes them through [`readable_reason`], so old rows read like new ones.

/// One stored reason in words: a code of an earlier build translated, a
/// readable reason unchanged.
pub fn readable_reason(reason: &str) -> String {
    let (code, detail) = match reason.split_once(": ") {
        Some((c, d)) => (c, Some(d)),
        None => (reason, None),
    };
    let share = |d: &str| -> Option<String> {
        let v: f64 = d.trim().parse().ok()?;
        Some(format!("{:.0}%", (v * 100.0).clamp(0.0, 100.0)))
    };
    let with = |label: &str| match detail {
        Some(d) => format!("{label}: {d}"),
        None => label.to_string(),
    };
    match (code, detail) {
        ("numbers_changed", Some(d)) => format!("figure {d}"),
        ("numbers" | "numbers_changed", None) => "figures changed".into(),
        ("negation" | "negation_flipped", _) => "negation added or dropped".into(),
        ("names_changed", _) => with("name changed"),
        ("name_spelling", _) => with("name spelling"),
        ("speaker_changed", _) => with("speaker changed"),
        ("topic_terms_changed", _) => with("topic words changed"),
        ("title_reframed", Some(d)) => match share(d) {
            Some(p) => format!("headline rewritten ({p} of words)"),
            None => "headline rewritten".into(),
        },
        ("share_changed", Some(d)) => match share(d) {
            Some(p) => format!("text rewritten ({p} of words)"),
            None => "text rewritten".into(),
        },
        ("words_changed", Some(d)) => format!("reworded ({d} words)"),
        ("quote_changed", _) => "quotation changed".into(),
        ("quote_marks_changed", _) => "quote marks changed".into(),
        ("unchanged", None) => "no words changed".into(),
        ("whitespace_only", None) => "spacing only".into(),
        ("quote_glyphs_only", None) => "quote marks only".into(),
        ("case_only", None) => "letter case only".into(),
        ("punctuation_only", None) => "punctuation only".into(),
        ("word_order_only", None) => "word order only".into(),
        ("invisible_characters", None) => "invisible characters only".into(),
        ("spelling_variant", _) => with("spelling variant"),
        ("numerals_spelled", _) => with("number written out"),
        ("diff_truncated", None) => "diff coarse (text too long to compare word by word)".into(),
        _ => reason.to_string(),
    }
}

/// Stored reasons (a JSON list) in words; not a list: none.
pub fn readable_reasons(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json)
        .unwrap_or_default()
        .iter()
        .map(|r| readable_reason(r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_earlier_builds_read_as_words() {
        let cases = [
            ("share_changed: 0.61", "text rewritten (61% of words)"),
            ("title_reframed: 0.5", "headline rewritten (50% of words)"),
            ("numbers_changed: 5 → 22", "figure 5 → 22"),
            ("numbers", "figures changed"),
            ("negation", "negation added or dropped"),
            ("negation_flipped", "negation added or dropped"),
            (
                "names_changed: Астаны → Алматы",
                "name changed: Астаны → Алматы",
            ),
            (
                "name_spelling: Пунчук/Пинчук",
                "name spelling: Пунчук/Пинчук",
            ),
            (
                "topic_terms_changed: ceasefire, truce",
                "topic words changed: ceasefire, truce",
            ),
            ("words_changed: 3", "reworded (3 words)"),
            ("spelling_variant: U.S./US", "spelling variant: U.S./US"),
            ("numerals_spelled: three/3", "number written out: three/3"),
            ("case_only", "letter case only"),
            (
                "diff_truncated",
                "diff coarse (text too long to compare word by word)",
            ),
        ];
        for (code, words) in cases {
            assert_eq!(readable_reason(code), words, "{code}");
        }
    }

    #[test]
    fn readable_reasons_and_odd_values_pass_unchanged() {
        for r in [
            "figure 5 → 22",
            "attribution dropped: пишут СМИ",
            "state changed: set → done",
            "share_changed: lots",
            "",
        ] {
            let out = readable_reason(r);
            if r == "share_changed: lots" {
                assert_eq!(out, "text rewritten");
            } else {
                assert_eq!(out, r);
            }
        }
        assert_eq!(
            readable_reasons(r#"["numbers","figure 1 → 2"]"#),
            ["figures changed", "figure 1 → 2"]
        );
        assert!(readable_reasons("not json").is_empty());
    }
}
