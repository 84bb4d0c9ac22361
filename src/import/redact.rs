//! Redaction: the same setup with account ids, ARNs' names, resource names, resource ids and
//! public IP addresses replaced by consistent placeholders, so it can be shared.
//!
//! Consistent means one real value always becomes the same placeholder wherever it appears (in
//! an ARN, a name, a rule's source), so every join still holds and the redacted setup
//! diagnoses the same. Values are replaced as whole words between `:` `/` `,` and spaces, never
//! inside a longer word, so AWS's own vocabulary (`application`, `forward`) is never touched.
//! Private addresses (10/8, 172.16/12, 192.168/16) are kept: they locate nothing outside the
//! VPC, and the subnets' ranges must keep holding the tasks.

use super::{DocumentReport, Imported, Inventory};
use crate::sim::net::Ipv4;
use serde_json::Value;
use std::collections::BTreeMap;

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
}

impl Table {
    fn add(&mut self, real: &str, kind: &'static str) {
        if real.is_empty() || self.map.contains_key(real) || VOCABULARY.contains(&real) || real == "default" {
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

    /// Every public IPv4 address in `s` gets its own address in 198.51.100.0/24 (TEST-NET-2, a
    /// documentation range that is never a real client).
    fn add_addresses(&mut self, s: &str) {
        for w in s.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
            if let Some(addr) = Ipv4::parse(w) {
                if !addr.is_private() && addr.0 != 0 && !self.map.contains_key(w) {
                    let n = self.counters.entry("address").or_insert(0);
                    *n += 1;
                    let placeholder = format!("198.51.100.{}", (*n % 254) + 1);
                    self.map.insert(w.to_string(), placeholder);
                }
            }
        }
    }

    fn text(&self, s: &str) -> String {
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
        Value::String(s) => t.add_addresses(s),
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
    let mut v = serde_json::to_value(inv).expect("an inventory is plain data");
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
    Redacted { imported: super::rebuild(inv, documents), replaced }
}
