//! A CloudFormation template in JSON: `Resources.<LogicalId>{Type, Properties}`, properties in
//! PascalCase (the resource schemas of `AWS::ElasticLoadBalancingV2::*`, `AWS::ECS::*`,
//! `AWS::EC2::SecurityGroup*`).
//!
//! Every resource is keyed by its logical id, and the intrinsics that name another resource
//! (`Ref`, `Fn::GetAtt`) resolve to that logical id, as cfn-lint resolves them for its rules;
//! a `Ref` to a parameter takes its `Default`. `Fn::Join`, `Fn::Select`, `Fn::If` (first
//! branch) and `Fn::Sub` (its template text) are read as far as they can be without a stack.
//! YAML templates are not read: a YAML parser would cost the page more than the rest of the
//! import together; `cfn-flip` or `aws cloudformation get-template` gives JSON.

use super::aws::{actions, Read};
use super::value::{count, flag, int, list, port, strings, text};
use super::*;
use serde_json::{Map, Value};

pub fn read(doc: &Value, read: &mut Read) -> Result<(), String> {
    let Some(resources) = doc.get("Resources").and_then(Value::as_object) else {
        return Err("`Resources` should be an object of resources by logical id, as in a CloudFormation template".into());
    };
    let parameters = doc.get("Parameters").and_then(Value::as_object).cloned().unwrap_or_default();
    let cx = Cx {
        resources,
        parameters: &parameters,
        budget: std::cell::Cell::new(RESOLVE_BUDGET),
        bytes: std::cell::Cell::new(RESOLVE_BYTES),
        is_out_of_bytes: std::cell::Cell::new(false),
    };
    let inv = &mut read.inventory;
    let mut used = 0;
    for (logical, r) in resources {
        let kind = text(r, "Type");
        let p = cx.resolve(r.get("Properties").unwrap_or(&Value::Null), 0);
        let id = logical.clone();
        match kind.as_str() {
            "AWS::EC2::VPC" => inv.vpc_cidrs.push((id, text(&p, "CidrBlock"))),
            "AWS::EC2::Subnet" => inv.subnets.push(SubnetIn {
                id,
                availability_zone: text(&p, "AvailabilityZone"),
                cidr: text(&p, "CidrBlock"),
                vpc_id: text(&p, "VpcId"),
                map_public_ip_on_launch: flag(&p, "MapPublicIpOnLaunch"),
            }),
            "AWS::EC2::SecurityGroup" => inv.security_groups.push(SecurityGroupIn {
                name: Some(text(&p, "GroupName")).filter(|n| !n.is_empty()).unwrap_or_else(|| logical.clone()),
                vpc_id: text(&p, "VpcId"),
                ingress: list(&p, "SecurityGroupIngress")
                    .iter()
                    .map(|x| permission(x, "SourceSecurityGroupId", "SourcePrefixListId"))
                    .collect(),
                egress: list(&p, "SecurityGroupEgress")
                    .iter()
                    .map(|x| permission(x, "DestinationSecurityGroupId", "DestinationPrefixListId"))
                    .collect(),
                id,
                described: true,
            }),
            "AWS::EC2::SecurityGroupIngress" => {
                inv.loose_rules.push((text(&p, "GroupId"), false, permission(&p, "SourceSecurityGroupId", "SourcePrefixListId")))
            }
            "AWS::EC2::SecurityGroupEgress" => {
                inv.loose_rules.push((text(&p, "GroupId"), true, permission(&p, "DestinationSecurityGroupId", "DestinationPrefixListId")))
            }
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                let mut subnets = strings(&p, "Subnets");
                subnets.extend(list(&p, "SubnetMappings").iter().map(|m| text(m, "SubnetId")));
                let attrs: BTreeMap<String, String> =
                    list(&p, "LoadBalancerAttributes").iter().map(|a| (text(a, "Key"), text(a, "Value"))).collect();
                inv.load_balancers.push(LoadBalancerIn {
                    arn: id,
                    name: Some(text(&p, "Name")).filter(|n| !n.is_empty()).unwrap_or_else(|| logical.clone()),
                    kind: Some(text(&p, "Type")).filter(|t| !t.is_empty()).unwrap_or_else(|| "application".into()),
                    internal: text(&p, "Scheme") == "internal",
                    vpc_id: String::new(),
                    zones: subnets.into_iter().map(|s| (String::new(), s)).collect(),
                    security_groups: strings(&p, "SecurityGroups"),
                    idle_timeout_seconds: attrs.get("idle_timeout.timeout_seconds").and_then(|v| v.parse().ok()),
                });
            }
            "AWS::ElasticLoadBalancingV2::Listener" => inv.listeners.push(ListenerIn {
                arn: id,
                load_balancer: text(&p, "LoadBalancerArn"),
                port: port(&p, "Port").unwrap_or(0),
                protocol: text(&p, "Protocol"),
                default_actions: actions(list(&p, "DefaultActions")),
            }),
            "AWS::ElasticLoadBalancingV2::ListenerRule" => inv.rules.push(RuleIn {
                listener: text(&p, "ListenerArn"),
                priority: count(&p, "Priority"),
                conditions: list(&p, "Conditions")
                    .iter()
                    .map(|c| {
                        let mut values = strings(c, "Values");
                        for cfg in ["PathPatternConfig", "HostHeaderConfig"] {
                            if let Some(x) = c.get(cfg) {
                                values.extend(strings(x, "Values"));
                            }
                        }
                        (text(c, "Field"), values)
                    })
                    .collect(),
                actions: actions(list(&p, "Actions")),
            }),
            "AWS::ElasticLoadBalancingV2::TargetGroup" => inv.target_groups.push(TargetGroupIn {
                arn: id,
                name: Some(text(&p, "Name")).filter(|n| !n.is_empty()).unwrap_or_else(|| logical.clone()),
                protocol: text(&p, "Protocol"),
                port: port(&p, "Port"),
                target_type: Some(text(&p, "TargetType")).filter(|t| !t.is_empty()).unwrap_or_else(|| "instance".into()),
                protocol_version: text(&p, "ProtocolVersion"),
                load_balancers: Vec::new(),
                health_check_enabled: flag(&p, "HealthCheckEnabled"),
                health_check_protocol: text(&p, "HealthCheckProtocol"),
                health_check_port: text(&p, "HealthCheckPort"),
                health_check_path: text(&p, "HealthCheckPath"),
                interval_seconds: count(&p, "HealthCheckIntervalSeconds"),
                timeout_seconds: count(&p, "HealthCheckTimeoutSeconds"),
                healthy_threshold: count(&p, "HealthyThresholdCount"),
                unhealthy_threshold: count(&p, "UnhealthyThresholdCount"),
                matcher: p.get("Matcher").map(|m| text(m, "HttpCode")).unwrap_or_default(),
                attributes: list(&p, "TargetGroupAttributes").iter().map(|a| (text(a, "Key"), text(a, "Value"))).collect(),
            }),
            "AWS::ECS::Service" => {
                let awsvpc = p.get("NetworkConfiguration").and_then(|n| n.get("AwsvpcConfiguration"));
                let dc = p.get("DeploymentConfiguration").cloned().unwrap_or(Value::Null);
                inv.services.push(ServiceIn {
                    arn: id,
                    name: Some(text(&p, "ServiceName")).filter(|n| !n.is_empty()).unwrap_or_else(|| logical.clone()),
                    cluster: text(&p, "Cluster"),
                    launch_type: text(&p, "LaunchType"),
                    desired_count: count(&p, "DesiredCount"),
                    running_count: None,
                    task_definition: text(&p, "TaskDefinition"),
                    load_balancers: list(&p, "LoadBalancers")
                        .iter()
                        .map(|l| ServiceLoadBalancerIn {
                            target_group: text(l, "TargetGroupArn"),
                            container_name: text(l, "ContainerName"),
                            container_port: port(l, "ContainerPort"),
                        })
                        .collect(),
                    subnets: awsvpc.map(|a| strings(a, "Subnets")),
                    security_groups: awsvpc.map(|a| strings(a, "SecurityGroups")).unwrap_or_default(),
                    assign_public_ip: awsvpc.and_then(|a| flag(a, "AssignPublicIp")).unwrap_or(false),
                    health_check_grace_period_seconds: count(&p, "HealthCheckGracePeriodSeconds"),
                    minimum_healthy_percent: count(&dc, "MinimumHealthyPercent"),
                    maximum_percent: count(&dc, "MaximumPercent"),
                    events: Vec::new(),
                });
            }
            "AWS::ECS::TaskDefinition" => inv.task_definitions.push(TaskDefinitionIn {
                arn: id,
                family: Some(text(&p, "Family")).filter(|n| !n.is_empty()).unwrap_or_else(|| logical.clone()),
                revision: None,
                network_mode: Some(text(&p, "NetworkMode")).filter(|m| !m.is_empty()).unwrap_or_else(|| "bridge".into()),
                containers: list(&p, "ContainerDefinitions")
                    .iter()
                    .map(|c| ContainerIn {
                        name: text(c, "Name"),
                        essential: flag(c, "Essential").unwrap_or(true),
                        port_mappings: list(c, "PortMappings")
                            .iter()
                            .map(|m| PortMappingIn {
                                container_port: port(m, "ContainerPort"),
                                host_port: port(m, "HostPort"),
                                protocol: text(m, "Protocol"),
                            })
                            .collect(),
                    })
                    .collect(),
            }),
            _ => continue,
        }
        used += 1;
    }
    if used == 0 {
        return Err(format!(
            "the template has {} resources, none of them one ALB Lab reads (AWS::ElasticLoadBalancingV2::*, AWS::ECS::Service, AWS::ECS::TaskDefinition, AWS::EC2::SecurityGroup, …)",
            resources.len()
        ));
    }
    read.read_as.push(format!("CloudFormation template ({used} resources)"));
    if cx.budget.get() == 0 || cx.is_out_of_bytes.get() {
        read.warnings.push(format!(
            "it refers to its parameters and resources more than ALB Lab follows ({RESOLVE_BUDGET} values, {} of text): later references were read as the names they give, and may be wrong",
            super::size_words(RESOLVE_BYTES)
        ));
    }
    Ok(())
}

fn permission(x: &Value, group_key: &str, prefix_key: &str) -> Permission {
    Permission {
        protocol: text(x, "IpProtocol"),
        from_port: int(x, "FromPort"),
        to_port: int(x, "ToPort"),
        cidrs: Some(text(x, "CidrIp")).filter(|c| !c.is_empty()).into_iter().collect(),
        ipv6_cidrs: Some(text(x, "CidrIpv6")).filter(|c| !c.is_empty()).into_iter().collect(),
        prefix_lists: Some(text(x, prefix_key)).filter(|c| !c.is_empty()).into_iter().collect(),
        groups: Some(text(x, group_key)).filter(|c| !c.is_empty()).into_iter().collect(),
        description: text(x, "Description"),
    }
}

struct Cx<'a> {
    resources: &'a Map<String, Value>,
    parameters: &'a Map<String, Value>,
    /// Values produced while resolving, all resources together: a template that refers to a
    /// large default many times is cut off here instead of filling the memory.
    budget: std::cell::Cell<usize>,
    /// Text the resolving may copy (parameter defaults, joins), all resources together: a
    /// thousand references to a 4 KB default cost 4 MB, and no more than this is made.
    bytes: std::cell::Cell<usize>,
    /// A budget ran out: the document says so.
    is_out_of_bytes: std::cell::Cell<bool>,
}

/// Values one template may resolve to: far above a real template's few thousand.
const RESOLVE_BUDGET: usize = 500_000;
/// Bytes of text one template may resolve to: twice the largest document read.
const RESOLVE_BYTES: usize = 2 * super::MAX_DOCUMENT_BYTES;

impl Cx<'_> {
    /// `v` with every intrinsic replaced by what it names.
    fn resolve(&self, v: &Value, depth: usize) -> Value {
        if depth > 24 || self.budget.get() == 0 {
            return Value::Null;
        }
        self.budget.set(self.budget.get() - 1);
        match v {
            Value::Object(o) if o.len() == 1 => {
                let (k, arg) = o.iter().next().expect("one entry");
                match k.as_str() {
                    "Ref" => self.reference(arg.as_str().unwrap_or("")),
                    "Fn::GetAtt" => {
                        let target = match arg {
                            Value::Array(a) => a.first().and_then(Value::as_str).unwrap_or("").to_string(),
                            Value::String(s) => s.split('.').next().unwrap_or("").to_string(),
                            _ => String::new(),
                        };
                        Value::String(target)
                    }
                    "Fn::Join" => {
                        let a = self.resolve(arg, depth + 1);
                        let sep = a.get(0).and_then(Value::as_str).unwrap_or("");
                        let parts: Vec<String> =
                            a.get(1).and_then(Value::as_array).map(|p| p.iter().map(scalar).collect()).unwrap_or_default();
                        let size = parts.iter().map(|p| p.len() + sep.len()).sum();
                        if !self.spend(size) {
                            return Value::Null;
                        }
                        Value::String(parts.join(sep))
                    }
                    "Fn::Select" => {
                        let a = self.resolve(arg, depth + 1);
                        let i = a.get(0).and_then(super::value::number).unwrap_or(0).max(0) as usize;
                        a.get(1).and_then(Value::as_array).and_then(|l| l.get(i)).cloned().unwrap_or(Value::Null)
                    }
                    "Fn::If" => arg.get(1).map(|b| self.resolve(b, depth + 1)).unwrap_or(Value::Null),
                    "Fn::Sub" => match arg {
                        Value::String(s) => Value::String(s.clone()),
                        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
                        _ => Value::Null,
                    },
                    "Fn::ImportValue" => Value::String(scalar(&self.resolve(arg, depth + 1))),
                    "Fn::GetAZs" => Value::Array(Vec::new()),
                    _ => Value::Object(o.iter().map(|(k, x)| (k.clone(), self.resolve(x, depth + 1))).collect()),
                }
            }
            Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), self.resolve(x, depth + 1))).collect()),
            Value::Array(a) => Value::Array(a.iter().map(|x| self.resolve(x, depth + 1)).collect()),
            other => other.clone(),
        }
    }

    /// Take `size` bytes from the text budget; false (and nothing taken) when it is spent.
    fn spend(&self, size: usize) -> bool {
        match self.bytes.get().checked_sub(size) {
            Some(left) => {
                self.bytes.set(left);
                true
            }
            None => {
                self.is_out_of_bytes.set(true);
                false
            }
        }
    }

    fn reference(&self, name: &str) -> Value {
        if self.resources.contains_key(name) {
            return Value::String(name.to_string());
        }
        if let Some(p) = self.parameters.get(name) {
            let kind = text(p, "Type");
            // A default is a string, a number or a list of them (CloudFormation allows nothing
            // else): a long one, or anything else, is taken as the parameter's name.
            let short = |d: &Value| match d {
                Value::String(s) => s.len() <= 4096,
                Value::Number(_) | Value::Bool(_) => true,
                _ => false,
            };
            let small = |d: &&Value| match d {
                Value::Array(a) => a.len() <= 64 && a.iter().all(short),
                other => short(other),
            };
            let is_list = kind.starts_with("List<") || kind == "CommaDelimitedList";
            let default = p.get("Default").filter(small).filter(|d| {
                // What the copy holds: its text, and one value per item (a list default of 4,000
                // commas is 4,000 values, each the size of a `Value`).
                let items = match d {
                    Value::Array(a) => a.len(),
                    Value::String(t) if is_list => t.matches(',').count() + 1,
                    _ => 1,
                };
                let text: usize = match d {
                    Value::Array(a) => a.iter().map(|x| scalar(x).len()).sum(),
                    other => scalar(other).len(),
                };
                let values_left = self.budget.get().checked_sub(items);
                if values_left.is_none() {
                    self.is_out_of_bytes.set(true);
                }
                let fits = values_left.is_some() && self.spend(text + items * std::mem::size_of::<Value>());
                if let (true, Some(left)) = (fits, values_left) {
                    self.budget.set(left);
                }
                fits
            });
            return match default {
                Some(Value::String(d)) if is_list => Value::Array(d.split(',').map(|s| Value::String(s.trim().to_string())).collect()),
                Some(d) => d.clone(),
                None if kind.starts_with("List<") || kind == "CommaDelimitedList" => Value::Array(vec![Value::String(name.to_string())]),
                None => Value::String(name.to_string()),
            };
        }
        Value::String(name.to_string())
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}
