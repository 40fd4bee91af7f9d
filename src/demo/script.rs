//! What the demo's feeds say, step by step: four invented outlets (three in
//! English, one in Russian served as windows-1251), a baseline of ordinary
//! news, then one event per step. Everything here is fiction: the outlets
//! live under `.example` domains and the people do not exist.
//!
//! The wording is chosen for today's detection, and the tests below pin
//! that it still works: the step-1 headlines are near-identical wire copy
//! (stories group by a title-weighted fingerprint, not by meaning), the
//! step-2 edit changes one number, and Savin's two quotes are on one issue
//! and take stances of different directions, readiness then a condition (a
//! shift is a stance that moves the speaker's position on an issue).

use chrono::{DateTime, Duration, Utc};

/// How a feed is served.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// RSS 2.0 in UTF-8.
    Rss,
    /// RSS 2.0 in windows-1251, as many Russian sites still serve it.
    RssWindows1251,
    /// Atom 1.0 in UTF-8.
    Atom,
}

/// One invented outlet.
#[derive(Debug)]
pub struct Feed {
    pub name: &'static str,
    /// Where the demo's server answers with it.
    pub path: &'static str,
    /// The outlet's (invented) site; item links live under it.
    pub site: &'static str,
    pub language: &'static str,
    pub tags: &'static [&'static str],
    pub format: Format,
    pub description: &'static str,
}

pub const FEEDS: &[Feed] = &[
    Feed {
        name: "Kyiv Ledger",
        path: "/kyiv-ledger/rss.xml",
        site: "https://kyivledger.example/",
        language: "en",
        tags: &["ukraine"],
        format: Format::Rss,
        description: "News from Kyiv (invented for newswatch demo)",
    },
    Feed {
        name: "Northern Courier",
        path: "/northern-courier/feed.xml",
        site: "https://northerncourier.example/",
        language: "en",
        tags: &["international"],
        format: Format::Rss,
        description: "World news (invented for newswatch demo)",
    },
    Feed {
        name: "Danube Post",
        path: "/danube-post/atom.xml",
        site: "https://danubepost.example/",
        language: "en",
        tags: &["international"],
        format: Format::Atom,
        description: "News from the Danube region (invented for newswatch demo)",
    },
    Feed {
        name: "Nevsky Vestnik",
        path: "/nevsky-vestnik/rss.xml",
        site: "https://nevsky-vestnik.example/",
        language: "ru",
        tags: &["russia"],
        format: Format::RssWindows1251,
        description: "Новости (вымышленное издание для newswatch demo)",
    },
];

/// Index of a feed in [`FEEDS`].
pub const KYIV_LEDGER: usize = 0;
pub const NORTHERN_COURIER: usize = 1;
pub const DANUBE_POST: usize = 2;
pub const NEVSKY_VESTNIK: usize = 3;

/// The steps, in order: what the demo says as it starts each one. Step 0 is
/// the feeds' first poll.
pub const STEPS: &[&str] = &[
    "first poll of the four feeds: their items are the baseline (a feed's first poll raises no alert)",
    "three outlets report a missile strike on Zaporizhzhia in near-identical words",
    "Kyiv Ledger raises the death toll in its headline from 5 to 22",
    "Northern Courier reports Deputy Foreign Minister Savin ruling out a ceasefire",
];

/// The step in which the new story appears, the edit, and the shift.
pub const STEP_STORY: usize = 1;
pub const STEP_REVISION: usize = 2;
pub const STEP_SHIFT: usize = 3;

/// The configured speaker, an invented official.
pub const SPEAKER: &str = "Grigory Savin";
pub const SPEAKER_ALIASES: &[&str] = &["Savin", "Савин"];

/// The demo's topic and its rule.
pub const TOPIC: &str = "peace-talks";
pub const TOPIC_QUERY: &str = r#"(talks OR negotiat* OR ceasefire OR truce OR "prisoner exchange"
   OR переговор* OR перемири*)
  AND (ukrain* OR russia* OR kyiv OR moscow OR geneva
   OR украин* OR росси* OR киев* OR москв* OR женев*)"#;

/// One item of a feed.
#[derive(Debug)]
pub struct Entry {
    pub feed: usize,
    /// Last part of the item's link, unique within the feed.
    pub slug: &'static str,
    /// The step in which it appears (0: the baseline).
    pub step: usize,
    /// Baseline items: published this many minutes before the demo started.
    /// Later items are published when their step starts.
    pub minutes_before: i64,
    pub title: &'static str,
    pub text: &'static str,
    /// From this step on, the item reads (title, text).
    pub edit: Option<(usize, &'static str, &'static str)>,
}

/// The agency copy the three outlets carry in step 1.
const STRIKE_TEXT: &str = "A Russian missile hit a residential street in Zaporizhzhia early today, \
killing 5 people and damaging two apartment blocks, the regional governor said. The strike came \
hours before Ukrainian and Russian negotiators sat down for a second day of peace talks in \
Geneva. Rescuers were still searching the rubble by midday.";

const STRIKE_TEXT_22: &str = "A Russian missile hit a residential street in Zaporizhzhia early today, \
killing 22 people and damaging two apartment blocks, the regional governor said. The strike came \
hours before Ukrainian and Russian negotiators sat down for a second day of peace talks in \
Geneva. Rescuers were still searching the rubble by midday.";

pub const ENTRIES: &[Entry] = &[
    // --- the baseline --------------------------------------------------------
    Entry {
        feed: KYIV_LEDGER,
        slug: "delegations-arrive-in-geneva",
        step: 0,
        minutes_before: 95,
        title: "Ukrainian and Russian delegations arrive in Geneva for third round of talks",
        text: "Delegations from Kyiv and Moscow arrived in Geneva last night for a third \
round of direct talks hosted by Switzerland. Officials on both sides said a new prisoner exchange \
and a pause in strikes on energy facilities were at the top of the agenda. No meeting between the \
two presidents is planned.",
        edit: None,
    },
    Entry {
        feed: KYIV_LEDGER,
        slug: "kharkiv-power-restored",
        step: 0,
        minutes_before: 60,
        title: "Power restored to 40,000 homes in Kharkiv after overnight drone attack",
        text: "Repair crews restored electricity to about 40,000 households in Kharkiv by the \
morning, the regional energy company said. Drones hit a substation on the city's outskirts shortly \
after midnight; no one was hurt.",
        edit: None,
    },
    Entry {
        feed: KYIV_LEDGER,
        slug: "metro-night-service",
        step: 0,
        minutes_before: 30,
        title: "Kyiv metro to keep stations open at night during air-raid alerts",
        text: "The Kyiv metro will keep its stations open through the night during air-raid alerts \
from next week, the city administration said, after complaints that shelters in several districts \
had been found locked.",
        edit: None,
    },
    Entry {
        feed: NORTHERN_COURIER,
        slug: "moscow-signals-openness-to-energy-truce",
        step: 0,
        minutes_before: 80,
        title: "Moscow signals openness to energy truce ahead of Geneva round",
        text: "Russia is prepared to discuss a pause in strikes on energy infrastructure when talks \
resume in Geneva, a senior diplomat said. \u{201c}Russia is ready to discuss a ceasefire \
along the current line of contact when the Geneva round begins,\u{201d} Deputy Foreign Minister \
Grigory Savin told reporters in Moscow.",
        edit: None,
    },
    Entry {
        feed: NORTHERN_COURIER,
        slug: "eu-weighs-tanker-sanctions",
        step: 0,
        minutes_before: 50,
        title: "EU ministers weigh new sanctions on tankers carrying Russian oil",
        text: "European Union foreign ministers will discuss a new package of sanctions aimed at \
tankers that carry Russian oil under flags of convenience, diplomats said. A decision is not \
expected before next month.",
        edit: None,
    },
    Entry {
        feed: NORTHERN_COURIER,
        slug: "baltic-grain-record",
        step: 0,
        minutes_before: 20,
        title: "Baltic ports report record grain transit from Ukraine",
        text: "Grain shipments from Ukraine through Baltic ports reached a record 2.1 million tonnes \
in the first quarter, port authorities said, as exporters sought routes away from the Black Sea.",
        edit: None,
    },
    Entry {
        feed: DANUBE_POST,
        slug: "turkey-offers-black-sea-talks",
        step: 0,
        minutes_before: 70,
        title: "Turkey offers to host talks on Black Sea shipping safety",
        text: "Turkey is ready to host Ukrainian and Russian officials for talks on the safety of \
commercial shipping in the Black Sea, the foreign ministry in Ankara said, adding that no date has \
been set.",
        edit: None,
    },
    Entry {
        feed: DANUBE_POST,
        slug: "isaccea-crossing-opens",
        step: 0,
        minutes_before: 40,
        title: "Romania opens new Danube crossing for grain trucks",
        text: "A new crossing on the Danube near Isaccea opened for freight today, cutting \
waiting times for grain exporters, Romanian customs officials said.",
        edit: None,
    },
    Entry {
        feed: DANUBE_POST,
        slug: "danube-low-water",
        step: 0,
        minutes_before: 10,
        title: "Danube water levels fall to ten-year low, slowing barges",
        text: "Barges on the lower Danube are sailing half-loaded after water levels fell to their \
lowest in ten years, shipping companies said. Rain is forecast for the weekend.",
        edit: None,
    },
    Entry {
        feed: NEVSKY_VESTNIK,
        slug: "zheneva-tretiy-raund",
        step: 0,
        minutes_before: 90,
        title: "В Женеве начался третий раунд переговоров России и Украины",
        text: "Делегации России и Украины прибыли в Женеву на третий раунд прямых переговоров при \
посредничестве Швейцарии. По данным источников, стороны обсудят новый обмен пленными и паузу в \
ударах по энергетике.",
        edit: None,
    },
    Entry {
        feed: NEVSKY_VESTNIK,
        slug: "klyuchevaya-stavka",
        step: 0,
        minutes_before: 55,
        title: "Центробанк сохранил ключевую ставку",
        text: "Банк России сохранил ключевую ставку на прежнем уровне, сообщила пресс-служба \
регулятора. Следующее заседание совета директоров запланировано на июнь.",
        edit: None,
    },
    Entry {
        feed: NEVSKY_VESTNIK,
        slug: "knizhnyy-salon",
        step: 0,
        minutes_before: 25,
        title: "В Петербурге открылся книжный салон",
        text: "На Дворцовой площади открылся книжный салон: в этом году в нём участвуют более трёхсот \
издательств.",
        edit: None,
    },
    // --- step 1: one event, three outlets -------------------------------------
    Entry {
        feed: KYIV_LEDGER,
        slug: "zaporizhzhia-missile-strike",
        step: STEP_STORY,
        minutes_before: 0,
        title: "Russian missile strike on Zaporizhzhia kills 5 as peace talks resume in Geneva",
        text: STRIKE_TEXT,
        // --- step 2: the death toll rises --------------------------------------
        edit: Some((
            STEP_REVISION,
            "Russian missile strike on Zaporizhzhia kills 22 as peace talks resume in Geneva",
            STRIKE_TEXT_22,
        )),
    },
    Entry {
        feed: NORTHERN_COURIER,
        slug: "zaporizhzhia-strike-geneva-talks",
        step: STEP_STORY,
        minutes_before: 0,
        title: "Russian missile strike on Zaporizhzhia kills 5 as peace talks resume in Geneva",
        text: STRIKE_TEXT,
        edit: None,
    },
    Entry {
        feed: DANUBE_POST,
        slug: "missile-strike-zaporizhzhia",
        step: STEP_STORY,
        minutes_before: 0,
        title: "Russian missile strike kills 5 in Zaporizhzhia as Geneva peace talks resume",
        text: STRIKE_TEXT,
        edit: None,
    },
    // --- step 3: the official's statement shifts ------------------------------
    Entry {
        feed: NORTHERN_COURIER,
        slug: "savin-rules-out-ceasefire",
        step: STEP_SHIFT,
        minutes_before: 0,
        title: "Savin rules out ceasefire until Ukrainian troops leave four regions",
        text: "Moscow will not agree to a ceasefire while Ukrainian forces remain in the four \
regions it claims, Deputy Foreign Minister Grigory Savin said, hours after he had spoken of a \
truce along the current line of contact. \u{201c}There will be no ceasefire until Kyiv withdraws its \
troops,\u{201d} Savin said after the second day of talks in \
Geneva.",
        edit: None,
    },
];

impl Entry {
    /// The item's link.
    pub fn url(&self) -> String {
        format!("{}news/{}", FEEDS[self.feed].site, self.slug)
    }

    /// (title, text) as the feed carries it during `step`.
    pub fn version_at(&self, step: usize) -> (&'static str, &'static str) {
        match self.edit {
            Some((from, title, text)) if step >= from => (title, text),
            _ => (self.title, self.text),
        }
    }

    /// When the item was published, given when the demo and each step started.
    pub fn published(
        &self,
        demo_start: DateTime<Utc>,
        step_started: &[DateTime<Utc>],
    ) -> DateTime<Utc> {
        if self.step == 0 {
            demo_start - Duration::minutes(self.minutes_before)
        } else {
            step_started.get(self.step).copied().unwrap_or(demo_start)
        }
    }
}

/// The entries a feed carries during `step`, newest first (feeds list
/// their latest items at the top).
pub fn entries_at(feed: usize, step: usize) -> Vec<&'static Entry> {
    let mut out: Vec<&Entry> = ENTRIES
        .iter()
        .filter(|e| e.feed == feed && e.step <= step)
        .collect();
    out.sort_by_key(|e| (std::cmp::Reverse(e.step), e.minutes_before));
    out
}

/// How many items step `step` brings that no feed carried before.
pub fn new_in_step(step: usize) -> usize {
    ENTRIES.iter().filter(|e| e.step == step).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::revisions::{Significance, VersionText, compare};
    use crate::detect::statements::{
        PastStance, Position, Speaker, SpeakerSet, extract_quotes, position, statement_shift,
    };
    use crate::detect::stories::{SAME_STORY_MAX_DISTANCE, fingerprint, hamming};

    fn in_step(step: usize) -> Vec<&'static Entry> {
        ENTRIES.iter().filter(|e| e.step == step).collect()
    }

    /// Stories group by fingerprint distance: the three reports of step 1
    /// must be one story whichever is stored first, and no earlier item of
    /// another outlet may pull one of them into its own story.
    #[test]
    fn the_three_reports_are_one_story_and_join_no_earlier_one() {
        let reports = in_step(STEP_STORY);
        assert_eq!(reports.len(), 3);
        let prints: Vec<u64> = reports
            .iter()
            .map(|e| fingerprint(e.title, e.text))
            .collect();
        for a in &prints {
            for b in &prints {
                assert!(
                    hamming(*a, *b) <= SAME_STORY_MAX_DISTANCE,
                    "{} bits apart",
                    hamming(*a, *b)
                );
            }
        }
        for earlier in ENTRIES.iter().filter(|e| e.step < STEP_STORY) {
            let fp = fingerprint(earlier.title, earlier.text);
            for (report, p) in reports.iter().zip(&prints) {
                assert!(
                    hamming(fp, *p) > SAME_STORY_MAX_DISTANCE,
                    "{:?} would join {:?}",
                    report.title,
                    earlier.title
                );
            }
        }
    }

    #[test]
    fn the_edit_is_a_major_revision_for_the_changed_figure() {
        let e = &ENTRIES
            .iter()
            .find(|e| e.edit.is_some())
            .expect("an edited entry");
        let (title, text) = e.version_at(STEP_REVISION);
        let r = compare(
            &VersionText {
                title: e.title,
                text: e.text,
            },
            &VersionText { title, text },
            &[],
        );
        assert_eq!(r.significance, Significance::Major);
        assert!(
            r.reasons.iter().any(|r| r == "figure 5 → 22"),
            "{:?}",
            r.reasons
        );
    }

    #[test]
    fn savins_second_statement_is_a_shift_from_his_first() {
        let speakers = SpeakerSet::new(vec![Speaker {
            name: SPEAKER.into(),
            aliases: SPEAKER_ALIASES.iter().map(|a| a.to_string()).collect(),
        }]);
        let t0 = Utc::now();
        let positions = |e: &Entry| -> Vec<Position> {
            extract_quotes(e.title, e.text, &speakers)
                .into_iter()
                .map(|q| position(&q.text, &q.context))
                .collect()
        };
        let mut before: Vec<PastStance> = Vec::new();
        for e in ENTRIES.iter().filter(|e| e.step < STEP_SHIFT) {
            before.extend(positions(e).into_iter().map(|p| PastStance {
                issue: p.issue,
                aspect: p.aspect,
                stance: p.stance,
                at: t0,
            }));
        }
        assert_eq!(before.len(), 1, "one earlier statement: {before:?}");
        let after = positions(in_step(STEP_SHIFT)[0]);
        assert!(!after.is_empty());
        // The commit stage's decision, restatement and change cues included.
        let at = t0 + Duration::minutes(5);
        let shifts = after
            .iter()
            .filter(|p| statement_shift(p, at, &before).is_some())
            .count();
        // The headline and the quote under it both move it; the commit stage
        // records one shift per speaker and issue in an item.
        assert!(shifts >= 1, "{before:?} -> {after:?}");
    }

    #[test]
    fn every_step_brings_something_and_links_are_unique() {
        assert!(new_in_step(0) > 0);
        assert_eq!(new_in_step(STEP_REVISION), 0, "step 2 only edits");
        let mut urls: Vec<String> = ENTRIES.iter().map(Entry::url).collect();
        urls.sort();
        urls.dedup();
        assert_eq!(urls.len(), ENTRIES.len());
        assert_eq!(STEPS.len(), STEP_SHIFT + 1);
    }
}
