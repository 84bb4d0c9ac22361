//! Importing a real setup: the fixtures in tests/fixtures/import (one ALB → ECS setup, healthy
//! and broken ten ways, as AWS CLI output, `terraform show -json` and CloudFormation) import,
//! and the diagnosis names the broken hop and the fix, with the setup's own ids.

use alb_lab::import::report::{report, Report};
use alb_lab::import::{self, redact, Imported, NoteKind, Source};
use alb_lab::sim::Sim;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

fn source(rel: &str) -> Source {
    let path = fixtures().join(rel);
    Source::new(rel, std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn import_all(rels: &[&str]) -> Imported {
    let sources: Vec<Source> = rels.iter().map(|r| source(r)).collect();
    let imported = import::import(&sources);
    for d in &imported.documents {
        assert!(d.refused.is_none(), "{} refused: {:?}", d.name, d.refused);
    }
    assert!(imported.scenario.is_ok(), "{rels:?}: {:?}", imported.scenario.as_ref().err());
    imported
}

fn diagnose(rels: &[&str]) -> (Imported, Report) {
    let imported = import_all(rels);
    let r = report(&imported).expect("a scenario");
    (imported, r)
}

/// Each broken case: the finding that must name its broken hop, and a piece of the `aws`
/// command that fixes it, with the fixtures' real ids.
const CASES: [(&str, &str, &str); 10] = [
    ("task-sg-blocks-alb", "task-security-group", "authorize-security-group-ingress --group-id sg-07d4e1b6a2c9f8035 --protocol tcp --port 8080 --source-group sg-0c3f5e2a9b8d71460"),
    ("alb-sg-blocks-client", "alb-security-group", "authorize-security-group-ingress --group-id sg-0c3f5e2a9b8d71460 --protocol tcp --port 80 --cidr 0.0.0.0/0"),
    ("alb-egress-missing", "task-security-group", "authorize-security-group-egress --group-id sg-0c3f5e2a9b8d71460"),
    ("health-check-port-blocked", "health-check-port", "targetgroup/shop-tg/4f2b9c1e7a3d5086 --health-check-port traffic-port"),
    ("wrong-health-path", "health-endpoint", ""),
    ("container-port-mismatch", "service-accepted", ""),
    ("service-not-attached", "service-attached", "update-service --cluster shop --service shop-web --load-balancers targetGroupArn=arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-tg/4f2b9c1e7a3d5086"),
    ("listener-forwards-elsewhere", "listener-skips-service-target-group", "modify-listener --listener-arn arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop-alb/"),
    ("instance-target-type", "service-accepted", "create-target-group --name shop-tg --protocol HTTP --port 8080 --target-type ip --vpc-id vpc-0a1b2c3d4e5f60718"),
    ("dynamic-ports-fixed-health-check", "health-check-port", "targetgroup/shop-tg/4f2b9c1e7a3d5086 --health-check-port traffic-port"),
];

fn assert_names(case: &str, r: &Report, id: &str, cli: &str) {
    assert!(!r.gets_through, "{case}: a request should not get through: {r:#?}");
    let f = r
        .findings
        .iter()
        .find(|f| f.id == id && f.severity == "broken")
        .unwrap_or_else(|| panic!("{case}: no broken {id} finding in {:#?}", r.findings));
    assert!(!f.fix.is_empty() && !f.cause.is_empty(), "{case}: {f:?}");
    if !cli.is_empty() {
        assert!(
            r.findings.iter().any(|f| f.aws_cli.as_deref().is_some_and(|c| c.contains(cli))),
            "{case}: no fix command containing {cli:?} in {:#?}",
            r.findings
        );
    }
}

#[test]
fn the_healthy_setup_gets_through_in_every_form() {
    for rels in
        [vec!["aws/healthy.json"], vec!["terraform/healthy.json"], vec!["terraform/plan-healthy.json"], vec!["cloudformation/healthy.json"]]
    {
        let (imported, r) = diagnose(&rels);
        assert!(r.gets_through, "{rels:?}: {:#?}", r.findings);
        assert!(r.client_sees.contains("100% 2xx"), "{rels:?}: {}", r.client_sees);
        let s = imported.scenario().expect("built");
        assert_eq!(s.load_balancer.name, "shop-alb", "{rels:?}");
        assert_eq!(s.service.as_ref().map(|x| x.name.as_str()), Some("shop-web"), "{rels:?}");
        assert_eq!(s.target_groups[0].health_check.path, "/health", "{rels:?}");
    }
}

#[test]
fn every_aws_cli_fixture_imports_and_the_diagnosis_names_the_broken_hop_and_its_fix() {
    for (case, id, cli) in CASES {
        let (_, r) = diagnose(&[&format!("aws/{case}.json")]);
        assert_names(case, &r, id, cli);
    }
}

#[test]
fn every_terraform_fixture_imports_and_the_diagnosis_names_the_broken_hop_and_its_fix() {
    for (case, id, cli) in CASES {
        let file = format!("terraform/{case}.json");
        // A state holds no target health, and the app's answer on /healthz is in no Terraform
        // attribute: the health dump pasted beside the state is what shows it.
        let (_, r) = if case == "wrong-health-path" {
            let aws = import::import(&[source("aws/wrong-health-path.json")]);
            let health = serde_json::to_string(&collector_entries(&aws_json(case), "describe-target-health")).expect("json");
            let imported = import::import(&[source(&file), Source::new("target health", health)]);
            let r = report(&imported).expect("built");
            assert!(aws.scenario.is_ok());
            (imported, r)
        } else {
            diagnose(&[&file])
        };
        assert_names(case, &r, id, cli);
    }
}

#[test]
fn a_terraform_state_alone_cannot_see_the_apps_answer_and_the_import_says_what_it_assumed() {
    let (imported, r) = diagnose(&["terraform/wrong-health-path.json"]);
    assert!(r.gets_through, "nothing in the state shows the 404: {:#?}", r.findings);
    assert!(
        imported.notes.iter().any(|n| n.kind == NoteKind::Assumed && n.text.contains("answer 200 on /healthz")),
        "{:#?}",
        imported.notes
    );
}

#[test]
fn cloudformation_templates_resolve_ref_and_getatt_and_diagnose_like_the_others() {
    let (imported, r) = diagnose(&["cloudformation/dynamic-ports-fixed-health-check.json"]);
    assert_names("cloudformation dynamic ports", &r, "health-check-port", "--health-check-port traffic-port");
    assert!(r.findings.iter().any(|f| f.linter == Some("cfn-lint E3049")), "{:#?}", r.findings);
    let s = imported.scenario().expect("built");
    let lb = s.service.as_ref().and_then(|x| x.load_balancer.as_ref()).expect("attached");
    assert_eq!(lb.target_group, s.target_groups[0].name, "the service's TargetGroupArn Ref resolves to the template's group");
}

fn aws_json(case: &str) -> serde_json::Value {
    serde_json::from_str(&source(&format!("aws/{case}.json")).text).expect("json")
}

fn collector_entries(v: &serde_json::Value, command: &str) -> Vec<serde_json::Value> {
    v.as_array().expect("collector file").iter().filter(|e| e["command"].as_str().is_some_and(|c| c.contains(command))).cloned().collect()
}

#[test]
fn separate_files_in_any_order_import_the_same_setup_as_the_collector_file() {
    let dir = fixtures().join("aws/healthy-separate");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    let rels: Vec<String> = names.iter().map(|n| format!("aws/healthy-separate/{n}")).collect();
    let forward: Vec<&str> = rels.iter().map(String::as_str).collect();
    let backward: Vec<&str> = forward.iter().rev().copied().collect();
    let a = import_all(&forward);
    let b = import_all(&backward);
    let c = import_all(&["aws/healthy.json"]);
    assert_eq!(a.scenario(), b.scenario(), "the order of the documents does not matter");
    assert_eq!(a.scenario(), c.scenario(), "separate outputs and one collector file give the same setup");
}

#[test]
fn flat_security_group_rules_give_the_same_groups_as_describe_security_groups() {
    let dir = "aws/healthy-separate";
    let mut with_rules: Vec<String> = std::fs::read_dir(fixtures().join(dir))
        .expect("dir")
        .map(|e| format!("{dir}/{}", e.expect("entry").file_name().to_string_lossy()))
        .filter(|n| !n.ends_with("describe-security-groups.json"))
        .collect();
    with_rules.push("aws/healthy-sg-rules.json".into());
    let flat = import_all(&with_rules.iter().map(String::as_str).collect::<Vec<_>>());
    let full = import_all(&["aws/healthy.json"]);
    let rules = |i: &Imported| {
        i.scenario()
            .expect("built")
            .security_groups
            .iter()
            .map(|g| {
                (g.id.clone(), g.ingress.iter().chain(&g.egress).map(|r| (r.from_port, r.to_port, r.source.clone())).collect::<Vec<_>>())
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(rules(&flat), rules(&full));
    assert!(report(&flat).expect("built").gets_through);
}

#[test]
fn the_imported_setup_keeps_the_real_task_addresses_zones_and_ids() {
    let imported = import_all(&["aws/healthy.json"]);
    let mut sim = Sim::new(imported.scenario.clone().expect("built"), None);
    sim.run_for(60_000);
    let mut ips: Vec<String> = sim.tasks().map(|t| format!("{} {}", t.private_ip, t.availability_zone)).collect();
    ips.sort();
    assert_eq!(ips, ["10.0.11.23 us-east-1a", "10.0.12.45 us-east-1b"]);
    let s = sim.scenario();
    assert_eq!(s.load_balancer.security_groups, ["sg-0c3f5e2a9b8d71460"]);
    assert_eq!(s.vpc.cidr, "10.0.0.0/16");
}

#[test]
fn observed_target_states_are_set_beside_the_simulated_ones() {
    let (_, r) = diagnose(&["aws/task-sg-blocks-alb.json"]);
    assert_eq!(r.comparisons.len(), 2);
    assert!(
        r.comparisons.iter().all(|c| c.verdict == "agree" && c.observed == "unhealthy (Target.Timeout)" && c.simulated == c.observed),
        "{:#?}",
        r.comparisons
    );
    // AWS saw a timeout where the pasted groups admit the check: the page points past them.
    let mut doc = aws_json("healthy");
    for e in doc.as_array_mut().expect("list") {
        if e["command"].as_str().is_some_and(|c| c.contains("describe-target-health")) {
            for d in e["output"]["TargetHealthDescriptions"].as_array_mut().expect("list") {
                d["TargetHealth"] =
                    serde_json::json!({ "State": "unhealthy", "Reason": "Target.Timeout", "Description": "Request timed out" });
            }
        }
    }
    let imported = import::import(&[Source::new("edited", doc.to_string())]);
    let r = report(&imported).expect("built");
    let c = &r.comparisons[0];
    assert!(c.verdict == "disagree" && c.note.contains("network ACL"), "{c:#?}");
    assert!(r.findings.iter().any(|f| f.id == "observed-disagrees" && f.cause.contains("Target.Timeout")), "{:#?}", r.findings);
}

#[test]
fn missing_documents_are_listed_as_assumptions_with_the_command_that_fills_each() {
    let doc = aws_json("healthy");
    let some: Vec<serde_json::Value> = doc
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| {
            let c = e["command"].as_str().unwrap_or("");
            c.contains("describe-services") || c.contains("describe-task-definition") || c.contains("describe-target-groups")
        })
        .cloned()
        .collect();
    let imported = import::import(&[Source::new("partial", serde_json::Value::Array(some).to_string())]);
    assert!(imported.scenario.is_ok(), "{:?}", imported.scenario.as_ref().err());
    let fills: Vec<&str> = imported.notes.iter().filter(|n| n.kind == NoteKind::Assumed).filter_map(|n| n.fill.as_deref()).collect();
    for wanted in [
        "aws ec2 describe-security-groups --group-ids sg-07d4e1b6a2c9f8035",
        "aws elbv2 describe-listeners",
        "describe-load-balancers",
        "aws ec2 describe-subnets",
    ] {
        assert!(fills.iter().any(|f| f.contains(wanted)), "no note filled by {wanted:?}: {:#?}", imported.notes);
    }
    assert!(
        imported.notes.iter().any(|n| n.text.contains("assuming it admits the load balancer's groups on the traffic port 8080")),
        "{:#?}",
        imported.notes
    );
    // Assumptions never invent a broken hop.
    assert!(report(&imported).expect("built").gets_through);
}

/// The healthy collector file without some commands' entries, with edits to the rest.
fn healthy_without(commands: &[&str], edit: impl Fn(&mut serde_json::Value)) -> Imported {
    let mut doc = aws_json("healthy");
    let entries = doc.as_array_mut().expect("list");
    entries.retain(|e| !commands.iter().any(|c| e["command"].as_str().unwrap_or("").contains(c)));
    entries.iter_mut().for_each(&edit);
    import::import(&[Source::new("partial", doc.to_string())])
}

#[test]
fn an_assumed_task_group_admits_a_health_check_port_of_its_own_so_it_is_never_the_broken_hop() {
    let imported = healthy_without(&["describe-security-groups"], |e| {
        if let Some(groups) = e["output"].get_mut("TargetGroups").and_then(|g| g.as_array_mut()) {
            groups.iter_mut().for_each(|g| g["HealthCheckPort"] = "8081".into());
        }
    });
    assert!(
        imported.notes.iter().any(|n| n.text.contains("on the traffic port 8080 and the health-check port 8081")),
        "{:#?}",
        imported.notes
    );
    let r = report(&imported).unwrap_or_else(|| panic!("{:?}", imported.scenario.as_ref().err()));
    assert!(r.findings.iter().all(|f| !(f.severity == "broken" && f.id == "task-security-group")), "{:#?}", r.findings);
}

#[test]
fn a_listener_port_from_a_parameter_without_a_default_is_assumed_and_the_template_still_runs() {
    let mut template = serde_json::from_str::<serde_json::Value>(&source("cloudformation/healthy.json").text).expect("template");
    template["Parameters"]["ListenerPort"] = serde_json::json!({"Type": "Number"});
    template["Resources"]["HttpListener"]["Properties"]["Port"] = serde_json::json!({"Ref": "ListenerPort"});
    let imported = import::import(&[Source::new("template.json", template.to_string())]);
    assert!(imported.scenario.is_ok(), "{:?}", imported.scenario.as_ref().err());
    assert!(imported.notes.iter().any(|n| n.text.contains("assuming 80")), "{:#?}", imported.notes);
    assert!(report(&imported).expect("built").gets_through);
}

#[test]
fn undescribed_load_balancer_subnets_each_get_a_zone_of_their_own() {
    let mut template = serde_json::from_str::<serde_json::Value>(&source("cloudformation/healthy.json").text).expect("template");
    template["Parameters"]["PublicSubnetIds"]["Default"] = "subnet-0a,subnet-0b,subnet-0c,subnet-0d".into();
    let imported = import::import(&[Source::new("template.json", template.to_string())]);
    let s = imported.scenario().unwrap_or_else(|| panic!("{:?}", imported.scenario.as_ref().err()));
    let mut zones: Vec<&str> =
        s.load_balancer.subnets.iter().filter_map(|id| s.find_subnet(id)).map(|x| x.availability_zone.as_str()).collect();
    assert_eq!(zones.len(), 4, "{:?}", s.load_balancer.subnets);
    zones.sort_unstable();
    zones.dedup();
    assert_eq!(zones.len(), 4, "one subnet per zone: {zones:?}");
}

#[test]
fn an_observed_code_the_labs_app_cannot_give_is_answered_by_the_nearest_and_the_note_says_so() {
    let mut doc = aws_json("wrong-health-path");
    let text = doc.to_string().replace("[404]", "[410]");
    doc = serde_json::from_str(&text).expect("json");
    let imported = import::import(&[Source::new("collected.json", doc.to_string())]);
    assert!(imported.notes.iter().any(|n| n.text.contains("AWS observed 410, and 404 is the nearest code")), "{:#?}", imported.notes);
    let (_, exact) = diagnose(&["aws/wrong-health-path.json"]);
    let r = report(&imported).expect("built");
    assert_eq!(r.gets_through, exact.gets_through, "the nearest code fails the check as the real one did");
    // A 204 that failed a `200` matcher must not become a 200 that passes it.
    let text = aws_json("wrong-health-path").to_string().replace("[404]", "[204]");
    let imported = import::import(&[Source::new("collected.json", text)]);
    assert!(imported.notes.iter().any(|n| n.text.contains("AWS observed 204")), "{:#?}", imported.notes);
    assert!(!report(&imported).expect("built").gets_through, "the check still fails, as AWS saw it fail");
}

#[test]
fn what_the_lab_cannot_model_is_listed_and_the_rest_still_runs() {
    let mut doc = aws_json("healthy");
    for e in doc.as_array_mut().expect("list") {
        let c = e["command"].as_str().unwrap_or("").to_string();
        if c.contains("describe-listeners") {
            let l = &mut e["output"]["Listeners"][0];
            l["Port"] = 443.into();
            l["Protocol"] = "HTTPS".into();
        }
        if c.contains("describe-rules") {
            let rules = e["output"]["Rules"].as_array_mut().expect("rules");
            rules.insert(
                0,
                serde_json::json!({ "Priority": "10", "IsDefault": false,
                "Conditions": [{ "Field": "host-header", "Values": ["api.example.com"] }],
                "Actions": [{ "Type": "fixed-response", "FixedResponseConfig": { "StatusCode": "404" } }] }),
            );
        }
        if c.contains("describe-security-groups") {
            let g = &mut e["output"]["SecurityGroups"][0]["IpPermissions"][0];
            g["FromPort"] = 443.into();
            g["ToPort"] = 443.into();
        }
    }
    let imported = import::import(&[Source::new("https", doc.to_string())]);
    let s = imported.scenario().expect("built");
    assert_eq!(s.load_balancer.listeners[0].port, 443, "the HTTPS listener is drawn as HTTP on its port");
    assert_eq!(s.client.port, 443);
    let texts: Vec<&str> = imported.notes.iter().filter(|n| n.kind == NoteKind::NotModelled).map(|n| n.text.as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("port 443 is HTTPS")), "{texts:#?}");
    assert!(texts.iter().any(|t| t.contains("Rule 10") && t.contains("host-header")), "{texts:#?}");
    assert!(report(&imported).expect("built").gets_through);
}

#[test]
fn fix_commands_carry_the_setups_real_arns() {
    let (_, r) = diagnose(&["aws/service-not-attached.json"]);
    let cli: Vec<&str> = r.findings.iter().filter_map(|f| f.aws_cli.as_deref()).collect();
    assert!(
        cli.iter().any(|c| c.contains("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-tg/4f2b9c1e7a3d5086")),
        "{cli:#?}"
    );
    assert!(cli.iter().all(|c| !c.contains("targetgroup/shop-tg/") || c.contains("4f2b9c1e7a3d5086")), "{cli:#?}");
}

// ---- bad input ----

fn refused(text: &str) -> String {
    let imported = import::import(&[Source::new("pasted text 1", text)]);
    imported.documents[0].refused.clone().unwrap_or_else(|| panic!("{text:.60} was taken: {:?}", imported.documents))
}

#[test]
fn table_text_yaml_and_query_output_are_refused_with_what_to_run_instead() {
    assert!(refused("-------------------------\n|  DescribeLoadBalancers |\n+-----------+\n").contains("--output table"));
    assert!(refused("LOADBALANCERS\tarn:aws:elasticloadbalancing\tshop-alb\n").contains("--output text"));
    assert!(refused("LoadBalancers:\n- LoadBalancerName: shop-alb\n").contains("YAML"));
    assert!(refused(r#"["sg-0c3f5e2a9b8d71460", "sg-07d4e1b6a2c9f8035"]"#).contains("--query"));
    assert!(refused(r#"{"Reservations2": 1}"#).contains("not the output of a command ALB Lab reads"));
    assert!(refused(r#"{"RouteTables": []}"#).contains("describe-route-tables"));
    assert!(refused("").contains("empty"));
    // A YAML template, however it opens, and whatever `|` block scalars it holds.
    for yaml in [
        "---\nAWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Task:\n    Properties:\n      UserData: |\n        echo hi\n",
        "# the shop's stack\nResources:\n  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n",
        "---\nResources: {}\n",
    ] {
        let why = refused(yaml);
        assert!(why.contains("YAML") && why.contains("cfn-flip"), "{yaml:?}: {why}");
    }
    // Nested deeper than serde_json's 128 levels.
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    assert!(refused(&deep).contains("recursion limit"), "{}", refused(&deep));
}

#[test]
fn a_describe_rules_page_cut_at_next_marker_is_taken_with_a_warning() {
    let imported = import::import(&[Source::new("page 1", r#"{"Rules": [], "NextMarker": "bWFya2Vy"}"#)]);
    let d = &imported.documents[0];
    assert!(d.refused.is_none(), "{d:?}");
    assert!(d.warnings.iter().any(|w| w.contains("NextMarker")), "{d:?}");
}

#[test]
fn a_collector_file_with_unreadable_entries_keeps_the_rest_and_says_which_were_skipped() {
    let mut doc = aws_json("healthy");
    let entries = doc.as_array_mut().expect("list");
    entries.insert(1, serde_json::json!("not an entry"));
    entries.push(serde_json::json!({"command": "aws ec2 describe-route-tables", "output": {"RouteTables": []}}));
    let imported = import::import(&[Source::new("collected.json", doc.to_string())]);
    let d = &imported.documents[0];
    assert!(d.refused.is_none(), "{d:?}");
    assert!(d.warnings.iter().any(|w| w.contains("entry 2 skipped") && w.contains("\"command\", \"output\"")), "{:?}", d.warnings);
    assert!(d.warnings.iter().any(|w| w.contains("aws ec2 describe-route-tables") && w.contains("skipped")), "{:?}", d.warnings);
    assert!(report(&imported).expect("built").gets_through, "the readable entries still make the healthy setup");
}

#[test]
fn a_file_of_a_million_bad_entries_gives_a_few_warnings_not_a_million() {
    let mut entries = vec![r#"{"command":"aws ec2 describe-vpcs","output":{"Vpcs":[]}}"#.to_string()];
    entries.extend(std::iter::repeat_n("0".to_string(), 300_000));
    entries.extend(std::iter::repeat_n(r#"{"command":"aws ec2 describe-vpcs","output":{"Vpcs":[]}}"#.to_string(), 10_000));
    // And entries that are pairs but cannot be read: each one a warning of its own.
    entries.extend(std::iter::repeat_n(r#"{"command":"aws ec2 describe-vpcs","output":1}"#.to_string(), 30_000));
    let text = format!("[{}]", entries.join(","));
    assert!(text.len() < import::MAX_DOCUMENT_BYTES, "{} bytes", text.len());
    let imported = import::import(&[Source::new("hostile.json", text)]);
    let d = &imported.documents[0];
    assert!(d.warnings.len() <= 21, "{} warnings", d.warnings.len());
    assert!(d.refused.is_none(), "{d:?}");
    assert!(
        d.warnings.iter().any(|w| w.contains("and 299995 more skipped")),
        "the summary of what is not a pair comes first: {:?}",
        d.warnings
    );
    assert!(d.warnings.iter().any(|w| w.contains("more warnings like these")), "{:?}", d.warnings);
    assert!(d.read_as.len() <= 2, "each command is named once: {:?}", d.read_as.len());
}

#[test]
fn a_terraform_document_of_more_resources_than_the_limit_is_refused_before_it_is_joined() {
    let resources: Vec<serde_json::Value> = (0..import::MAX_RESOURCES + 1)
        .map(|i| serde_json::json!({"address": format!("aws_subnet.s[{i}]"), "mode": "managed", "type": "aws_subnet", "name": "s", "index": i, "values": {}}))
        .collect();
    let state = serde_json::json!({"format_version": "1.0", "values": {"root_module": {"resources": resources}}});
    let why = refused(&state.to_string());
    assert!(why.contains("more than the 5000 resources"), "{why}");
}

#[test]
fn a_template_list_default_copied_many_times_is_counted_item_by_item() {
    let mut template = serde_json::from_str::<serde_json::Value>(&source("cloudformation/healthy.json").text).expect("template");
    template["Parameters"]["Many"] = serde_json::json!({"Type": "CommaDelimitedList", "Default": ",".repeat(4095)});
    template["Resources"]["Padding"] = serde_json::json!({"Type": "AWS::CloudFormation::WaitConditionHandle", "Properties": {"L": vec![serde_json::json!({"Ref": "Many"}); 2_000]}});
    let imported = import::import(&[Source::new("template.json", template.to_string())]);
    let d = &imported.documents[0];
    assert!(d.refused.is_none(), "{d:?}");
    assert!(d.warnings.iter().any(|w| w.contains("more than ALB Lab follows")), "{:?}", d.warnings);
}

/// A bridge service's instances, named by describe-container-instances and describe-instances
/// only (no target health to name them too), are redacted with the rest.
#[test]
fn redaction_hides_the_ec2_instances_a_bridge_service_runs_on() {
    let mut doc = aws_json("dynamic-ports-fixed-health-check");
    doc.as_array_mut().expect("list").retain(|e| !e["command"].as_str().unwrap_or("").contains("describe-target-health"));
    let text = doc.to_string();
    let ids: Vec<String> = text
        .match_indices("\"i-")
        .map(|(at, _)| text[at + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect())
        .collect();
    let imported = import::import(&[Source::new("collected.json", text.clone())]);
    let plain = serde_json::to_string(imported.scenario().expect("built")).expect("json");
    assert!(ids.iter().any(|id| plain.contains(id.as_str())), "the setup names its instances: {ids:?}");
    let redacted = redact::redact(&imported);
    let json = serde_json::to_string(redacted.imported.scenario().expect("built")).expect("json");
    for id in &ids {
        assert!(!json.contains(id.as_str()), "{id} survived redaction");
    }
}

#[test]
fn all_documents_together_are_refused_past_16_mb_and_the_limit_is_named() {
    let big = format!(r#"{{"SecurityGroups": [], "pad": "{}"}}"#, "x".repeat(3 * 1024 * 1024));
    let many: Vec<Source> = (0..7).map(|i| Source::new(format!("part {i}"), big.clone())).collect();
    let imported = import::import(&many);
    let why = imported.documents.last().and_then(|d| d.refused.clone()).expect("the sixth is over");
    assert!(why.contains("at most 16.0 MB"), "{why}");
    assert!(imported.documents[0].refused.is_none());
}

/// A plan whose module variables refer to each other in a ring, fifty at a time: followed
/// naively the links number 50⁸. The import follows a bounded number and says so.
#[test]
fn a_plan_whose_references_run_in_a_ring_imports_and_says_it_stopped_following_them() {
    let vars: Vec<String> = (0..50).map(|i| format!("var.x{i}")).collect();
    let expressions: serde_json::Map<String, serde_json::Value> =
        (0..50).map(|i| (format!("x{i}"), serde_json::json!({ "references": vars }))).collect();
    let plan = serde_json::json!({
        "format_version": "1.2",
        "planned_values": {"root_module": {"resources": [{"address": "aws_lb.a", "mode": "managed", "type": "aws_lb", "name": "a", "values": {"name": "a"}}]}},
        "configuration": {"root_module": {
            "resources": [{"address": "aws_lb.a", "expressions": {"subnets": {"references": ["var.x0"]}}}],
            "module_calls": {"": {"expressions": expressions}}
        }}
    });
    let imported = import::import(&[Source::new("ring.json", plan.to_string())]);
    let d = &imported.documents[0];
    assert!(d.refused.is_none(), "{d:?}");
    assert!(d.warnings.iter().any(|w| w.contains("more than ALB Lab follows")), "{:?}", d.warnings);
}

/// A template whose parameter default is large and referred to very many times (copied each
/// time, 600 MB): the copies stop at a budget instead of filling the memory, and the import
/// says so. An object as a default (CloudFormation allows none) is not copied at all.
#[test]
fn a_template_that_refers_to_a_large_default_many_times_stays_within_memory_and_says_so() {
    let mut template = serde_json::from_str::<serde_json::Value>(&source("cloudformation/healthy.json").text).expect("template");
    template["Parameters"]["Big"] = serde_json::json!({"Type": "String", "Default": "x".repeat(4096)});
    template["Resources"]["Padding"] = serde_json::json!({"Type": "AWS::CloudFormation::WaitConditionHandle", "Properties": {"L": vec![serde_json::json!({"Ref": "Big"}); 150_000]}});
    template["Parameters"]["Nested"] = serde_json::json!({"Type": "String", "Default": {"a": "x".repeat(1024 * 1024)}});
    template["Resources"]["More"] = serde_json::json!({"Type": "AWS::CloudFormation::WaitConditionHandle", "Properties": {"L": vec![serde_json::json!({"Ref": "Nested"}); 1000]}});
    let text = template.to_string();
    assert!(text.len() < import::MAX_DOCUMENT_BYTES, "{} bytes", text.len());
    let imported = import::import(&[Source::new("template.json", text)]);
    let d = &imported.documents[0];
    assert!(d.refused.is_none(), "{d:?}");
    assert!(d.warnings.iter().any(|w| w.contains("more than ALB Lab follows")), "{:?}", d.warnings);
}

#[test]
fn a_truncated_paste_is_refused_and_says_it_was_cut_off() {
    let text = source("aws/healthy.json").text;
    let why = refused(&text[..text.len() / 2]);
    assert!(why.contains("cut off"), "{why}");
}

#[test]
fn a_partial_page_is_taken_with_a_warning_to_fetch_the_rest() {
    let imported = import::import(&[Source::new("page 1", r#"{"SecurityGroups": [], "NextToken": "eyJ2IjoiMSJ9"}"#)]);
    let d = &imported.documents[0];
    assert!(d.refused.is_none());
    assert!(d.warnings.iter().any(|w| w.contains("first page") && w.contains("NextToken")), "{d:?}");
}

#[test]
fn a_bad_document_changes_nothing_that_was_already_imported() {
    let good = source("aws/healthy.json");
    let alone = import::import(std::slice::from_ref(&good));
    let with_bad = import::import(&[good, Source::new("broken.json", "{ \"LoadBalancers\": [ {")]);
    assert!(with_bad.documents[1].refused.as_deref().is_some_and(|w| w.contains("cut off")));
    assert_eq!(alone.scenario(), with_bad.scenario());
}

#[test]
fn oversized_and_too_many_documents_are_refused_with_the_limit_named() {
    let big = " ".repeat(import::MAX_DOCUMENT_BYTES + 1);
    let why = refused(&big);
    assert!(why.contains("4.0 MB"), "{why}");
    let many: Vec<Source> = (0..import::MAX_DOCUMENTS + 1).map(|i| Source::new(format!("doc {i}"), r#"{"Subnets": []}"#)).collect();
    let imported = import::import(&many);
    assert!(imported.documents.last().and_then(|d| d.refused.as_deref()).is_some_and(|w| w.contains("at most 64 documents")));
    let lots = format!(r#"{{"Subnets": [{}]}}"#, vec![r#"{"SubnetId": "subnet-1"}"#; import::MAX_RESOURCES + 1].join(","));
    let why = refused(&lots);
    assert!(why.contains("more than the 5000 resources"), "{why}");
}

#[test]
fn hostile_names_are_kept_out_of_the_scenario_and_nothing_panics() {
    let mut doc = aws_json("healthy");
    let hostile = format!("<img src=x onerror=alert(1)>\u{0}\u{202e}{}", "x".repeat(10_000));
    for e in doc.as_array_mut().expect("list") {
        let out = &mut e["output"];
        if let Some(lbs) = out.get_mut("LoadBalancers") {
            lbs[0]["LoadBalancerName"] = hostile.clone().into();
        }
        if let Some(groups) = out.get_mut("SecurityGroups") {
            groups[0]["GroupName"] = hostile.clone().into();
            groups[0]["IpPermissions"][0]["IpRanges"][0]["Description"] = hostile.clone().into();
        }
        if let Some(tgs) = out.get_mut("TargetGroups") {
            tgs[0]["HealthCheckPath"] = hostile.clone().into();
        }
    }
    let imported = import::import(&[Source::new("hostile", doc.to_string())]);
    let s = imported.scenario().unwrap_or_else(|| panic!("{:?}", imported.scenario.as_ref().err()));
    let json = serde_json::to_string(s).expect("json");
    assert!(!json.contains('<') && !json.contains("\\u0000") && json.len() < 20_000, "{}", &json[..200.min(json.len())]);
}

// ---- privacy ----

#[test]
fn redaction_replaces_account_ids_names_and_resource_ids_and_diagnoses_the_same() {
    let mut cases: Vec<String> = CASES.iter().map(|(c, _, _)| format!("aws/{c}.json")).collect();
    cases.push("aws/healthy.json".into());
    cases.push("terraform/healthy.json".into());
    for rel in &cases {
        let imported = import_all(&[rel]);
        let redacted = redact::redact(&imported);
        assert!(redacted.replaced > 5, "{rel}");
        let s = redacted.imported.scenario().unwrap_or_else(|| panic!("{rel}: {:?}", redacted.imported.scenario.as_ref().err()));
        let json = serde_json::to_string(s).expect("json");
        for secret in ["123456789012", "shop", "sg-0c3f5e2a9b8d71460", "subnet-0ccc3333dddd44445", "vpc-0a1b2c3d4e5f60718"] {
            assert!(!json.contains(secret), "{rel}: {secret} survived redaction");
        }
        // Every EC2 instance id the documents name (targets, container instances, instances).
        let text = std::fs::read_to_string(fixtures().join(rel)).expect("fixture");
        for (at, _) in text.match_indices("\"i-") {
            let id: String = text[at + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            assert!(!json.contains(&id), "{rel}: {id} survived redaction");
        }
        let shape = |r: &Report| r.findings.iter().map(|f| (f.id.clone(), f.severity, f.hop)).collect::<Vec<_>>();
        let before = report(&imported).expect("built");
        let after = report(&redacted.imported).expect("built");
        assert_eq!(shape(&before), shape(&after), "{rel}");
        assert_eq!(before.client_sees, after.client_sees, "{rel}");
    }
}

// ---- round trip ----

/// Scenarios whose broken hop is in no AWS document: inside the container (what the app
/// listens on, how it answers, how long it starts), a deployment in motion, or the port the
/// client dials. Their documents import as a setup whose app works and whose clients use the
/// listener, and the import's notes say so.
const NOT_IN_DOCUMENTS: [&str; 8] = [
    "no-listener-on-port.json",
    "app-port-mismatch.json",
    "container-mapping-mismatch.json",
    "hung-task.json",
    "slow-start-grace.json",
    "deploy-503-window.json",
    "zero-downtime-deploy.json",
    "health-check-redirect.json",
];

#[test]
fn a_shipped_scenario_exported_as_aws_cli_documents_imports_back_with_the_same_behaviour() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("scenarios") {
        let path = entry.expect("entry").path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
        if path.extension().and_then(|e| e.to_str()) != Some("json") || NOT_IN_DOCUMENTS.contains(&name.as_str()) {
            continue;
        }
        let original = alb_lab::sim::Scenario::from_json(&std::fs::read_to_string(&path).expect("read")).expect("valid");
        let mut sim = Sim::new(original, None);
        sim.run_for(import::report::SETTLE_MS);
        let documents = import::export::collector_file(&sim);
        let imported = import::import(&[Source::new(&name, documents.to_string())]);
        assert!(imported.scenario.is_ok(), "{name}: {:?}", imported.scenario.as_ref().err());
        let broken = |ids: Vec<(String, &str)>| ids.into_iter().filter(|(_, s)| *s == "broken").map(|(i, _)| i).collect::<Vec<_>>();
        let before = broken(
            sim.diagnose()
                .findings
                .iter()
                .map(|f| (f.id.to_string(), if f.severity == alb_lab::sim::diagnosis::Severity::Broken { "broken" } else { "" }))
                .collect(),
        );
        let r = report(&imported).expect("built");
        let after = broken(r.findings.iter().filter(|f| f.id != "observed-disagrees").map(|f| (f.id.clone(), f.severity)).collect());
        if before != after {
            failures.push(format!("{name}: the imported copy diagnoses differently: {before:?} then {after:?}"));
        }
        for c in r.comparisons.iter().filter(|c| c.verdict == "disagree") {
            failures.push(format!("{name}: {} AWS {} but simulated {}", c.target, c.observed, c.simulated));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{failures:#?}");
    assert!(checked >= 12, "only {checked} scenarios were compared");
}

// ---- the command line ----

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_alb-lab-scenario")).args(args).output().expect("the CLI runs");
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn diagnose_exits_non_zero_when_a_request_cannot_get_through_so_ci_can_gate_a_plan() {
    let f = |rel: &str| fixtures().join(rel).display().to_string();
    let (code, out, _) = cli(&["diagnose", &f("terraform/plan-healthy.json")]);
    assert_eq!(code, 0, "{out}");
    let (code, out, _) = cli(&["diagnose", &f("terraform/task-sg-blocks-alb.json")]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("task-security-group") && out.contains("$ aws ec2 authorize-security-group-ingress"), "{out}");
    let (code, out, _) = cli(&["diagnose", "--json", &f("aws/alb-egress-missing.json")]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("--json prints JSON");
    assert_eq!(v["gets_through"], false);
    assert!(v["findings"].as_array().is_some_and(|a| a.iter().any(|x| x["id"] == "task-security-group")), "{out}");
    let (code, _, err) = cli(&["diagnose", &f("README.md")]);
    assert_eq!(code, 2, "no document could be read: {err}");
    assert!(err.contains("README.md: not imported"), "{err}");
}

#[test]
fn import_writes_a_scenario_the_lab_runs() {
    let out = std::env::temp_dir().join(format!("alb-lab-import-{}.json", std::process::id()));
    let (code, _, err) = cli(&["import", &fixtures().join("aws/healthy.json").display().to_string(), "-o", &out.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&out).expect("written");
    let _ = std::fs::remove_file(&out);
    let s = alb_lab::sim::Scenario::from_json(&text).expect("a valid scenario");
    assert_eq!(s.name, "Imported: shop-alb → shop-web");
}

#[test]
fn every_subcommand_has_its_own_help() {
    for sub in ["run", "check", "exercise", "import", "diagnose", "export"] {
        let (code, out, _) = cli(&[sub, "--help"]);
        assert_eq!(code, 0, "{sub}");
        assert!(out.contains(&format!("Usage: alb-lab-scenario {sub}")), "{sub}: {out}");
    }
}

// ---- the collector ----

/// The collector snippet, run by bash against a stand-in `aws` that answers from the healthy
/// fixture, writes one JSON file that imports whole.
#[test]
fn the_collector_snippet_writes_one_file_the_import_reads_whole() {
    let dir = std::env::temp_dir().join(format!("alb-lab-collector-{}", std::process::id()));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("temp dir");
    // Each command's output, by its subcommand, from the collector fixture.
    for e in aws_json("healthy").as_array().expect("list") {
        let command = e["command"].as_str().expect("command");
        let sub = command.split_whitespace().nth(2).expect("aws <service> <subcommand>");
        std::fs::write(bin.join(format!("{sub}.json")), e["output"].to_string()).expect("write");
    }
    let tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-tg/4f2b9c1e7a3d5086";
    let lb = aws_json("healthy")[0]["output"]["LoadBalancers"][0]["LoadBalancerArn"].as_str().expect("arn").to_string();
    let listener = aws_json("healthy")[1]["output"]["Listeners"][0]["ListenerArn"].as_str().expect("arn").to_string();
    let stub = format!(
        r#"#!/bin/bash
# A stand-in aws CLI: answers --query calls as --output text would, else the fixture's output.
args="$*"
case "$args" in
  *"--query services[0].taskDefinition"*) echo "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:3" ;;
  *"--query taskArns"*) printf 'arn:aws:ecs:us-east-1:123456789012:task/shop/a1\tarn:aws:ecs:us-east-1:123456789012:task/shop/b2\n' ;;
  *"--query tasks[].containerInstanceArn"*) echo "None" ;;
  *"awsvpcConfiguration.securityGroups"*) echo "sg-07d4e1b6a2c9f8035" ;;
  *"awsvpcConfiguration.subnets"*) printf 'subnet-0ccc3333dddd44445\tsubnet-0ddd4444eeee55556\n' ;;
  *"loadBalancers[].targetGroupArn"*) echo "{tg}" ;;
  *"TargetGroups[0].LoadBalancerArns"*) echo "{lb}" ;;
  *"Listeners[].ListenerArn"*) echo "{listener}" ;;
  *"TargetGroups[].TargetGroupArn"*) echo "{tg}" ;;
  *"LoadBalancers[0].SecurityGroups"*) echo "sg-0c3f5e2a9b8d71460" ;;
  *"AvailabilityZones[].SubnetId"*) printf 'subnet-0aaa1111bbbb22223\tsubnet-0bbb2222cccc33334\n' ;;
  *"describe-target-group-attributes"*) cat "$(dirname "$0")/describe-target-group-attributes.json" ;;
  *"describe-load-balancer-attributes"*) echo '{{"Attributes": [{{"Key": "idle_timeout.timeout_seconds", "Value": "60"}}]}}' ;;
  *) f="$(dirname "$0")/$2.json"; [ -f "$f" ] && cat "$f" || exit 254 ;;
esac
"#
    );
    let aws = bin.join("aws");
    std::fs::write(&aws, stub).expect("stub");
    let chmod = std::process::Command::new("chmod").arg("+x").arg(&aws).status().expect("chmod");
    assert!(chmod.success());
    let snippet = import::collector::snippet("shop", "shop-web");
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("bash").arg("-c").arg(&snippet).current_dir(&dir).env("PATH", path).output().expect("bash runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    let file = std::fs::read_to_string(dir.join("alb-lab-setup.json")).unwrap_or_else(|e| panic!("no file ({e}): {stderr}"));
    let _ = std::fs::remove_dir_all(&dir);
    let v: serde_json::Value = serde_json::from_str(&file).unwrap_or_else(|e| panic!("not JSON ({e}):\n{file}"));
    assert!(v.as_array().is_some_and(|a| a.len() >= 12), "{file}");
    let imported = import::import(&[Source::new("alb-lab-setup.json", file)]);
    let d = &imported.documents[0];
    assert!(d.refused.is_none() && d.warnings.is_empty(), "{d:?}");
    for wanted in [
        "describe-services",
        "describe-task-definition",
        "describe-tasks",
        "describe-target-health",
        "describe-security-groups",
        "describe-rules",
        "describe-network-acls",
    ] {
        assert!(d.read_as.iter().any(|r| r.contains(wanted)), "{wanted} missing from {:?}", d.read_as);
    }
    assert_eq!(imported.scenario(), import_all(&["aws/healthy.json"]).scenario(), "the collected file gives the same setup as the fixture");
    assert!(report(&imported).expect("built").gets_through);
}

/// The healthy collector file with its listener answering 404 by default and reaching the
/// service only through one rule with these conditions.
fn behind_a_rule(conditions: serde_json::Value) -> Imported {
    let mut doc = aws_json("healthy");
    let tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-tg/4f2b9c1e7a3d5086";
    let fixed = serde_json::json!([{ "Type": "fixed-response", "Order": 1, "FixedResponseConfig": { "StatusCode": "404", "ContentType": "text/plain" } }]);
    for e in doc.as_array_mut().expect("list") {
        let c = e["command"].as_str().unwrap_or("").to_string();
        if c.contains("describe-listeners") {
            e["output"]["Listeners"][0]["DefaultActions"] = fixed.clone();
        }
        if c.contains("describe-rules") {
            e["output"]["Rules"] = serde_json::json!([
                { "Priority": "5", "IsDefault": false, "Conditions": conditions, "Actions": [{ "Type": "forward", "TargetGroupArn": tg, "Order": 1 }] },
                { "Priority": "default", "IsDefault": true, "Conditions": [], "Actions": fixed },
            ]);
        }
    }
    import::import(&[Source::new("behind a rule", doc.to_string())])
}

#[test]
fn a_service_behind_a_path_rule_is_reached_by_a_client_on_that_path() {
    let imported = behind_a_rule(serde_json::json!([{ "Field": "path-pattern", "Values": ["/api/*"] }]));
    let s = imported.scenario().expect("built");
    assert_eq!(s.client.path, "/api/x");
    assert!(report(&imported).expect("built").gets_through);
}

#[test]
fn a_service_behind_a_host_rule_stays_reachable_and_the_rule_is_drawn_on_its_path() {
    let imported = behind_a_rule(serde_json::json!([{ "Field": "host-header", "Values": ["shop.example.com"] }]));
    let r = report(&imported).expect("built");
    assert!(r.gets_through, "dropping the host rule would invent a broken hop: {:#?}", r.findings);
    assert!(
        imported.notes.iter().any(|n| n.text.contains("Rule 5") && n.text.contains("host-header") && n.text.contains("/*")),
        "{:#?}",
        imported.notes
    );
}

#[test]
fn redaction_moves_public_blocks_to_benchmark_space_at_their_size() {
    let mut doc = aws_json("healthy");
    for e in doc.as_array_mut().expect("list") {
        if let Some(groups) = e["output"].get_mut("SecurityGroups") {
            groups[0]["IpPermissions"].as_array_mut().expect("rules").push(serde_json::json!({
                "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{ "CidrIp": "52.94.76.0/22", "Description": "office VPN of Example Corp" }]
            }));
        }
    }
    let imported = import::import(&[Source::new("office", doc.to_string())]);
    let redacted = redact::redact(&imported).imported;
    let json = serde_json::to_string(redacted.scenario().expect("built")).expect("json");
    assert!(!json.contains("52.94.76.0") && !json.contains("Example Corp"), "{json}");
    assert!(json.contains("\"source\":\"198.18.0.0/22\""), "{json}");
}
