//! The collector: a read-only bash snippet that runs the `aws` describe commands for one
//! cluster and service (and their load balancers) and writes one JSON file to drop on the page.
//!
//! It needs only the user's own read permissions (`elasticloadbalancing:Describe*`,
//! `ecs:Describe*`, `ecs:List*`, `ec2:Describe*`) and no `jq`. Each command's output is wrapped
//! as `{"command": …, "output": …}`, which is how a `describe-target-health` output (it carries
//! no target group ARN) is tied to its group. It runs in its own `bash` (a here-document), so
//! it works from zsh too, a failing call never closes the user's terminal, and nothing it sets
//! stays behind: a call that fails (a missing permission) is skipped with a line on stderr, and
//! the file is always a whole JSON array.

/// The snippet for a cluster and service. Names are quoted for the shell; the page fills them
/// from its fields.
pub fn snippet(cluster: &str, service: &str) -> String {
    let q = |s: &str| crate::sim::cli::shell_quote(if s.trim().is_empty() { "CHANGE-ME" } else { s.trim() });
    format!(
        r#"# ALB Lab collector: read-only describe calls with your own credentials. Nothing is uploaded:
# it writes alb-lab-setup.json, which you drop on the page yourself.
CLUSTER={cluster} SERVICE={service} bash <<'ALB_LAB'
out=alb-lab-setup.json; sep='['; : >"$out"
run() {{
  if o=$("$@" --output json 2>/dev/null); then printf '%s{{"command": "%s", "output": %s}}\n' "$sep" "$*" "$o" >>"$out"; sep=','
  else echo "skipped (failed or not allowed): $*" >&2; fi
}}
q() {{ "$@" --output text 2>/dev/null | tr '\t' '\n' | grep -v '^None$' | sort -u; }}
run aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE"
TD=$(q aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].taskDefinition')
[ -n "$TD" ] && run aws ecs describe-task-definition --task-definition "$TD"
TASKS=$(q aws ecs list-tasks --cluster "$CLUSTER" --service-name "$SERVICE" --query 'taskArns')
BATCH=$(echo "$TASKS" | head -n 100 | xargs)  # describe-tasks takes at most 100
[ -n "$BATCH" ] && run aws ecs describe-tasks --cluster "$CLUSTER" --tasks $BATCH
CIS=$([ -n "$BATCH" ] && q aws ecs describe-tasks --cluster "$CLUSTER" --tasks $BATCH --query 'tasks[].containerInstanceArn')
if [ -n "$CIS" ]; then
  run aws ecs describe-container-instances --cluster "$CLUSTER" --container-instances $CIS
  IDS=$(q aws ecs describe-container-instances --cluster "$CLUSTER" --container-instances $CIS --query 'containerInstances[].ec2InstanceId')
  [ -n "$IDS" ] && run aws ec2 describe-instances --instance-ids $IDS
  SGS="$(q aws ec2 describe-instances --instance-ids $IDS --query 'Reservations[].Instances[].SecurityGroups[].GroupId')"
fi
SGS="$SGS $(q aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].networkConfiguration.awsvpcConfiguration.securityGroups')"
SUBNETS="$(q aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].networkConfiguration.awsvpcConfiguration.subnets')"
TGS=$(q aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].loadBalancers[].targetGroupArn')
LBS=$(for TG in $TGS; do q aws elbv2 describe-target-groups --target-group-arns "$TG" --query 'TargetGroups[0].LoadBalancerArns'; done | sort -u)
for LB in $LBS; do
  run aws elbv2 describe-load-balancers --load-balancer-arns "$LB"
  run aws elbv2 describe-load-balancer-attributes --load-balancer-arn "$LB"
  run aws elbv2 describe-listeners --load-balancer-arn "$LB"
  for L in $(q aws elbv2 describe-listeners --load-balancer-arn "$LB" --query 'Listeners[].ListenerArn'); do
    run aws elbv2 describe-rules --listener-arn "$L"
  done
  TGS="$TGS $(q aws elbv2 describe-target-groups --load-balancer-arn "$LB" --query 'TargetGroups[].TargetGroupArn')"
  SGS="$SGS $(q aws elbv2 describe-load-balancers --load-balancer-arns "$LB" --query 'LoadBalancers[0].SecurityGroups')"
  SUBNETS="$SUBNETS $(q aws elbv2 describe-load-balancers --load-balancer-arns "$LB" --query 'LoadBalancers[0].AvailabilityZones[].SubnetId')"
done
for TG in $(echo $TGS | tr ' ' '\n' | sort -u); do
  run aws elbv2 describe-target-groups --target-group-arns "$TG"
  run aws elbv2 describe-target-health --target-group-arn "$TG"
  run aws elbv2 describe-target-group-attributes --target-group-arn "$TG"
done
SGS=$(echo $SGS | tr ' ' '\n' | grep '^sg-' | sort -u | xargs)
SUBNETS=$(echo $SUBNETS | tr ' ' '\n' | grep '^subnet-' | sort -u | xargs)
[ -n "$SGS" ] && run aws ec2 describe-security-groups --group-ids $SGS
if [ -n "$SUBNETS" ]; then
  run aws ec2 describe-subnets --subnet-ids $SUBNETS
  run aws ec2 describe-network-acls --filters "Name=association.subnet-id,Values=$(echo $SUBNETS | tr ' ' ',')"
fi
[ "$sep" = '[' ] && printf '[' >>"$out"
printf ']\n' >>"$out"; echo "wrote $out: drop it on ALB Lab's Import dialog" >&2
ALB_LAB
"#,
        cluster = q(cluster),
        service = q(service)
    )
}
