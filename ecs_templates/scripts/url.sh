#!/usr/bin/env bash
# Print the addresses where the deployed application answers.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME STACK

Prints where the deployed stack PREFIX-STACK answers (only that on stdout).

A services stack (one ECS service per application service: its template has a <Service>Url
output per public port) prints one line per public service, its name and its URL, separated
by a tab, from the stack's outputs:
  wordpress	http://wordpress-LoadBa-....elb.amazonaws.com

A single-task stack prints the http:// address where the application answers: a
load-balanced stack's DNS name; otherwise the public address of the machine running the
service's task: on EC2 the container instance's public DNS name, on Fargate the task's
public IP; with the port the template opens to the world when it is not 80. Fails while
no task is running yet.

$COMMON_HELP
EOF
}

STACK=
while [[ $# -gt 0 ]]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    -*)
      common_option "$@" || usage_error "unknown option $1"
      shift "$SHIFT_BY" ;;
    *)
      [[ -z $STACK ]] || usage_error "one STACK at a time (got '$STACK' and '$1')"
      STACK=$1; shift ;;
  esac
done
[[ -n $STACK ]] || usage_error "which STACK? (e.g. ecs-ec2)"
resolve_version
require_stack_template "$STACK"
STACK_NAME=$(stack_name_for "$STACK")
make_workdir
require_aws

status=$(stack_status "$STACK_NAME")
[[ $status != NONE ]] || die "stack $STACK_NAME does not exist in $REGION: deploy it first (scripts/deploy.sh $STACK)"

# A services stack: its outputs name each public service's URL (stack_status left the description).
if [[ -n $(helper has-urls "$VERSION_DIR/$STACK.json") ]]; then
  urls=$(helper urls "$WORK/stack.json")
  [[ -n $urls ]] ||
    die "stack $STACK_NAME ($status) reports no *Url output: wait until its deploy completes, or deploy it again (scripts/deploy.sh $STACK)"
  printf '%s\n' "$urls"
  exit 0
fi
aws_ cloudformation describe-stack-resources --stack-name "$STACK_NAME" --output json >"$WORK/resources.json"
helper stack-parts "$WORK/resources.json" >"$WORK/parts"

address() {  # $1 host; prints the URL with the port unless it is 80
  local port=${PORT:-80}
  if [[ $port == 80 ]]; then printf 'http://%s/\n' "$1"; else printf 'http://%s:%s/\n' "$1" "$port"; fi
}

load_balancer=$(awk -F'\t' '$1 == "lb" {print $2; exit}' "$WORK/parts")
if [[ -n $load_balancer ]]; then
  dns=$(aws_ elbv2 describe-load-balancers --load-balancer-arns "$load_balancer" \
    --query 'LoadBalancers[0].DNSName' --output text)
  address "$dns"
  exit 0
fi

service_arn=$(awk -F'\t' '$1 == "service" {print $2; exit}' "$WORK/parts")
[[ -n $service_arn ]] || die "stack $STACK_NAME has no ECS service or load balancer: nothing answers on the web"
cluster=$(cut -d/ -f2 <<<"$service_arn")
service=$(cut -d/ -f3 <<<"$service_arn")
PORT=$(helper public-port "$VERSION_DIR/$STACK.json")

task=$(aws_ ecs list-tasks --cluster "$cluster" --service-name "$service" --desired-status RUNNING \
  --query 'taskArns[0]' --output text)
[[ -n $task && $task != None ]] ||
  die "service $service of $cluster has no running task yet: wait a minute and retry (aws ecs describe-services --cluster $cluster --services $service shows its events)"
aws_ ecs describe-tasks --cluster "$cluster" --tasks "$task" --output json >"$WORK/task.json"

IFS=$'\t' read -r placement where < <(helper task-placement "$WORK/task.json")
if [[ $placement == eni ]]; then  # awsvpc (Fargate): the task's own network interface
  ip=$(aws_ ec2 describe-network-interfaces --network-interface-ids "$where" \
    --query 'NetworkInterfaces[0].Association.PublicIp' --output text)
  [[ -n $ip && $ip != None ]] ||
    die "task $task has no public IP (AssignPublicIp disabled, or a private subnet)"
  address "$ip"
  exit 0
fi
[[ $placement == instance ]] || die "task $task runs on neither a network interface of its own nor a container instance"
instance=$(aws_ ecs describe-container-instances --cluster "$cluster" --container-instances "$where" \
  --query 'containerInstances[0].ec2InstanceId' --output text)
read -r dns ip < <(aws_ ec2 describe-instances --instance-ids "$instance" \
  --query 'Reservations[0].Instances[0].[PublicDnsName,PublicIpAddress]' --output text)
if [[ -n $dns && $dns != None ]]; then
  address "$dns"
elif [[ -n $ip && $ip != None ]]; then
  address "$ip"
else
  die "container instance $instance has no public address (a private subnet?)"
fi
