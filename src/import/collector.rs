//! The collector: a read-only shell snippet that runs the `aws` describe commands for one
//! cluster and service (and their load balancer) and writes one JSON file to drop on the page.
//!
//! It needs only the user's own read permissions (`elasticloadbalancing:Describe*`,
//! `ecs:Describe*`, `ec2:Describe*`) and `jq`-free POSIX shell: each command's output is wrapped
//! as `{"command": …, "output": …}`, which is how a `describe-target-health` output (it carries
//! no target group ARN) is tied to its group.

/// The snippet for a cluster and service. Names are quoted for the shell; the page fills them
/// from its fields.
pub fn snippet(cluster: &str, service: &str) -> String {
    let q = |s: &str| crate::sim::cli::shell_quote(if s.trim().is_empty() { "CHANGE-ME" } else { s.trim() });
    format!(
        r#"# ALB Lab collector: read-only describe calls with your own credentials. Nothing is uploaded:
# it writes alb-lab-setup.json, which you drop on the page yourself.
CLUSTER={cluster} SERVICE={service}
set -e; out=alb-lab-setup.json; sep='['
run() {{ printf '%s{{"command": "%s", "output": ' "$sep" "$*" >>"$out"; "$@" --output json >>"$out"; printf '}}\n' >>"$out"; sep=','; }}
: >"$out"
run aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE"
TD=$(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].taskDefinition' --output text)
run aws ecs describe-task-definition --task-definition "$TD"
TASKS=$(aws ecs list-tasks --cluster "$CLUSTER" --service-name "$SERVICE" --query 'taskArns' --output text)
[ -n "$TASKS" ] && [ "$TASKS" != None ] && run aws ecs describe-tasks --cluster "$CLUSTER" --tasks $TASKS
for TG in $(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].loadBalancers[].targetGroupArn' --output text); do
  run aws elbv2 describe-target-groups --target-group-arns "$TG"
  run aws elbv2 describe-target-health --target-group-arn "$TG"
  run aws elbv2 describe-target-group-attributes --target-group-arn "$TG"
  for LB in $(aws elbv2 describe-target-groups --target-group-arns "$TG" --query 'TargetGroups[0].LoadBalancerArns' --output text); do
    run aws elbv2 describe-load-balancers --load-balancer-arns "$LB"
    run aws elbv2 describe-load-balancer-attributes --load-balancer-arn "$LB"
    run aws elbv2 describe-listeners --load-balancer-arn "$LB"
    for L in $(aws elbv2 describe-listeners --load-balancer-arn "$LB" --query 'Listeners[].ListenerArn' --output text); do
      run aws elbv2 describe-rules --listener-arn "$L"
    done
    SGS="$SGS $(aws elbv2 describe-load-balancers --load-balancer-arns "$LB" --query 'LoadBalancers[0].SecurityGroups' --output text)"
    SUBNETS="$SUBNETS $(aws elbv2 describe-load-balancers --load-balancer-arns "$LB" --query 'LoadBalancers[0].AvailabilityZones[].SubnetId' --output text)"
  done
done
SGS="$SGS $(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].networkConfiguration.awsvpcConfiguration.securityGroups' --output text)"
SUBNETS="$SUBNETS $(aws ecs describe-services --cluster "$CLUSTER" --services "$SERVICE" --query 'services[0].networkConfiguration.awsvpcConfiguration.subnets' --output text)"
run aws ec2 describe-security-groups --group-ids $(echo $SGS | tr ' ' '\n' | grep '^sg-' | sort -u)
run aws ec2 describe-subnets --subnet-ids $(echo $SUBNETS | tr ' ' '\n' | grep '^subnet-' | sort -u)
run aws ec2 describe-network-acls --filters Name=association.subnet-id,Values=$(echo $SUBNETS | tr ' ' '\n' | grep '^subnet-' | sort -u | paste -sd, -)
printf ']\n' >>"$out"; echo "wrote $out: drop it on ALB Lab's Import dialog"
"#,
        cluster = q(cluster),
        service = q(service)
    )
}
