//! The private-network policy end to end, with the real binary and real
//! name resolution.
//!
//! These tests run in a network namespace that has only a loopback device:
//! each test re-executes this test binary under `unshare -rnm` (user,
//! network and mount namespaces, no privilege needed), which brings `lo`
//! up, adds 198.51.100.7 to it (an address the policy counts as public)
//! and bind-mounts a hosts file naming `feed.test` (198.51.100.7) and
//! `rebind.test` / `intranet.test` (127.0.0.1). No packet can leave the
//! namespace, so a redirect to 169.254.169.254 sends nothing anywhere even
//! if the policy failed; and a server on 127.0.0.1 counts every connection,
//! so "refused" means "never connected", not "failed to connect".
//!
//! If `unshare` cannot make the namespace here, the tests fail and say so.

use std::path::Path;
use std::process::Command;

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::rss;

/// Set in the re-executed test binary, inside the namespace.
const INSIDE: &str = "NEWSWATCH_TEST_LOOPBACK_ONLY_NETNS";
/// The "public" feed host: 198.51.100.0/24 is for documentation, on no
/// network at all, and the policy does not refuse it.
const PUBLIC_IP: &str = "198.51.100.7";
const HOSTS: &str =
    "127.0.0.1 localhost\n198.51.100.7 feed.test\n127.0.0.1 rebind.test intranet.test\n";
const HINT: &str = "set [daemon] allow_private_networks = true, or allow_private_network = true on the source, if this is intended";

/// Whether this process is the re-executed one, inside the namespace.
/// Outside, run test `name` again inside one and fail with its output if
/// it fails (or if no test of that name ran there).
fn in_loopback_only_namespace(name: &str) -> bool {
    if std::env::var_os(INSIDE).is_some() {
        return true;
    }
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    std::fs::write(&hosts, HOSTS).unwrap();
    let script = format!(
        "set -e; PATH=\"$PATH:/usr/sbin:/sbin\"; ip link set lo up; \
         ip addr add {PUBLIC_IP}/32 dev lo; mount --bind \"$NEWSWATCH_TEST_HOSTS\" /etc/hosts; \
         exec \"$@\""
    );
    let out = Command::new("unshare")
        .args(["-rnm", "--", "sh", "-c", &script, "sh"])
        .arg(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .env("NEWSWATCH_TEST_HOSTS", &hosts)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run unshare (util-linux) for a loopback-only network namespace: {e}")
        });
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} inside `unshare -rnm` (a loopback-only network namespace; this needs \
         user namespaces, `ip` and `mount`) failed: {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    false
}

fn feed(guid: &str, title: &str) -> String {
    rss(&[(guid, title, "Text.")])
}

/// `sources list --json`, one object per source name.
fn sources(env: &Env) -> std::collections::HashMap<String, serde_json::Value> {
    env.run(&["--json", "sources", "list"])
        .expect(0)
        .json_lines()
        .into_iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s))
        .collect()
}

fn check_hosts_file() {
    assert_eq!(
        std::fs::read_to_string(Path::new("/etc/hosts")).unwrap(),
        HOSTS,
        "the namespace's /etc/hosts"
    );
}

/// A public source is never let through to an internal address: not by a
/// redirect to a literal address (loopback, the metadata service, an
/// IPv4-mapped IPv6 form), not by a redirect to a name that resolves to
/// one, not by its own name resolving to one. Each is a clear error in
/// `sources list`, the source stays enabled, nothing from the internal
/// server is stored and the stored URL does not move.
#[test]
fn public_sources_never_reach_internal_addresses() {
    if !in_loopback_only_namespace("private_network::public_sources_never_reach_internal_addresses")
    {
        return;
    }
    check_hosts_file();
    let secret = TestServer::start();
    secret.fixed("/secret", Response::ok(feed("s1", "Internal secret")));
    let public = TestServer::start_on(PUBLIC_IP);
    let (p, s) = (public.addr.port(), secret.addr.port());
    let moved = |to: String| Response::status(301).header("Location", &to);
    public.fixed(
        "/to-loopback",
        moved(format!("http://127.0.0.1:{s}/secret")),
    );
    public.fixed(
        "/to-metadata",
        moved("http://169.254.169.254/latest/meta-data/".into()),
    );
    public.fixed("/to-name", moved(format!("http://rebind.test:{s}/secret")));
    public.fixed(
        "/to-mapped",
        Response::status(302).header("Location", &format!("http://[::ffff:127.0.0.1]:{s}/secret")),
    );
    public.fixed("/ok", Response::ok(feed("p1", "Public news")));
    let sources_list = [
        ("loopback", format!("http://feed.test:{p}/to-loopback")),
        ("metadata", format!("http://feed.test:{p}/to-metadata")),
        ("rebind", format!("http://feed.test:{p}/to-name")),
        ("mapped", format!("http://{PUBLIC_IP}:{p}/to-mapped")),
        ("own-name", format!("http://rebind.test:{s}/secret")),
        ("public", format!("http://feed.test:{p}/ok")),
    ];
    let env = Env::with_sources(
        "",
        &sources_list
            .iter()
            .map(|(n, u)| (*n, u.as_str()))
            .collect::<Vec<_>>(),
    );
    let poll = env.run(&["poll", "--all"]).expect(1);

    let expected = [
        (
            "loopback",
            format!(
                "refused to connect to 127.0.0.1 (loopback): redirect from http://feed.test:{p}/to-loopback; {HINT}"
            ),
        ),
        (
            "metadata",
            format!(
                "refused to connect to 169.254.169.254 (cloud metadata service): redirect from http://feed.test:{p}/to-metadata; {HINT}"
            ),
        ),
        (
            "rebind",
            format!(
                "refused to connect to rebind.test at 127.0.0.1 (loopback): redirect from http://feed.test:{p}/to-name; {HINT}"
            ),
        ),
        (
            "mapped",
            format!(
                "refused to connect to ::ffff:127.0.0.1 (loopback): redirect from http://{PUBLIC_IP}:{p}/to-mapped; {HINT}"
            ),
        ),
        (
            "own-name",
            format!("refused to connect to rebind.test at 127.0.0.1 (loopback); {HINT}"),
        ),
    ];
    let listed = sources(&env);
    for ((name, error), (_, url)) in expected.iter().zip(&sources_list) {
        let row = &listed[*name];
        assert_eq!(row["last_error"], error.as_str(), "{name}: {row}");
        assert_eq!(row["last_status"], "error", "{name}: {row}");
        assert_eq!(row["enabled"], true, "{name} stays enabled: {row}");
        assert_eq!(
            row["error_streak"], 1,
            "{name} retries like any failure: {row}"
        );
        assert_eq!(row["url"], url.as_str(), "{name}: the stored URL moved");
        assert_eq!(row["items"], 0, "{name}: {row}");
        // The fetch log (and the poll's own output) say it too.
        assert!(
            poll.stderr.contains(error.as_str()),
            "{name}: {}",
            poll.stderr
        );
    }
    assert_eq!(
        env.count(&format!(
            "SELECT count(*) FROM fetches WHERE error LIKE 'refused to connect to %{HINT}'"
        )),
        expected.len() as i64
    );
    assert_eq!(listed["public"]["last_status"], "ok");
    assert_eq!(listed["public"]["items"], 1);
    assert_eq!(
        env.count("SELECT count(*) FROM items WHERE title = 'Internal secret'"),
        0
    );
    assert_eq!(
        secret.connections(),
        0,
        "the internal server was connected to"
    );
    assert_eq!(public.requests("/to-loopback").len(), 1);
}

/// What the operator allows is followed: with `[daemon]
/// allow_private_networks = true` the same redirect to 127.0.0.1 is
/// followed (and, being permanent, moves the source); without it, a source
/// configured at a loopback address (an intranet feed) works, and so does
/// one reached by a name with `allow_private_network = true`.
#[test]
fn allowed_sources_reach_internal_addresses() {
    if !in_loopback_only_namespace("private_network::allowed_sources_reach_internal_addresses") {
        return;
    }
    check_hosts_file();
    let internal = TestServer::start();
    internal.fixed("/secret", Response::ok(feed("s1", "Internal news")));
    let public = TestServer::start_on(PUBLIC_IP);
    let (p, s) = (public.addr.port(), internal.addr.port());
    public.fixed(
        "/to-loopback",
        Response::status(301).header("Location", &format!("http://127.0.0.1:{s}/secret")),
    );
    let redirected = format!("http://feed.test:{p}/to-loopback");
    let env = Env::with_sources(
        "allow_private_networks = true",
        &[("loopback", &redirected)],
    );
    env.run(&["poll", "--all"]).expect(0);
    let listed = sources(&env);
    assert_eq!(
        listed["loopback"]["last_status"], "ok",
        "{}",
        listed["loopback"]
    );
    assert_eq!(listed["loopback"]["items"], 1);
    assert_eq!(
        listed["loopback"]["url"],
        format!("http://127.0.0.1:{s}/secret").as_str()
    );
    assert_eq!(internal.requests("/secret").len(), 1);

    let literal = format!("http://127.0.0.1:{s}/secret");
    let named = format!("http://intranet.test:{s}/secret");
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"literal\"\nurl = \"{literal}\"\n\n\
             [[source]]\nname = \"named\"\nurl = \"{named}\"\nallow_private_network = true\n\n\
             [[source]]\nname = \"unflagged\"\nurl = \"http://rebind.test:{s}/secret\"\n"
        ),
    );
    env.run(&["poll", "--all"]).expect(1);
    let listed = sources(&env);
    for name in ["literal", "named"] {
        assert_eq!(
            listed[name]["last_status"], "ok",
            "{name}: {}",
            listed[name]
        );
        assert_eq!(listed[name]["items"], 1, "{name}");
    }
    // The flag is per source: the same host by another name is refused.
    assert_eq!(listed["unflagged"]["last_status"], "error");
    assert_eq!(internal.requests("/secret").len(), 3);
}

/// The shipped unit's IP filter (systemd/newswatch.service): everything but
/// link-local. systemd grants what any IPAddressAllow= prefix matches
/// before it looks at IPAddressDeny=, so with `IPAddressDeny=any` the
/// allow lists must be exactly "any" without 169.254.0.0/16 and fe80::/10:
/// no overlap, nothing link-local, and the sizes add up.
#[test]
fn the_unit_allows_every_address_but_link_local() {
    use std::net::IpAddr;
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/systemd/newswatch.service"
    ))
    .unwrap();
    let values = |key: &str| -> Vec<String> {
        unit.lines()
            .filter_map(|l| l.strip_prefix(key))
            .flat_map(|v| v.split_whitespace().map(str::to_string))
            .collect()
    };
    assert_eq!(values("IPAddressDeny="), ["any"]);
    // (network as u128, prefix length, address bits)
    let allowed: Vec<(u128, u32, u32)> = values("IPAddressAllow=")
        .iter()
        .map(|p| {
            let (addr, len) = p.split_once('/').expect("a prefix length");
            let (addr, len): (IpAddr, u32) = (addr.parse().unwrap(), len.parse().unwrap());
            match addr {
                IpAddr::V4(a) => (u32::from(a) as u128, len, 32),
                IpAddr::V6(a) => (u128::from(a), len, 128),
            }
        })
        .collect();
    let covers = |&(net, len, bits): &(u128, u32, u32), addr: u128, addr_bits: u32| {
        addr_bits == bits && (len == 0 || (net ^ addr) >> (bits - len) == 0)
    };
    let allows = |addr: &str| {
        let (a, bits) = match addr.parse::<IpAddr>().unwrap() {
            IpAddr::V4(a) => (u32::from(a) as u128, 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        };
        allowed.iter().any(|p| covers(p, a, bits))
    };
    for addr in [
        "169.254.0.0",
        "169.254.169.254",
        "169.254.255.255",
        "fe80::1",
        "febf:ffff::1",
    ] {
        assert!(!allows(addr), "{addr} is allowed");
    }
    for addr in [
        "0.0.0.0",
        "127.0.0.1",
        "10.0.0.1",
        "169.253.255.255",
        "169.255.0.0",
        "192.168.1.1",
        "255.255.255.255",
        "::1",
        "fd00::1",
        "fe7f:ffff::1",
        "fec0::1",
        "ff02::1",
        "2001:db8::1",
    ] {
        assert!(allows(addr), "{addr} is not allowed");
    }
    for (i, a) in allowed.iter().enumerate() {
        for b in &allowed[i + 1..] {
            let shorter = if a.1 <= b.1 { a } else { b };
            let other = if a.1 <= b.1 { b } else { a };
            assert!(
                !covers(shorter, other.0, other.2),
                "{a:?} and {b:?} overlap"
            );
        }
    }
    let size = |bits: u32| -> u128 {
        allowed
            .iter()
            .filter(|p| p.2 == bits)
            .map(|&(_, len, bits)| 1u128 << (bits - len))
            .sum()
    };
    assert_eq!(size(32), (1u128 << 32) - (1 << 16), "IPv4 minus a /16");
    assert_eq!(
        size(128),
        u128::MAX - (1u128 << 118) + 1,
        "IPv6 minus a /10"
    );
}

/// Sources from the config, `sources add` and an OPML import get the same
/// rule: a URL naming an internal host is an intranet feed, said on adding
/// (an OPML file often comes from elsewhere) and by `check-config`, and is
/// polled; a name needs the operator's flag. (Outside the namespace: only
/// loopback sources are polled here.)
#[test]
fn every_way_in_gets_the_same_policy() {
    let server = TestServer::start();
    server.fixed("/added", Response::ok(feed("a1", "Added")));
    server.fixed("/imported", Response::ok(feed("i1", "Imported")));
    let env = Env::new(
        "",
        "[[source]]\nname = \"wire\"\nurl = \"https://feed.example/rss\"\n\n\
         [[source]]\nname = \"lan\"\nurl = \"http://10.0.0.5/rss\"\n\n\
         [[source]]\nname = \"wiki\"\nurl = \"http://wiki.corp.example/feed\"\nallow_private_network = true\n",
    );
    let checked = env.run(&["--json", "check-config"]).expect(0).json_lines();
    let flags: Vec<(String, bool)> = checked[0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["private_network"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("wire".to_string(), false),
            ("lan".to_string(), true),
            ("wiki".to_string(), true)
        ]
    );
    let text = env.run(&["check-config"]).expect(0).stdout;
    let marked: Vec<&str> = text
        .lines()
        .filter(|l| l.ends_with("(may reach private networks)"))
        .collect();
    assert_eq!(marked.len(), 2, "{text}");
    assert!(
        !text.contains("wire  https://feed.example/rss  (may"),
        "{text}"
    );

    let added = server.url("/added");
    let out = env.run(&["sources", "add", "local", &added]).expect(0);
    assert!(
        out.stderr
            .contains(&format!("note: 'local' ({added}) names a non-public host")),
        "{}",
        out.stderr
    );
    let opml = env.path("feeds.opml");
    let imported = format!("http://localhost:{}/imported", server.addr.port());
    std::fs::write(
        &opml,
        format!(
            "<?xml version=\"1.0\"?><opml version=\"2.0\"><head/><body>\
             <outline text=\"intranet\" type=\"rss\" xmlUrl=\"{imported}\"/>\
             <outline text=\"outside\" type=\"rss\" xmlUrl=\"https://news.example/rss\"/>\
             </body></opml>"
        ),
    )
    .unwrap();
    let out = env
        .run(&["sources", "import-opml", &opml.display().to_string()])
        .expect(0);
    assert!(
        out.stderr.contains("note: 'intranet'") && !out.stderr.contains("'outside'"),
        "{}",
        out.stderr
    );
    for name in ["local", "intranet"] {
        env.run(&["poll", "--source", name]).expect(0);
    }
    let listed = sources(&env);
    assert_eq!(listed["local"]["items"], 1, "{}", listed["local"]);
    assert_eq!(listed["intranet"]["items"], 1, "{}", listed["intranet"]);
}
