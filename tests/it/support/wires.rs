//! Wire reports of one meeting, shared by the tests of context from the
//! story: one outlet's report that a talks query takes, another's worded
//! without the query's words, items that belong to no story, and the
//! configuration of several wires on one test server.

use crate::support::http::TestServer;

/// An RSS entry as `support::rss` takes it: guid, title, description.
pub type Entry = (&'static str, &'static str, &'static str);

/// An item that belongs to no story, to give each feed a first poll.
pub const FILLER: Entry = (
    "w0",
    "Light rain over the west of the country",
    "Light rain is expected on Tuesday.",
);

/// Another item of no story, polled beside a report of the meeting.
pub const UNRELATED: Entry = (
    "b2",
    "Heavy rain floods roads in Lviv region",
    "Roads in the Lviv region were flooded after a night of heavy rain.",
);

/// Wire A's report of the meeting: `TALKS_TOPIC`'s query takes it.
pub const MATCHING_REPORT: Entry = (
    "a1",
    "Medinsky and Umerov hold talks in Istanbul, agree to exchange 1,000 prisoners",
    "ISTANBUL, May 16 (Wire A) - Russian and Ukrainian delegations led by Vladimir Medinsky and Rustem Umerov held talks in Istanbul and agreed to exchange 1,000 prisoners each.",
);

/// Wire B's report of the same meeting, worded without the query's words.
pub const WORDED_APART: Entry = (
    "b1",
    "Medinsky and Umerov meet in Istanbul: Russia and Ukraine to swap 1,000 prisoners",
    "Vladimir Medinsky and Rustem Umerov met in Istanbul on Friday; Russia and Ukraine will each hand over 1,000 prisoners.",
);

/// The topic the reports are about.
pub const TALKS_TOPIC: &str = "[[topic]]\nname = \"talks\"\nquery = 'talks OR negotiat*'\n";

/// A configuration of one source per letter, "Wire A" at `/a` and so on,
/// followed by `TALKS_TOPIC`.
pub fn wires_config(server: &TestServer, letters: &[char]) -> String {
    let mut config = String::new();
    for letter in letters {
        let path = format!("/{}", letter.to_ascii_lowercase());
        config.push_str(&format!(
            "[[source]]\nname = \"Wire {letter}\"\nurl = \"{}\"\n\n",
            server.url(&path)
        ));
    }
    config + TALKS_TOPIC
}
