//! The DNS resolver the HTTP clients connect through: the system's
//! resolver (getaddrinfo, on tokio's blocking pool, as reqwest's default),
//! then the private-network filter of the client's [`Reach`].
//!
//! Checking here, at connect time, and not once before the request, is
//! what makes DNS rebinding useless: the addresses filtered are the very
//! ones the connection is made to.

use std::net::SocketAddr;
#[cfg(test)]
use std::{collections::HashMap, net::IpAddr, sync::Arc};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use super::netpolicy::{Reach, keep_reachable};

pub(super) struct CheckedResolver {
    reach: Reach,
    lookup: Lookup,
}

#[derive(Clone)]
pub(super) enum Lookup {
    /// getaddrinfo: /etc/hosts, DNS, whatever nsswitch says.
    System,
    /// Tests: a fixed table, so a name can "resolve" to a private address
    /// without any packet being sent.
    #[cfg(test)]
    Table(Arc<HashMap<String, Vec<IpAddr>>>),
}

impl CheckedResolver {
    pub(super) fn new(reach: Reach, lookup: Lookup) -> CheckedResolver {
        CheckedResolver { reach, lookup }
    }
}

impl Lookup {
    async fn addrs(self, host: &str) -> std::io::Result<Vec<SocketAddr>> {
        match self {
            // Port 0: reqwest puts in the URL's port.
            Lookup::System => Ok(tokio::net::lookup_host((host, 0)).await?.collect()),
            #[cfg(test)]
            Lookup::Table(table) => table
                .get(host)
                .map(|ips| ips.iter().map(|ip| SocketAddr::new(*ip, 0)).collect())
                .ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotFound, format!("{host}: unknown"))
                }),
        }
    }
}

/// Names under `invalid.` never resolve (RFC 6761, 6.4): they are answered
/// here, as that RFC asks of resolver libraries, instead of being sent to a
/// DNS server that can only say the same after a round trip (or never, when
/// the network is down).
fn never_resolves(host: &str) -> Option<std::io::Error> {
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    (name == "invalid" || name.ends_with(".invalid")).then(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "names under .invalid never resolve (RFC 6761)",
        )
    })
}

impl Resolve for CheckedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (reach, lookup) = (self.reach, self.lookup.clone());
        let host = name.as_str().to_string();
        Box::pin(async move {
            if let Some(refusal) = never_resolves(&host) {
                return Err(refusal.into());
            }
            let addrs = lookup.addrs(&host).await?;
            let kept = keep_reachable(&host, addrs, reach)?;
            Ok(Box::new(kept.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::netpolicy::{Blocked, NonPublic};

    fn table(entries: &[(&str, &str)]) -> Lookup {
        Lookup::Table(Arc::new(
            entries
                .iter()
                .map(|(name, ip)| (name.to_string(), vec![ip.parse().unwrap()]))
                .collect(),
        ))
    }

    /// A `.invalid` name is answered without a lookup: the table below
    /// would resolve it, and the system resolver would ask a DNS server.
    #[tokio::test]
    async fn invalid_names_fail_without_a_lookup() {
        let lookup = table(&[("feed.invalid", "93.184.215.14")]);
        let resolver = CheckedResolver::new(Reach::Any, lookup);
        for name in ["feed.invalid", "FEED.Invalid."] {
            let err = match resolver.resolve(name.parse().unwrap()).await {
                Ok(addrs) => panic!("{name} resolved to {:?}", addrs.collect::<Vec<_>>()),
                Err(e) => e,
            };
            assert_eq!(
                err.to_string(),
                "names under .invalid never resolve (RFC 6761)"
            );
        }
        assert!(never_resolves("invalid.example").is_none());
    }

    /// The resolver itself refuses: nothing is handed to the connector, so
    /// no connection to 10.1.2.3 is even attempted.
    #[tokio::test]
    async fn a_name_resolving_to_a_private_address_is_refused_at_the_resolver() {
        let lookup = table(&[
            ("intranet.test", "10.1.2.3"),
            ("feed.test", "93.184.215.14"),
        ]);
        let public = CheckedResolver::new(Reach::Public, lookup.clone());
        let err = match public.resolve("intranet.test".parse().unwrap()).await {
            Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(e) => e,
        };
        let blocked = err.downcast_ref::<Blocked>().expect("a Blocked error");
        assert_eq!(blocked.class, NonPublic::Private);
        assert_eq!(blocked.addr, Some("10.1.2.3".parse().unwrap()));

        let ok: Vec<SocketAddr> = public
            .resolve("feed.test".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert_eq!(ok, ["93.184.215.14:0".parse().unwrap()]);

        let any = CheckedResolver::new(Reach::Any, lookup);
        let ok: Vec<SocketAddr> = any
            .resolve("intranet.test".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert_eq!(ok, ["10.1.2.3:0".parse().unwrap()]);
    }
}
