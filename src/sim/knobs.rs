//! Every numeric setting a learner can change, described once: its AWS name, the page's label,
//! its unit, its allowed range and its default.
//!
//! The same entry feeds the scenario file's defaults, the validator's range check and message,
//! the settings form's label, help text and input bounds, and the load slider. Where AWS documents
//! the range, the range is AWS's (docs/model.md gives the source); where the lab narrows it (ten
//! tasks, 200 requests a second), the help text says so.

use std::fmt;

/// The smallest positive client load, in requests per second: one request every 1000 s. Below
/// it a run would send nothing for longer than anyone watches, so it is refused; above it a rate
/// has at most six decimals and the sim keeps it exactly (`Sim`'s client carry).
pub const MIN_REQUEST_RATE: f64 = 0.001;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Milliseconds,
    Percent,
    Count,
    Port,
    RequestsPerSecond,
    Revision,
}

impl Unit {
    /// The unit after a number (`30 s`), or nothing for counts and ports.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Seconds => " s",
            Unit::Milliseconds => " ms",
            Unit::Percent => " %",
            Unit::RequestsPerSecond => " requests/s",
            Unit::Count | Unit::Port | Unit::Revision => "",
        }
    }
}

/// One setting.
#[derive(Debug, PartialEq)]
pub struct Knob {
    /// The field's path in a scenario file, without list indexes
    /// (`target_groups.health_check.interval_seconds`).
    pub key: &'static str,
    /// AWS's name for it, as the console, the API or the CLI spells it; empty for the lab's own.
    pub aws_name: &'static str,
    /// The page's words for it.
    pub label: &'static str,
    pub unit: Unit,
    pub min: f64,
    pub max: f64,
    pub default: f64,
    /// What it does, in a sentence.
    pub about: &'static str,
}

impl Knob {
    /// `5-300 s`; for the load, `0 or 0.001-200 requests/s`.
    pub fn range_text(&self) -> String {
        match self.unit {
            Unit::RequestsPerSecond => {
                format!("0 or {}-{}{} (to 6 decimals)", number(MIN_REQUEST_RATE), number(self.max), self.unit.suffix())
            }
            _ => format!("{}-{}{}", number(self.min), number(self.max), self.unit.suffix()),
        }
    }

    /// The form's label: `Interval (HealthCheckIntervalSeconds)`.
    pub fn label_text(&self) -> String {
        if self.aws_name.is_empty() {
            self.label.to_string()
        } else {
            format!("{} ({})", self.label, self.aws_name)
        }
    }

    /// The form's help text: range, default and what it does.
    pub fn help(&self) -> String {
        let mut out = format!("{}, default {}{}.", self.range_text(), number(self.default), self.unit.suffix());
        if !self.about.is_empty() {
            out.push(' ');
            out.push_str(self.about);
        }
        out
    }

    pub fn default_u32(&self) -> u32 {
        self.default as u32
    }

    pub fn default_u16(&self) -> u16 {
        self.default as u16
    }

    pub fn contains(&self, value: f64) -> bool {
        let in_range = value.is_finite() && value >= self.min && value <= self.max;
        match self.unit {
            // A smaller positive rate would send nothing for longer than anyone watches. Six
            // decimals at most: such a number is written and read back exactly by any JSON
            // reader (its digits fit a double's), so a rate re-shared is the same rate, and the
            // sim counts load to the millionth.
            Unit::RequestsPerSecond => in_range && (value == 0.0 || value >= MIN_REQUEST_RATE) && (value * 1e6).round() / 1e6 == value,
            _ => in_range,
        }
    }

    /// The message for a value outside the range, in a file's terms.
    pub fn out_of_range(&self, value: f64) -> String {
        let name = if self.aws_name.is_empty() { String::new() } else { format!(" ({})", self.aws_name) };
        format!("must be {}{name}, got {}", self.range_text(), number(value))
    }

    /// Read what a learner typed into this knob's field: a number in range, or a message in the
    /// form's words.
    pub fn parse(&self, text: &str) -> Result<f64, String> {
        let text = text.trim();
        let whole = matches!(self.unit, Unit::Count | Unit::Port | Unit::Revision | Unit::Seconds | Unit::Milliseconds | Unit::Percent);
        let value = text.parse::<f64>().ok().filter(|v| v.is_finite()).filter(|v| !whole || v.fract() == 0.0);
        match value {
            Some(v) if self.contains(v) => Ok(v),
            Some(v) => Err(format!("{} must be {}; you entered {}.", self.label, self.range_text(), number(v))),
            None if whole => Err(format!("{} must be a whole number, {}; you entered {text:?}.", self.label, self.range_text())),
            None => Err(format!("{} must be a number, {}; you entered {text:?}.", self.label, self.range_text())),
        }
    }
}

impl fmt::Display for Knob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_text())
    }
}

/// A number without a needless `.0`.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

// Positional so the table below reads one knob per call, in a fixed column order.
#[allow(clippy::too_many_arguments)]
const fn knob(
    key: &'static str,
    aws_name: &'static str,
    label: &'static str,
    unit: Unit,
    min: f64,
    max: f64,
    default: f64,
    about: &'static str,
) -> Knob {
    Knob { key, aws_name, label, unit, min, max, default, about }
}

// ---- the load balancer ----

pub static IDLE_TIMEOUT: Knob = knob(
    "load_balancer.idle_timeout_seconds",
    "idle_timeout.timeout_seconds",
    "Idle timeout",
    Unit::Seconds,
    1.0,
    4000.0,
    60.0,
    "A target slower than this gets a 504.",
);
pub static LISTENER_PORT: Knob = knob(
    "load_balancer.listeners.port",
    "Port",
    "Listener port",
    Unit::Port,
    1.0,
    65535.0,
    80.0,
    "The client must send to this port, and the ALB security group must admit it.",
);
pub static RULE_PRIORITY: Knob =
    knob("load_balancer.listeners.rules.priority", "Priority", "Rule priority", Unit::Count, 1.0, 50000.0, 1.0, "Lowest first.");

// ---- target groups ----

pub static TARGET_GROUP_PORT: Knob = knob(
    "target_groups.port",
    "Port",
    "Target group port",
    Unit::Port,
    1.0,
    65535.0,
    80.0,
    "The default port for registered targets; ECS registers each task with its own port.",
);
pub static DEREGISTRATION_DELAY: Knob = knob(
    "target_groups.deregistration_delay_seconds",
    "deregistration_delay.timeout_seconds",
    "Deregistration delay",
    Unit::Seconds,
    0.0,
    3600.0,
    300.0,
    "How long a target drains before it leaves the target group.",
);
pub static FAIL_OPEN_THRESHOLD: Knob = knob(
    "target_groups.unhealthy_state_routing_minimum_healthy_targets_count",
    "minimum_healthy_targets.count",
    "Fail-open threshold",
    Unit::Count,
    1.0,
    super::scenario::MAX_DESIRED_COUNT as f64 * 2.0,
    1.0,
    "With fewer healthy targets than this, the load balancer routes to every target.",
);
pub static HEALTH_CHECK_INTERVAL: Knob =
    knob("target_groups.health_check.interval_seconds", "HealthCheckIntervalSeconds", "Interval", Unit::Seconds, 5.0, 300.0, 30.0, "");
pub static HEALTH_CHECK_TIMEOUT: Knob = knob(
    "target_groups.health_check.timeout_seconds",
    "HealthCheckTimeoutSeconds",
    "Timeout",
    Unit::Seconds,
    2.0,
    120.0,
    5.0,
    "Must be below the interval. The user guide's default; the API reference says 6 for HTTP.",
);
pub static HEALTHY_THRESHOLD: Knob = knob(
    "target_groups.health_check.healthy_threshold_count",
    "HealthyThresholdCount",
    "Healthy threshold",
    Unit::Count,
    2.0,
    10.0,
    5.0,
    "Passes an unhealthy target needs to be healthy again; a new target needs only one.",
);
pub static UNHEALTHY_THRESHOLD: Knob = knob(
    "target_groups.health_check.unhealthy_threshold_count",
    "UnhealthyThresholdCount",
    "Unhealthy threshold",
    Unit::Count,
    2.0,
    10.0,
    2.0,
    "Failures in a row that make a target unhealthy.",
);

// ---- the task definition and the app ----

pub static REVISION: Knob =
    knob("task_definition.revision", "revision", "Task definition revision", Unit::Revision, 1.0, 1_000_000.0, 1.0, "");
pub static CONTAINER_PORT: Knob = knob(
    "task_definition.container.port_mappings.container_port",
    "containerPort",
    "Container port",
    Unit::Port,
    1.0,
    65535.0,
    8000.0,
    "The port the task definition maps and the service registers in the target group.",
);
pub static LISTEN_PORT: Knob = knob(
    "task_definition.container.app.listen_port",
    "",
    "App listen port",
    Unit::Port,
    1.0,
    65535.0,
    8000.0,
    "The port the process binds inside the container. It must match the container port.",
);
pub static STARTUP: Knob = knob(
    "task_definition.container.app.startup_seconds",
    "",
    "App start-up time",
    Unit::Seconds,
    0.0,
    3600.0,
    5.0,
    "Until then the app refuses connections.",
);
pub static RESPONSE_TIME: Knob =
    knob("task_definition.container.app.response_time_ms", "", "App response time", Unit::Milliseconds, 1.0, 600_000.0, 20.0, "");
pub static SLOW_RESPONSE: Knob = knob(
    "task_definition.container.app.slow_response_seconds",
    "",
    "Slow health answer",
    Unit::Seconds,
    1.0,
    600.0,
    10.0,
    "How long the health endpoint takes when it is set to answer slowly.",
);

// ---- the ECS service ----

pub static DESIRED_COUNT: Knob = knob(
    "service.desired_count",
    "desiredCount",
    "Desired count",
    Unit::Count,
    0.0,
    super::scenario::MAX_DESIRED_COUNT as f64,
    1.0,
    "ALB Lab runs at most ten tasks.",
);
pub static GRACE_PERIOD: Knob = knob(
    "service.health_check_grace_period_seconds",
    "healthCheckGracePeriodSeconds",
    "Health check grace period",
    Unit::Seconds,
    0.0,
    2_147_483_647.0,
    0.0,
    "Only the ECS scheduler waits; the load balancer checks and routes as usual.",
);
pub static MINIMUM_HEALTHY_PERCENT: Knob = knob(
    "service.deployment_configuration.minimum_healthy_percent",
    "minimumHealthyPercent",
    "Minimum healthy percent",
    Unit::Percent,
    0.0,
    100.0,
    100.0,
    "Rounded up.",
);
pub static MAXIMUM_PERCENT: Knob = knob(
    "service.deployment_configuration.maximum_percent",
    "maximumPercent",
    "Maximum percent",
    Unit::Percent,
    100.0,
    200.0,
    200.0,
    "Rounded down. AWS allows more; ALB Lab up to 200.",
);

// ---- the client and the lab ----

pub static REQUEST_RATE: Knob = knob(
    "client.requests_per_second",
    "",
    "Load",
    Unit::RequestsPerSecond,
    0.0,
    super::scenario::MAX_REQUESTS_PER_SECOND,
    1.0,
    "Requests the client sends each second.",
);
pub static CLIENT_PORT: Knob =
    knob("client.port", "", "Port the client connects to", Unit::Port, 1.0, 65535.0, 80.0, "The load balancer's DNS name on this port.");
pub static CONNECT_TIMEOUT: Knob = knob(
    "client.connect_timeout_seconds",
    "",
    "Client connect timeout",
    Unit::Seconds,
    1.0,
    120.0,
    10.0,
    "How long the client waits for a TCP connection, like curl's --connect-timeout.",
);
pub static WARM_UP: Knob = knob(
    "options.warm_up_seconds",
    "",
    "Warm-up",
    Unit::Seconds,
    0.0,
    600.0,
    0.0,
    "Sim seconds run with no load before the scenario opens.",
);
pub static HOST_PORT: Knob = knob(
    "task_definition.container.port_mappings.host_port",
    "hostPort",
    "Host port",
    Unit::Port,
    0.0,
    65535.0,
    0.0,
    "awsvpc: leave it empty (it equals the container port). bridge: 0 or empty for a dynamic port from 32768-61000, or a fixed port (one task per instance).",
);
pub static RULE_FROM_PORT: Knob = knob("security_groups.rules.from_port", "FromPort", "From port", Unit::Port, 0.0, 65535.0, 0.0, "TCP.");
pub static RULE_TO_PORT: Knob = knob(
    "security_groups.rules.to_port",
    "ToPort",
    "To port",
    Unit::Port,
    0.0,
    65535.0,
    65535.0,
    "The same as the from port for one port.",
);

/// A network ACL entry's number: lowest first, the first matching entry decides.
pub static NACL_RULE_NUMBER: Knob = knob(
    "network_acls.entries.rule_number",
    "RuleNumber",
    "Rule number",
    Unit::Count,
    1.0,
    32766.0,
    100.0,
    "Entries are evaluated lowest number first; the first that matches allows or denies.",
);

/// The groups of settings, in the order a request meets them: the inspector's sections, the knob
/// groups an exercise unlocks, and the `selected` of a share link. (key, the page's words)
pub const GROUPS: [(&str, &str); 8] = [
    ("client", "Client"),
    ("network", "VPC, subnets and network ACLs"),
    ("alb-sg", "ALB security group"),
    ("listener", "Listener"),
    ("target-group", "Target group"),
    ("task-sg", "Task security group"),
    ("task-definition", "Task definition and app"),
    ("service", "ECS service"),
];

/// The knob a field of a scenario file (or of a share link's state) holds, by its path:
/// `target_groups[0].health_check.interval_seconds` or `scenario.client.port`.
pub fn for_field(path: &str) -> Option<&'static Knob> {
    let mut key = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            c if !in_index => key.push(c),
            _ => {}
        }
    }
    let key = key.strip_prefix("scenario.").unwrap_or(&key);
    // One knob serves both directions of a security-group rule, and both places a container
    // port is named.
    let key = key.replace(".ingress.", ".rules.").replace(".egress.", ".rules.");
    let key = if key == "service.load_balancer.container_port" { CONTAINER_PORT.key } else { key.as_str() };
    ALL.iter().copied().find(|k| k.key == key)
}

/// Every knob, for the tests and the documentation.
pub static ALL: [&Knob; 27] = [
    &IDLE_TIMEOUT,
    &LISTENER_PORT,
    &RULE_PRIORITY,
    &TARGET_GROUP_PORT,
    &DEREGISTRATION_DELAY,
    &FAIL_OPEN_THRESHOLD,
    &HEALTH_CHECK_INTERVAL,
    &HEALTH_CHECK_TIMEOUT,
    &HEALTHY_THRESHOLD,
    &UNHEALTHY_THRESHOLD,
    &REVISION,
    &CONTAINER_PORT,
    &LISTEN_PORT,
    &STARTUP,
    &RESPONSE_TIME,
    &SLOW_RESPONSE,
    &DESIRED_COUNT,
    &GRACE_PERIOD,
    &MINIMUM_HEALTHY_PERCENT,
    &MAXIMUM_PERCENT,
    &REQUEST_RATE,
    &CLIENT_PORT,
    &CONNECT_TIMEOUT,
    &WARM_UP,
    &HOST_PORT,
    &RULE_FROM_PORT,
    &RULE_TO_PORT,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_inside_its_range_and_keys_are_unique() {
        for (i, k) in ALL.iter().enumerate() {
            assert!(k.contains(k.default), "{}: default {} outside {}", k.key, k.default, k.range_text());
            assert!(ALL[..i].iter().all(|o| o.key != k.key), "{} twice", k.key);
        }
    }

    #[test]
    fn the_forms_words_come_from_the_table() {
        assert_eq!(HEALTH_CHECK_INTERVAL.label_text(), "Interval (HealthCheckIntervalSeconds)");
        assert_eq!(HEALTH_CHECK_INTERVAL.help(), "5-300 s, default 30 s.");
        assert_eq!(HEALTH_CHECK_INTERVAL.out_of_range(4.0), "must be 5-300 s (HealthCheckIntervalSeconds), got 4");
        assert_eq!(HEALTH_CHECK_INTERVAL.parse(" 30 "), Ok(30.0));
        assert_eq!(HEALTH_CHECK_INTERVAL.parse("4"), Err("Interval must be 5-300 s; you entered 4.".to_string()));
        assert_eq!(
            HEALTH_CHECK_INTERVAL.parse("thirty"),
            Err("Interval must be a whole number, 5-300 s; you entered \"thirty\".".to_string())
        );
        assert_eq!(REQUEST_RATE.parse("0.5"), Ok(0.5));
        assert!(DESIRED_COUNT.parse("2.5").is_err());
        assert!(REQUEST_RATE.parse("NaN").is_err());
    }
}
