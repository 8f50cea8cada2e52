//! Where webhooks may not go: loopback, private, link-local, shared
//! (CGNAT), unspecified, multicast and broadcast addresses (and their IPv6
//! forms), unless the operator starts the server with
//! `--webhook-allow-private`. Otherwise a community owner could point the
//! server at the internal network.
//!
//! The check is on the resolved addresses, not the host's text: a URL's IP
//! literal is checked before sending, and a host name is resolved by
//! [`GuardedResolver`], the outbound client's resolver, which refuses a
//! name if any of its addresses is forbidden, so the address connected to
//! is the address checked (no second look-up for DNS rebinding to change).

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why an address is off limits, or `None` when it is public.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_multicast() || ip.is_broadcast() || a >= 240 {
        Some("multicast or reserved")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if first & 0xfe00 == 0xfc00 {
        Some("private (unique local)")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

/// Why a webhook URL is not acceptable at all (scheme, host, size).
pub fn check_url(text: &str) -> Result<Url, String> {
    if text.len() > 2048 {
        return Err("is longer than 2048 bytes".into());
    }
    let url = Url::parse(text).map_err(|e| format!("is not a URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must be http:// or https://".into());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry a user name or password".into());
    }
    Ok(url)
}

/// The refusal for one address, worded for the delivery log and the API.
pub fn refusal(ip: IpAddr, why: &str) -> String {
    format!(
        "refused: {ip} is a {why} address (the server delivers there only with \
         --webhook-allow-private)"
    )
}

/// The URL's host when it is an IP address.
fn literal(url: &Url) -> Option<IpAddr> {
    let host = url.host_str()?;
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    bare.parse().ok()
}

/// Refuse an IP-literal host that is forbidden (names are left to the resolver).
pub fn check_literal(url: &Url, allow_private: bool) -> Result<(), String> {
    if allow_private {
        return Ok(());
    }
    let Some(ip) = literal(url) else {
        return Ok(());
    };
    match forbidden(ip) {
        Some(why) => Err(refusal(ip, why)),
        None => Ok(()),
    }
}

/// Resolve `url`'s host and refuse it if any address is forbidden: the
/// check made when a subscription is created.
pub async fn check_target(url: &Url, allow_private: bool) -> Result<(), String> {
    check_literal(url, allow_private)?;
    if allow_private || literal(url).is_some() {
        return Ok(());
    }
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = resolve_checked(host, port).await?;
    if addrs.is_empty() {
        return Err(format!("{host} does not resolve"));
    }
    Ok(())
}

async fn resolve_checked(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let lookup = tokio::net::lookup_host((host, port));
    let addrs: Vec<SocketAddr> =
        match tokio::time::timeout(std::time::Duration::from_secs(5), lookup).await {
            Ok(Ok(addrs)) => addrs.collect(),
            Ok(Err(error)) => return Err(format!("{host} does not resolve ({error})")),
            Err(_) => return Err(format!("{host} did not resolve within 5s")),
        };
    for addr in &addrs {
        if let Some(why) = forbidden(addr.ip()) {
            return Err(refusal(addr.ip(), why));
        }
    }
    Ok(addrs)
}

/// The outbound client's resolver: the system's, minus forbidden addresses.
#[derive(Debug)]
pub struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = resolve_checked(&host, 0)
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> { e.into() })?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_forbidden_public_ones_not() {
        for internal in [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(forbidden(ip(internal)).is_some(), "{internal}");
        }
        for public in ["93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700::1"] {
            assert_eq!(forbidden(ip(public)), None, "{public}");
        }
    }

    #[test]
    fn urls_need_http_a_host_and_no_credentials() {
        assert!(check_url("https://hooks.example.com/roster").is_ok());
        assert!(check_url("ftp://example.com/").is_err());
        assert!(check_url("not a url").is_err());
        assert!(check_url("https://user:pw@example.com/").is_err());
        assert!(check_url(&format!("https://example.com/{}", "a".repeat(2100))).is_err());
    }

    #[test]
    fn literals_are_checked_unless_allowed() {
        let url = check_url("http://127.0.0.1:9/x").unwrap();
        assert!(check_literal(&url, false).unwrap_err().contains("loopback"));
        assert!(check_literal(&url, true).is_ok());
        let url = check_url("http://[fe80::1]:9/x").unwrap();
        assert!(check_literal(&url, false).is_err());
    }

    #[tokio::test]
    async fn a_name_resolving_to_loopback_is_refused() {
        let url = check_url("http://localhost:9/x").unwrap();
        let refused = check_target(&url, false).await.unwrap_err();
        assert!(
            refused.contains("loopback") || refused.contains("resolve"),
            "{refused}"
        );
        assert!(GuardedResolver
            .resolve("localhost".parse().unwrap())
            .await
            .is_err());
    }
}
