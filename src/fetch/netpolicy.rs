//! Which addresses a fetch may connect to: the private-network policy.
//!
//! Pure decisions, no I/O. A feed host must not be able to make the daemon
//! fetch from (and store what it finds on) the machine itself, its local
//! network or the cloud metadata service, by a redirect or by its own DNS
//! answer. So each source gets a [`Reach`]: `Public` unless the operator
//! allowed more (`[daemon] allow_private_networks`, a source's
//! `allow_private_network`) or the source's *configured* URL itself names
//! an internal host (an intranet feed). The decision reads the URL text
//! only, never what its name resolves to: otherwise the DNS of a public feed
//! host could turn it into an "intranet" source.
//!
//! The checks are applied twice: on the URL text before every request
//! (reqwest does not resolve IP literals, so no resolver sees them) and on
//! every resolved address at connect time (`resolver.rs`), so a name that
//! resolves differently the second time (DNS rebinding) gains nothing.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// The advice every refusal ends with.
pub const HINT: &str = "set [daemon] allow_private_networks = true, or allow_private_network = true on the source, if this is intended";

/// Why an address is not on the public internet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonPublic {
    /// 127.0.0.0/8, ::1, and the name `localhost`.
    Loopback,
    /// RFC 1918 (10/8, 172.16/12, 192.168/16), NAT64 local-use, IPv6 site-local.
    Private,
    /// 169.254.0.0/16, fe80::/10.
    LinkLocal,
    /// The metadata services of cloud hosts, which hand out credentials.
    CloudMetadata,
    /// fc00::/7.
    UniqueLocal,
    /// 100.64.0.0/10, the carrier-grade NAT range.
    SharedCgnat,
    /// 0.0.0.0/8 other than 0.0.0.0 itself.
    ThisNetwork,
    /// 0.0.0.0 and :: (Linux connects them to the local host).
    Unspecified,
    Multicast,
    /// 255.255.255.255.
    Broadcast,
    /// Ranges set aside and never used by a public server (240/4,
    /// benchmarking, IETF protocol assignments, IPv6 discard-only and
    /// IPv4-compatible forms).
    Reserved,
}

impl NonPublic {
    pub fn label(self) -> &'static str {
        match self {
            NonPublic::Loopback => "loopback",
            NonPublic::Private => "private network",
            NonPublic::LinkLocal => "link-local",
            NonPublic::CloudMetadata => "cloud metadata service",
            NonPublic::UniqueLocal => "unique-local",
            NonPublic::SharedCgnat => "shared address space (CGNAT)",
            NonPublic::ThisNetwork => "this network (0.0.0.0/8)",
            NonPublic::Unspecified => "unspecified address",
            NonPublic::Multicast => "multicast",
            NonPublic::Broadcast => "broadcast",
            NonPublic::Reserved => "reserved range",
        }
    }
}

/// Whether `ip` is outside the public internet, and why; `None` = public.
///
/// IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, SIIT
/// `::ffff:0:a.b.c.d`, NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`)
/// are judged by that address: a connection to them ends up there.
/// The documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24,
/// 2001:db8::/32) count as public: they are on no network at all, so
/// refusing them protects nothing.
pub fn classify(ip: IpAddr) -> Option<NonPublic> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<NonPublic> {
    let bits = u32::from(ip);
    let within =
        |net: [u8; 4], len: u32| bits >> (32 - len) == u32::from_be_bytes(net) >> (32 - len);
    Some(if bits == 0 {
        NonPublic::Unspecified
    } else if within([0, 0, 0, 0], 8) {
        NonPublic::ThisNetwork
    } else if within([127, 0, 0, 0], 8) {
        NonPublic::Loopback
    } else if within([10, 0, 0, 0], 8)
        || within([172, 16, 0, 0], 12)
        || within([192, 168, 0, 0], 16)
    {
        NonPublic::Private
    } else if ip == Ipv4Addr::new(169, 254, 169, 254)
        // Azure's host address (wire server, DNS, health probes): a public
        // address that only exists inside Azure, and serves VM secrets.
        || ip == Ipv4Addr::new(168, 63, 129, 16)
    {
        NonPublic::CloudMetadata
    } else if within([169, 254, 0, 0], 16) {
        NonPublic::LinkLocal
    } else if within([100, 64, 0, 0], 10) {
        NonPublic::SharedCgnat
    } else if bits == u32::MAX {
        NonPublic::Broadcast
    } else if within([224, 0, 0, 0], 4) {
        NonPublic::Multicast
    } else if within([240, 0, 0, 0], 4) || within([198, 18, 0, 0], 15) || within([192, 0, 0, 0], 24)
    {
        NonPublic::Reserved
    } else {
        return None;
    })
}

fn classify_v6(ip: Ipv6Addr) -> Option<NonPublic> {
    let bits = u128::from(ip);
    let within = |net: u128, len: u32| bits >> (128 - len) == net >> (128 - len);
    let low_v4 = Ipv4Addr::from(bits as u32);
    if bits == 0 {
        return Some(NonPublic::Unspecified);
    }
    if bits == 1 {
        return Some(NonPublic::Loopback);
    }
    // ::ffff:a.b.c.d (mapped) and ::ffff:0:a.b.c.d (SIIT): the IPv4 host.
    if within(0xffff << 32, 96) || within(0xffff_0000 << 32, 96) {
        return classify_v4(low_v4);
    }
    // ::a.b.c.d, IPv4-compatible: deprecated, never a public server's address.
    if within(0, 96) {
        return Some(classify_v4(low_v4).unwrap_or(NonPublic::Reserved));
    }
    // NAT64 (64:ff9b::/96): the gateway connects to the IPv4 address.
    if within(0x0064_ff9b << 96, 96) {
        return classify_v4(low_v4);
    }
    // Local-use NAT64 (64:ff9b:1::/48) translates into the local network.
    if within(0x0064_ff9b_0001 << 80, 48) {
        return Some(NonPublic::Private);
    }
    // 6to4 (2002::/16): the relay delivers to the IPv4 address in bits 16..48.
    if within(0x2002 << 112, 16) {
        return classify_v4(Ipv4Addr::from((bits >> 80) as u32));
    }
    Some(
        if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) {
            NonPublic::CloudMetadata
        } else if within(0xfc00 << 112, 7) {
            NonPublic::UniqueLocal
        } else if within(0xfe80 << 112, 10) {
            NonPublic::LinkLocal
        } else if within(0xfec0 << 112, 10) {
            // Site-local: deprecated, but still meant "this site".
            NonPublic::Private
        } else if within(0xff00 << 112, 8) {
            NonPublic::Multicast
        } else if within(0x0100 << 112, 64) {
            // Discard-only.
            NonPublic::Reserved
        } else {
            return None;
        },
    )
}

/// Which addresses one source's fetches may connect to, through all its
/// redirects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reach {
    /// Public addresses only (the default).
    Public,
    /// Any address: allowed by the operator, or an intranet feed.
    Any,
}

/// The reach of a source: `Any` when `[daemon] allow_private_networks` or
/// the source's own `allow_private_network` says so, or when its configured
/// URL names an internal host ([`names_internal_host`]); else `Public`.
pub fn reach_of(allow_private_networks: bool, source_allows: bool, configured_url: &str) -> Reach {
    let intranet = Url::parse(configured_url).is_ok_and(|u| names_internal_host(&u));
    if allow_private_networks || source_allows || intranet {
        Reach::Any
    } else {
        Reach::Public
    }
}

/// Whether the URL's text names a non-public host: an IP literal in a
/// non-public range, or `localhost` / `*.localhost`. Names are not resolved.
pub fn names_internal_host(url: &Url) -> bool {
    literal_refusal(url).is_some()
}

/// A connection the policy refuses: the host as the URL names it, the
/// address it leads to when that is different, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    pub host: String,
    pub addr: Option<IpAddr>,
    pub class: NonPublic,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused to connect to {}", self.host)?;
        if let Some(addr) = self.addr {
            write!(f, " at {addr}")?;
        }
        write!(f, " ({})", self.class.label())
    }
}

impl std::error::Error for Blocked {}

/// The check on a URL's text before a request: with `Reach::Public`, an IP
/// literal in a non-public range or a `localhost` name is refused. (Other
/// names are checked once resolved, at connect time.)
pub fn check_url_host(url: &Url, reach: Reach) -> Result<(), Blocked> {
    match (reach, literal_refusal(url)) {
        (Reach::Public, Some(blocked)) => Err(blocked),
        _ => Ok(()),
    }
}

fn literal_refusal(url: &Url) -> Option<Blocked> {
    let (host, class) = match url.host()? {
        Host::Ipv4(ip) => (ip.to_string(), classify_v4(ip)?),
        Host::Ipv6(ip) => (ip.to_string(), classify_v6(ip)?),
        Host::Domain(name) => {
            let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
            if name != "localhost" && !name.ends_with(".localhost") {
                return None;
            }
            (name, NonPublic::Loopback)
        }
    };
    Some(Blocked {
        host,
        addr: None,
        class,
    })
}

/// The resolver's filter: the addresses `host` resolved to that `reach`
/// allows. All of them refused is an error naming the first; a mix keeps
/// the public ones (only those are ever connected to).
pub fn keep_reachable(
    host: &str,
    addrs: Vec<SocketAddr>,
    reach: Reach,
) -> Result<Vec<SocketAddr>, Blocked> {
    if reach == Reach::Any || addrs.is_empty() {
        return Ok(addrs);
    }
    let mut first_refused = None;
    let kept: Vec<SocketAddr> = addrs
        .into_iter()
        .filter(|a| match classify(a.ip()) {
            None => true,
            Some(class) => {
                first_refused.get_or_insert((a.ip(), class));
                false
            }
        })
        .collect();
    match first_refused {
        Some((addr, class)) if kept.is_empty() => Err(Blocked {
            host: host.to_string(),
            addr: Some(addr),
            class,
        }),
        _ => Ok(kept),
    }
}

/// Whether a redirect from `from` to `to` may be followed at all: only to
/// http or https, and never from https down to plain http (the feed would
/// then come over a connection anyone on the path can rewrite, and the
/// stored URL would lose its TLS for good on a permanent redirect).
pub fn check_redirect(from: &Url, to: &Url) -> Result<(), String> {
    if !matches!(to.scheme(), "http" | "https") {
        return Err(format!(
            "refused redirect from {from} to {to}: only http and https can be fetched"
        ));
    }
    if from.scheme() == "https" && to.scheme() == "http" {
        return Err(format!(
            "refused redirect from {from} to {to}: an https feed is never followed to plain http"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(s: &str) -> Option<NonPublic> {
        classify(s.parse().unwrap_or_else(|e| panic!("{s}: {e}")))
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn ipv4_ranges() {
        use NonPublic::*;
        let cases = [
            ("0.0.0.0", Some(Unspecified)),
            ("0.1.2.3", Some(ThisNetwork)),
            ("0.255.255.255", Some(ThisNetwork)),
            ("1.0.0.0", None),
            ("9.255.255.255", None),
            ("10.0.0.0", Some(Private)),
            ("10.1.2.3", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("11.0.0.0", None),
            ("100.63.255.255", None),
            ("100.64.0.0", Some(SharedCgnat)),
            ("100.100.100.200", Some(SharedCgnat)),
            ("100.127.255.255", Some(SharedCgnat)),
            ("100.128.0.0", None),
            ("126.255.255.255", None),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.254", Some(Loopback)),
            ("128.0.0.0", None),
            ("168.63.129.16", Some(CloudMetadata)),
            ("168.63.129.17", None),
            ("169.253.255.255", None),
            ("169.254.0.1", Some(LinkLocal)),
            ("169.254.169.254", Some(CloudMetadata)),
            ("169.254.255.255", Some(LinkLocal)),
            ("169.255.0.0", None),
            ("172.15.255.255", None),
            ("172.16.0.0", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.0", None),
            ("192.0.0.8", Some(Reserved)),
            ("192.0.1.1", None),
            ("192.167.255.255", None),
            ("192.168.0.1", Some(Private)),
            ("192.168.255.255", Some(Private)),
            ("192.169.0.0", None),
            ("198.17.255.255", None),
            ("198.18.0.1", Some(Reserved)),
            ("198.19.255.255", Some(Reserved)),
            ("198.20.0.0", None),
            ("223.255.255.255", None),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.255", Some(Multicast)),
            ("240.0.0.1", Some(Reserved)),
            ("255.255.255.254", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            // Public, documentation and an ordinary host.
            ("8.8.8.8", None),
            ("93.184.215.14", None),
            ("198.51.100.7", None),
            ("203.0.113.9", None),
        ];
        for (ip, want) in cases {
            assert_eq!(class(ip), want, "{ip}");
        }
    }

    #[test]
    fn ipv6_ranges() {
        use NonPublic::*;
        let cases = [
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("::2", Some(ThisNetwork)),
            ("fe80::1", Some(LinkLocal)),
            ("febf:ffff::1", Some(LinkLocal)),
            ("fec0::1", Some(Private)),
            ("fc00::1", Some(UniqueLocal)),
            ("fdff:ffff::1", Some(UniqueLocal)),
            ("fd00:ec2::254", Some(CloudMetadata)),
            ("fd00:ec2::253", Some(UniqueLocal)),
            ("ff02::1", Some(Multicast)),
            ("ff0e::1", Some(Multicast)),
            ("100::1", Some(Reserved)),
            ("100:0:0:1::1", None),
            ("64:ff9b:1::1", Some(Private)),
            ("2001:4860:4860::8888", None),
            ("2606:4700::1111", None),
            ("2001:db8::1", None),
            ("fbff:ffff::1", None),
        ];
        for (ip, want) in cases {
            assert_eq!(class(ip), want, "{ip}");
        }
    }

    /// IPv6 forms carrying an IPv4 address are judged by that address.
    #[test]
    fn ipv6_forms_of_ipv4_addresses() {
        use NonPublic::*;
        let cases = [
            // IPv4-mapped.
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:7f00:1", Some(Loopback)),
            ("::ffff:10.0.0.1", Some(Private)),
            ("::ffff:169.254.169.254", Some(CloudMetadata)),
            ("::ffff:0.0.0.0", Some(Unspecified)),
            ("::ffff:8.8.8.8", None),
            // SIIT IPv4-translated.
            ("::ffff:0:127.0.0.1", Some(Loopback)),
            ("::ffff:0:8.8.8.8", None),
            // IPv4-compatible (deprecated): never public.
            ("::127.0.0.1", Some(Loopback)),
            ("::192.168.1.1", Some(Private)),
            ("::8.8.8.8", Some(Reserved)),
            // NAT64 well-known prefix.
            ("64:ff9b::127.0.0.1", Some(Loopback)),
            ("64:ff9b::a9fe:a9fe", Some(CloudMetadata)),
            ("64:ff9b::8.8.8.8", None),
            // 6to4.
            ("2002:7f00:1::", Some(Loopback)),
            ("2002:a00:1::1", Some(Private)),
            ("2002:a9fe:a9fe::", Some(CloudMetadata)),
            ("2002:808:808::1", None),
        ];
        for (ip, want) in cases {
            assert_eq!(class(ip), want, "{ip}");
        }
    }

    #[test]
    fn intranet_feeds_are_told_by_their_url_text() {
        for internal in [
            "http://127.0.0.1:8080/feed",
            "http://10.0.0.5/rss",
            "http://[::1]:3000/",
            "http://[::ffff:192.168.1.1]/",
            "http://169.254.169.254/latest",
            "http://localhost/feed",
            "http://LocalHost./feed",
            "http://wiki.localhost:8080/feed",
            // The url crate reads these as 127.0.0.1, as reqwest will.
            "http://2130706433/",
            "http://0x7f.1/",
        ] {
            assert!(names_internal_host(&url(internal)), "{internal}");
        }
        for public in [
            "https://feed.example/rss",
            "http://8.8.8.8/",
            "http://[2001:4860::1]/",
            "http://localhost.example/",
            "http://mylocalhost/",
            "http://intranet/feed",
        ] {
            assert!(!names_internal_host(&url(public)), "{public}");
        }
    }

    #[test]
    fn a_source_reaches_private_addresses_only_when_allowed_or_intranet() {
        let public = "https://feed.example/rss";
        let intranet = "http://192.168.1.20/feed";
        assert_eq!(reach_of(false, false, public), Reach::Public);
        assert_eq!(reach_of(true, false, public), Reach::Any);
        assert_eq!(reach_of(false, true, public), Reach::Any);
        assert_eq!(reach_of(false, false, intranet), Reach::Any);
        assert_eq!(reach_of(false, false, "http://localhost:8080/"), Reach::Any);
        // A name is never resolved to decide: only the operator's flag helps.
        assert_eq!(
            reach_of(false, false, "http://intranet.corp/feed"),
            Reach::Public
        );
        assert_eq!(reach_of(false, false, "not a url"), Reach::Public);
    }

    #[test]
    fn literal_hosts_are_checked_only_for_public_reach() {
        let loopback = url("http://127.0.0.1:9/secret");
        let err = check_url_host(&loopback, Reach::Public).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused to connect to 127.0.0.1 (loopback)"
        );
        assert_eq!(check_url_host(&loopback, Reach::Any), Ok(()));
        let mapped = url("http://[::ffff:169.254.169.254]/");
        assert_eq!(
            check_url_host(&mapped, Reach::Public)
                .unwrap_err()
                .to_string(),
            "refused to connect to ::ffff:169.254.169.254 (cloud metadata service)"
        );
        let named = url("http://api.localhost/");
        assert_eq!(
            check_url_host(&named, Reach::Public).unwrap_err().class,
            NonPublic::Loopback
        );
        // Names are left to the resolver.
        assert_eq!(
            check_url_host(&url("http://feed.example/"), Reach::Public),
            Ok(())
        );
        assert_eq!(
            check_url_host(&url("http://8.8.8.8/"), Reach::Public),
            Ok(())
        );
    }

    #[test]
    fn resolved_addresses_are_filtered() {
        let sa = |s: &str| -> SocketAddr { s.parse().unwrap() };
        let private = vec![sa("10.1.2.3:0"), sa("[fd00::1]:0")];
        let err = keep_reachable("intranet.test", private.clone(), Reach::Public).unwrap_err();
        assert_eq!(
            err.to_string(),
            "refused to connect to intranet.test at 10.1.2.3 (private network)"
        );
        assert_eq!(
            keep_reachable("intranet.test", private.clone(), Reach::Any),
            Ok(private)
        );
        // A mixed answer keeps the public addresses only.
        let mixed = vec![sa("127.0.0.1:0"), sa("93.184.215.14:0"), sa("[::1]:0")];
        assert_eq!(
            keep_reachable("mixed.test", mixed, Reach::Public),
            Ok(vec![sa("93.184.215.14:0")])
        );
        assert_eq!(
            keep_reachable("none.test", vec![], Reach::Public),
            Ok(vec![])
        );
    }

    #[test]
    fn redirects_never_downgrade_https_nor_leave_http() {
        let https = url("https://feed.example/rss");
        let http = url("http://feed.example/rss");
        assert_eq!(check_redirect(&http, &https), Ok(()));
        assert_eq!(
            check_redirect(&https, &url("https://other.example/")),
            Ok(())
        );
        assert_eq!(check_redirect(&http, &url("http://other.example/")), Ok(()));
        let err = check_redirect(&https, &http).unwrap_err();
        assert_eq!(
            err,
            "refused redirect from https://feed.example/rss to http://feed.example/rss: an https feed is never followed to plain http"
        );
        let err = check_redirect(&http, &url("file:///etc/passwd")).unwrap_err();
        assert!(err.contains("only http and https"), "{err}");
    }
}
