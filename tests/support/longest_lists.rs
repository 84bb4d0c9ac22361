//! The setup with every list a tick might walk at its limit, shared by `tests/tick_cost.rs`
//! (allocations per tick) and `benches/sim.rs` (time per sim minute), so both measure the same
//! thing. Included with `#[path]`; not a test of its own.

use alb_lab::sim::scenario::{ListenerRule, Scenario, SecurityGroupRule};

/// `s` with 16 subnets for the service, 60 inbound and 60 outbound rules on each security
/// group (fillers for ports no request uses, ahead of the group's own rules, so every request
/// walks past them) and 100 listener rules that match no path.
pub fn with_every_list_at_its_limit(mut s: Scenario) -> Scenario {
    if let Some(nc) = s.service.as_mut().and_then(|svc| svc.network_configuration.as_mut()) {
        let subnets = nc.subnets.clone();
        nc.subnets = (0..16).map(|i| subnets[i % subnets.len()].clone()).collect();
    }
    let filler = |i: u16| SecurityGroupRule {
        protocol: "tcp".into(),
        from_port: 20000 + i,
        to_port: 20000 + i,
        source: "192.168.0.0/16".into(),
        description: String::new(),
    };
    for g in &mut s.security_groups {
        let (n_in, n_out) = (g.ingress.len() as u16, g.egress.len() as u16);
        g.ingress.splice(0..0, (0..60 - n_in).map(filler));
        g.egress.splice(0..0, (0..60 - n_out).map(filler));
    }
    let action = s.load_balancer.listeners[0].default_action.clone();
    s.load_balancer.listeners[0].rules =
        (0..100).map(|i| ListenerRule { priority: 1 + i, path_pattern: format!("/never-{i}/*"), action: action.clone() }).collect();
    s
}
