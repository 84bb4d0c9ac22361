//! The AWS CLI both ways: a change reads as the `aws` command that makes it, the console reads
//! those commands back, answers wrong ones as the AWS CLI does without changing anything, prints
//! the describe commands in the AWS CLI's own shapes, and an exercise is solved by typing.
//! (The round trip over random commands is in tests/properties.rs, beside the command generator.)

mod common;

use alb_lab::scenarios::{scenario_text, EXERCISES};
use alb_lab::sim::cli::{self, Describe, Parsed};
use alb_lab::sim::exercise::{check_solution_with, knob_group, Exercise};
use alb_lab::sim::scenario::HealthCheck;
use alb_lab::sim::{Command, Sim};
use common::sim;
use serde_json::Value;
use std::collections::BTreeMap;

/// Type a line at the console: the change it makes, applied, or the text the console shows.
fn type_line(sim: &mut Sim, line: &str) -> Result<String, String> {
    match cli::parse(line, sim.scenario()).map_err(|e| e.0)? {
        Parsed::Nothing => Ok(String::new()),
        Parsed::Change { operation, command } => match sim.apply(command) {
            Ok(applied) => Ok(format!("{applied:?}")),
            Err(e) => Err(cli::service_error(operation, &e)),
        },
        Parsed::Describe(what) => cli::describe(sim, &what).map_err(|e| e.0),
    }
}

#[test]
fn a_change_reads_as_the_aws_command_that_makes_it_with_the_scenarios_ids() {
    let s = sim("default.json");
    let before = s.scenario();
    let line = |c: Command| cli::to_cli(&c, before).expect("an AWS change has a command");
    assert_eq!(
        line(Command::AuthorizeSecurityGroupIngress {
            group_id: "sg-task".into(),
            from_port: 8000,
            to_port: 8000,
            source: "sg-alb".into()
        }),
        "aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb"
    );
    let mut hc = before.target_groups[0].health_check.clone();
    hc.port = "8080".into();
    let tg_arn = alb_lab::sim::scenario::target_group_arn(&before.target_groups[0]);
    assert_eq!(
        line(Command::ModifyTargetGroup { target_group: "web-tg".into(), health_check: hc }),
        format!("aws elbv2 modify-target-group --target-group-arn {tg_arn} --health-check-port 8080")
    );
    assert_eq!(line(Command::update_service(Some(3), None, None)), "aws ecs update-service --cluster lab --service web --desired-count 3");
    let deploy = line(Command::RegisterTaskDefinition {
        changes: alb_lab::sim::TaskDefinitionChanges { health_path: Some("/healthz".into()), ..Default::default() },
        deploy: true,
    });
    assert!(deploy.starts_with("aws ecs register-task-definition --family web --network-mode awsvpc"), "{deploy}");
    assert!(deploy.ends_with("&& aws ecs update-service --cluster lab --service web --task-definition web:2"), "{deploy}");
    assert!(deploy.contains(r#""name":"HEALTH_PATH","value":"/healthz""#), "{deploy}");
    // The lab's own controls are no AWS command.
    assert_eq!(cli::to_cli(&Command::SetRequestRate { requests_per_second: 5.0 }, before), None);
    assert_eq!(cli::to_cli(&Command::SendRequest, before), None);
}

#[test]
fn the_console_reads_the_flag_shorthand_and_json_forms_alike() {
    let s = sim("task-sg-blocks-alb.json");
    let want =
        Command::AuthorizeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() };
    for line in [
        "aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb",
        "aws ec2 authorize-security-group-ingress --group-id sg-task --ip-permissions IpProtocol=tcp,FromPort=8000,ToPort=8000,UserIdGroupPairs=[{GroupId=sg-alb}]",
        r#"aws ec2 authorize-security-group-ingress --group-id sg-task --ip-permissions '[{"IpProtocol":"tcp","FromPort":8000,"ToPort":8000,"UserIdGroupPairs":[{"GroupId":"sg-alb","Description":"from the ALB"}]}]'"#,
        "aws ec2 authorize-security-group-ingress \\\n  --group-id \"sg-task\" --protocol tcp --port 8000 --source-group sg-alb --region us-east-1 --output json # the fix",
    ] {
        match cli::parse(line, s.scenario()) {
            Ok(Parsed::Change { operation, command }) => {
                assert_eq!(operation, "AuthorizeSecurityGroupIngress");
                assert_eq!(command, want, "{line}");
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    let lb = alb_lab::sim::scenario::target_group_arn(&s.scenario().target_groups[0]);
    let attach = format!(
        "aws ecs update-service --cluster lab --service web --load-balancers targetGroupArn={lb},containerName=web,containerPort=8000"
    );
    let json = format!(
        r#"aws ecs update-service --cluster lab --service web --load-balancers '[{{"targetGroupArn":"{lb}","containerName":"web","containerPort":8000}}]'"#
    );
    let a = cli::parse(&attach, s.scenario()).unwrap();
    assert_eq!(a, cli::parse(&json, s.scenario()).unwrap());
    assert!(matches!(a, Parsed::Change { command: Command::AttachLoadBalancer { container_port: 8000, .. }, .. }), "{a:?}");
}

#[test]
fn wrong_commands_get_the_aws_clis_answer_and_change_nothing() {
    let mut s = sim("default.json");
    let before = s.scenario().clone();
    let cases = [
        ("aws ec2 authorize-security-group-ingress --protocol tcp --port 8000 --source-group sg-alb", "(MissingParameter)"),
        ("aws elbv2 modify-target-group --health-check-port 8080", "aws: error: the following arguments are required: --target-group-arn"),
        (
            "aws ecs update-service --cluster lab --service web --desired-count",
            "aws: error: argument --desired-count: expected one argument",
        ),
        (
            "aws ecs update-service --cluster lab --service web --desired-count two",
            "invalid literal for int() with base 10: 'two'",
        ),
        ("aws ecs update-service --cluster lab --service web --colour blue", "aws: error: Unknown options: --colour, blue"),
        (
            "aws ecs update-service --cluster prod --service web --desired-count 3",
            "An error occurred (ClusterNotFoundException) when calling the UpdateService operation",
        ),
        (
            "aws elbv2 modify-target-group --target-group-arn web-tg --health-check-port 8080",
            "An error occurred (ValidationError) when calling the ModifyTargetGroup operation: 'web-tg' is not a valid target group ARN",
        ),
        (
            "aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb",
            "An error occurred (InvalidPermission.Duplicate) when calling the AuthorizeSecurityGroupIngress operation",
        ),
        (
            "aws ec2 authorize-security-group-ingress --group-id sg-nope --protocol tcp --port 80 --cidr 0.0.0.0/0",
            "when calling the AuthorizeSecurityGroupIngress operation",
        ),
        ("aws ecs update-service --cluster lab --service web --desired-count 99", "when calling the UpdateService operation"),
        ("aws ec2 authorize-security-group-ingress --group-id sg-task --protocol udp --port 53 --cidr 0.0.0.0/0", "not modelled here"),
        ("aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000", "(MissingParameter) when calling the AuthorizeSecurityGroupIngress operation"),
        ("aws ec2 authorize-security-group-ingress --group-id sg-task --port 8000 --cidr 10.0.0.0/16", "The request must contain the parameter ipProtocol"),
        ("aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 80-x --cidr 10.0.0.0/16", "port parameter should be of the form <from[-to]> (e.g. 22 or 22-25)"),
        ("aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tpc --port 80 --cidr 10.0.0.0/16", "protocol parameter should be one of: tcp|udp|icmp|all"),
        ("aws ec2 authorize-security-group-ingress --group-id sg-task --port 1 --ip-permissions IpProtocol=tcp,FromPort=1,ToPort=1,IpRanges=[{CidrIp=1.2.3.4/32}]", "The --port option is not compatible with the --ip-permissions option"),
        ("aws ec2 describe-security-groups --query SecurityGroups[0]", "--query: not modelled here"),
        ("aws ec2 describe-security-groups --output text", "--output text: not modelled here"),
        ("aws ec2 run-instances --image-id ami-1", "aws ec2 run-instances: not modelled here"),
        ("aws s3 ls", "aws s3: not modelled here"),
        ("aws elbv2 create-rule --listener-arn x", "aws elbv2 create-rule: not modelled here"),
        ("rm -rf /", "rm: not modelled here"),
        ("aws ec2 describe-security-groups; rm -rf /", "not shell"),
        ("aws ec2 authorize-security-group-ingress --group-id 'sg-task", "closing ' is missing"),
    ];
    for (line, expected) in cases {
        let answer = type_line(&mut s, line).expect_err(line);
        assert!(answer.contains(expected), "{line}\n  got: {answer}\n  expected: {expected}");
        assert_eq!(s.scenario(), &before, "{line} changed the setup");
    }
    assert_eq!(s.changes().0.count(), 0, "a refused line is not a change");
    let long = format!("aws ec2 describe-security-groups --group-ids {}", "sg-a ".repeat(5000));
    assert!(type_line(&mut s, &long).unwrap_err().contains("longer than"));
}

#[test]
fn fixing_the_task_group_by_typing_gets_requests_through() {
    let mut s = sim("task-sg-blocks-alb.json");
    common::run(&mut s, 120);
    let before = common::window(&s, 30);
    assert!(before.request_count > 0 && before.target_2xx == 0, "the start is broken: {before:?}");
    type_line(&mut s, "aws ec2 authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb")
        .expect("the fix is accepted");
    common::run(&mut s, 180);
    let after = common::window(&s, 30);
    assert!(after.request_count > 0 && after.target_2xx == after.request_count, "only 2xx after the fix: {after:?}");
    let arn = alb_lab::sim::scenario::target_group_arn(&s.scenario().target_groups[0]);
    let health = type_line(&mut s, &format!("aws elbv2 describe-target-health --target-group-arn {arn}")).unwrap();
    let v: Value = serde_json::from_str(&health).unwrap();
    let states: Vec<&str> =
        v["TargetHealthDescriptions"].as_array().unwrap().iter().map(|d| d["TargetHealth"]["State"].as_str().unwrap()).collect();
    // The tasks ECS replaced while the group blocked the checks are still draining.
    assert!(states.contains(&"healthy") && states.iter().all(|s| *s == "healthy" || *s == "draining"), "{health}");
}

/// The shapes of `tests/data/aws-cli-output-shapes.txt`: each path (`TargetGroups.Matcher.HttpCode`)
/// and its type, for one operation.
fn shape(operation: &str) -> BTreeMap<String, String> {
    let text = include_str!("data/aws-cli-output-shapes.txt");
    let mut out = BTreeMap::new();
    let mut inside = false;
    let mut stack: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("== ") {
            inside = head.split_whitespace().nth(1) == Some(operation);
            stack.clear();
            continue;
        }
        if !inside || line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let depth = (line.len() - line.trim_start().len()) / 2;
        let (name, ty) = line.trim().split_once(": ").expect("name: type");
        stack.truncate(depth);
        stack.push(name.to_string());
        out.insert(stack.join("."), ty.to_string());
    }
    assert!(!out.is_empty(), "no shape for {operation}");
    out
}

/// Every key the lab prints is a member of the real shape, with the real type; a member whose
/// children the reference cuts short is not looked into.
fn conforms(value: &Value, path: &str, shape: &BTreeMap<String, String>, problems: &mut Vec<String>) {
    let Value::Object(map) = value else { return };
    for (key, v) in map {
        let p = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        let Some(ty) = shape.get(&p) else {
            problems.push(format!("{p} is not in the AWS shape"));
            continue;
        };
        let ok = match (ty.as_str(), v) {
            (t, Value::String(s)) if t.starts_with("string enum{") => t["string enum{".len()..t.len() - 1].split(',').any(|e| e == s),
            ("string" | "timestamp", Value::String(_)) => true,
            ("integer" | "long", Value::Number(_)) => true,
            ("boolean", Value::Bool(_)) => true,
            (t, Value::Array(_)) if t.starts_with('[') => true,
            (t, Value::Object(_)) if t.starts_with('{') => true,
            _ => false,
        };
        if !ok {
            problems.push(format!("{p} is {v} but AWS has {ty}"));
        }
        let prefix = format!("{p}.");
        if !shape.keys().any(|k| k.starts_with(&prefix)) {
            continue;
        }
        match v {
            Value::Array(items) => items.iter().for_each(|i| conforms(i, &p, shape, problems)),
            Value::Object(_) => conforms(v, &p, shape, problems),
            _ => {}
        }
    }
}

#[test]
fn each_describe_command_prints_the_aws_clis_own_shape() {
    for file in ["default.json", "bridge-dynamic-ports.json", "task-sg-blocks-alb.json", "deploy-503-window.json"] {
        let mut s = sim(file);
        common::run(&mut s, 90);
        let tg = s.scenario().target_groups[0].name.clone();
        let svc = s.scenario().service.clone().expect("a service");
        let cases = [
            ("DescribeTargetGroups", Describe::TargetGroups { names: vec![], of_load_balancer: false }, "TargetGroups"),
            ("DescribeTargetHealth", Describe::TargetHealth(tg), "TargetHealthDescriptions"),
            ("DescribeServices", Describe::Services { cluster: svc.cluster.clone(), services: vec![svc.name.clone()] }, "services"),
            ("DescribeSecurityGroups", Describe::SecurityGroups(vec![]), "SecurityGroups"),
        ];
        for (operation, what, top) in cases {
            let text = cli::describe(&s, &what).unwrap_or_else(|e| panic!("{file} {operation}: {e}"));
            assert!(text.starts_with("{\n    \""), "printed with the AWS CLI's four-space indent:\n{text}");
            let v: Value = serde_json::from_str(&text).unwrap();
            let items = v[top].as_array().unwrap_or_else(|| panic!("{file} {operation}: no {top} list:\n{text}"));
            assert!(!items.is_empty(), "{file} {operation}: {top} is empty");
            let mut problems = Vec::new();
            conforms(&v, "", &shape(operation), &mut problems);
            assert!(problems.is_empty(), "{file} {operation}:\n{}\n{text}", problems.join("\n"));
        }
    }
}

#[test]
fn describe_says_what_aws_says_about_what_is_running() {
    let mut s = sim("task-sg-blocks-alb.json");
    common::run(&mut s, 120);
    let tg = s.scenario().target_groups[0].name.clone();
    let health: Value = serde_json::from_str(&cli::describe(&s, &Describe::TargetHealth(tg)).unwrap()).unwrap();
    let targets = health["TargetHealthDescriptions"].as_array().unwrap();
    let ips: Vec<String> = s.targets().map(|t| t.endpoint.ip.to_string()).collect();
    assert_eq!(targets.len(), ips.len());
    for (d, t) in targets.iter().zip(s.targets()) {
        assert_eq!(d["Target"]["Id"], t.endpoint.ip.to_string());
        assert_eq!(d["TargetHealth"]["State"], t.state.key());
        assert_eq!(d["TargetHealth"]["Reason"].as_str(), t.reason.as_ref().map(|r| r.code()));
    }
    assert!(targets.iter().any(|d| d["TargetHealth"]["Reason"] == "Target.Timeout"), "the blocked group times the checks out: {health}");
    let groups: Value = serde_json::from_str(&cli::describe(&s, &Describe::SecurityGroups(vec!["sg-task".into()])).unwrap()).unwrap();
    assert_eq!(groups["SecurityGroups"].as_array().unwrap().len(), 1);
    assert_eq!(groups["SecurityGroups"][0]["GroupId"], "sg-task");
    let services: Value = serde_json::from_str(
        &cli::describe(&s, &Describe::Services { cluster: "lab".into(), services: vec!["web".into(), "api".into()] }).unwrap(),
    )
    .unwrap();
    assert_eq!(services["services"][0]["desiredCount"], s.scenario().service.as_ref().unwrap().desired_count);
    assert_eq!(services["failures"][0]["reason"], "MISSING");
    let newest_ecs_event = s.events().iter().rev().find(|e| e.source == alb_lab::sim::EventSource::EcsService).unwrap();
    assert_eq!(services["services"][0]["events"][0]["message"], newest_ecs_event.message.as_str(), "newest event first, as ECS lists them");
    let err = cli::describe(&s, &Describe::SecurityGroups(vec!["sg-nope".into()])).unwrap_err();
    assert!(err.0.contains("(InvalidGroup.NotFound)"), "{err}");
}

#[test]
fn tab_offers_operations_flags_not_yet_given_and_the_labs_own_ids() {
    let s = sim("default.json");
    let sc = s.scenario();
    assert_eq!(cli::complete("aws el", sc), vec!["elbv2"]);
    assert!(cli::complete("aws ec2 authorize-", sc).contains(&"authorize-security-group-ingress".to_string()));
    let flags = cli::complete("aws ec2 authorize-security-group-ingress --group-id sg-task --", sc);
    assert!(flags.contains(&"--port".to_string()) && !flags.contains(&"--group-id".to_string()), "{flags:?}");
    assert_eq!(cli::complete("aws ec2 authorize-security-group-ingress --group-id sg-t", sc), vec!["sg-task"]);
    let arns = cli::complete("aws elbv2 describe-target-health --target-group-arn ", sc);
    assert_eq!(arns, vec![alb_lab::sim::scenario::target_group_arn(&sc.target_groups[0])]);
    assert_eq!(cli::complete("aws ecs update-service --cluster ", sc), vec!["lab"]);
}

#[test]
fn every_exercise_is_solved_by_typing_its_solution_at_the_console() {
    for (file, text) in EXERCISES {
        let (exercise, scenario) = Exercise::from_json(text, scenario_text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let typed = |command: &Command, sim: &Sim| -> Result<Command, String> {
            if !command.is_aws_change() {
                return Ok(command.clone());
            }
            let line = cli::to_cli(command, sim.scenario()).ok_or_else(|| format!("{command:?} has no AWS CLI command"))?;
            match cli::parse(&line, sim.scenario()) {
                // The console refuses a change to a setting the exercise keeps locked.
                Ok(Parsed::Change { command, .. }) => match knob_group(&command, sim.scenario()) {
                    Some(group) if !exercise.unlocked.iter().any(|u| u == group) => Err(format!("{line}: {group} is locked")),
                    _ => Ok(command),
                },
                other => Err(format!("{line}: {other:?}")),
            }
        };
        let report = check_solution_with(&exercise, &scenario, 120, typed).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(report.failed_steps.is_empty(), "{file}: {:?}", report.failed_steps);
        assert!(report.solved_after_ms.is_some(), "{file}: typed, the solution does not reach the goal: {:?}", report.unmet);
    }
}

#[test]
fn export_lists_each_change_as_a_command_with_what_it_changed() {
    let mut s = sim("task-sg-blocks-alb.json");
    s.run_for(30_000);
    s.apply(Command::SetRequestRate { requests_per_second: 5.0 }).unwrap();
    s.apply(Command::AuthorizeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() })
        .unwrap();
    s.run_for(10_000);
    let mut hc: HealthCheck = s.scenario().target_groups[0].health_check.clone();
    hc.interval_seconds = 10;
    s.apply(Command::ModifyTargetGroup { target_group: "web-tg".into(), health_check: hc }).unwrap();
    let (changes, dropped) = s.changes();
    let list: Vec<cli::ExportedChange> =
        changes.map(|c| cli::ExportedChange { at_ms: c.at_ms, summary: &c.summary, command: &c.command, before: &c.before }).collect();
    assert_eq!(list.len(), 2, "the client's load is the lab's own control, not a fix");
    let script = cli::export_script("fix", &list, dropped);
    assert!(script.starts_with("#!/usr/bin/env bash\n"));
    let commands: Vec<&str> = script.lines().filter(|l| l.starts_with("aws ")).collect();
    assert_eq!(commands.len(), 2, "{script}");
    assert!(commands[0].starts_with("aws ec2 authorize-security-group-ingress --group-id sg-task"), "{script}");
    assert!(commands[1].contains("--health-check-interval-seconds 10"), "{script}");
    assert!(script.contains("# 00:00:30 AuthorizeSecurityGroupIngress: sg-task TCP 8000 from sg-alb"), "{script}");
    let tf = cli::export_terraform(&list).expect("a security group rule maps to Terraform");
    assert!(
        tf.contains("resource \"aws_vpc_security_group_ingress_rule\"") && tf.contains("referenced_security_group_id = \"sg-alb\""),
        "{tf}"
    );
    assert!(tf.contains("interval            = 10"), "{tf}");
}

#[test]
fn the_change_history_stays_bounded_in_a_long_session() {
    let mut s = sim("default.json");
    for i in 0..(alb_lab::sim::MAX_CHANGES as u32 + 50) {
        s.apply(Command::update_service(None, Some(i % 100), None)).unwrap();
    }
    let (changes, dropped) = s.changes();
    assert_eq!(changes.count(), alb_lab::sim::MAX_CHANGES);
    assert_eq!(dropped, 50);
    let newest = s.events().iter().last().unwrap();
    assert!(s.change_of_event(newest.seq).is_some(), "the newest event log entry finds its command");
}

#[test]
fn an_author_writes_a_solution_step_as_an_aws_command_and_a_wrong_one_names_the_step() {
    let (_, text) = EXERCISES.iter().find(|(f, _)| *f == "task-sg-blocks-alb.json").unwrap();
    assert!(text.contains(r#""cli": "aws ec2 authorize-security-group-ingress"#), "the shipped example is written as a command");
    let (exercise, _) = Exercise::from_json(text, scenario_text).unwrap();
    assert_eq!(
        exercise.solution[0].command,
        Command::AuthorizeSecurityGroupIngress { group_id: "sg-task".into(), from_port: 8000, to_port: 8000, source: "sg-alb".into() }
    );
    let wrong = text.replace("--protocol tcp ", "");
    let err = Exercise::from_json(&wrong, scenario_text).unwrap_err().to_string();
    assert!(err.contains("solution[0].cli: An error occurred (MissingParameter)") && err.contains("ipProtocol"), "{err}");
    let describe = text.replace(
        "authorize-security-group-ingress --group-id sg-task --protocol tcp --port 8000 --source-group sg-alb",
        "describe-security-groups",
    );
    let err = Exercise::from_json(&describe, scenario_text).unwrap_err().to_string();
    assert!(err.contains("solution[0].cli") && err.contains("a step must be a change"), "{err}");
    let both = text.replace(r#""cli":"#, r#""command": {"command": "send_request"}, "cli":"#);
    let err = Exercise::from_json(&both, scenario_text).unwrap_err().to_string();
    assert!(err.contains("solution[0]: give \"command\" or \"cli\", not both"), "{err}");
}

#[test]
fn a_hint_that_names_an_aws_command_names_one_the_console_takes() {
    let (_, text) = EXERCISES.iter().find(|(f, _)| *f == "task-sg-blocks-alb.json").unwrap();
    assert!(Exercise::from_json(text, scenario_text).is_ok());
    let wrong = text.replace(
        "In the AWS CLI console: aws ec2 authorize-security-group-ingress --group-id",
        "In the AWS CLI console: aws ec2 authorize-security-group-ingress --group",
    );
    let err = Exercise::from_json(&wrong, scenario_text).unwrap_err().to_string();
    assert!(err.contains("hints[2]: the console would refuse") && err.contains("Unknown options: --group"), "{err}");
}
