#!/usr/bin/env bash
# Delete deployed stacks cleanly, and say what their deletion kept.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME STACK [STACK ...] [--yes]
       $SCRIPT_NAME --all [--yes]

Deletes the CloudFormation stacks PREFIX-STACK (--all: every stack of templates/v<version>/,
the ecr registry last). Before deleting, it drains what makes a deletion hang: ECS services
scaled to 0 tasks, Auto Scaling groups (capacity providers) scaled in to 0 instances with
their scale-in protection removed. It streams the stack events, then lists the resources
the deletion kept (DeletionPolicy Retain or Snapshot): repositories, file systems,
snapshots, secrets, log groups. A stack that does not exist is skipped.

When the deletion kept data that the template can start from (a retained EFS file system:
ExistingFileSystemId; an RDS database's final snapshot: <Service>SnapshotIdentifier), it
ends with the deploy command that creates the stack again on that data, with the other
parameters the stack had (the VPC and subnets always, since the file system's mount
targets must stay in its VPC; the others when not the template's default).

Asks for confirmation on a terminal; without a terminal, --yes is required.

Options:
  --all               every stack of the template version, dependants first
  --yes               do not ask
  DELETE_DRAIN_SECONDS  how long to wait for tasks and instances to go (default 600)
$COMMON_HELP
EOF
}

DRAIN_SECONDS=${DELETE_DRAIN_SECONDS:-600}
ASSUME_YES=false
ALL=false
STACKS=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --yes|-y) ASSUME_YES=true; shift ;;
    --all) ALL=true; shift ;;
    -*)
      common_option "$@" || usage_error "unknown option $1"
      shift "$SHIFT_BY" ;;
    *) STACKS+=("$1"); shift ;;
  esac
done

VERSION_GIVEN=$VERSION
resolve_version
if $ALL; then
  ((${#STACKS[@]} == 0)) || usage_error "give STACK names or --all, not both"
  mapfile -t STACKS < <(helper stacks "$VERSION_DIR")
fi
((${#STACKS[@]} > 0)) || usage_error "which STACK? (e.g. ecs-ec2, or --all)"
[[ -z $STACK_NAME_OVERRIDE || ${#STACKS[@]} -eq 1 ]] || usage_error "--stack-name names one stack only"
for stack in "${STACKS[@]}"; do require_stack_template "$stack"; done
if ! $ASSUME_YES && [[ ! -t 0 ]]; then
  usage_error "stdin is not a terminal, so nobody can confirm: pass --yes to delete ${STACKS[*]}"
fi
make_workdir
require_aws

# Stacks that exist, with their resources and template saved under $WORK/<stack>.*.
TARGETS=()
declare -A STACK_OF=()
for stack in "${STACKS[@]}"; do
  name=$(stack_name_for "$stack")
  status=$(stack_status "$name")
  if [[ $status == NONE ]]; then
    say "Stack $name does not exist in $REGION: nothing to delete."
    continue
  fi
  [[ $status != *_IN_PROGRESS || $status == REVIEW_IN_PROGRESS ]] ||
    die "stack $name is busy ($status): wait for it to finish, then delete again"
  aws_ cloudformation describe-stack-resources --stack-name "$name" --output json >"$WORK/$name.resources"
  aws_ cloudformation get-template --stack-name "$name" --query TemplateBody --output json >"$WORK/$name.template"
  cp "$WORK/stack.json" "$WORK/$name.stack"  # its parameters, for the deploy command that restores it
  TARGETS+=("$name")
  STACK_OF[$name]=$stack
  say "Stack $name ($status) will be deleted."
done
((${#TARGETS[@]} > 0)) || exit 0
if ! $ASSUME_YES && ! confirm "Delete ${TARGETS[*]} in $REGION?"; then
  die "aborted: nothing deleted"
fi

# Scale services to 0 and Auto Scaling groups to 0 instances, unprotected: a capacity
# provider's group with instances (or protected ones) keeps CloudFormation waiting.
drain() {
  local name=$1 kind physical cluster service services=() groups=()
  while IFS=$'\t' read -r kind physical; do
    case $kind in
      service)
        # arn:aws:ecs:<region>:<account>:service/<cluster>/<service>
        cluster=$(cut -d/ -f2 <<<"$physical")
        service=$(cut -d/ -f3 <<<"$physical")
        [[ -n $service ]] || continue
        say "Scaling service $service of $cluster to 0 tasks..."
        if aws_ ecs update-service --cluster "$cluster" --service "$service" --desired-count 0 \
            --query service.serviceName --output text >/dev/null 2>&1; then
          services+=("$cluster/$service")
        fi ;;
      asg)
        say "Scaling Auto Scaling group $physical in to 0 instances..."
        aws_ autoscaling update-auto-scaling-group --auto-scaling-group-name "$physical" \
          --min-size 0 --desired-capacity 0 2>/dev/null || continue
        local protected
        protected=$(aws_ autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$physical" \
          --query 'AutoScalingGroups[0].Instances[?ProtectedFromScaleIn].InstanceId' --output text)
        if [[ -n $protected && $protected != None ]]; then
          # shellcheck disable=SC2086  # a list of instance ids
          aws_ autoscaling set-instance-protection --auto-scaling-group-name "$physical" \
            --no-protected-from-scale-in --instance-ids $protected
        fi
        groups+=("$physical") ;;
    esac
  done < <(helper stack-parts "$WORK/$name.resources")
  local deadline=$((SECONDS + DRAIN_SECONDS)) pending
  while :; do
    pending=()
    for service in "${services[@]}"; do
      running=$(aws_ ecs describe-services --cluster "${service%%/*}" --services "${service#*/}" \
        --query 'services[0].runningCount' --output text 2>/dev/null || echo 0)
      [[ $running == 0 || $running == None ]] || pending+=("service ${service#*/}: $running task(s)")
    done
    for group in "${groups[@]}"; do
      count=$(aws_ autoscaling describe-auto-scaling-groups --auto-scaling-group-names "$group" \
        --query 'length(AutoScalingGroups[0].Instances)' --output text 2>/dev/null || echo 0)
      [[ $count == 0 || $count == None ]] || pending+=("group $group: $count instance(s)")
    done
    ((${#pending[@]} > 0)) || return 0
    if ((SECONDS >= deadline)); then
      say "Still draining after ${DRAIN_SECONDS}s (${pending[*]}); deleting anyway."
      return 0
    fi
    say "Waiting: ${pending[*]}"
    sleep "$POLL_SECONDS"
  done
}

# What the deletion kept, checked against the services that hold it.
report_retained() {
  local name=$1 type physical policy found=false
  while IFS=$'\t' read -r type _ physical policy; do
    local detail=
    case $type in
      AWS::ECR::Repository)
        detail=$(aws_ ecr describe-images --repository-name "$physical" \
          --query 'length(imageDetails)' --output text 2>/dev/null) || continue
        detail="$detail image(s)" ;;
      AWS::EFS::FileSystem)
        detail=$(aws_ efs describe-file-systems --file-system-id "$physical" \
          --query 'FileSystems[0].SizeInBytes.Value' --output text 2>/dev/null) || continue
        detail="$detail bytes" ;;
      AWS::SecretsManager::Secret)
        aws_ secretsmanager describe-secret --secret-id "$physical" >/dev/null 2>&1 || continue ;;
      AWS::Logs::LogGroup)
        detail=$(aws_ logs describe-log-groups --log-group-name-prefix "$physical" \
          --query "logGroups[?logGroupName=='$physical'].storedBytes | [0]" --output text 2>/dev/null) || continue
        [[ $detail != None ]] || continue
        detail="$detail bytes" ;;
      AWS::RDS::DBInstance)
        detail=$(aws_ rds describe-db-snapshots --db-instance-identifier "$physical" \
          --query 'DBSnapshots[].DBSnapshotIdentifier' --output text 2>/dev/null) || continue
        [[ -n $detail && $detail != None ]] || continue
        detail="snapshot(s): $detail" ;;
      AWS::RDS::DBCluster)
        detail=$(aws_ rds describe-db-cluster-snapshots --db-cluster-identifier "$physical" \
          --query 'DBClusterSnapshots[].DBClusterSnapshotIdentifier' --output text 2>/dev/null) || continue
        [[ -n $detail && $detail != None ]] || continue
        detail="snapshot(s): $detail" ;;
    esac
    $found || say "Kept by $name's DeletionPolicy (delete them by hand when no longer needed):"
    found=true
    printf '  %-30s %-34s %s%s\n' "$type" "$physical" "$policy" "${detail:+, $detail}"
  done < <(helper retained "$WORK/$name.template" "$WORK/$name.resources")
  $found || say "$name kept nothing."
}

# A word the shell reads back as it is: plain when it holds no special character, else quoted.
shell_word() {
  if [[ $1 =~ ^[A-Za-z0-9_./:,=@+%-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

# The deploy command that puts back what deleting stack $2 (PREFIX-$1) kept: the file system
# the stack used, each database's final snapshot (the instance's newest, which CloudFormation
# took on deletion), and the parameters the stack had.
print_restore_command() {
  local stack=$1 name=$2 kind key value snapshot words=() rows=0
  if [[ -n ${ECS_TEMPLATES_COMMAND:-} ]]; then words=(ecs-templates deploy); else words=("$(dirname "$0")/deploy.sh"); fi
  words+=("$stack")
  if [[ -n $STACK_NAME_OVERRIDE ]]; then
    words+=(--stack-name "$STACK_NAME_OVERRIDE")
  elif [[ $PREFIX != wordpress ]]; then
    words+=(--prefix "$PREFIX")
  fi
  words+=(--region "$REGION")
  [[ -z $PROFILE ]] || words+=(--profile "$PROFILE")
  [[ -z $VERSION_GIVEN ]] || words+=(--version "$VERSION")
  while IFS=$'\t' read -r kind key value; do
    if [[ $kind == snapshot ]]; then
      snapshot=$(aws_ rds describe-db-snapshots --db-instance-identifier "$value" \
        --query 'reverse(sort_by(DBSnapshots, &SnapshotCreateTime))[0].DBSnapshotIdentifier' --output text 2>/dev/null || true)
      if [[ -z $snapshot || $snapshot == None ]]; then
        say "No final snapshot of database $value found: $key stays unset."
        continue
      fi
      value=$snapshot
    fi
    rows=$((rows + 1))
    words+=(--param "$key=$value")
  done < <(helper restore-plan "$WORK/$name.template" "$WORK/$name.resources" "$WORK/$name.stack")
  ((rows > 0)) || return 0
  say "To create $name again on the data it kept:"
  local word line="  "
  for word in "${words[@]}"; do line+="$(shell_word "$word") "; done
  say "${line% }"
}

trap 'printf "\n%s: interrupted; a deletion already started goes on in CloudFormation\n" "$SCRIPT_NAME" >&2; exit 130' INT
for name in "${TARGETS[@]}"; do
  drain "$name"
  mark_events_seen "$name"
  stack_status "$name" >/dev/null
  stack_id=$(helper field "$WORK/stack.json" Stacks.0.StackId)
  say "Deleting $name; stack events:"
  aws_ cloudformation delete-stack --stack-name "$name"
  follow_stack "$stack_id"
  [[ $FINAL_STATUS == NONE ]] ||
    die "deleting $name ended in $FINAL_STATUS (see the FAILED events above); fix the cause and run $SCRIPT_NAME again"
  say "Stack $name deleted."
  report_retained "$name"
  print_restore_command "${STACK_OF[$name]}" "$name"
done
