//! Network ACLs: the stateless allow-and-deny layer on each subnet boundary.
//!
//! A packet that enters a subnet is checked against the subnet's network ACL's inbound entries;
//! one that leaves it, against the outbound entries. Entries are evaluated lowest rule number
//! first and the first that matches decides; no match is a deny (the `*` entry). Unlike a
//! security group, a network ACL keeps no connection state: the reply to a connection is a packet
//! of its own, sent to the opener's ephemeral port, and must be allowed on its way back
//! (docs/model.md §Network ACLs, AWS VPC-NACL). Traffic between two addresses in the same
//! subnet crosses no boundary, so no network ACL applies to it.
//!
//! Simplified: the load balancer and clients open connections from ports anywhere in
//! 1024-65535 (ELB's documented range). A reply is admitted only when the whole range is; an
//! ACL that admits part of it drops some connections in AWS, and here drops all of them, and
//! says so.

use super::net::{Cidr, Ipv4};
use super::scenario::{NaclAction, NetworkAcl, NetworkAclEntry};
use std::sync::Arc;

/// The ports a load balancer or a client opens connections from, where replies return to.
pub const EPHEMERAL_PORTS: (u16, u16) = (1024, 65535);

/// One entry, ready to match.
#[derive(Clone, Debug)]
struct Entry {
    rule_number: u16,
    from_port: u16,
    to_port: u16,
    cidr: Cidr,
    allow: bool,
}

/// A network ACL's entries, per direction.
#[derive(Clone, Debug)]
pub(crate) struct CompiledAcl {
    pub id: Arc<str>,
    inbound: Vec<Entry>,
    outbound: Vec<Entry>,
}

fn compile_entries(entries: &[NetworkAclEntry]) -> Vec<Entry> {
    entries
        .iter()
        .filter_map(|e| {
            let (from_port, to_port) = if e.protocol == "all" { (0, 65535) } else { (e.from_port, e.to_port) };
            Some(Entry {
                rule_number: e.rule_number,
                from_port,
                to_port,
                cidr: Cidr::parse(&e.cidr)?,
                allow: e.action == NaclAction::Allow,
            })
        })
        .collect()
}

impl CompiledAcl {
    pub(crate) fn new(acl: &NetworkAcl) -> CompiledAcl {
        CompiledAcl { id: acl.id.as_str().into(), inbound: compile_entries(&acl.inbound), outbound: compile_entries(&acl.outbound) }
    }

    fn entries(&self, outbound: bool) -> &[Entry] {
        if outbound {
            &self.outbound
        } else {
            &self.inbound
        }
    }

    /// The entry that decides a packet to or from `peer` on `port`: `Ok(rule number)` when it
    /// allows, `Err(Some(rule number))` when an entry denies, `Err(None)` for the `*` deny.
    pub(crate) fn decide(&self, outbound: bool, peer: Ipv4, port: u16) -> Result<u16, Option<u16>> {
        // The lowest-numbered match decides (numbers are unique per direction). At most 20
        // entries: a scan, rather than keeping them sorted, which would add a sort to the page.
        let matches = |e: &&Entry| (e.from_port..=e.to_port).contains(&port) && e.cidr.contains(peer);
        match self.entries(outbound).iter().filter(matches).min_by_key(|e| e.rule_number) {
            Some(e) if e.allow => Ok(e.rule_number),
            Some(e) => Err(Some(e.rule_number)),
            None => Err(None),
        }
    }

    /// Are packets to or from `peer` allowed on every port of `from..=to`? Between the edges of
    /// the entries' port ranges the first match cannot change, so checking each edge inside the
    /// range checks every port. `Err` carries the first port refused and the deciding entry.
    pub(crate) fn decide_range(&self, outbound: bool, peer: Ipv4, from: u16, to: u16) -> Result<(), (u16, Option<u16>)> {
        let edges = self.entries(outbound).iter().flat_map(|e| [Some(e.from_port), e.to_port.checked_add(1)]).flatten();
        let refused = std::iter::once(from)
            .chain(edges.filter(|p| *p > from && *p <= to))
            .filter_map(|p| self.decide(outbound, peer, p).err().map(|rule| (p, rule)))
            .min_by_key(|(p, _)| *p);
        match refused {
            Some(first) => Err(first),
            None => Ok(()),
        }
    }
}

/// Which way a refused packet was going, for the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NaclLeg {
    /// The connection's first packet, into the destination's subnet.
    RequestIn,
    /// The connection's first packet, out of the opener's subnet.
    RequestOut,
    /// The reply, out of the destination's subnet to the opener's ephemeral port.
    ReplyOut,
    /// The reply, into the opener's subnet on its ephemeral port.
    ReplyIn,
}

impl NaclLeg {
    pub fn is_outbound(self) -> bool {
        matches!(self, NaclLeg::RequestOut | NaclLeg::ReplyOut)
    }
    pub fn is_reply(self) -> bool {
        matches!(self, NaclLeg::ReplyOut | NaclLeg::ReplyIn)
    }
}

/// One end of a connection: the subnet it sits in (`None`: the internet) and its address.
#[derive(Clone, Copy, Debug)]
pub(crate) struct End<'a> {
    pub subnet: Option<&'a str>,
    pub ip: Ipv4,
}

/// A refusal: which ACL, on which subnet, which leg, the peer, the ports and the deciding entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NaclRefusal {
    pub acl: Arc<str>,
    pub subnet: Arc<str>,
    pub leg: NaclLeg,
    pub peer: Ipv4,
    pub from_port: u16,
    pub to_port: u16,
    /// The entry that denied; `None` for the implicit `*` deny.
    pub rule: Option<u16>,
}

/// Does a TCP connection from `opener` to `dest` on `port` get through the network ACLs on the
/// way, both ways? `acl_of` gives a subnet's custom ACL (`None`: the default, which allows all).
/// `Ok` lists the custom ACLs crossed (empty when only defaults, or none, were crossed).
pub(crate) fn crossing<'a>(
    acl_of: impl Fn(&str) -> Option<&'a CompiledAcl>,
    opener: End,
    dest: End,
    port: u16,
) -> Result<Vec<Arc<str>>, NaclRefusal> {
    if opener.subnet.is_some() && opener.subnet == dest.subnet {
        return Ok(Vec::new());
    }
    let (lo, hi) = EPHEMERAL_PORTS;
    let mut crossed = Vec::new();
    // In the order the packets meet them: the SYN leaves the opener's subnet and enters the
    // destination's; the SYN-ACK leaves the destination's subnet and enters the opener's.
    let legs = [
        (opener, NaclLeg::RequestOut, dest.ip, (port, port)),
        (dest, NaclLeg::RequestIn, opener.ip, (port, port)),
        (dest, NaclLeg::ReplyOut, opener.ip, (lo, hi)),
        (opener, NaclLeg::ReplyIn, dest.ip, (lo, hi)),
    ];
    for (end, leg, peer, (from, to)) in legs {
        let Some(subnet) = end.subnet else { continue };
        let Some(acl) = acl_of(subnet) else { continue };
        if let Err((_, rule)) = acl.decide_range(leg.is_outbound(), peer, from, to) {
            return Err(NaclRefusal { acl: acl.id.clone(), subnet: subnet.into(), leg, peer, from_port: from, to_port: to, rule });
        }
        if !crossed.contains(&acl.id) {
            crossed.push(acl.id.clone());
        }
    }
    Ok(crossed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::scenario::NetworkAclEntry;

    fn entry(rule_number: u16, from_port: u16, to_port: u16, cidr: &str, allow: bool) -> NetworkAclEntry {
        NetworkAclEntry {
            rule_number,
            protocol: "tcp".into(),
            from_port,
            to_port,
            cidr: cidr.into(),
            action: if allow { NaclAction::Allow } else { NaclAction::Deny },
        }
    }

    fn acl(inbound: Vec<NetworkAclEntry>, outbound: Vec<NetworkAclEntry>) -> CompiledAcl {
        CompiledAcl::new(&NetworkAcl { id: "acl-test".into(), subnets: vec![], inbound, outbound })
    }

    #[test]
    fn the_lowest_numbered_matching_entry_decides_and_no_match_is_denied() {
        let a = acl(vec![entry(200, 0, 65535, "0.0.0.0/0", true), entry(100, 8000, 8000, "10.0.0.0/16", false)], vec![]);
        let ip = Ipv4::parse("10.0.1.5").unwrap();
        assert_eq!(a.decide(false, ip, 8000), Err(Some(100)));
        assert_eq!(a.decide(false, ip, 8001), Ok(200));
        assert_eq!(a.decide(true, ip, 8001), Err(None), "no outbound entry: the * entry denies");
    }

    #[test]
    fn a_range_is_admitted_only_when_every_port_in_it_is() {
        let ip = Ipv4::parse("10.0.1.5").unwrap();
        let half = acl(vec![], vec![entry(100, 32768, 65535, "0.0.0.0/0", true)]);
        assert_eq!(half.decide_range(true, ip, 1024, 65535), Err((1024, None)));
        let hole = acl(vec![], vec![entry(90, 40000, 40000, "0.0.0.0/0", false), entry(100, 1024, 65535, "0.0.0.0/0", true)]);
        assert_eq!(hole.decide_range(true, ip, 1024, 65535), Err((40000, Some(90))));
        let whole = acl(vec![], vec![entry(100, 1024, 65535, "10.0.0.0/16", true)]);
        assert_eq!(whole.decide_range(true, ip, 1024, 65535), Ok(()));
    }

    #[test]
    fn replies_need_the_ephemeral_ports_open_outbound_on_the_destination_subnet() {
        let tasks = acl(vec![entry(100, 8000, 8000, "10.0.0.0/16", true)], vec![entry(100, 8000, 8000, "10.0.0.0/16", true)]);
        let alb = End { subnet: Some("subnet-a"), ip: Ipv4::parse("10.0.0.10").unwrap() };
        let task = End { subnet: Some("subnet-b"), ip: Ipv4::parse("10.0.1.20").unwrap() };
        let acl_of = |s: &str| (s == "subnet-b").then_some(&tasks);
        let refused = crossing(acl_of, alb, task, 8000).unwrap_err();
        assert_eq!((refused.leg, refused.from_port, refused.to_port, refused.rule), (NaclLeg::ReplyOut, 1024, 65535, None));
        // Within one subnet nothing is crossed.
        assert_eq!(crossing(acl_of, task, End { subnet: Some("subnet-b"), ip: Ipv4::parse("10.0.1.30").unwrap() }, 8000), Ok(vec![]));
    }
}
