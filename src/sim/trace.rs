//! Hop-by-hop traces: what each hop decided for one request or one health check, and why.
//!
//! Every client request, direct curl and health check carries one. A trace is small, owned data
//! (numbers and shared strings), so recording one per request stays cheap; the words a learner
//! reads are produced only when the page asks ([`HopRecord::setting`], [`HopRecord::aws_term`],
//! [`HopRecord::fix`]). The vocabulary is AWS's (docs/model.md §Traces).

use super::nacl::{NaclLeg, NaclRefusal};
use super::net::{Endpoint, Ipv4};
use super::state::{TargetState, TaskState};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// The places a request passes, left to right as the diagram draws them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Hop {
    Client,
    /// The network ACL of the load balancer's subnets, where the client's packets enter the VPC.
    AlbSubnetNacl,
    AlbSecurityGroup,
    Listener,
    ListenerRule,
    TargetGroup,
    /// The subnet boundary between the load balancer's node and the task: both subnets'
    /// network ACLs, both ways.
    TaskSubnetNacl,
    TaskSecurityGroup,
    Task,
    PortMapping,
    App,
}

impl Hop {
    pub const ALL: [Hop; 11] = [
        Hop::Client,
        Hop::AlbSubnetNacl,
        Hop::AlbSecurityGroup,
        Hop::Listener,
        Hop::ListenerRule,
        Hop::TargetGroup,
        Hop::TaskSubnetNacl,
        Hop::TaskSecurityGroup,
        Hop::Task,
        Hop::PortMapping,
        Hop::App,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Hop::Client => "Client",
            Hop::AlbSubnetNacl => "ALB subnet network ACL",
            Hop::AlbSecurityGroup => "ALB security group",
            Hop::Listener => "Listener",
            Hop::ListenerRule => "Listener rule",
            Hop::TargetGroup => "Target group",
            Hop::TaskSubnetNacl => "Task subnet network ACL",
            Hop::TaskSecurityGroup => "Task security group",
            Hop::Task => "Task",
            Hop::PortMapping => "Container port mapping",
            Hop::App => "App",
        }
    }

    /// A short stable name, as the page's `data-hop` attributes carry it.
    pub fn key(self) -> &'static str {
        match self {
            Hop::Client => "client",
            Hop::AlbSubnetNacl => "alb-nacl",
            Hop::AlbSecurityGroup => "alb-sg",
            Hop::Listener => "listener",
            Hop::ListenerRule => "rule",
            Hop::TargetGroup => "target-group",
            Hop::TaskSubnetNacl => "task-nacl",
            Hop::TaskSecurityGroup => "task-sg",
            Hop::Task => "task",
            Hop::PortMapping => "port-mapping",
            Hop::App => "app",
        }
    }

    pub fn index(self) -> usize {
        Hop::ALL.iter().position(|h| *h == self).unwrap_or(0)
    }
}

impl fmt::Display for Hop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Who made an HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusSource {
    /// The load balancer itself (counted in `HTTPCode_ELB_*`).
    Elb,
    /// The target's app (counted in `HTTPCode_Target_*`).
    Target,
    /// A listener's fixed-response action (`HTTP_Fixed_Response_Count`).
    FixedResponse,
}

/// How one request ended. Every request ends in exactly one of these.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Http {
        status: u16,
        source: StatusSource,
    },
    /// The client gave up waiting for a TCP connection: no HTTP status at all.
    ClientTimeout,
    /// The TCP connection was refused (RST): no HTTP status. Only for a direct curl.
    ConnectionRefused,
}

impl Outcome {
    pub fn status(self) -> Option<u16> {
        match self {
            Outcome::Http { status, .. } => Some(status),
            _ => None,
        }
    }

    /// A short label: `200`, `503`, `timeout`, `refused`.
    pub fn label(self) -> String {
        match self {
            Outcome::Http { status, .. } => status.to_string(),
            Outcome::ClientTimeout => "timeout".into(),
            Outcome::ConnectionRefused => "refused".into(),
        }
    }

    /// The outcome's class, used for colours, shapes and tallies.
    pub fn class(self) -> OutcomeClass {
        match self {
            Outcome::Http { status: 200..=399, .. } => OutcomeClass::Success,
            Outcome::Http { status: 502, source: StatusSource::Elb } => OutcomeClass::Elb502,
            Outcome::Http { status: 503, source: StatusSource::Elb } => OutcomeClass::Elb503,
            Outcome::Http { status: 504, source: StatusSource::Elb } => OutcomeClass::Elb504,
            Outcome::Http { status: 400..=499, .. } => OutcomeClass::Client4xx,
            Outcome::Http { .. } => OutcomeClass::Other5xx,
            Outcome::ClientTimeout => OutcomeClass::Timeout,
            Outcome::ConnectionRefused => OutcomeClass::Refused,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Http { status, source } => {
                let who = match source {
                    StatusSource::Elb => "from the load balancer",
                    StatusSource::Target => "from the app",
                    StatusSource::FixedResponse => "fixed response",
                };
                write!(f, "{} {} ({who})", status, reason_phrase(*status))
            }
            Outcome::ClientTimeout => f.write_str("client timed out: no HTTP status"),
            Outcome::ConnectionRefused => f.write_str("connection refused: no HTTP status"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutcomeClass {
    Success,
    Client4xx,
    Elb502,
    Elb503,
    Elb504,
    Other5xx,
    Timeout,
    Refused,
}

impl OutcomeClass {
    pub const ALL: [OutcomeClass; 8] = [
        OutcomeClass::Success,
        OutcomeClass::Client4xx,
        OutcomeClass::Elb502,
        OutcomeClass::Elb503,
        OutcomeClass::Elb504,
        OutcomeClass::Other5xx,
        OutcomeClass::Timeout,
        OutcomeClass::Refused,
    ];
    pub fn key(self) -> &'static str {
        match self {
            OutcomeClass::Success => "ok",
            OutcomeClass::Client4xx => "4xx",
            OutcomeClass::Elb502 => "502",
            OutcomeClass::Elb503 => "503",
            OutcomeClass::Elb504 => "504",
            OutcomeClass::Other5xx => "5xx",
            OutcomeClass::Timeout => "timeout",
            OutcomeClass::Refused => "refused",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            OutcomeClass::Success => "2xx/3xx",
            OutcomeClass::Client4xx => "4xx",
            OutcomeClass::Elb502 => "502 (ELB)",
            OutcomeClass::Elb503 => "503 (ELB)",
            OutcomeClass::Elb504 => "504 (ELB)",
            OutcomeClass::Other5xx => "other 5xx",
            OutcomeClass::Timeout => "timeout",
            OutcomeClass::Refused => "refused",
        }
    }
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// What decided a hop, with the numbers needed to explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detail {
    ClientSends {
        ip: Ipv4,
        port: u16,
        path: Arc<str>,
    },
    AlbProbes {
        node_ip: Ipv4,
        path: Arc<str>,
    },
    /// A security group rule admitted the packet.
    SgAllows {
        group: Arc<str>,
        rule: Arc<str>,
        port: u16,
    },
    /// No rule in these groups admits the source on this port: the SYN is dropped.
    SgDenies {
        groups: Arc<str>,
        source: Arc<str>,
        port: u16,
    },
    /// The network ACLs on the way admit the connection both ways: the custom ones crossed
    /// (empty: only default ACLs, or the same subnet).
    NaclAllows {
        acls: Arc<str>,
    },
    /// A network ACL drops one of the connection's packets, so it never completes.
    NaclDenies(NaclRefusal),
    /// The ALB's own security groups do not let it send to the target.
    EgressDenies {
        groups: Arc<str>,
        port: u16,
    },
    ListenerFound {
        port: u16,
    },
    NoListener {
        port: u16,
    },
    RuleMatched {
        priority: Option<u32>,
        pattern: Arc<str>,
        forward_to: Option<Arc<str>>,
    },
    FixedResponse {
        status: u16,
    },
    NoRegisteredTargets {
        target_group: Arc<str>,
    },
    NoRoutableTargets {
        target_group: Arc<str>,
        initial: u32,
        draining: u32,
        unused: u32,
    },
    Routed {
        target_group: Arc<str>,
        target: Endpoint,
        state: TargetState,
        fail_open: bool,
    },
    HealthCheckTo {
        target: Endpoint,
        port: u16,
    },
    TaskNotServing {
        state: TaskState,
    },
    AppStarting,
    PortDirect {
        port: u16,
    },
    PortMapped {
        host_port: u16,
        container_port: u16,
    },
    NoHostPortListener {
        port: u16,
    },
    NotListening {
        port: u16,
        listen_port: u16,
    },
    AppAnswered {
        status: u16,
        path: Arc<str>,
        latency_ms: u32,
    },
    AppTooSlow {
        path: Arc<str>,
        needed_ms: u32,
        waited_ms: u32,
        limit: SlowLimit,
    },
    AppCrashed {
        path: Arc<str>,
    },
    /// The process is alive and accepted the connection, but answers nothing (a deadlock, an
    /// exhausted pool): whoever asked gives up at its limit.
    AppHung {
        path: Arc<str>,
        waited_ms: u32,
        limit: SlowLimit,
    },
    NoPublicIp {
        private_ip: Ipv4,
    },
    PublicIp {
        public_ip: Ipv4,
    },
    DeregisteredInFlight,
    TaskStoppedInFlight,
}

/// Which clock a slow answer ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlowLimit {
    /// The ALB's idle timeout (client requests).
    IdleTimeout,
    /// HealthCheckTimeoutSeconds (health checks).
    HealthCheckTimeout,
}

/// Is this trace a client request (or curl) or a health check? The same hop reads differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TraceKind {
    Request,
    DirectCurl,
    HealthCheck,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopRecord {
    pub hop: Hop,
    pub passed: bool,
    pub detail: Detail,
}

impl HopRecord {
    /// The rule or setting that decided this hop, in words.
    pub fn setting(&self) -> String {
        use Detail::*;
        match &self.detail {
            ClientSends { ip, port, path } => format!("client {ip} sends GET {path} to the ALB's DNS name on port {port}"),
            AlbProbes { node_ip, path } => format!("ALB node {node_ip} sends GET {path} (User-Agent: ELB-HealthChecker/2.0)"),
            SgAllows { group, rule, port } => format!("{group} admits port {port}: {rule}"),
            SgDenies { groups, source, port } => format!("no inbound rule in {groups} admits {source} on port {port}"),
            NaclAllows { acls } if acls.is_empty() => "no custom network ACL on the way (a default network ACL allows all traffic)".into(),
            NaclAllows { acls } => format!("network ACL {acls} allows the connection both ways"),
            NaclDenies(r) => nacl_refusal_words(r),
            EgressDenies { groups, port } => format!("no outbound rule in {groups} lets the ALB send to port {port}"),
            ListenerFound { port } => format!("listener HTTP:{port}"),
            NoListener { port } => format!("the load balancer has no listener on port {port}"),
            RuleMatched { priority: Some(p), pattern, forward_to } => match forward_to {
                Some(tg) => format!("rule priority {p} (path {pattern}) forwards to {tg}"),
                None => format!("rule priority {p} (path {pattern})"),
            },
            RuleMatched { priority: None, forward_to, .. } => match forward_to {
                Some(tg) => format!("default action: forward to {tg}"),
                None => "default action".into(),
            },
            FixedResponse { status } => format!("fixed-response action returns {status}"),
            NoRegisteredTargets { target_group } => format!("{target_group} has no registered targets (0 healthy / 0 unhealthy)"),
            NoRoutableTargets { target_group, initial, draining, unused } => format!(
                "{target_group} has no healthy or unhealthy target to fail open to ({initial} initial, {draining} draining, {unused} unused)"
            ),
            Routed { target_group, target, state, fail_open: false } => format!("{target_group} picks {target} ({state})"),
            Routed { target_group, target, state, fail_open: true } => format!(
                "fail open: no target in {target_group} is healthy, so it routes to {target} ({state}) anyway"
            ),
            HealthCheckTo { target, port } => format!("health check to {target} on port {port}"),
            TaskNotServing { state } if self.passed => format!("the task is {state} and its app accepts connections"),
            TaskNotServing { state } if *state < TaskState::Running => format!("the task is {state}: its container has not started yet"),
            TaskNotServing { state } => format!("the task is {state}: its app no longer accepts connections"),
            AppStarting => "the app is still starting and does not accept connections yet".into(),
            PortDirect { port } => format!("awsvpc: port {port} on the task's ENI goes straight to the container"),
            PortMapped { host_port, container_port } => format!("bridge: host port {host_port} maps to container port {container_port}"),
            NoHostPortListener { port } => format!("nothing on the instance maps host port {port} to a container"),
            NotListening { port, listen_port } => format!("nothing listens on port {port}: the app listens on {listen_port}"),
            AppAnswered { status, path, latency_ms } => format!("the app answers GET {path} with {status} in {latency_ms} ms"),
            AppTooSlow { path, needed_ms, waited_ms, limit } => {
                let what = match limit {
                    SlowLimit::IdleTimeout => "the ALB idle timeout",
                    SlowLimit::HealthCheckTimeout => "the health check timeout",
                };
                format!("GET {path} needs {} s; {what} gave up after {} s", needed_ms / 1000, waited_ms / 1000)
            }
            AppCrashed { path } => format!("the app crashed while answering GET {path}; its essential container exited"),
            AppHung { path, waited_ms, limit } => {
                let what = match limit {
                    SlowLimit::IdleTimeout => "the ALB idle timeout",
                    SlowLimit::HealthCheckTimeout => "the health check timeout",
                };
                format!("the app is hung: it accepted the connection for GET {path} but answers nothing; {what} gave up after {} s", waited_ms / 1000)
            }
            NoPublicIp { private_ip } => format!("the task has no public IP; {private_ip} is private and unreachable from the internet"),
            PublicIp { public_ip } => format!("the task's public IP {public_ip}"),
            DeregisteredInFlight => "the deregistration delay ran out while the request was in flight".into(),
            TaskStoppedInFlight => "the task stopped while the request was in flight".into(),
        }
    }

    /// The AWS term a console, log or metric would show for this hop, if any.
    pub fn aws_term(&self, kind: TraceKind) -> Option<&'static str> {
        use Detail::*;
        let check = kind == TraceKind::HealthCheck;
        // A passed hop has nothing to show, except where passing is itself the lesson.
        if self.passed && !matches!(self.detail, Routed { fail_open: true, .. } | AppAnswered { .. } | FixedResponse { .. }) {
            return None;
        }
        Some(match &self.detail {
            SgDenies { .. } | EgressDenies { .. } | NaclDenies(_) if check => "Target.Timeout",
            NaclDenies(_) if self.hop == Hop::AlbSubnetNacl => "connection timed out (nothing in the ALB's metrics)",
            NaclDenies(_) if kind == TraceKind::DirectCurl => "connection timed out",
            NaclDenies(_) => "HTTPCode_ELB_504_Count, TargetConnectionErrorCount",
            SgDenies { .. } if self.hop == Hop::AlbSecurityGroup => "connection timed out (nothing in the ALB's metrics)",
            SgDenies { .. } | EgressDenies { .. } if kind == TraceKind::DirectCurl => "connection timed out",
            SgDenies { .. } | EgressDenies { .. } => "HTTPCode_ELB_504_Count, TargetConnectionErrorCount",
            NoListener { .. } => "connection timed out (no listener)",
            FixedResponse { .. } => "HTTP_Fixed_Response_Count",
            NoRegisteredTargets { .. } | NoRoutableTargets { .. } => "HTTPCode_ELB_503_Count",
            Routed { fail_open: true, .. } => "UnhealthyRoutingRequestCount",
            TaskNotServing { .. } | AppStarting | NotListening { .. } | NoHostPortListener { .. } if check => "Target.FailedHealthChecks",
            TaskNotServing { .. } | AppStarting | NotListening { .. } | NoHostPortListener { .. } if kind == TraceKind::DirectCurl => {
                "connection refused"
            }
            TaskNotServing { .. } | AppStarting | NotListening { .. } | NoHostPortListener { .. } => {
                "HTTPCode_ELB_502_Count, TargetConnectionErrorCount"
            }
            AppAnswered { .. } if check && !self.passed => "Target.ResponseCodeMismatch",
            AppAnswered { status, .. } if !check && kind == TraceKind::Request => match status {
                200..=299 => "HTTPCode_Target_2XX_Count",
                300..=399 => "HTTPCode_Target_3XX_Count",
                400..=499 => "HTTPCode_Target_4XX_Count",
                _ => "HTTPCode_Target_5XX_Count",
            },
            AppTooSlow { .. } if check => "Target.Timeout",
            AppTooSlow { .. } => "HTTPCode_ELB_504_Count",
            AppCrashed { .. } if check => "Target.FailedHealthChecks",
            AppCrashed { .. } => "HTTPCode_ELB_502_Count",
            AppHung { .. } if check => "Target.Timeout",
            AppHung { .. } => "HTTPCode_ELB_504_Count",
            NoPublicIp { .. } => "connection timed out",
            DeregisteredInFlight | TaskStoppedInFlight => "HTTPCode_ELB_502_Count",
            _ => return None,
        })
    }

    /// The change that would let this hop pass, for a failed hop.
    pub fn fix(&self) -> Option<String> {
        use Detail::*;
        if self.passed {
            return None;
        }
        Some(match &self.detail {
            SgDenies { groups, port, .. } if self.hop == Hop::AlbSecurityGroup => {
                format!("Add an inbound rule to {groups}: TCP {port} from 0.0.0.0/0.")
            }
            SgDenies { groups, port, .. } => format!(
                "Add an inbound rule to {groups}: TCP {port} from the ALB's security group (not from 0.0.0.0/0)."
            ),
            EgressDenies { groups, port } => format!("Add an outbound rule to {groups}: TCP {port} to the task security group."),
            NaclDenies(r) => nacl_fix_words(r),
            NoListener { port } => format!("Add a listener on port {port}, or send to the port a listener uses."),
            NoRegisteredTargets { .. } => "Targets appear when an ECS service attached to this target group has a RUNNING task. If tasks are starting, wait; otherwise attach the service (target group, container, port) or raise its desired count.".into(),
            NoRoutableTargets { .. } => "Wait for a target to pass its first health check, or fix why it cannot.".into(),
            TaskNotServing { state } if *state < TaskState::Running => "Wait for the task to start running.".into(),
            TaskNotServing { .. } => "The task is going away; the service's scheduler starts a replacement.".into(),
            AppStarting => "Wait for the app to start, or give the service a health-check grace period longer than the start-up time.".into(),
            NotListening { port, listen_port } => format!(
                "Make the ports agree: the app listens on {listen_port} but traffic arrives on {port}. Change the app's port, or the container port mapping and the service's container port."
            ),
            NoHostPortListener { port } => format!("Use traffic-port for the health check, or map host port {port}."),
            AppAnswered { status, path, .. } => format!(
                "The health check got {status} from {path}. Point the health check path at the app's health endpoint, or add {status} to the success codes only if it really means healthy."
            ),
            AppTooSlow { limit: SlowLimit::HealthCheckTimeout, .. } => "Make the health endpoint answer faster, or raise the health check timeout.".into(),
            AppTooSlow { limit: SlowLimit::IdleTimeout, .. } => "Make the app answer faster, or raise the load balancer's idle timeout.".into(),
            AppCrashed { .. } => "Fix the crash in the app's health endpoint; ECS replaces the task each time it exits.".into(),
            AppHung { .. } => "Wait: once the target turns unhealthy the load balancer stops routing to it and ECS replaces the task. In the app, add timeouts to what it waits on, and a health endpoint that checks the process can still work.".into(),
            NoPublicIp { .. } => "Nothing to fix: a task without a public IP is only reachable through the load balancer.".into(),
            DeregisteredInFlight => "Raise the deregistration delay above the longest request.".into(),
            TaskStoppedInFlight => "Let ECS drain the target before stopping the task (it does, for the deregistration delay).".into(),
            _ => return None,
        })
    }
}

/// A network ACL's refusal in words: which packet, which ACL and entry, and why it matters.
pub fn nacl_refusal_words(r: &NaclRefusal) -> String {
    let entry = match r.rule {
        Some(n) => format!("its entry {n} denies it"),
        None => "no entry allows it, so the * entry denies it".to_string(),
    };
    let ports = if r.from_port == r.to_port { format!("TCP {}", r.from_port) } else { format!("TCP {}-{}", r.from_port, r.to_port) };
    match r.leg {
        NaclLeg::RequestIn => format!("network ACL {} on {} drops the connection coming in: {ports} from {}; {entry}", r.acl, r.subnet, r.peer),
        NaclLeg::RequestOut => format!("network ACL {} on {} drops the connection going out: {ports} to {}; {entry}", r.acl, r.subnet, r.peer),
        NaclLeg::ReplyOut => format!(
            "network ACL {} on {} drops the replies going out to {} on the ephemeral ports ({ports}); {entry}. Network ACLs are stateless: a reply needs its own outbound entry",
            r.acl, r.subnet, r.peer
        ),
        NaclLeg::ReplyIn => format!(
            "network ACL {} on {} drops the replies coming back from {} on the ephemeral ports ({ports}); {entry}. Network ACLs are stateless: a reply needs its own inbound entry",
            r.acl, r.subnet, r.peer
        ),
    }
}

/// The entry that lets a refused packet through, in words.
pub fn nacl_fix_words(r: &NaclRefusal) -> String {
    let dir = if r.leg.is_outbound() { "outbound" } else { "inbound" };
    let prep = if r.leg.is_outbound() { "to" } else { "from" };
    let ports = if r.from_port == r.to_port { r.from_port.to_string() } else { format!("{}-{}", r.from_port, r.to_port) };
    let below = match r.rule {
        Some(n) => format!(", numbered below {n}"),
        None => String::new(),
    };
    format!("Add an {dir} entry to {}: allow TCP {ports} {prep} {} (or its subnet's block){below}.", r.acl, r.peer)
}

/// A full trace: the kind, the hops in order, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    pub kind: TraceKind,
    pub hops: Vec<HopRecord>,
}

impl Trace {
    pub fn new(kind: TraceKind) -> Self {
        Trace { kind, hops: Vec::with_capacity(9) }
    }
    pub fn pass(&mut self, hop: Hop, detail: Detail) {
        self.hops.push(HopRecord { hop, passed: true, detail });
    }
    pub fn fail(&mut self, hop: Hop, detail: Detail) {
        self.hops.push(HopRecord { hop, passed: false, detail });
    }
    /// The hop that decided the outcome: the first failed hop, or the last hop.
    pub fn deciding_hop(&self) -> Option<&HopRecord> {
        self.hops.iter().find(|h| !h.passed).or(self.hops.last())
    }
}
