//! Scenario files: the whole AWS setup the simulation starts from, and its validation.
//!
//! A scenario is loaded in two stages, as ripgrep loads its configuration: serde parses the file
//! into these types (versioned, unknown fields refused), then [`Scenario::validate`] checks every
//! value against AWS's allowed ranges and every name against what exists, and hands back a
//! [`ValidScenario`], the only form the simulation accepts. Every error names the field
//! (`target_groups[0].health_check.interval_seconds`) and what would be allowed.
//!
//! Settings keep AWS's names and AWS's units (seconds where AWS uses seconds), unit last. Every
//! knob change in the page and every command goes through the same validation, on a copy, so a
//! refused change leaves the running setup untouched (docs/model.md §Scenario files).
//!
//! Left out on purpose: HTTPS listeners and certificates, redirect actions, host-header
//! conditions, weighted forwards, stickiness, several target groups per service, several
//! containers per task. None of them changes how a request reaches one container.

use super::knobs::{self, Knob};
use super::net::{Cidr, Ipv4};
use serde::{Deserialize, Serialize};
use std::fmt;

pub const FORMAT: &str = "alb-lab/scenario";
pub const VERSION: u32 = 1;
/// The simulator runs at most this many tasks at once, so every run stays small and fast.
pub const MAX_DESIRED_COUNT: u32 = 10;
pub const MAX_REQUESTS_PER_SECOND: f64 = 200.0;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Always `alb-lab/scenario`.
    pub format: String,
    /// The file format version; this build reads version 1.
    pub version: u32,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Seed for the one random generator (task ids, addresses, dynamic ports, latency jitter).
    #[serde(default = "default_seed")]
    pub seed: u64,
    pub vpc: Vpc,
    pub security_groups: Vec<SecurityGroup>,
    /// Custom network ACLs and the subnets they are associated with. A subnet none of them lists
    /// uses the VPC's default network ACL, which allows all traffic both ways (docs/model.md
    /// §Network ACLs). Left out of a file when empty, so older files and links read the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_acls: Vec<NetworkAcl>,
    pub load_balancer: LoadBalancer,
    pub target_groups: Vec<TargetGroup>,
    #[serde(default)]
    pub container_instances: Vec<ContainerInstance>,
    pub task_definition: TaskDefinition,
    /// `null` when no ECS service exists yet.
    #[serde(default)]
    pub service: Option<EcsService>,
    #[serde(default)]
    pub client: Client,
    #[serde(default)]
    pub options: SimOptions,
}

fn default_seed() -> u64 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub id: String,
    pub cidr: String,
    pub subnets: Vec<Subnet>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub availability_zone: String,
    pub cidr: String,
    /// Has a route to an internet gateway, so a public IP on an interface here is reachable.
    #[serde(default = "yes")]
    pub is_public: bool,
}

fn yes() -> bool {
    true
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub ingress: Vec<SecurityGroupRule>,
    /// A new security group allows all outbound traffic (docs/model.md §Security groups).
    #[serde(default = "allow_all_egress")]
    pub egress: Vec<SecurityGroupRule>,
}

pub fn allow_all_egress() -> Vec<SecurityGroupRule> {
    vec![SecurityGroupRule {
        protocol: "tcp".into(),
        from_port: 0,
        to_port: 65535,
        source: "0.0.0.0/0".into(),
        description: "default: all outbound traffic".into(),
    }]
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupRule {
    /// Only `tcp` is modelled.
    #[serde(default = "tcp")]
    pub protocol: String,
    pub from_port: u16,
    pub to_port: u16,
    /// A CIDR block (`0.0.0.0/0`) or a security group id (`sg-alb`).
    pub source: String,
    #[serde(default)]
    pub description: String,
}

fn tcp() -> String {
    "tcp".into()
}

impl SecurityGroupRule {
    pub fn source_cidr(&self) -> Option<Cidr> {
        Cidr::parse(&self.source)
    }
    pub fn ports_text(&self) -> String {
        if self.from_port == self.to_port {
            format!("{}", self.from_port)
        } else if self.from_port == 0 && self.to_port == 65535 {
            "all".into()
        } else {
            format!("{}-{}", self.from_port, self.to_port)
        }
    }
}

/// A network ACL: numbered allow and deny entries for each direction, evaluated lowest number
/// first, the first match deciding; a packet no entry matches is denied (the `*` entry).
/// Stateless: a reply is a packet of its own and must be allowed on its way back, on the
/// client's ephemeral port (docs/model.md §Network ACLs).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkAcl {
    /// `acl-…`.
    pub id: String,
    /// The subnets associated with it; a subnet has exactly one network ACL.
    #[serde(default)]
    pub subnets: Vec<String>,
    #[serde(default)]
    pub inbound: Vec<NetworkAclEntry>,
    #[serde(default)]
    pub outbound: Vec<NetworkAclEntry>,
}

/// One entry of a network ACL, as `create-network-acl-entry` takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkAclEntry {
    /// 1-32766, lowest first; unique per direction.
    pub rule_number: u16,
    /// `tcp`, or `all` (AWS's protocol `-1`: every protocol and port).
    #[serde(default = "tcp")]
    pub protocol: String,
    #[serde(default)]
    pub from_port: u16,
    #[serde(default = "max_port")]
    pub to_port: u16,
    /// The peer: the source for an inbound entry, the destination for an outbound one.
    pub cidr: String,
    pub action: NaclAction,
}

fn max_port() -> u16 {
    65535
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NaclAction {
    Allow,
    Deny,
}

impl NetworkAclEntry {
    pub fn is_all_ports(&self) -> bool {
        self.protocol == "all" || (self.from_port == 0 && self.to_port == 65535)
    }
    /// `100 allow TCP 8000 from 10.0.0.0/16`.
    pub fn text(&self, inbound: bool) -> String {
        let action = match self.action {
            NaclAction::Allow => "allow",
            NaclAction::Deny => "deny",
        };
        let what = if self.protocol == "all" {
            "all traffic".to_string()
        } else if self.from_port == self.to_port {
            format!("TCP {}", self.from_port)
        } else if self.is_all_ports() {
            "TCP all ports".to_string()
        } else {
            format!("TCP {}-{}", self.from_port, self.to_port)
        };
        format!("{} {action} {what} {} {}", self.rule_number, if inbound { "from" } else { "to" }, self.cidr)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scheme {
    #[serde(rename = "internet-facing")]
    InternetFacing,
    #[serde(rename = "internal")]
    Internal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub name: String,
    pub scheme: Scheme,
    /// Subnets the ALB has nodes in; their availability zones are the LB's enabled zones.
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    /// `idle_timeout.timeout_seconds`: 1-4000, default 60.
    #[serde(default = "idle_timeout_default")]
    pub idle_timeout_seconds: u32,
    pub listeners: Vec<Listener>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    pub port: u16,
    /// Only `HTTP` is modelled.
    #[serde(default = "http")]
    pub protocol: String,
    #[serde(default)]
    pub rules: Vec<ListenerRule>,
    pub default_action: Action,
}

fn http() -> String {
    "HTTP".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerRule {
    /// 1-50000, lowest first; no two rules of a listener share one.
    pub priority: u32,
    /// A path pattern with `*` and `?` wildcards, as in a `path-pattern` condition.
    pub path_pattern: String,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Action {
    Forward {
        target_group: String,
    },
    FixedResponse {
        status_code: u16,
        #[serde(default = "text_plain")]
        content_type: String,
        #[serde(default)]
        message_body: String,
    },
}

fn text_plain() -> String {
    "text/plain".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    Ip,
    Instance,
}

impl fmt::Display for TargetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TargetType::Ip => "ip",
            TargetType::Instance => "instance",
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoadBalancingAlgorithm {
    RoundRobin,
    LeastOutstandingRequests,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    pub name: String,
    pub target_type: TargetType,
    #[serde(default = "http")]
    pub protocol: String,
    /// The default port for registered targets. ECS registers every task with its own port
    /// (the container port, or the dynamic host port), which overrides this one.
    pub port: u16,
    /// `HTTP1` or `HTTP2`.
    #[serde(default = "http1")]
    pub protocol_version: String,
    #[serde(default)]
    pub health_check: HealthCheck,
    /// `deregistration_delay.timeout_seconds`: 0-3600, default 300.
    #[serde(default = "deregistration_delay_default")]
    pub deregistration_delay_seconds: u32,
    #[serde(default = "round_robin")]
    pub load_balancing_algorithm: LoadBalancingAlgorithm,
    /// `target_group_health.unhealthy_state_routing.minimum_healthy_targets.count`: below this
    /// many healthy targets the ALB fails open and routes to every target. Default 1.
    #[serde(default = "fail_open_default")]
    pub unhealthy_state_routing_minimum_healthy_targets_count: u32,
}

fn http1() -> String {
    "HTTP1".into()
}
fn round_robin() -> LoadBalancingAlgorithm {
    LoadBalancingAlgorithm::RoundRobin
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    #[serde(default = "http")]
    pub protocol: String,
    /// `traffic-port` (each target's own port) or a port number.
    #[serde(default = "traffic_port")]
    pub port: String,
    #[serde(default = "slash")]
    pub path: String,
    #[serde(default = "interval_default")]
    pub interval_seconds: u32,
    /// The user guide's default (5 s); the API reference says 6 s for HTTP (docs/model.md).
    #[serde(default = "timeout_default")]
    pub timeout_seconds: u32,
    #[serde(default = "healthy_threshold_default")]
    pub healthy_threshold_count: u32,
    #[serde(default = "unhealthy_threshold_default")]
    pub unhealthy_threshold_count: u32,
    /// Success codes: `200`, `200,202`, `200-299` (200-499).
    #[serde(default = "two_hundred")]
    pub matcher: String,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            protocol: http(),
            port: traffic_port(),
            path: slash(),
            interval_seconds: interval_default(),
            timeout_seconds: timeout_default(),
            healthy_threshold_count: healthy_threshold_default(),
            unhealthy_threshold_count: unhealthy_threshold_default(),
            matcher: two_hundred(),
        }
    }
}

fn traffic_port() -> String {
    "traffic-port".into()
}
fn slash() -> String {
    "/".into()
}
fn two_hundred() -> String {
    "200".into()
}

impl HealthCheck {
    /// The explicit health-check port, or `None` for `traffic-port`.
    pub fn explicit_port(&self) -> Option<u16> {
        if self.port == "traffic-port" {
            None
        } else {
            self.port.parse().ok()
        }
    }

    /// Does `code` match the success codes? (Validated syntax; junk never matches.)
    pub fn matches(&self, code: u16) -> bool {
        parse_matcher(&self.matcher).map(|ranges| ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&code))).unwrap_or(false)
    }
}

/// `200`, `200,202`, `200-299` → ranges; `None` if malformed or outside 200-499.
pub fn parse_matcher(text: &str) -> Option<Vec<(u16, u16)>> {
    let mut out = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (lo, hi) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u16>().ok()?, b.trim().parse::<u16>().ok()?),
            None => {
                let v = part.parse::<u16>().ok()?;
                (v, v)
            }
        };
        if lo > hi || lo < 200 || hi > 499 {
            return None;
        }
        out.push((lo, hi));
    }
    (!out.is_empty()).then_some(out)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerInstance {
    /// An EC2 instance id, `i-…`.
    pub id: String,
    pub subnet: String,
    pub private_ip: String,
    pub security_groups: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkMode {
    Awsvpc,
    Bridge,
}

impl fmt::Display for NetworkMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NetworkMode::Awsvpc => "awsvpc",
            NetworkMode::Bridge => "bridge",
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinition {
    pub family: String,
    #[serde(default = "revision_default")]
    pub revision: u32,
    pub network_mode: NetworkMode,
    /// One essential container is modelled.
    pub container: ContainerDefinition,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerDefinition {
    pub name: String,
    pub port_mappings: Vec<PortMapping>,
    pub app: App,
}

impl ContainerDefinition {
    pub fn mapping_for(&self, container_port: u16) -> Option<&PortMapping> {
        self.port_mappings.iter().find(|m| m.container_port == container_port)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortMapping {
    pub container_port: u16,
    /// awsvpc: leave out or equal to `container_port`. bridge: leave out or 0 for a dynamic
    /// host port from the instance's ephemeral range.
    #[serde(default)]
    pub host_port: Option<u16>,
}

/// How the app answers its health path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HealthResponse {
    /// 200 OK.
    #[default]
    Ok,
    /// 404 Not Found (the route does not exist in this build).
    NotFound,
    /// 500 Internal Server Error (a dependency is down).
    ServerError,
    /// Answers 200, but only after `slow_response_seconds`.
    Slow,
    /// The process crashes when the path is requested; the essential container exits.
    Crash,
    /// 301 Moved Permanently: an HTTP→HTTPS redirect in front of everything.
    MovedPermanently,
    /// 302 Found: a redirect to a login page.
    Found,
    /// 400 Bad Request: the app wants a header the health checker does not send (a Host it knows).
    BadRequest,
    /// 403 Forbidden: an allow-list or authentication in front of the path.
    Forbidden,
}

impl HealthResponse {
    pub const ALL: [HealthResponse; 9] = [
        HealthResponse::Ok,
        HealthResponse::MovedPermanently,
        HealthResponse::Found,
        HealthResponse::BadRequest,
        HealthResponse::Forbidden,
        HealthResponse::NotFound,
        HealthResponse::ServerError,
        HealthResponse::Slow,
        HealthResponse::Crash,
    ];
    pub fn key(self) -> &'static str {
        match self {
            HealthResponse::Ok => "ok",
            HealthResponse::NotFound => "not_found",
            HealthResponse::ServerError => "server_error",
            HealthResponse::Slow => "slow",
            HealthResponse::Crash => "crash",
            HealthResponse::MovedPermanently => "moved_permanently",
            HealthResponse::Found => "found",
            HealthResponse::BadRequest => "bad_request",
            HealthResponse::Forbidden => "forbidden",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            HealthResponse::Ok => "200 OK",
            HealthResponse::NotFound => "404 Not Found",
            HealthResponse::ServerError => "500 Internal Server Error",
            HealthResponse::Slow => "too slow",
            HealthResponse::Crash => "crash",
            HealthResponse::MovedPermanently => "301 Moved Permanently (HTTP→HTTPS redirect)",
            HealthResponse::Found => "302 Found (login redirect)",
            HealthResponse::BadRequest => "400 Bad Request",
            HealthResponse::Forbidden => "403 Forbidden",
        }
    }
    /// The status it answers with, for the answers that are one.
    pub fn status(self) -> Option<u16> {
        match self {
            HealthResponse::Ok | HealthResponse::Slow => Some(200),
            HealthResponse::NotFound => Some(404),
            HealthResponse::ServerError => Some(500),
            HealthResponse::MovedPermanently => Some(301),
            HealthResponse::Found => Some(302),
            HealthResponse::BadRequest => Some(400),
            HealthResponse::Forbidden => Some(403),
            HealthResponse::Crash => None,
        }
    }
    /// The answers `/` can give: a status, in the app's response time (a slow or crashing
    /// answer is the health endpoint's).
    pub fn answers_root(self) -> bool {
        !matches!(self, HealthResponse::Slow | HealthResponse::Crash)
    }
    pub fn from_key(key: &str) -> Option<HealthResponse> {
        HealthResponse::ALL.into_iter().find(|h| h.key() == key)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    /// The port the process binds to inside the container.
    pub listen_port: u16,
    /// Seconds from container start until the process accepts connections.
    #[serde(default = "startup_default")]
    pub startup_seconds: u32,
    /// The path where the app serves its health endpoint. `/` always answers 200; any other
    /// path answers 404.
    #[serde(default = "health")]
    pub health_path: String,
    #[serde(default = "health_ok")]
    pub health_response: HealthResponse,
    /// How the app answers `/`: 200 by default, or a redirect (301, 302) or an error (400, 403,
    /// 404, 500), in its response time.
    #[serde(default = "health_ok", skip_serializing_if = "is_ok")]
    pub response: HealthResponse,
    /// How long `/` takes to answer.
    #[serde(default = "response_time_default")]
    pub response_time_ms: u32,
    /// How long the health path takes when `health_response` is `slow`.
    #[serde(default = "slow_response_default")]
    pub slow_response_seconds: u32,
}

/// How the app answers one request for a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppAnswer {
    /// An HTTP status, after this long.
    Status { status: u16, needed_ms: u32 },
    /// The process crashes while answering; its essential container exits.
    Crash,
}

impl App {
    /// The app's answer for `path`: its health endpoint answers as configured, `/` answers 200
    /// in its response time (plus `jitter_ms`), and any other path 404. The data plane, the
    /// health checks and the diagnosis all ask this.
    pub fn answer(&self, path: &str, jitter_ms: u32) -> AppAnswer {
        let status = |status, needed_ms| AppAnswer::Status { status, needed_ms };
        if path == self.health_path {
            match self.health_response {
                HealthResponse::Slow => status(200, self.slow_response_seconds.saturating_mul(1000)),
                HealthResponse::Crash => AppAnswer::Crash,
                other => status(other.status().unwrap_or(200), 5),
            }
        } else if path == "/" {
            status(self.response.status().unwrap_or(200), self.response_time_ms.saturating_add(jitter_ms))
        } else {
            status(404, 5)
        }
    }
}

fn health() -> String {
    "/health".into()
}
fn health_ok() -> HealthResponse {
    HealthResponse::default()
}
fn is_ok(h: &HealthResponse) -> bool {
    *h == HealthResponse::Ok
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LaunchType {
    #[serde(rename = "FARGATE")]
    Fargate,
    #[serde(rename = "EC2")]
    Ec2,
}

impl LaunchType {
    /// As ECS writes it (`FARGATE`, `EC2`).
    pub fn key(self) -> &'static str {
        match self {
            LaunchType::Fargate => "FARGATE",
            LaunchType::Ec2 => "EC2",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EcsService {
    pub name: String,
    #[serde(default = "default_cluster")]
    pub cluster: String,
    pub launch_type: LaunchType,
    pub desired_count: u32,
    /// The `loadBalancers` entry; `null` when the service is not attached to a target group.
    #[serde(default)]
    pub load_balancer: Option<ServiceLoadBalancer>,
    /// `healthCheckGracePeriodSeconds`, default 0.
    #[serde(default)]
    pub health_check_grace_period_seconds: u32,
    #[serde(default)]
    pub deployment_configuration: DeploymentConfiguration,
    /// `awsvpcConfiguration` (awsvpc only; bridge tasks use their instance's network).
    #[serde(default)]
    pub network_configuration: Option<NetworkConfiguration>,
}

fn default_cluster() -> String {
    "lab".into()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceLoadBalancer {
    pub target_group: String,
    pub container_name: String,
    pub container_port: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfiguration {
    /// Default 100 for REPLICA services (not the 50 that older guides quote).
    #[serde(default = "minimum_healthy_default")]
    pub minimum_healthy_percent: u32,
    #[serde(default = "maximum_percent_default")]
    pub maximum_percent: u32,
}

impl DeploymentConfiguration {
    /// The fewest tasks that must stay healthy during a deployment: minimumHealthyPercent of the
    /// desired count, rounded up (docs/model.md §ECS scheduler).
    pub fn floor(&self, desired_count: u32) -> u32 {
        (desired_count * self.minimum_healthy_percent).div_ceil(100)
    }

    /// The most tasks that may run during a deployment: maximumPercent of the desired count,
    /// rounded down, and never fewer than the desired count.
    pub fn cap(&self, desired_count: u32) -> u32 {
        (desired_count * self.maximum_percent / 100).max(desired_count)
    }
}

impl Default for DeploymentConfiguration {
    fn default() -> Self {
        DeploymentConfiguration { minimum_healthy_percent: minimum_healthy_default(), maximum_percent: maximum_percent_default() }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfiguration {
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    #[serde(default)]
    pub assign_public_ip: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// The client's public address.
    #[serde(default = "client_ip")]
    pub ip: String,
    #[serde(default = "rate_default")]
    pub requests_per_second: f64,
    /// The port the client connects to on the ALB's DNS name.
    #[serde(default = "client_port_default")]
    pub port: u16,
    #[serde(default = "slash")]
    pub path: String,
    /// How long the client waits for a TCP connection before giving up (like curl's
    /// `--connect-timeout`).
    #[serde(default = "connect_timeout_default")]
    pub connect_timeout_seconds: u32,
}

impl Default for Client {
    fn default() -> Self {
        Client {
            ip: client_ip(),
            requests_per_second: rate_default(),
            port: client_port_default(),
            path: slash(),
            connect_timeout_seconds: connect_timeout_default(),
        }
    }
}

fn client_ip() -> String {
    "203.0.113.10".into()
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimOptions {
    /// AWS's documents leave open whether a target group holding only `initial` targets fails
    /// open. Default: no, such requests get 503 (docs/model.md §Open questions).
    #[serde(default)]
    pub initial_targets_fail_open: bool,
    /// Run this many sim seconds with no client load before the run starts, so a scenario can
    /// open with its service already steady (0-600).
    #[serde(default)]
    pub warm_up_seconds: u32,
    /// The private addresses the first awsvpc tasks take, in launch order: an imported setup's
    /// real tasks keep their real addresses and zones. A task whose address lies in none of the
    /// service's subnets, or is taken, gets one drawn as usual. At most 10.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub task_private_ips: Vec<String>,
}

/// One problem in a scenario, naming the field and what would be allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    /// The field's path in the file (`target_groups[0].health_check.interval_seconds`).
    pub field: String,
    pub message: String,
    /// The setting it is about, when it is one of the knobs: the page shows the error under
    /// that knob's field, in the form's words.
    pub knob: Option<&'static Knob>,
}

impl ScenarioError {
    /// The error in a form's words: the knob's label, what is allowed, with AWS's name.
    pub fn in_words(&self) -> String {
        match self.knob {
            Some(k) => format!("{} {}.", k.label, self.message),
            None => match self.field.rsplit('.').next() {
                // "path must start with /", but "subnets: no subnet … in vpc.subnets".
                Some(last) if !last.is_empty() => {
                    let name = last.replace('_', " ");
                    if self.message.starts_with("must ") || self.message.starts_with("is ") {
                        format!("{name} {}.", self.message)
                    } else {
                        format!("{name}: {}.", self.message)
                    }
                }
                _ => format!("{}.", self.message),
            },
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

/// Every problem found, in file order.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// A scenario that passed [`Scenario::validate`]. Only this type starts a simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidScenario(Scenario);

impl ValidScenario {
    pub fn get(&self) -> &Scenario {
        &self.0
    }
    pub fn into_inner(self) -> Scenario {
        self.0
    }
}

impl std::ops::Deref for ValidScenario {
    type Target = Scenario;
    fn deref(&self) -> &Scenario {
        &self.0
    }
}

/// Largest scenario file accepted, so a pasted file cannot exhaust memory. It is above the
/// largest file the lab itself can write (every list at its limit, every text at its longest,
/// pretty-printed: about 0.7 MB; `tests/round_trip.rs` builds it), so whatever the page or the CLI
/// writes, it reads back.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

impl Scenario {
    /// Parse and validate a scenario file.
    pub fn from_json(text: &str) -> Result<ValidScenario, ScenarioErrors> {
        if text.len() > MAX_FILE_BYTES {
            return Err(one_error("", format!("the file is {} KB; the limit is {} KB", text.len() / 1024, MAX_FILE_BYTES / 1024)));
        }
        let scenario: Scenario = super::json::read(text).map_err(|e| ScenarioErrors(vec![e]))?;
        scenario.validate()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn find_security_group(&self, id: &str) -> Option<&SecurityGroup> {
        self.security_groups.iter().find(|g| g.id == id)
    }
    pub fn find_target_group(&self, name: &str) -> Option<&TargetGroup> {
        self.target_groups.iter().find(|t| t.name == name)
    }
    pub fn target_group_index(&self, name: &str) -> Option<usize> {
        self.target_groups.iter().position(|t| t.name == name)
    }
    pub fn find_subnet(&self, id: &str) -> Option<&Subnet> {
        self.vpc.subnets.iter().find(|s| s.id == id)
    }
    /// The custom network ACL associated with a subnet; `None`: the VPC's default, which allows
    /// everything.
    pub fn network_acl_of(&self, subnet: &str) -> Option<&NetworkAcl> {
        self.network_acls.iter().find(|a| a.subnets.iter().any(|s| s == subnet))
    }

    /// The security groups on the network interfaces that receive the service's traffic: the
    /// service's own (awsvpc: each task's ENI), or the container instances' (bridge: the tasks
    /// share their instance's interface). The diagnosis, the diagram and the settings forms ask
    /// this; the data plane asks it per task ([`super::Sim::task_groups`]).
    pub fn task_security_groups(&self) -> Vec<String> {
        match self.task_definition.network_mode {
            NetworkMode::Awsvpc => self
                .service
                .as_ref()
                .and_then(|svc| svc.network_configuration.as_ref())
                .map(|n| n.security_groups.clone())
                .unwrap_or_default(),
            NetworkMode::Bridge => {
                let mut groups: Vec<String> = Vec::new();
                for g in self.container_instances.iter().flat_map(|c| c.security_groups.iter()) {
                    if !groups.contains(g) {
                        groups.push(g.clone());
                    }
                }
                groups
            }
        }
    }

    /// Where a request for `path` on `port` goes: the listener on that port, the first rule by
    /// priority whose path pattern matches (none: the default action), and that action. The data
    /// plane, the diagram and the diagnosis all ask this.
    pub fn route(&self, port: u16, path: &str) -> Option<Route<'_>> {
        let listener = self.load_balancer.listeners.iter().find(|l| l.port == port)?;
        let mut rules: Vec<&ListenerRule> = listener.rules.iter().collect();
        rules.sort_by_key(|r| r.priority);
        let rule = rules.into_iter().find(|r| path_pattern_matches(&r.path_pattern, path));
        Some(Route { listener, rule, action: rule.map(|r| &r.action).unwrap_or(&listener.default_action) })
    }

    /// Is this target group the target of any listener's rule or default action?
    pub fn is_target_group_in_use(&self, name: &str) -> bool {
        self.load_balancer
            .listeners
            .iter()
            .any(|l| action_forwards_to(&l.default_action, name) || l.rules.iter().any(|r| action_forwards_to(&r.action, name)))
    }

    /// Availability zones the ALB has nodes in.
    pub fn enabled_zones(&self) -> Vec<String> {
        let mut zones: Vec<String> =
            self.load_balancer.subnets.iter().filter_map(|s| self.find_subnet(s)).map(|s| s.availability_zone.clone()).collect();
        zones.sort();
        zones.dedup();
        zones
    }

    /// Check every value against AWS's rules. Returns all problems, not just the first.
    pub fn validate(self) -> Result<ValidScenario, ScenarioErrors> {
        let mut v = Validator::default();
        v.scenario(&self);
        if v.errors.is_empty() {
            Ok(ValidScenario(self))
        } else {
            Err(ScenarioErrors(v.errors))
        }
    }

    /// What ECS's CreateService (or UpdateService) would refuse in this setup, or `None` if ECS
    /// accepts it. These are symptoms the tool teaches, not file errors: a scenario may start
    /// with a service ECS refuses.
    pub fn ecs_service_error(&self) -> Option<EcsRefusal> {
        let service = self.service.as_ref()?;
        let td = &self.task_definition;
        if service.launch_type == LaunchType::Fargate && td.network_mode != NetworkMode::Awsvpc {
            return Some(EcsRefusal::FargateNeedsAwsvpc);
        }
        if service.launch_type == LaunchType::Ec2 && td.network_mode == NetworkMode::Bridge && self.container_instances.is_empty() {
            return Some(EcsRefusal::NoContainerInstance { service: service.name.clone() });
        }
        let lb = service.load_balancer.as_ref()?;
        let tg = self.find_target_group(&lb.target_group)?;
        let arn = target_group_arn(tg);
        match (tg.target_type, td.network_mode) {
            (TargetType::Instance, NetworkMode::Awsvpc) => return Some(EcsRefusal::InstanceTargetWithAwsvpc { arn }),
            (TargetType::Ip, NetworkMode::Bridge) => return Some(EcsRefusal::IpTargetWithBridge { arn }),
            _ => {}
        }
        if lb.container_name != td.container.name {
            return Some(EcsRefusal::NoSuchContainer { container: lb.container_name.clone() });
        }
        if td.container.mapping_for(lb.container_port).is_none() {
            return Some(EcsRefusal::NoContainerPort { container: lb.container_name.clone(), port: lb.container_port });
        }
        if !self.is_target_group_in_use(&tg.name) {
            return Some(EcsRefusal::TargetGroupWithoutLoadBalancer { arn });
        }
        None
    }
}

/// A listener's decision for a request: see [`Scenario::route`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Route<'a> {
    pub listener: &'a Listener,
    /// The matching rule; `None` when the default action applies.
    pub rule: Option<&'a ListenerRule>,
    pub action: &'a Action,
}

/// What ECS refuses, one case per rule, shown in AWS's own words. Kept as a value, not text, so
/// the diagnosis can tell the cases apart without reading the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EcsRefusal {
    FargateNeedsAwsvpc,
    NoContainerInstance { service: String },
    InstanceTargetWithAwsvpc { arn: String },
    IpTargetWithBridge { arn: String },
    NoSuchContainer { container: String },
    NoContainerPort { container: String, port: u16 },
    TargetGroupWithoutLoadBalancer { arn: String },
}

impl fmt::Display for EcsRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EcsRefusal::FargateNeedsAwsvpc => f.write_str("ClientException: Fargate only supports network mode 'awsvpc'."),
            EcsRefusal::NoContainerInstance { service } => write!(
                f,
                "(service {service}) was unable to place a task because no container instance met all of its requirements."
            ),
            EcsRefusal::InstanceTargetWithAwsvpc { arn } => write!(
                f,
                "InvalidParameterException: The provided target group {arn} has target type instance, which is incompatible with the awsvpc network mode specified in the task definition."
            ),
            EcsRefusal::IpTargetWithBridge { arn } => write!(
                f,
                "InvalidParameterException: The provided target group {arn} has target type ip, which is incompatible with the bridge network mode specified in the task definition."
            ),
            EcsRefusal::NoSuchContainer { container } => {
                write!(f, "InvalidParameterException: The container {container} does not exist in the task definition.")
            }
            EcsRefusal::NoContainerPort { container, port } => {
                write!(f, "InvalidParameterException: The container {container} did not have a container port {port} defined.")
            }
            EcsRefusal::TargetGroupWithoutLoadBalancer { arn } => write!(
                f,
                "InvalidParameterException: The target group with targetGroupArn {arn} does not have an associated load balancer."
            ),
        }
    }
}

// Defaults of the settings a file may leave out: each is the knob table's (super::knobs).
fn idle_timeout_default() -> u32 {
    knobs::IDLE_TIMEOUT.default_u32()
}
fn deregistration_delay_default() -> u32 {
    knobs::DEREGISTRATION_DELAY.default_u32()
}
fn fail_open_default() -> u32 {
    knobs::FAIL_OPEN_THRESHOLD.default_u32()
}
fn interval_default() -> u32 {
    knobs::HEALTH_CHECK_INTERVAL.default_u32()
}
fn timeout_default() -> u32 {
    knobs::HEALTH_CHECK_TIMEOUT.default_u32()
}
fn healthy_threshold_default() -> u32 {
    knobs::HEALTHY_THRESHOLD.default_u32()
}
fn unhealthy_threshold_default() -> u32 {
    knobs::UNHEALTHY_THRESHOLD.default_u32()
}
fn revision_default() -> u32 {
    knobs::REVISION.default_u32()
}
fn startup_default() -> u32 {
    knobs::STARTUP.default_u32()
}
fn response_time_default() -> u32 {
    knobs::RESPONSE_TIME.default_u32()
}
fn slow_response_default() -> u32 {
    knobs::SLOW_RESPONSE.default_u32()
}
fn minimum_healthy_default() -> u32 {
    knobs::MINIMUM_HEALTHY_PERCENT.default_u32()
}
fn maximum_percent_default() -> u32 {
    knobs::MAXIMUM_PERCENT.default_u32()
}
fn rate_default() -> f64 {
    knobs::REQUEST_RATE.default
}
fn client_port_default() -> u16 {
    knobs::CLIENT_PORT.default_u16()
}
fn connect_timeout_default() -> u32 {
    knobs::CONNECT_TIMEOUT.default_u32()
}

pub fn action_forwards_to(action: &Action, name: &str) -> bool {
    matches!(action, Action::Forward { target_group } if target_group == name)
}

/// A stable, AWS-shaped ARN for a target group (its suffix is derived from the name, so the
/// same scenario always shows the same ARN).
pub fn target_group_arn(tg: &TargetGroup) -> String {
    format!("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/{}/{:016x}", tg.name, fnv64(&tg.name))
}

/// FNV-1a: a stable 64-bit hash of a name, for ARN suffixes that never change between runs.
pub(crate) fn fnv64(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn one_error(field: &str, message: String) -> ScenarioErrors {
    ScenarioErrors(vec![ScenarioError { field: field.into(), message, knob: None }])
}

#[derive(Default)]
struct Validator {
    errors: Vec<ScenarioError>,
}

impl Validator {
    fn err(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.push(field.into(), message.into(), None);
    }

    fn push(&mut self, field: String, message: String, knob: Option<&'static Knob>) {
        // Bounded: a hostile file cannot make the error list itself huge.
        if self.errors.len() < 50 {
            self.errors.push(ScenarioError { field, message, knob });
        }
    }

    /// A knob's value against its range (super::knobs). Returns whether it was in range.
    fn knob(&mut self, field: &str, knob: &'static Knob, value: f64) -> bool {
        if knob.contains(value) {
            return true;
        }
        self.push(field.to_string(), knob.out_of_range(value), Some(knob));
        false
    }

    fn name(&mut self, field: &str, value: &str) {
        let ok = !value.is_empty()
            && value.len() <= 64
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !ok {
            self.err(field, format!("must be 1-64 letters, digits, '-', '_' or '.', got {value:?}"));
        }
    }

    /// Free text: at most `max` bytes of UTF-8 (the same as characters for plain ASCII) and no
    /// control characters but line breaks and tabs, so every valid scenario stays small enough
    /// to write out and read back, and to fit in a link.
    fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.len() > max {
            self.err(field, format!("must be at most {max} characters (bytes of UTF-8), got {}", value.len()));
        } else if value.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            self.err(field, "must not contain control characters");
        }
    }

    /// A security group's or rule's description: AWS allows up to 255 characters from a small
    /// ASCII set, which also keeps every valid scenario small enough to write and read back.
    fn aws_description(&mut self, field: &str, value: &str) {
        const ALLOWED: &str = "._-:/()#,@[]+=&;{}!$* ";
        if value.len() > 255 {
            self.err(field, format!("must be at most 255 characters, got {}", value.chars().count()));
        } else if let Some(c) = value.chars().find(|c| !c.is_ascii_alphanumeric() && !ALLOWED.contains(*c)) {
            self.err(field, format!("may use only letters, digits, spaces and {}; it contains {c:?}", ALLOWED.trim_end()));
        }
    }

    fn path(&mut self, field: &str, value: &str) {
        self.path_up_to(field, value, 1024);
    }

    fn path_up_to(&mut self, field: &str, value: &str, max_len: usize) {
        let ok = value.starts_with('/') && value.len() <= max_len && value.bytes().all(|b| b.is_ascii_graphic());
        if !ok {
            self.err(
                field,
                format!("must be a path of at most {max_len} characters starting with '/', printable ASCII without spaces, got {value:?}"),
            );
        }
    }

    /// Every list's size, first: an oversized list is refused before anything looks inside it,
    /// so no check (several compare each item with the ones before it) runs over a list a link
    /// made long on purpose. The limits are AWS's quotas, or the lab's own where it draws less.
    fn list_limits(&mut self, s: &Scenario) -> bool {
        let before = self.errors.len();
        let limit = |v: &mut Validator, field: String, len: usize, min: usize, max: usize, what: &str| {
            if len < min || len > max {
                let range = if min == 0 { format!("at most {max}") } else { format!("{min}-{max}") };
                v.err(field, format!("must list {range} {what}, got {len}"));
            }
        };
        limit(self, "vpc.subnets".into(), s.vpc.subnets.len(), 1, 6, "subnets");
        limit(self, "security_groups".into(), s.security_groups.len(), 0, 10, "security groups");
        limit(self, "network_acls".into(), s.network_acls.len(), 0, 6, "network ACLs");
        for (i, a) in s.network_acls.iter().enumerate().take(6) {
            limit(self, format!("network_acls[{i}].subnets"), a.subnets.len(), 0, 6, "subnets");
            limit(self, format!("network_acls[{i}].inbound"), a.inbound.len(), 0, 20, "inbound entries (AWS's default quota)");
            limit(self, format!("network_acls[{i}].outbound"), a.outbound.len(), 0, 20, "outbound entries (AWS's default quota)");
        }
        for (i, g) in s.security_groups.iter().enumerate().take(10) {
            limit(self, format!("security_groups[{i}].ingress"), g.ingress.len(), 0, 60, "inbound rules (AWS's default quota)");
            limit(self, format!("security_groups[{i}].egress"), g.egress.len(), 0, 60, "outbound rules (AWS's default quota)");
        }
        let lb = &s.load_balancer;
        limit(self, "load_balancer.subnets".into(), lb.subnets.len(), 1, 16, "subnets");
        limit(self, "load_balancer.security_groups".into(), lb.security_groups.len(), 1, 5, "security groups");
        limit(self, "load_balancer.listeners".into(), lb.listeners.len(), 0, 10, "listeners");
        // AWS's quota is per load balancer, not per listener, and does not count default rules.
        let rules = lb.listeners.iter().take(10).map(|l| l.rules.len()).sum();
        limit(self, "load_balancer.listeners.rules".into(), rules, 0, 100, "rules across all listeners (AWS's quota per load balancer)");
        limit(self, "target_groups".into(), s.target_groups.len(), 1, 5, "target groups");
        limit(self, "container_instances".into(), s.container_instances.len(), 0, 4, "container instances");
        for (i, ci) in s.container_instances.iter().enumerate().take(4) {
            limit(self, format!("container_instances[{i}].security_groups"), ci.security_groups.len(), 1, 5, "security groups");
        }
        let mappings = s.task_definition.container.port_mappings.len();
        limit(self, "task_definition.container.port_mappings".into(), mappings, 0, 10, "port mappings");
        if let Some(nc) = s.service.as_ref().and_then(|svc| svc.network_configuration.as_ref()) {
            // An awsvpcConfiguration takes at most 16 subnets and 5 security groups.
            limit(self, "service.network_configuration.subnets".into(), nc.subnets.len(), 1, 16, "subnets");
            limit(self, "service.network_configuration.security_groups".into(), nc.security_groups.len(), 1, 5, "security groups");
        }
        self.errors.len() == before
    }

    fn scenario(&mut self, s: &Scenario) {
        if !self.list_limits(s) {
            return;
        }
        if s.format != FORMAT {
            self.err("format", format!("must be \"{FORMAT}\", got {:?}", s.format));
        }
        if s.version != VERSION {
            self.err("version", format!("this ALB Lab reads version {VERSION}, got {}", s.version));
        }
        if s.name.trim().is_empty() {
            self.err("name", "must not be empty");
        }
        self.text("name", &s.name, 120);
        self.text("description", &s.description, 4000);
        self.vpc(s);
        self.security_groups(s);
        self.network_acls(s);
        self.load_balancer(s);
        self.target_groups(s);
        self.container_instances(s);
        self.task_definition(s);
        if let Some(service) = &s.service {
            self.service(s, service);
        }
        self.client(s);
        self.knob("options.warm_up_seconds", &knobs::WARM_UP, s.options.warm_up_seconds as f64);
        if s.options.task_private_ips.len() > MAX_DESIRED_COUNT as usize {
            self.err(
                "options.task_private_ips",
                format!("lists at most {MAX_DESIRED_COUNT} addresses, got {}", s.options.task_private_ips.len()),
            );
        }
        for (i, ip) in s.options.task_private_ips.iter().enumerate() {
            if Ipv4::parse(ip).is_none() {
                self.err(format!("options.task_private_ips[{i}]"), format!("must be an IPv4 address such as 10.0.11.23, got {ip:?}"));
            }
        }
    }

    fn vpc(&mut self, s: &Scenario) {
        let Some(vpc_cidr) = Cidr::parse(&s.vpc.cidr) else {
            self.err("vpc.cidr", format!("must be a CIDR block such as 10.0.0.0/16, got {:?}", s.vpc.cidr));
            return;
        };
        if !(16..=28).contains(&vpc_cidr.prefix_len) {
            self.err("vpc.cidr", "the block size must be between /16 and /28 (AWS VPC sizing)");
        }
        if !vpc_cidr.base.is_private() {
            self.err("vpc.cidr", "use a private range (10/8, 172.16/12, 192.168/16 or 100.64/10)");
        }
        for (i, subnet) in s.vpc.subnets.iter().enumerate() {
            let field = format!("vpc.subnets[{i}]");
            self.name(&format!("{field}.id"), &subnet.id);
            self.name(&format!("{field}.availability_zone"), &subnet.availability_zone);
            match Cidr::parse(&subnet.cidr) {
                Some(c) if vpc_cidr.covers(c) && (16..=28).contains(&c.prefix_len) => {}
                _ => self.err(
                    format!("{field}.cidr"),
                    format!("must be a /16-/28 block inside the VPC's {}, got {:?}", s.vpc.cidr, subnet.cidr),
                ),
            }
            if s.vpc.subnets[..i].iter().any(|o| o.id == subnet.id) {
                self.err(format!("{field}.id"), format!("{:?} is used twice", subnet.id));
            }
        }
    }

    fn security_groups(&mut self, s: &Scenario) {
        for (i, g) in s.security_groups.iter().enumerate() {
            let field = format!("security_groups[{i}]");
            self.name(&format!("{field}.id"), &g.id);
            self.text(&format!("{field}.name"), &g.name, 255);
            self.aws_description(&format!("{field}.description"), &g.description);
            if s.security_groups[..i].iter().any(|o| o.id == g.id) {
                self.err(format!("{field}.id"), format!("{:?} is used twice", g.id));
            }
            for (dir, rules) in [("ingress", &g.ingress), ("egress", &g.egress)] {
                for (j, r) in rules.iter().enumerate() {
                    self.rule(s, &format!("{field}.{dir}[{j}]"), r);
                }
            }
        }
    }

    fn network_acls(&mut self, s: &Scenario) {
        for (i, a) in s.network_acls.iter().enumerate() {
            let field = format!("network_acls[{i}]");
            self.name(&format!("{field}.id"), &a.id);
            // `default` stands for the VPC's default ACL in commands; AWS's ids start `acl-`.
            if !a.id.starts_with("acl-") {
                self.err(format!("{field}.id"), format!("must start with \"acl-\" (such as acl-private), got {:?}", a.id));
            }
            if s.network_acls[..i].iter().any(|o| o.id == a.id) {
                self.err(format!("{field}.id"), format!("{:?} is used twice", a.id));
            }
            for (j, subnet) in a.subnets.iter().enumerate() {
                if s.find_subnet(subnet).is_none() {
                    self.err(format!("{field}.subnets[{j}]"), format!("no subnet {subnet:?} in vpc.subnets"));
                } else if s.network_acls[..i].iter().any(|o| o.subnets.contains(subnet)) || a.subnets[..j].contains(subnet) {
                    // AWS keeps one association per subnet: associating it again replaces it.
                    self.err(
                        format!("{field}.subnets[{j}]"),
                        format!("{subnet:?} is already associated with a network ACL; a subnet has one"),
                    );
                }
            }
            for (dir, entries) in [("inbound", &a.inbound), ("outbound", &a.outbound)] {
                for (j, e) in entries.iter().enumerate() {
                    let f = format!("{field}.{dir}[{j}]");
                    if !(1..=32766).contains(&e.rule_number) {
                        self.err(format!("{f}.rule_number"), format!("must be 1-32766, got {}", e.rule_number));
                    } else if entries[..j].iter().any(|o| o.rule_number == e.rule_number) {
                        self.err(
                            format!("{f}.rule_number"),
                            format!("{} is used twice in the {dir} entries (NetworkAclEntryAlreadyExists)", e.rule_number),
                        );
                    }
                    if e.protocol != "tcp" && e.protocol != "all" {
                        self.err(format!("{f}.protocol"), format!("must be \"tcp\" or \"all\", got {:?}", e.protocol));
                    }
                    // For `all`, AWS ignores the port range.
                    if e.protocol == "tcp" && e.from_port > e.to_port {
                        self.err(format!("{f}.from_port"), format!("from_port {} is above to_port {}", e.from_port, e.to_port));
                    }
                    if Cidr::parse(&e.cidr).is_none() {
                        self.err(format!("{f}.cidr"), format!("must be a CIDR block such as 0.0.0.0/0 or 10.0.0.0/16, got {:?}", e.cidr));
                    }
                }
            }
        }
    }

    fn rule(&mut self, s: &Scenario, field: &str, r: &SecurityGroupRule) {
        if r.protocol != "tcp" {
            self.err(format!("{field}.protocol"), format!("only \"tcp\" is modelled, got {:?}", r.protocol));
        }
        if r.from_port > r.to_port {
            self.err(format!("{field}.from_port"), format!("from_port {} is above to_port {}", r.from_port, r.to_port));
        }
        if r.source_cidr().is_none() && s.find_security_group(&r.source).is_none() {
            self.err(
                format!("{field}.source"),
                format!("must be a CIDR block (0.0.0.0/0) or the id of a security group in this scenario, got {:?}", r.source),
            );
        }
        self.aws_description(&format!("{field}.description"), &r.description);
    }

    fn sg_refs(&mut self, s: &Scenario, field: &str, ids: &[String]) {
        for (i, id) in ids.iter().enumerate() {
            if s.find_security_group(id).is_none() {
                self.err(format!("{field}[{i}]"), format!("no security group {id:?} in this scenario"));
            }
        }
    }

    fn subnet_refs(&mut self, s: &Scenario, field: &str, ids: &[String]) {
        for (i, id) in ids.iter().enumerate() {
            if s.find_subnet(id).is_none() {
                self.err(format!("{field}[{i}]"), format!("no subnet {id:?} in vpc.subnets"));
            }
        }
    }

    fn load_balancer(&mut self, s: &Scenario) {
        let lb = &s.load_balancer;
        self.name("load_balancer.name", &lb.name);
        self.subnet_refs(s, "load_balancer.subnets", &lb.subnets);
        for (i, id) in lb.subnets.iter().enumerate() {
            let zone = s.find_subnet(id).map(|sub| sub.availability_zone.as_str());
            if zone.is_some() && lb.subnets[..i].iter().any(|o| s.find_subnet(o).map(|sub| sub.availability_zone.as_str()) == zone) {
                self.err(
                    format!("load_balancer.subnets[{i}]"),
                    "ValidationError: a load balancer takes only one subnet per Availability Zone",
                );
            }
        }
        if s.enabled_zones().len() < 2 {
            self.err("load_balancer.subnets", "an Application Load Balancer needs subnets in at least two availability zones");
        }
        self.sg_refs(s, "load_balancer.security_groups", &lb.security_groups);
        self.knob("load_balancer.idle_timeout_seconds", &knobs::IDLE_TIMEOUT, lb.idle_timeout_seconds as f64);
        for (i, l) in lb.listeners.iter().enumerate() {
            let field = format!("load_balancer.listeners[{i}]");
            self.knob(&format!("{field}.port"), &knobs::LISTENER_PORT, l.port as f64);
            if lb.listeners[..i].iter().any(|o| o.port == l.port) {
                self.err(format!("{field}.port"), format!("another listener already uses port {}", l.port));
            }
            if l.protocol != "HTTP" {
                self.err(format!("{field}.protocol"), format!("only \"HTTP\" listeners are modelled, got {:?}", l.protocol));
            }
            self.action(s, &format!("{field}.default_action"), &l.default_action);
            for (j, r) in l.rules.iter().enumerate() {
                let rf = format!("{field}.rules[{j}]");
                self.knob(&format!("{rf}.priority"), &knobs::RULE_PRIORITY, r.priority as f64);
                if l.rules[..j].iter().any(|o| o.priority == r.priority) {
                    self.err(format!("{rf}.priority"), format!("priority {} is already used by another rule", r.priority));
                }
                // AWS: a path pattern has at most 128 characters. The bound also keeps the
                // wildcard matcher (pattern length × path length at worst) cheap.
                self.path_up_to(&format!("{rf}.path_pattern"), &r.path_pattern, 128);
                self.action(s, &format!("{rf}.action"), &r.action);
            }
        }
    }

    fn action(&mut self, s: &Scenario, field: &str, a: &Action) {
        match a {
            Action::Forward { target_group } => {
                if s.find_target_group(target_group).is_none() {
                    self.err(format!("{field}.target_group"), format!("no target group {target_group:?} in this scenario"));
                }
            }
            Action::FixedResponse { status_code, content_type, message_body } => {
                let ok = (200..=299).contains(status_code) || (400..=599).contains(status_code);
                if !ok {
                    self.err(format!("{field}.status_code"), format!("must be 2XX, 4XX or 5XX, got {status_code}"));
                }
                const TYPES: [&str; 5] = ["text/plain", "text/css", "text/html", "application/javascript", "application/json"];
                if !TYPES.contains(&content_type.as_str()) {
                    self.err(format!("{field}.content_type"), format!("must be one of {}, got {content_type:?}", TYPES.join(", ")));
                }
                self.text(&format!("{field}.message_body"), message_body, 1024);
            }
        }
    }

    fn target_groups(&mut self, s: &Scenario) {
        for (i, tg) in s.target_groups.iter().enumerate() {
            let field = format!("target_groups[{i}]");
            self.name(&format!("{field}.name"), &tg.name);
            if tg.name.len() > 32 {
                self.err(format!("{field}.name"), "a target group name has at most 32 characters");
            }
            if s.target_groups[..i].iter().any(|o| o.name == tg.name) {
                self.err(format!("{field}.name"), format!("{:?} is used twice", tg.name));
            }
            if tg.protocol != "HTTP" {
                self.err(format!("{field}.protocol"), format!("only \"HTTP\" is modelled, got {:?}", tg.protocol));
            }
            self.knob(&format!("{field}.port"), &knobs::TARGET_GROUP_PORT, tg.port as f64);
            if tg.protocol_version != "HTTP1" && tg.protocol_version != "HTTP2" {
                self.err(format!("{field}.protocol_version"), format!("must be \"HTTP1\" or \"HTTP2\", got {:?}", tg.protocol_version));
            }
            self.knob(
                &format!("{field}.deregistration_delay_seconds"),
                &knobs::DEREGISTRATION_DELAY,
                tg.deregistration_delay_seconds as f64,
            );
            self.knob(
                &format!("{field}.unhealthy_state_routing_minimum_healthy_targets_count"),
                &knobs::FAIL_OPEN_THRESHOLD,
                tg.unhealthy_state_routing_minimum_healthy_targets_count as f64,
            );
            let hc = &tg.health_check;
            let hf = format!("{field}.health_check");
            if hc.protocol != "HTTP" {
                self.err(format!("{hf}.protocol"), format!("only \"HTTP\" is modelled, got {:?}", hc.protocol));
            }
            if hc.port != "traffic-port" && !matches!(hc.port.parse::<u16>(), Ok(p) if p > 0) {
                self.err(format!("{hf}.port"), format!("must be \"traffic-port\" or 1-65535, got {:?}", hc.port));
            }
            self.path(&format!("{hf}.path"), &hc.path);
            let interval_ok = self.knob(&format!("{hf}.interval_seconds"), &knobs::HEALTH_CHECK_INTERVAL, hc.interval_seconds as f64);
            let timeout_ok = self.knob(&format!("{hf}.timeout_seconds"), &knobs::HEALTH_CHECK_TIMEOUT, hc.timeout_seconds as f64);
            // Only when both are in range: an interval of 4 is the interval's error, not the
            // timeout's as well.
            if interval_ok && timeout_ok && hc.timeout_seconds >= hc.interval_seconds {
                self.push(
                    format!("{hf}.timeout_seconds"),
                    format!("must be less than the interval ({} s), as AWS requires, got {}", hc.interval_seconds, hc.timeout_seconds),
                    Some(&knobs::HEALTH_CHECK_TIMEOUT),
                );
            }
            self.knob(&format!("{hf}.healthy_threshold_count"), &knobs::HEALTHY_THRESHOLD, hc.healthy_threshold_count as f64);
            self.knob(&format!("{hf}.unhealthy_threshold_count"), &knobs::UNHEALTHY_THRESHOLD, hc.unhealthy_threshold_count as f64);
            if parse_matcher(&hc.matcher).is_none() {
                self.err(
                    format!("{hf}.matcher"),
                    format!("must be codes 200-499 such as \"200\", \"200,202\" or \"200-299\", got {:?}", hc.matcher),
                );
            }
        }
    }

    fn container_instances(&mut self, s: &Scenario) {
        for (i, ci) in s.container_instances.iter().enumerate() {
            let field = format!("container_instances[{i}]");
            if !ci.id.starts_with("i-") {
                self.err(format!("{field}.id"), format!("must be an EC2 instance id such as i-0abc123, got {:?}", ci.id));
            }
            self.name(&format!("{field}.id"), &ci.id);
            match (s.find_subnet(&ci.subnet), Ipv4::parse(&ci.private_ip)) {
                (None, _) => self.err(format!("{field}.subnet"), format!("no subnet {:?} in vpc.subnets", ci.subnet)),
                (Some(sub), Some(ip)) if Cidr::parse(&sub.cidr).is_some_and(|c| c.contains(ip)) => {}
                (Some(sub), _) => self.err(
                    format!("{field}.private_ip"),
                    format!("must be an address inside {} ({}), got {:?}", sub.id, sub.cidr, ci.private_ip),
                ),
            }
            self.sg_refs(s, &format!("{field}.security_groups"), &ci.security_groups);
        }
    }

    fn task_definition(&mut self, s: &Scenario) {
        let td = &s.task_definition;
        self.name("task_definition.family", &td.family);
        self.knob("task_definition.revision", &knobs::REVISION, td.revision as f64);
        let c = &td.container;
        self.name("task_definition.container.name", &c.name);
        for (i, m) in c.port_mappings.iter().enumerate() {
            let field = format!("task_definition.container.port_mappings[{i}]");
            self.knob(&format!("{field}.container_port"), &knobs::CONTAINER_PORT, m.container_port as f64);
            if c.port_mappings[..i].iter().any(|o| o.container_port == m.container_port) {
                self.err(format!("{field}.container_port"), format!("container port {} is mapped twice", m.container_port));
            }
            if td.network_mode == NetworkMode::Awsvpc && matches!(m.host_port, Some(h) if h != m.container_port) {
                self.err(
                    format!("{field}.host_port"),
                    "ClientException: When networkMode=awsvpc, the host ports and container ports in port mappings must match.",
                );
            }
        }
        let app = &c.app;
        self.knob("task_definition.container.app.listen_port", &knobs::LISTEN_PORT, app.listen_port as f64);
        self.knob("task_definition.container.app.startup_seconds", &knobs::STARTUP, app.startup_seconds as f64);
        self.path("task_definition.container.app.health_path", &app.health_path);
        self.knob("task_definition.container.app.response_time_ms", &knobs::RESPONSE_TIME, app.response_time_ms as f64);
        self.knob("task_definition.container.app.slow_response_seconds", &knobs::SLOW_RESPONSE, app.slow_response_seconds as f64);
        if !app.response.answers_root() {
            self.err(
                "task_definition.container.app.response",
                format!("the app's answer to / must be a status (ok, moved_permanently, found, bad_request, forbidden, not_found or server_error), not {}", app.response.key()),
            );
        }
    }

    fn service(&mut self, s: &Scenario, svc: &EcsService) {
        self.name("service.name", &svc.name);
        self.name("service.cluster", &svc.cluster);
        self.knob("service.desired_count", &knobs::DESIRED_COUNT, svc.desired_count as f64);
        self.knob("service.health_check_grace_period_seconds", &knobs::GRACE_PERIOD, svc.health_check_grace_period_seconds as f64);
        let dc = &svc.deployment_configuration;
        self.knob(
            "service.deployment_configuration.minimum_healthy_percent",
            &knobs::MINIMUM_HEALTHY_PERCENT,
            dc.minimum_healthy_percent as f64,
        );
        self.knob("service.deployment_configuration.maximum_percent", &knobs::MAXIMUM_PERCENT, dc.maximum_percent as f64);
        if let Some(lb) = &svc.load_balancer {
            if s.find_target_group(&lb.target_group).is_none() {
                self.err("service.load_balancer.target_group", format!("no target group {:?} in this scenario", lb.target_group));
            }
            self.knob("service.load_balancer.container_port", &knobs::CONTAINER_PORT, lb.container_port as f64);
        }
        match (&svc.network_configuration, s.task_definition.network_mode) {
            (Some(nc), _) => {
                self.subnet_refs(s, "service.network_configuration.subnets", &nc.subnets);
                self.sg_refs(s, "service.network_configuration.security_groups", &nc.security_groups);
            }
            (None, NetworkMode::Awsvpc) => {
                self.err("service.network_configuration", "awsvpc tasks need a network configuration (subnets and security groups)");
            }
            (None, NetworkMode::Bridge) => {}
        }
    }

    fn client(&mut self, s: &Scenario) {
        let c = &s.client;
        match Ipv4::parse(&c.ip) {
            Some(ip) if !ip.is_private() => {}
            _ => self.err("client.ip", format!("must be a public IPv4 address such as 203.0.113.10, got {:?}", c.ip)),
        }
        self.knob("client.requests_per_second", &knobs::REQUEST_RATE, c.requests_per_second);
        self.knob("client.port", &knobs::CLIENT_PORT, c.port as f64);
        self.path_up_to("client.path", &c.path, 256);
        self.knob("client.connect_timeout_seconds", &knobs::CONNECT_TIMEOUT, c.connect_timeout_seconds as f64);
    }
}

/// Does a `path-pattern` condition (`*` any run, `?` one character) match `path`?
pub fn path_pattern_matches(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    // Iterative wildcard match with backtracking to the last `*`: at worst pattern length × path
    // length steps, never exponential. Validation bounds both (128 and 256 characters), and the
    // data plane matches the client's path once per setup change, not per request.
    let (mut pi, mut si) = (0usize, 0usize);
    let (mut star, mut mark) = (None::<usize>, 0usize);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}
