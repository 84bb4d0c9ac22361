//! Redaction: the same setup with account ids, ARNs' names, resource names, resource ids and
//! public IP addresses replaced by consistent placeholders, so it can be shared.
//!
//! Consistent means one real value always becomes the same placeholder wherever it appears (in
//! an ARN, a name, a rule's source), so every join still holds and the redacted setup
//! diagnoses the same. Values are replaced as whole words between `:` `/` `,` and spaces, never
//! inside a longer word, so AWS's own vocabulary (`application`, `forward`) is never touched.
//! Private addresses (10/8, 172.16/12, 192.168/16, 100.64/10) are kept: they locate nothing
//! outside the VPC, and the subnets' ranges must keep holding the tasks. Public addresses and
//! blocks move to 198.18.0.0/15 at the same size. Free text (rule descriptions, fixed
//! responses, redirect targets, service events) is dropped: it decides no hop.

use super::{DocumentReport, Imported, Inventory};
use crate::sim::net::Ipv4;
use serde_json::Value;
use std::collections::BTreeMap;

/// How a redacted import's scenario name starts.
pub const REDACTED_PREFIX: &str = "Imported (redacted): ";

/// What redaction replaced, for the page to say ("12 values replaced").
pub struct Redacted {
    pub imported: Imported,
    pub replaced: usize,
}

/// Words of AWS's vocabulary a name could collide with: never replaced.
const VOCABULARY: [&str; 24] = [
    "application",
    "network",
    "forward",
    "fixed-response",
    "redirect",
    "ip",
    "instance",
    "lambda",
    "alb",
    "tcp",
    "udp",
    "HTTP",
    "HTTPS",
    "awsvpc",
    "bridge",
    "host",
    "FARGATE",
    "EC2",
    "RUNNING",
    "healthy",
    "unhealthy",
    "internal",
    "internet-facing",
    "traffic-port",
];

#[derive(Default)]
struct Table {
    map: BTreeMap<String, String>,
    counters: BTreeMap<&'static str, usize>,
    /// The next free offset in 198.18.0.0/15 for public addresses.
    next_block: u64,
}

impl Table {
    fn add(&mut self, real: &str, kind: &'static str) {
        // A name that is only digits would also match ports and counts.
        let numeric = kind != "account" && real.bytes().all(|b| b.is_ascii_digit());
        if real.is_empty() || numeric || self.map.contains_key(real) || VOCABULARY.contains(&real) || real == "default" {
            return;
        }
        let n = self.counters.entry(kind).or_insert(0);
        *n += 1;
        let placeholder = match kind {
            "account" => format!("{:012}", 100_000_000_000u64 + *n as u64),
            k if k.ends_with('-') => format!("{k}{:017x}", *n),
            k => format!("{k}-{n}"),
        };
        self.map.insert(real.to_string(), placeholder);
    }

    fn word(&self, w: &str) -> String {
        self.map.get(w).cloned().unwrap_or_else(|| w.to_string())
    }

    /// A public address or block, as a whole string, gets a block of the same size in
    /// 198.18.0.0/15 (reserved for benchmarks, never a real client or the lab's own client),
    /// each its own, aligned, so containment between rules is kept. Private and documentation
    /// addresses and `0.0.0.0/0` stay; blocks wider than /15 stay too (they locate nobody).
    fn add_address(&mut self, s: &str) {
        if self.map.contains_key(s) {
            return;
        }
        let (ip, len) = match s.split_once('/') {
            Some((ip, len)) => (ip, len.parse::<u32>().ok()),
            None => (s, Some(32)),
        };
        let (Some(addr), Some(len)) = (Ipv4::parse(ip), len) else { return };
        let documentation = [0xC000_0200u32, 0xC633_6400, 0xCB00_7100].contains(&(addr.0 & 0xFFFF_FF00));
        if addr.is_private() || documentation || addr.0 == 0 || !(15..=32).contains(&len) {
            return;
        }
        let size = 1u64 << (32 - len);
        let next = self.next_block.div_ceil(size) * size;
        if next + size > 1 << 17 {
            return;
        }
        self.next_block = next + size;
        let base = Ipv4(0xC612_0000 + next as u32);
        let placeholder = if s.contains('/') { format!("{base}/{len}") } else { base.to_string() };
        self.map.insert(s.to_string(), placeholder);
    }

    fn text(&self, s: &str) -> String {
        // A whole value first: an address block, or a name with spaces in it.
        if let Some(p) = self.map.get(s) {
            return p.clone();
        }
        let mut out = String::with_capacity(s.len());
        let mut word = String::new();
        for c in s.chars() {
            if matches!(c, ':' | '/' | ',' | ' ' | '=' | '[' | ']' | '"') {
                out.push_str(&self.word(&word));
                word.clear();
                out.push(c);
            } else {
                word.push(c);
            }
        }
        out.push_str(&self.word(&word));
        out
    }
}

fn addresses(v: &Value, t: &mut Table) {
    match v {
        Value::String(s) => t.add_address(s),
        Value::Array(a) => a.iter().for_each(|x| addresses(x, t)),
        Value::Object(o) => o.values().for_each(|x| addresses(x, t)),
        _ => {}
    }
}

/// The inventory's sensitive values: what they are decides their placeholder.
fn collect(inv: &Inventory, t: &mut Table) {
    let mut accounts = Vec::new();
    let mut scan_arn = |arn: &str| {
        let parts: Vec<&str> = arn.split(':').collect();
        if parts.len() > 4 && parts[0] == "arn" && parts[4].len() == 12 && parts[4].bytes().all(|b| b.is_ascii_digit()) {
            accounts.push(parts[4].to_string());
        }
    };
    inv.load_balancers.iter().for_each(|l| scan_arn(&l.arn));
    inv.target_groups.iter().for_each(|x| scan_arn(&x.arn));
    inv.services.iter().for_each(|x| {
        scan_arn(&x.arn);
        scan_arn(&x.cluster);
    });
    inv.task_definitions.iter().for_each(|x| scan_arn(&x.arn));
    inv.tasks.iter().for_each(|x| scan_arn(&x.arn));
    inv.container_instances.iter().for_each(|(arn, _)| scan_arn(arn));
    for a in accounts {
        t.add(&a, "account");
    }
    // Longest names first is not needed: names are replaced as whole words only.
    for l in &inv.load_balancers {
        t.add(&l.name, "alb");
        t.add(&l.vpc_id, "vpc-");
    }
    for x in &inv.target_groups {
        t.add(&x.name, "tg");
    }
    for s in &inv.services {
        t.add(&s.name, "service");
        t.add(s.cluster.rsplit(['/', ':']).next().unwrap_or(""), "cluster");
    }
    for d in &inv.task_definitions {
        t.add(&d.family, "task");
        for c in &d.containers {
            t.add(&c.name, "container");
        }
    }
    for g in &inv.security_groups {
        t.add(&g.id, "sg-");
        t.add(&g.name, "group");
        t.add(&g.vpc_id, "vpc-");
    }
    for (g, _, p) in &inv.loose_rules {
        t.add(g, "sg-");
        p.groups.iter().for_each(|x| t.add(x, "sg-"));
    }
    for s in &inv.subnets {
        t.add(&s.id, "subnet-");
        t.add(&s.vpc_id, "vpc-");
    }
    for l in &inv.load_balancers {
        l.zones.iter().for_each(|(_, s)| t.add(s, "subnet-"));
        l.security_groups.iter().for_each(|g| t.add(g, "sg-"));
    }
    for s in &inv.services {
        s.subnets.iter().flatten().for_each(|x| t.add(x, "subnet-"));
        s.security_groups.iter().for_each(|g| t.add(g, "sg-"));
    }
    for a in &inv.network_acls {
        t.add(&a.id, "acl-");
    }
    for (id, _) in &inv.vpc_cidrs {
        t.add(id, "vpc-");
    }
    for o in &inv.observed {
        if o.id.starts_with("i-") {
            t.add(&o.id, "i-");
        }
    }
    // EC2 launch type: the instances the tasks run on, and what they sit in.
    for (_, instance) in &inv.container_instances {
        t.add(instance, "i-");
    }
    for i in &inv.instances {
        t.add(&i.id, "i-");
        t.add(&i.subnet, "subnet-");
        i.security_groups.iter().for_each(|g| t.add(g, "sg-"));
    }
}

fn walk(v: &mut Value, t: &Table) {
    match v {
        Value::String(s) => *s = t.text(s),
        Value::Array(a) => a.iter_mut().for_each(|x| walk(x, t)),
        Value::Object(o) => o.values_mut().for_each(|x| walk(x, t)),
        _ => {}
    }
}

/// The inventory with every sensitive value replaced; how many distinct values were.
pub fn redact_inventory(inv: &Inventory) -> (Inventory, usize) {
    let mut t = Table::default();
    collect(inv, &mut t);
    // Free text could say anything: rule descriptions, fixed responses, redirect targets,
    // service events. None of it decides a hop.
    let mut inv = inv.clone();
    for g in &mut inv.security_groups {
        g.ingress.iter_mut().chain(g.egress.iter_mut()).for_each(|p| p.description.clear());
    }
    inv.loose_rules.iter_mut().for_each(|(_, _, p)| p.description.clear());
    let actions =
        inv.listeners.iter_mut().flat_map(|l| l.default_actions.iter_mut()).chain(inv.rules.iter_mut().flat_map(|r| r.actions.iter_mut()));
    for a in actions {
        a.message_body.clear();
        a.redirect.clear();
    }
    inv.services.iter_mut().for_each(|x| x.events.clear());
    let mut v = serde_json::to_value(&inv).expect("an inventory is plain data");
    addresses(&v, &mut t);
    walk(&mut v, &t);
    let out: Inventory = serde_json::from_value(v).expect("only strings changed");
    (out, t.map.len())
}

/// The import, redacted and built again.
pub fn redact(imported: &Imported) -> Redacted {
    let (inv, replaced) = redact_inventory(&imported.inventory);
    let documents: Vec<DocumentReport> = imported
        .documents
        .iter()
        .map(|d| DocumentReport {
            name: format!("document {}", imported.documents.iter().position(|x| x == d).unwrap_or(0) + 1),
            ..d.clone()
        })
        .collect();
    let mut imported = super::rebuild(inv, documents);
    // The name says so, so the share dialog can tell a redacted import from one that is not.
    if let Ok(valid) = &imported.scenario {
        let mut s = valid.get().clone();
        s.name = s.name.replacen(super::IMPORTED_PREFIX, REDACTED_PREFIX, 1);
        imported.scenario = s.validate().map_err(|e| e.0.iter().map(|x| format!("{}: {}", x.field, x.message)).collect());
    }
    Redacted { imported, replaced }
}
