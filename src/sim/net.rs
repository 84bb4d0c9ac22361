//! Addresses, CIDR blocks and security-group evaluation.
//!
//! Models: IPv4 only; security groups are stateful and allow-only, TCP rules by port range, with a
//! source that is a CIDR block or another security group. A security-group source admits traffic
//! from the *private* addresses of network interfaces that carry the referenced group
//! (docs/model.md §Security groups, AWS VPC-SGR). Leaves out: NACLs (the stateless subnet layer),
//! prefix lists, IPv6 and UDP/ICMP, none of which the lessons here need.

use std::fmt;
use std::sync::Arc;

/// An IPv4 address as a number, so subnet arithmetic is cheap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4(pub u32);

impl Ipv4 {
    pub fn parse(text: &str) -> Option<Ipv4> {
        let mut value: u32 = 0;
        let mut parts = 0;
        for part in text.split('.') {
            if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let octet: u32 = part.parse().ok()?;
            if octet > 255 {
                return None;
            }
            value = (value << 8) | octet;
            parts += 1;
        }
        (parts == 4).then_some(Ipv4(value))
    }

    /// RFC 1918 and the carrier-grade NAT range, the addresses an ALB `ip` target may use
    /// (docs/model.md §Target types).
    pub fn is_private(self) -> bool {
        ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].iter().filter_map(|c| Cidr::parse(c)).any(|c| c.contains(self))
    }
}

impl fmt::Display for Ipv4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(f, "{}.{}.{}.{}", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff)
    }
}

/// A CIDR block such as `10.0.1.0/24` or `0.0.0.0/0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    pub base: Ipv4,
    pub prefix_len: u8,
}

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (ip, len) = text.split_once('/')?;
        let base = Ipv4::parse(ip)?;
        if len.is_empty() || len.len() > 2 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let prefix_len: u8 = len.parse().ok()?;
        if prefix_len > 32 {
            return None;
        }
        let cidr = Cidr { base, prefix_len };
        // AWS refuses a block whose address has host bits set ("10.0.1.5/24").
        (cidr.base.0 & !cidr.mask() == 0).then_some(cidr)
    }

    pub fn mask(self) -> u32 {
        if self.prefix_len == 0 {
            0
        } else {
            u32::MAX << (32 - self.prefix_len)
        }
    }

    pub fn contains(self, ip: Ipv4) -> bool {
        ip.0 & self.mask() == self.base.0
    }

    pub fn size(self) -> u64 {
        1u64 << (32 - self.prefix_len as u32)
    }

    /// Is `inner` entirely inside this block?
    pub fn covers(self, inner: Cidr) -> bool {
        inner.prefix_len >= self.prefix_len && self.contains(inner.base)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.base, self.prefix_len)
    }
}

/// A target's address as the target group lists it: `10.0.1.23:8000` or `i-0abc…:32768`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: Ipv4,
    pub port: u16,
    pub instance_id: Option<Arc<str>>,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.instance_id {
            Some(id) => write!(f, "{id}:{}", self.port),
            None => write!(f, "{}:{}", self.ip, self.port),
        }
    }
}
