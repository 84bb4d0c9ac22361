//! Import: a user's real setup, read from what they already have, in the browser or a terminal.
//!
//! Three stages, each pure (no clock, no network, nothing leaves the machine):
//!
//! 1. [`read`]: every pasted or dropped document is recognised (AWS CLI JSON output, with or
//!    without the collector's `{"command", "output"}` wrapper; `terraform show -json` of a state
//!    or a plan; a CloudFormation template in JSON) and read into one [`Inventory`], the
//!    source-neutral list of what exists, keyed by ARN or id as AWS keys it. A document that
//!    cannot be read is refused whole, with a message naming it and what is wrong; what other
//!    documents gave is kept.
//! 2. `build` turns the inventory into a [`Scenario`] the simulation runs, listing every
//!    assumption it made for a missing document (and the command that would fill it) and
//!    everything the lab cannot represent (an HTTPS listener is drawn as its HTTP equivalent).
//! 3. [`report`] runs the simulation on it and gives the diagnosis's findings with stable ids,
//!    the matching linter ids, the fix as an `aws` command with the user's real ids, and AWS's
//!    observed target states next to what the simulation predicts.
//!
//! The page (a split point, loaded when the dialog opens) and `alb-lab-scenario import|diagnose`
//! call the same functions. Shapes: docs/import.md.

pub mod aws;
mod build;
pub mod cloudformation;
pub mod collector;
pub mod export;
pub mod redact;
pub mod report;
mod terraform;
mod value;

use crate::sim::scenario::{Scenario, ValidScenario};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One document refused above this size: the largest real `describe-*` output of one setup is a
/// few hundred KB; a bigger paste is another account's whole inventory or a mistake.
pub const MAX_DOCUMENT_BYTES: usize = 4 * 1024 * 1024;
/// All documents of one import together.
pub const MAX_TOTAL_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_DOCUMENTS: usize = 64;
/// Resources of all kinds read from all documents: far above one service's setup, low enough
/// that reading and joining them stays instant.
pub const MAX_RESOURCES: usize = 5_000;

/// How an imported setup's scenario name starts (until it is redacted): the share dialog
/// offers redaction when it sees it.
pub const IMPORTED_PREFIX: &str = "Imported: ";

/// Is this scenario an import that still carries a real account's names and ids? (A redacted
/// one is named `Imported (redacted): …`.)
pub fn is_unredacted(scenario_name: &str) -> bool {
    scenario_name.starts_with(IMPORTED_PREFIX)
}

/// A pasted text or a dropped file: its name (the file name, or "pasted text 2") and contents.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Source {
        Source { name: name.into(), text: text.into() }
    }
}

/// What one document was read as, or why it was refused.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocumentReport {
    pub name: String,
    /// What it was read as ("aws elbv2 describe-target-groups", "terraform show -json (plan)"),
    /// one entry per wrapped command in a collector file.
    pub read_as: Vec<String>,
    /// Why nothing of it was taken, in the user's words.
    pub refused: Option<String>,
    /// Taken, but incomplete: a partial page, a health dump tied to no target group.
    pub warnings: Vec<String>,
}

/// A security group rule as AWS lists it (`IpPermissions[]`, flattened).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Permission {
    /// `tcp`, `udp`, `icmp`, `-1` (all).
    pub protocol: String,
    /// `None` for `-1`, which carries no ports.
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
    pub cidrs: Vec<String>,
    pub ipv6_cidrs: Vec<String>,
    pub prefix_lists: Vec<String>,
    /// Referenced security groups (`UserIdGroupPairs[].GroupId`, `SourceSecurityGroupId`, …).
    pub groups: Vec<String>,
    pub description: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroupIn {
    pub id: String,
    pub name: String,
    pub vpc_id: String,
    pub ingress: Vec<Permission>,
    pub egress: Vec<Permission>,
    /// Rules came from a document (not only the group's id as a reference).
    pub described: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoadBalancerIn {
    pub arn: String,
    pub name: String,
    /// `application`, `network`, `gateway`.
    pub kind: String,
    pub internal: bool,
    pub vpc_id: String,
    /// `(zone, subnet)` pairs; the zone may be empty (Terraform gives only subnets).
    pub zones: Vec<(String, String)>,
    pub security_groups: Vec<String>,
    pub idle_timeout_seconds: Option<u32>,
}

/// A listener's or rule's action.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionIn {
    /// `forward`, `fixed-response`, `redirect`, `authenticate-oidc`, …
    pub kind: String,
    /// `(target group, weight)`: one from `TargetGroupArn`, several from `ForwardConfig`.
    pub target_groups: Vec<(String, u32)>,
    pub status_code: Option<String>,
    pub content_type: String,
    pub message_body: String,
    pub redirect: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListenerIn {
    pub arn: String,
    pub load_balancer: String,
    pub port: u16,
    pub protocol: String,
    pub default_actions: Vec<ActionIn>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RuleIn {
    pub listener: String,
    /// `None` for the default rule.
    pub priority: Option<u32>,
    /// `(field, values)`: `path-pattern`, `host-header`, …
    pub conditions: Vec<(String, Vec<String>)>,
    pub actions: Vec<ActionIn>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetGroupIn {
    pub arn: String,
    pub name: String,
    pub protocol: String,
    pub port: Option<u16>,
    /// `instance`, `ip`, `lambda`, `alb`.
    pub target_type: String,
    pub protocol_version: String,
    pub load_balancers: Vec<String>,
    pub health_check_enabled: Option<bool>,
    pub health_check_protocol: String,
    /// `traffic-port` or a number, as AWS writes it: a string.
    pub health_check_port: String,
    pub health_check_path: String,
    pub interval_seconds: Option<u32>,
    pub timeout_seconds: Option<u32>,
    pub healthy_threshold: Option<u32>,
    pub unhealthy_threshold: Option<u32>,
    pub matcher: String,
    /// `Key`/`Value` attributes, values as strings (describe-target-group-attributes).
    pub attributes: BTreeMap<String, String>,
}

/// One target as `describe-target-health` reports it: what AWS observed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ObservedTarget {
    pub target_group: String,
    /// An IP address, an instance id or a Lambda ARN.
    pub id: String,
    pub port: Option<u16>,
    pub availability_zone: String,
    pub health_check_port: String,
    pub state: String,
    pub reason: String,
    pub description: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceLoadBalancerIn {
    pub target_group: String,
    pub container_name: String,
    pub container_port: Option<u16>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceIn {
    pub arn: String,
    pub name: String,
    pub cluster: String,
    pub launch_type: String,
    pub desired_count: Option<u32>,
    pub running_count: Option<u32>,
    pub task_definition: String,
    pub load_balancers: Vec<ServiceLoadBalancerIn>,
    /// `Some` when the service has an awsvpc network configuration.
    pub subnets: Option<Vec<String>>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
    pub health_check_grace_period_seconds: Option<u32>,
    pub minimum_healthy_percent: Option<u32>,
    pub maximum_percent: Option<u32>,
    /// The service's event messages, newest first as ECS lists them.
    pub events: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PortMappingIn {
    pub container_port: Option<u16>,
    /// `Some(0)` or `None` (bridge) means a dynamic host port.
    pub host_port: Option<u16>,
    pub protocol: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerIn {
    pub name: String,
    pub essential: bool,
    pub port_mappings: Vec<PortMappingIn>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionIn {
    pub arn: String,
    pub family: String,
    pub revision: Option<u32>,
    /// `awsvpc`, `bridge`, `host`, `none`.
    pub network_mode: String,
    pub containers: Vec<ContainerIn>,
}

/// A task as `describe-tasks` reports it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskIn {
    pub arn: String,
    pub last_status: String,
    pub task_definition: String,
    pub private_ip: String,
    pub availability_zone: String,
    pub subnet: String,
    pub container_instance: String,
    pub host_ports: Vec<u16>,
    pub stop_code: String,
    pub stopped_reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubnetIn {
    pub id: String,
    pub availability_zone: String,
    pub cidr: String,
    pub vpc_id: String,
    pub map_public_ip_on_launch: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NaclEntryIn {
    pub rule_number: i64,
    pub egress: bool,
    /// `-1` (all), `6` (tcp), `17`, …, as AWS writes it.
    pub protocol: String,
    pub allow: bool,
    pub cidr: String,
    pub from_port: Option<i64>,
    pub to_port: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkAclIn {
    pub id: String,
    pub is_default: bool,
    pub subnets: Vec<String>,
    pub entries: Vec<NaclEntryIn>,
}

/// An EC2 instance (`describe-instances`): where bridge-mode tasks run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceIn {
    pub id: String,
    pub private_ip: String,
    pub subnet: String,
    pub security_groups: Vec<String>,
}

/// Everything read from every document, before joining. Keys are ARNs and ids as AWS writes
/// them; a Terraform plan that leaves an id unknown keys the resource by its address
/// (`aws_lb_target_group.app`), and references resolve to the same key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub load_balancers: Vec<LoadBalancerIn>,
    pub listeners: Vec<ListenerIn>,
    pub rules: Vec<RuleIn>,
    pub target_groups: Vec<TargetGroupIn>,
    /// Target-group attributes for groups whose description may come from another document.
    pub target_group_attributes: Vec<(String, BTreeMap<String, String>)>,
    pub load_balancer_attributes: Vec<(String, BTreeMap<String, String>)>,
    pub observed: Vec<ObservedTarget>,
    pub services: Vec<ServiceIn>,
    pub task_definitions: Vec<TaskDefinitionIn>,
    pub tasks: Vec<TaskIn>,
    pub security_groups: Vec<SecurityGroupIn>,
    /// `describe-security-group-rules` and Terraform's separate rule resources: `(group, egress,
    /// rule)`, merged into their groups when the scenario is built.
    pub loose_rules: Vec<(String, bool, Permission)>,
    pub subnets: Vec<SubnetIn>,
    pub network_acls: Vec<NetworkAclIn>,
    pub vpc_cidrs: Vec<(String, String)>,
    /// `(containerInstanceArn, ec2InstanceId)` from `describe-container-instances`.
    pub container_instances: Vec<(String, String)>,
    pub instances: Vec<InstanceIn>,
}

impl Inventory {
    /// How many resources it holds, for [`MAX_RESOURCES`].
    pub fn resource_count(&self) -> usize {
        self.load_balancers.len()
            + self.listeners.len()
            + self.rules.len()
            + self.target_groups.len()
            + self.target_group_attributes.len()
            + self.load_balancer_attributes.len()
            + self.observed.len()
            + self.services.len()
            + self.task_definitions.len()
            + self.tasks.len()
            + self.security_groups.len()
            + self.loose_rules.len()
            + self.subnets.len()
            + self.network_acls.len()
            + self.vpc_cidrs.len()
            + self.container_instances.len()
            + self.instances.len()
    }

    fn append(&mut self, mut other: Inventory) {
        self.load_balancers.append(&mut other.load_balancers);
        self.listeners.append(&mut other.listeners);
        self.rules.append(&mut other.rules);
        self.target_groups.append(&mut other.target_groups);
        self.target_group_attributes.append(&mut other.target_group_attributes);
        self.load_balancer_attributes.append(&mut other.load_balancer_attributes);
        self.observed.append(&mut other.observed);
        self.services.append(&mut other.services);
        self.task_definitions.append(&mut other.task_definitions);
        self.tasks.append(&mut other.tasks);
        self.security_groups.append(&mut other.security_groups);
        self.loose_rules.append(&mut other.loose_rules);
        self.subnets.append(&mut other.subnets);
        self.network_acls.append(&mut other.network_acls);
        self.vpc_cidrs.append(&mut other.vpc_cidrs);
        self.container_instances.append(&mut other.container_instances);
        self.instances.append(&mut other.instances);
    }
}

/// Why a note was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// A document was missing: this is what the import assumed in its place.
    Assumed,
    /// The setup has something the lab does not model; it is drawn as the closest thing it does.
    NotModelled,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Note {
    pub kind: NoteKind,
    pub text: String,
    /// The command whose output would replace the assumption.
    pub fill: Option<String>,
}

/// Real ids next to the lab's: the lab derives ARNs from names, so a fix command the core
/// writes is turned back into the user's own ARNs before it is shown.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct IdBook {
    /// `(lab ARN, real ARN)`.
    pub arns: Vec<(String, String)>,
}

impl IdBook {
    /// `text` with every lab ARN replaced by the real one.
    pub fn real(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (lab, real) in &self.arns {
            if lab != real && !lab.is_empty() {
                out = out.replace(lab.as_str(), real);
            }
        }
        out
    }
}

/// The whole import: what each document was read as, the scenario (or why none could be
/// built), and the notes.
#[derive(Clone, Debug)]
pub struct Imported {
    pub documents: Vec<DocumentReport>,
    pub inventory: Inventory,
    pub scenario: Result<ValidScenario, Vec<String>>,
    pub notes: Vec<Note>,
    pub ids: IdBook,
}

impl Imported {
    pub fn scenario(&self) -> Option<&Scenario> {
        self.scenario.as_ref().ok().map(|v| v.get())
    }
    /// Documents that were refused.
    pub fn refused(&self) -> impl Iterator<Item = &DocumentReport> {
        self.documents.iter().filter(|d| d.refused.is_some())
    }
}

/// Read every source into one inventory. A source that cannot be read is refused whole; the
/// others are kept.
pub fn read(sources: &[Source]) -> (Inventory, Vec<DocumentReport>) {
    let mut inventory = Inventory::default();
    let mut reports = Vec::new();
    let mut total = 0usize;
    for (i, source) in sources.iter().enumerate() {
        let mut report = DocumentReport { name: source.name.clone(), read_as: Vec::new(), refused: None, warnings: Vec::new() };
        total += source.text.len();
        if i >= MAX_DOCUMENTS {
            report.refused = Some(format!("one import reads at most {MAX_DOCUMENTS} documents; this is number {}", i + 1));
        } else if source.text.len() > MAX_DOCUMENT_BYTES {
            report.refused = Some(too_big(source.text.len()));
        } else if total > MAX_TOTAL_BYTES {
            report.refused = Some(format!("all documents together may be at most {}", size_words(MAX_TOTAL_BYTES)));
        } else {
            match aws::read_document(&source.text) {
                Ok(read) => {
                    if inventory.resource_count() + read.inventory.resource_count() > MAX_RESOURCES {
                        report.refused =
                            Some(format!("with it the import would hold more than {MAX_RESOURCES} resources, the most one import reads"));
                    } else {
                        inventory.append(read.inventory);
                        report.read_as = read.read_as;
                        report.warnings = read.warnings;
                    }
                }
                Err(why) => report.refused = Some(why),
            }
        }
        reports.push(report);
    }
    (inventory, reports)
}

/// Read, then build the scenario.
pub fn import(sources: &[Source]) -> Imported {
    let (inventory, documents) = read(sources);
    let built = build::build(&inventory);
    Imported { documents, inventory, scenario: built.scenario, notes: built.notes, ids: built.ids }
}

/// Build the scenario from an inventory already read (after redaction, say).
pub fn rebuild(inventory: Inventory, documents: Vec<DocumentReport>) -> Imported {
    let built = build::build(&inventory);
    Imported { documents, inventory, scenario: built.scenario, notes: built.notes, ids: built.ids }
}

/// Why a document of `bytes` is refused: also said before a file that big is read at all.
pub fn too_big(bytes: usize) -> String {
    format!(
        "it is {}, above the {} one document may be: paste one command's output per document",
        size_words(bytes),
        size_words(MAX_DOCUMENT_BYTES)
    )
}

pub(crate) fn size_words(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}
