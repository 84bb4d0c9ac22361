//! Diagnosis: what the client sees now, the root causes behind it, and the change that fixes
//! each one, in the order a request meets them.
//!
//! Each rule reads the setup the way an engineer debugging a real account would (docs/model.md
//! §Failure table): the first broken hop on the path is what the client sees; later broken hops
//! are listed too, because fixing the first one only reveals them.

use super::health::REGISTRATION_MS;
use super::net::{Cidr, Ipv4};
use super::scenario::{path_pattern_matches, Action, HealthResponse, NetworkMode, TargetType};
use super::trace::{Hop, OutcomeClass};
use super::{Command, Sim, TaskDefinitionChanges};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// Breaks the path: clients do not get the app's answer because of it.
    Broken,
    /// Works, but is a lesson: exposure, a 503 window waiting to happen, fail-open.
    Warning,
    Info,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub hop: Hop,
    /// The root cause, in a sentence.
    pub cause: String,
    /// What AWS shows for it: a reason code, an error, a metric.
    pub aws_shows: String,
    /// The change that fixes it, in words.
    pub fix: String,
    /// The same change as a command, when one command does it.
    #[serde(skip)]
    pub fix_command: Option<Command>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnosis {
    /// One line: what the client has seen over the last 30 s of sim time.
    pub client_sees: String,
    pub findings: Vec<Finding>,
}

impl Diagnosis {
    pub fn broken(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity == Severity::Broken)
    }
}

/// Sum up the client outcomes of the last `seconds`.
pub fn client_summary(sim: &Sim, seconds: u64) -> String {
    let w = sim.metrics().window(sim.now_ms(), seconds);
    let total = w.total_outcomes();
    if total == 0 {
        return format!("No client requests finished in the last {seconds} s.");
    }
    let mut parts: Vec<(u32, &str)> = OutcomeClass::ALL.iter().map(|c| (w.outcome(*c), c.label())).filter(|(n, _)| *n > 0).collect();
    parts.sort_by_key(|p| std::cmp::Reverse(p.0));
    let text: Vec<String> = parts.iter().map(|(n, label)| format!("{}% {label}", (*n as u64 * 100 / total as u64))).collect();
    format!("Last {seconds} s: {total} requests: {}", text.join(", "))
}

pub fn diagnose(sim: &Sim) -> Diagnosis {
    let s = sim.scenario();
    let mut out: Vec<Finding> = Vec::new();
    let mut push = |severity, hop, cause: String, aws_shows: &str, fix: String, fix_command: Option<Command>| {
        out.push(Finding { severity, hop, cause, aws_shows: aws_shows.to_string(), fix, fix_command });
    };
    let client_ip = Ipv4::parse(&s.client.ip).unwrap_or(Ipv4(0));
    let port = s.client.port;

    // ALB security group and listener.
    let alb_admits = s.load_balancer.security_groups.iter().filter_map(|g| s.find_security_group(g)).any(|g| {
        g.ingress.iter().any(|r| (r.from_port..=r.to_port).contains(&port) && Cidr::parse(&r.source).is_some_and(|c| c.contains(client_ip)))
    });
    let first_alb_sg = s.load_balancer.security_groups.first().cloned().unwrap_or_default();
    if !alb_admits {
        push(
            Severity::Broken,
            Hop::AlbSecurityGroup,
            format!("The ALB security group {first_alb_sg} has no inbound rule for port {port} from the internet, so the client's SYN is dropped."),
            "client: connection timed out, no HTTP status; nothing in the ALB's metrics",
            format!("Add an inbound rule to {first_alb_sg}: TCP {port} from 0.0.0.0/0."),
            Some(Command::AuthorizeSecurityGroupIngress { group_id: first_alb_sg.clone(), from_port: port, to_port: port, source: "0.0.0.0/0".into() }),
        );
    }
    let listener = s.load_balancer.listeners.iter().find(|l| l.port == port);
    let Some(listener) = listener else {
        let fix_command = s.load_balancer.listeners.first().map(|l| Command::ModifyListener { port: l.port, new_port: port });
        push(
            Severity::Broken,
            Hop::Listener,
            format!("The load balancer has no listener on port {port}."),
            "client: connection timed out, no HTTP status",
            match s.load_balancer.listeners.first() {
                Some(l) => format!("Move the listener from port {} to {port} (or send to port {}).", l.port, l.port),
                None => format!("Create a listener on port {port} forwarding to the target group."),
            },
            fix_command,
        );
        return finish(sim, out);
    };

    // Which action does the client's path reach?
    let mut rules: Vec<_> = listener.rules.iter().collect();
    rules.sort_by_key(|r| r.priority);
    let action =
        rules.iter().find(|r| path_pattern_matches(&r.path_pattern, &s.client.path)).map(|r| &r.action).unwrap_or(&listener.default_action);
    let tg_name = match action {
        Action::FixedResponse { .. } => {
            push(
                Severity::Info,
                Hop::ListenerRule,
                format!("The listener answers {} itself with a fixed response: no target is involved.", s.client.path),
                "HTTP_Fixed_Response_Count",
                "Change the rule (or default action) to forward to the target group if the app should answer.".into(),
                None,
            );
            return finish(sim, out);
        }
        Action::Forward { target_group } => target_group.clone(),
    };
    let Some(tg) = s.find_target_group(&tg_name) else {
        return finish(sim, out);
    };

    // The ECS service: exists, accepted, attached, running tasks.
    let Some(svc) = &s.service else {
        push(
            Severity::Broken,
            Hop::TargetGroup,
            format!("No ECS service exists, so nothing registers targets in {tg_name}."),
            "TG 0 healthy / 0 unhealthy; HTTPCode_ELB_503_Count",
            "Create an ECS service attached to the target group.".into(),
            None,
        );
        return finish(sim, out);
    };
    if let Some(error) = &sim.service_runtime().create_error {
        let fix = if error.contains("target type instance") {
            format!("A target group's type cannot change: create {tg_name} again with target type ip (awsvpc tasks are addressed by IP), then create the service.")
        } else if error.contains("target type ip") {
            format!(
                "bridge tasks are addressed as instance:port: create {tg_name} again with target type instance, then create the service."
            )
        } else if error.contains("did not have a container port") {
            "Use a container port that the task definition's port mappings define.".into()
        } else if error.contains("does not have an associated load balancer") {
            format!("Point a listener rule at {tg_name} before attaching the service.")
        } else {
            "Change the setup as the error says, then create the service again.".into()
        };
        let fix_command = error.contains("target type instance").then(|| Command::RecreateTargetGroup {
            target_group: tg_name.clone(),
            target_type: TargetType::Ip,
            port: tg.port,
        });
        push(
            Severity::Broken,
            Hop::TargetGroup,
            format!("ECS refused to create the service: {error}"),
            "CreateService error; TG 0 healthy / 0 unhealthy; 503",
            fix,
            fix_command,
        );
        return finish(sim, out);
    }
    let attached = svc.load_balancer.as_ref().filter(|lb| lb.target_group == tg_name);
    let Some(lb) = attached else {
        let container_port = s.task_definition.container.port_mappings.first().map(|m| m.container_port).unwrap_or(tg.port);
        push(
            Severity::Broken,
            Hop::TargetGroup,
            format!("The ECS service {} is not attached to {tg_name}, so it never registers its tasks there.", svc.name),
            "TG 0 healthy / 0 unhealthy; clients get 503 from the load balancer (HTTPCode_ELB_503_Count)",
            format!(
                "Attach the service: load balancer target group {tg_name}, container {}, port {container_port}.",
                s.task_definition.container.name
            ),
            Some(Command::AttachLoadBalancer {
                target_group: tg_name.clone(),
                container_name: s.task_definition.container.name.clone(),
                container_port,
            }),
        );
        return finish(sim, out);
    };
    if svc.desired_count == 0 {
        push(
            Severity::Broken,
            Hop::TargetGroup,
            format!("The service {} wants 0 tasks, so the target group is empty.", svc.name),
            "TG 0 healthy / 0 unhealthy; 503",
            "Set the desired count to 1 or more.".into(),
            Some(Command::update_service(Some(1), None, None)),
        );
        return finish(sim, out);
    }

    // The path from the ALB to the app, for the current task definition.
    let td = &s.task_definition;
    let app = &td.container.app;
    let alb_groups = &s.load_balancer.security_groups;
    let task_groups: Vec<String> = match td.network_mode {
        NetworkMode::Awsvpc => svc.network_configuration.as_ref().map(|n| n.security_groups.clone()).unwrap_or_default(),
        NetworkMode::Bridge => s.container_instances.first().map(|c| c.security_groups.clone()).unwrap_or_default(),
    };
    let first_task_sg = task_groups.first().cloned().unwrap_or_default();
    let sample_port = match td.network_mode {
        NetworkMode::Awsvpc => lb.container_port,
        NetworkMode::Bridge => {
            let mapped = td.container.mapping_for(lb.container_port).and_then(|m| m.host_port).filter(|p| *p != 0);
            mapped.unwrap_or(32768)
        }
    };
    let admits_alb = |port: u16| {
        task_groups.iter().filter_map(|g| s.find_security_group(g)).any(|g| {
            g.ingress.iter().any(|r| {
                (r.from_port..=r.to_port).contains(&port)
                    && (alb_groups.contains(&r.source)
                        || Cidr::parse(&r.source).is_some_and(|c| sim.alb_nodes().iter().any(|n| c.contains(n.ip))))
            })
        })
    };
    let hc = &tg.health_check;
    let hc_port = hc.explicit_port().unwrap_or(sample_port);
    let mut path_broken = false;
    if !admits_alb(sample_port) || !admits_alb(hc_port) {
        path_broken = true;
        let blocked = if !admits_alb(sample_port) { sample_port } else { hc_port };
        let (from, to) =
            if td.network_mode == NetworkMode::Bridge && hc.explicit_port().is_none() { (32768, 65535) } else { (blocked, blocked) };
        push(
            Severity::Broken,
            Hop::TaskSecurityGroup,
            format!("The task security group {first_task_sg} does not admit the load balancer on port {blocked}: health checks and requests are dropped."),
            "Target.Timeout (Request timed out); clients get 503 while targets are initial, then 504 after fail-open",
            format!("Add an inbound rule to {first_task_sg}: TCP {} from the ALB security group {}.", if from == to { from.to_string() } else { format!("{from}-{to}") }, alb_groups.first().cloned().unwrap_or_default()),
            Some(Command::AuthorizeSecurityGroupIngress {
                group_id: first_task_sg.clone(),
                from_port: from,
                to_port: to,
                source: alb_groups.first().cloned().unwrap_or_default(),
            }),
        );
    }
    if let Some(explicit) = hc.explicit_port() {
        let reaches_app = match td.network_mode {
            NetworkMode::Awsvpc => explicit == app.listen_port,
            NetworkMode::Bridge => false,
        };
        if explicit != sample_port && !reaches_app {
            path_broken = true;
            let mut fixed = hc.clone();
            fixed.port = "traffic-port".into();
            push(
                Severity::Broken,
                Hop::TargetGroup,
                format!("The health check goes to port {explicit}, but each target receives traffic on port {sample_port}, and nothing listens on {explicit}."),
                "Target.FailedHealthChecks (Health checks failed)",
                "Set the health check port to traffic-port.".into(),
                Some(Command::ModifyTargetGroup { target_group: tg_name.clone(), health_check: fixed }),
            );
        }
    }
    if app.listen_port != lb.container_port {
        path_broken = true;
        push(
            Severity::Broken,
            Hop::App,
            format!(
                "The app listens on port {}, but the task definition maps container port {} and the service registers that port in the target group.",
                app.listen_port, lb.container_port
            ),
            "Target.FailedHealthChecks (Health checks failed); fail-open clients get 502",
            format!("Make the three layers agree: the app, the container port mapping and the service's container port all on one port (for example the app on {}).", lb.container_port),
            Some(Command::RegisterTaskDefinition {
                changes: TaskDefinitionChanges { listen_port: Some(lb.container_port), ..Default::default() },
                deploy: true,
            }),
        );
    }
    if !path_broken {
        // The health check's answer.
        let (status, slow_ms) = if hc.path == app.health_path {
            match app.health_response {
                HealthResponse::Ok => (Some(200), 5),
                HealthResponse::NotFound => (Some(404), 5),
                HealthResponse::ServerError => (Some(500), 5),
                HealthResponse::Slow => (Some(200), app.slow_response_seconds * 1000),
                HealthResponse::Crash => (None, 0),
            }
        } else if hc.path == "/" {
            (Some(200), app.response_time_ms)
        } else {
            (Some(404), 5)
        };
        match status {
            None => push(
                Severity::Broken,
                Hop::App,
                format!("The app crashes when {} is requested; its essential container exits.", app.health_path),
                "Target.FailedHealthChecks; stoppedReason \"Essential container in task exited\"; ECS starts a new task each time",
                "Fix the app's health endpoint (deploy a revision where it answers 200).".into(),
                Some(Command::RegisterTaskDefinition {
                    changes: TaskDefinitionChanges { health_response: Some(HealthResponse::Ok), ..Default::default() },
                    deploy: true,
                }),
            ),
            Some(_) if slow_ms as u64 >= hc.timeout_seconds as u64 * 1000 => push(
                Severity::Broken,
                Hop::App,
                format!(
                    "The health endpoint needs {} s, longer than the health check timeout of {} s.",
                    slow_ms / 1000,
                    hc.timeout_seconds
                ),
                "Target.Timeout (Request timed out)",
                "Make the endpoint faster, or raise HealthCheckTimeoutSeconds above its answer time (it must stay below the interval)."
                    .into(),
                Some(Command::RegisterTaskDefinition {
                    changes: TaskDefinitionChanges { health_response: Some(HealthResponse::Ok), ..Default::default() },
                    deploy: true,
                }),
            ),
            Some(code) if !hc.matches(code) => {
                let (cause, fix, cmd) = if hc.path != app.health_path && hc.path != "/" {
                    let mut fixed = hc.clone();
                    fixed.path = app.health_path.clone();
                    (
                        format!(
                            "The health check asks for {}, which the app does not serve (its health endpoint is {}).",
                            hc.path, app.health_path
                        ),
                        format!("Set the health check path to {}.", app.health_path),
                        Some(Command::ModifyTargetGroup { target_group: tg_name.clone(), health_check: fixed }),
                    )
                } else {
                    (
                        format!("The app's health endpoint {} answers {code}.", hc.path),
                        "Fix what the endpoint reports (deploy a revision where it answers 200).".into(),
                        Some(Command::RegisterTaskDefinition {
                            changes: TaskDefinitionChanges { health_response: Some(HealthResponse::Ok), ..Default::default() },
                            deploy: true,
                        }),
                    )
                };
                push(
                    Severity::Broken,
                    Hop::App,
                    cause,
                    &format!("Target.ResponseCodeMismatch (Health checks failed with these codes: [{code}])"),
                    fix,
                    cmd,
                );
            }
            Some(_) => {
                // Healthy in the end, but does the grace period let the task live that long?
                let to_healthy = seconds_until_healthy(sim);
                let grace = svc.health_check_grace_period_seconds as u64;
                if let Some((unhealthy_at, healthy_at)) = to_healthy {
                    if healthy_at > unhealthy_at && grace < healthy_at {
                        push(
                            Severity::Broken,
                            Hop::Task,
                            format!(
                                "The app takes {} s to start; its target turns unhealthy after about {unhealthy_at} s and ECS stops the task before it can recover (grace period {grace} s).",
                                app.startup_seconds
                            ),
                            "(service …) (task …) is unhealthy in (target-group …); the task is replaced again and again",
                            format!("Raise the service's health check grace period to at least {healthy_at} s (or make the app start faster)."),
                            Some(Command::update_service(None, Some(healthy_at.div_ceil(30) as u32 * 30), None)),
                        );
                    }
                }
            }
        }
    }

    // Targets in zones the ALB does not use.
    let zones = s.enabled_zones();
    if let Some(nc) = &svc.network_configuration {
        for sub in nc.subnets.iter().filter_map(|id| s.find_subnet(id)) {
            if td.network_mode == NetworkMode::Awsvpc && !zones.contains(&sub.availability_zone) {
                push(
                    Severity::Broken,
                    Hop::TargetGroup,
                    format!(
                        "Tasks in {} ({}) are in an availability zone the load balancer is not enabled in.",
                        sub.id, sub.availability_zone
                    ),
                    "unused / Target.NotInUse (Target is in an Availability Zone that is not enabled for the load balancer)",
                    format!("Enable {} on the load balancer, or run the tasks in its zones.", sub.availability_zone),
                    None,
                );
            }
        }
    }

    // Lessons that are not breakage.
    let (healthy, unhealthy) = sim.host_counts();
    let starting = sim.tasks().filter(|t| t.is_active() && t.state != super::ecs::TaskState::Running).count();
    let initial = sim.targets().filter(|t| t.state == super::health::TargetState::Initial).count();
    if healthy == 0 && (starting > 0 || initial > 0) {
        push(
            Severity::Info,
            Hop::TargetGroup,
            format!(
                "Tasks are still starting ({starting} not yet RUNNING, {initial} targets waiting for their first health check): until a target passes one check, requests get 503."
            ),
            "TG targets in initial (Elb.RegistrationInProgress / Elb.InitialHealthChecking); HTTPCode_ELB_503_Count",
            "Wait: a task registers its target when it is RUNNING, and one passing health check makes a new target healthy.".into(),
            None,
        );
    }
    if healthy == 0 && unhealthy > 0 {
        push(
            Severity::Warning,
            Hop::TargetGroup,
            format!("Every target in {tg_name} is unhealthy, so the load balancer fails open: it routes to them anyway and clients get whatever the task does."),
            "UnhealthyRoutingRequestCount; clients see the app's answer, 502 (refused) or 504 (dropped)",
            "Fix the health checks; fail-open is AWS keeping traffic flowing, not a fix.".into(),
            None,
        );
    }
    if let Some(nc) = &svc.network_configuration {
        let public_subnet = nc.subnets.iter().filter_map(|id| s.find_subnet(id)).any(|sub| sub.is_public);
        let open_rule = task_groups.iter().filter_map(|g| s.find_security_group(g)).find_map(|g| {
            g.ingress
                .iter()
                .find(|r| {
                    (r.from_port..=r.to_port).contains(&lb.container_port) && Cidr::parse(&r.source).is_some_and(|c| c.contains(client_ip))
                })
                .map(|r| (g.id.clone(), r.clone()))
        });
        if let (true, true, Some((gid, rule))) = (nc.assign_public_ip, public_subnet, open_rule) {
            push(
                Severity::Warning,
                Hop::TaskSecurityGroup,
                format!(
                    "Tasks have public IPs and {gid} admits {} on port {}: anyone can reach a task directly, bypassing the load balancer.",
                    rule.source, lb.container_port
                ),
                "a direct curl to the task's public IP gets the app's answer",
                format!("Remove the rule from {} and admit only the ALB security group (and turn off the public IP).", rule.source),
                Some(Command::RevokeSecurityGroupIngress {
                    group_id: gid,
                    from_port: rule.from_port,
                    to_port: rule.to_port,
                    source: rule.source,
                }),
            );
        }
    }
    let dc = svc.deployment_configuration;
    let floor = (svc.desired_count * dc.minimum_healthy_percent).div_ceil(100);
    let cap = svc.desired_count * dc.maximum_percent / 100;
    if floor == 0 {
        push(
            Severity::Warning,
            Hop::Task,
            format!(
                "minimumHealthyPercent {} lets a deployment stop every running task before new ones are healthy.",
                dc.minimum_healthy_percent
            ),
            "a deployment opens a window of 503s (empty or draining-only target group)",
            "Use minimumHealthyPercent 100 and maximumPercent 200: new tasks turn healthy before old ones drain.".into(),
            Some(Command::update_service(None, None, Some((100, 200)))),
        );
    } else if cap <= svc.desired_count && floor >= svc.desired_count {
        push(
            Severity::Warning,
            Hop::Task,
            format!(
                "minimumHealthyPercent {} and maximumPercent {} leave no room to start or stop a task during a deployment.",
                dc.minimum_healthy_percent, dc.maximum_percent
            ),
            "(service …) was unable to stop or start tasks during a deployment because of the service deployment configuration.",
            "Raise maximumPercent (200) or lower minimumHealthyPercent.".into(),
            None,
        );
    }
    finish(sim, out)
}

/// Seconds after a task starts running until (a) its target turns unhealthy while the app is
/// still starting and (b) it would be healthy again. `None` if the target turns healthy first.
pub fn seconds_until_healthy(sim: &Sim) -> Option<(u64, u64)> {
    let s = sim.scenario();
    let lb = s.service.as_ref()?.load_balancer.as_ref()?;
    let tg = s.find_target_group(&lb.target_group)?;
    let hc = &tg.health_check;
    let startup_ms = s.task_definition.container.app.startup_seconds as u64 * 1000;
    let interval_ms = hc.interval_seconds as u64 * 1000;
    let first_ms = REGISTRATION_MS;
    // Check k (0-based) goes out at first + k * interval; it passes once the app is up.
    let first_pass = if startup_ms <= first_ms { 0 } else { (startup_ms - first_ms).div_ceil(interval_ms) };
    let unhealthy_check = hc.unhealthy_threshold_count as u64 - 1;
    if first_pass <= unhealthy_check {
        return None;
    }
    let unhealthy_at = first_ms + unhealthy_check * interval_ms;
    let healthy_at = first_ms + (first_pass + hc.healthy_threshold_count as u64 - 1) * interval_ms;
    Some((unhealthy_at.div_ceil(1000), healthy_at.div_ceil(1000)))
}

fn finish(sim: &Sim, mut findings: Vec<Finding>) -> Diagnosis {
    findings.sort_by_key(|f| (f.severity, f.hop));
    Diagnosis { client_sees: client_summary(sim, 30), findings }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starting_tasks_are_explained_then_the_note_goes_away() {
        let mut scenario = crate::scenarios::default_scenario().into_inner();
        scenario.options.warm_up_seconds = 0;
        let mut sim = Sim::new(scenario.validate().expect("valid"), None);
        sim.run_for(3_000);
        let d = sim.diagnose();
        let note = d.findings.iter().find(|f| f.severity == Severity::Info && f.hop == Hop::TargetGroup);
        assert!(note.is_some_and(|f| f.cause.contains("still starting")), "{d:#?}");
        assert_eq!(d.broken().count(), 0);
        sim.run_for(60_000);
        assert!(sim.diagnose().findings.is_empty(), "{:#?}", sim.diagnose());
    }
}
