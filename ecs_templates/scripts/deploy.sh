#!/usr/bin/env bash
# Deploy one generated template with the AWS CLI, through a change set.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME STACK [--param KEY=VALUE ...] [--params-file FILE] [--version V] [--yes]

Creates or updates the CloudFormation stack PREFIX-STACK from templates/v<version>/STACK.json
(STACK: ecr, ecs-ec2, ecs-fargate, ... as the version directory holds), through a change set:
prints the change set, warns when it would delete or replace a stateful resource (database,
file system, repository, log group, secret) and asks before going on (unless --yes, or stdin
is not a terminal), treats "no changes" as success, recreates a stack left in
ROLLBACK_COMPLETE, streams the stack events while it waits and ends with the outputs.

Every parameter gets an explicit value on every deploy: --param, else --params-file, else the
template's default (never the previous value). A VPC or subnet-list parameter left unset takes
the account's default VPC and all its subnets.

Options:
  --param KEY=VALUE   a template parameter (repeatable; lists comma-separated)
  --params-file FILE  KEY=VALUE lines (# comments), or JSON: {"Key": "value"} or
                      [{"ParameterKey": ..., "ParameterValue": ...}] (repeatable; --param wins)
  --s3-bucket BUCKET  upload the template there first (required above 51,200 bytes)
  --yes               do not ask before deleting or replacing stateful resources
$COMMON_HELP

Example (AWS Academy Learner Lab: no IAM roles created):
  $SCRIPT_NAME ecs-ec2 --param KeyName=vockey --param ExistingInstanceProfile=LabInstanceProfile \\
    --param ExistingExecutionRoleArn=arn:aws:iam::<account>:role/LabRole \\
    --param ExistingTaskRoleArn=arn:aws:iam::<account>:role/LabRole
EOF
}

INLINE_LIMIT=51200
STACK=
ASSUME_YES=false
S3_BUCKET=
PARAMS=()
PARAM_FILES=()
while [[ $# -gt 0 ]]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --yes|-y) ASSUME_YES=true; shift ;;
    --param)
      [[ $# -ge 2 && $2 == *=* ]] || usage_error "--param needs KEY=VALUE"
      PARAMS+=("$2"); shift 2 ;;
    --params-file)
      [[ $# -ge 2 ]] || usage_error "--params-file needs a file"
      [[ -f $2 && -r $2 ]] || usage_error "parameters file $2 not found"
      PARAM_FILES+=(--params-file "$2"); shift 2 ;;
    --s3-bucket)
      [[ $# -ge 2 && -n $2 ]] || usage_error "--s3-bucket needs a bucket name"
      S3_BUCKET=$2; shift 2 ;;
    -*)
      common_option "$@" || usage_error "unknown option $1"
      shift "$SHIFT_BY" ;;
    *)
      [[ -z $STACK ]] || usage_error "one STACK at a time (got '$STACK' and '$1')"
      STACK=$1; shift ;;
  esac
done
[[ -n $STACK ]] || usage_error "which STACK? (e.g. ecr, ecs-ec2)"

# Everything that can be checked without AWS is checked before the first call.
resolve_version
require_stack_template "$STACK"
TEMPLATE=$VERSION_DIR/$STACK.json
STACK_NAME=$(stack_name_for "$STACK")
make_workdir
helper given-keys "${PARAM_FILES[@]}" "${PARAMS[@]}" >"$WORK/given"
declare -A GIVEN_VALUE=()
while IFS=$'\t' read -r key value; do
  GIVEN_VALUE[$key]=$value
done <"$WORK/given"
# Validate every value now; the VPC and subnets left unset are looked up once AWS is reachable.
helper parameters --stack "$STACK" --defer-network "${PARAM_FILES[@]}" \
  "$TEMPLATE" "$WORK/params.json" "${PARAMS[@]}" >/dev/null
TEMPLATE_BYTES=$(wc -c <"$TEMPLATE")
if ((TEMPLATE_BYTES > INLINE_LIMIT)) && [[ -z $S3_BUCKET ]]; then
  usage_error "$TEMPLATE is $TEMPLATE_BYTES bytes, over CloudFormation's inline limit of $INLINE_LIMIT: pass --s3-bucket BUCKET (a bucket of yours in the same region)"
fi

require_aws

# A VPC or subnet list not given: the default VPC and all its subnets, as in the lab
# (the subnets of the VPC given, when only the VPC is given).
NETWORK=()
while IFS=$'\t' read -r kind name vpc_parameter; do
  [[ -n $kind ]] || continue
  vpc_id=
  [[ -z $vpc_parameter ]] || vpc_id=${GIVEN_VALUE[$vpc_parameter]:-}
  if [[ -z $vpc_id ]]; then
    vpc_id=$(aws_ ec2 describe-vpcs --filters Name=isDefault,Values=true \
      --query 'Vpcs[0].VpcId' --output text)
    [[ $vpc_id == vpc-* ]] ||
      die "no default VPC in $REGION: pass --param $name=... (and the subnets) for an existing VPC"
  fi
  if [[ $kind == vpc ]]; then
    NETWORK+=("$name=$vpc_id")
    say "$name: the default VPC $vpc_id"
  else
    subnets=$(aws_ ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc_id" \
      --query 'Subnets[].SubnetId' --output text | tr -s '\t ' ',')
    [[ -n $subnets && $subnets != None ]] ||
      die "VPC $vpc_id has no subnets: pass --param $name=subnet-...,subnet-..."
    NETWORK+=("$name=$subnets")
    say "$name: all subnets of $vpc_id"
  fi
done < <(helper network-params "$TEMPLATE" "${!GIVEN_VALUE[@]}")

say "Stack $STACK_NAME ($REGION) from templates/v$VERSION/$STACK.json, parameters:"
helper parameters --stack "$STACK" "${PARAM_FILES[@]}" \
  "$TEMPLATE" "$WORK/params.json" "${NETWORK[@]}" "${PARAMS[@]}"

TEMPLATE_ARGS=(--template-body "file://$TEMPLATE")
if [[ -n $S3_BUCKET ]]; then
  key="ecs-templates/$STACK_NAME/v$VERSION/$STACK.json"
  aws_ s3 cp --only-show-errors "$TEMPLATE" "s3://$S3_BUCKET/$key" ||
    die "cannot upload the template to s3://$S3_BUCKET/$key (does the bucket exist in $REGION?)"
  TEMPLATE_ARGS=(--template-url "https://$S3_BUCKET.s3.$REGION.amazonaws.com/$key")
fi

STATUS=$(stack_status "$STACK_NAME")
case $STATUS in
  NONE|REVIEW_IN_PROGRESS) CHANGE_SET_TYPE=CREATE ;;
  ROLLBACK_COMPLETE)
    say "Stack $STACK_NAME is in ROLLBACK_COMPLETE (its creation failed and cannot be updated): deleting it to create it again."
    mark_events_seen "$STACK_NAME"
    aws_ cloudformation delete-stack --stack-name "$STACK_NAME"
    follow_stack "$STACK_NAME"
    [[ $FINAL_STATUS == NONE ]] || die "could not delete $STACK_NAME: $FINAL_STATUS"
    CHANGE_SET_TYPE=CREATE ;;
  *_IN_PROGRESS) die "stack $STACK_NAME is busy ($STATUS): wait for it to finish, then deploy again" ;;
  UPDATE_ROLLBACK_FAILED)
    die "stack $STACK_NAME is UPDATE_ROLLBACK_FAILED: fix the cause, then aws cloudformation continue-update-rollback --stack-name $STACK_NAME" ;;
  *_FAILED) die "stack $STACK_NAME is $STATUS: delete it (scripts/delete.sh $STACK) and deploy again" ;;
  *) CHANGE_SET_TYPE=UPDATE ;;
esac

CHANGE_SET_NAME="deploy-$(date -u +%Y%m%dT%H%M%S)"
CREATED_EMPTY_STACK=false
[[ $CHANGE_SET_TYPE == CREATE && $STATUS != REVIEW_IN_PROGRESS ]] && CREATED_EMPTY_STACK=true

# Leaves nothing behind when no change set is executed: the change set, and the empty
# REVIEW_IN_PROGRESS stack that a CREATE change set makes.
CHANGE_SET_MADE=false
discard_change_set() {
  if $CHANGE_SET_MADE; then
    aws_ cloudformation delete-change-set --stack-name "$STACK_NAME" \
      --change-set-name "$CHANGE_SET_NAME" >/dev/null 2>&1 || true
  fi
  if $CREATED_EMPTY_STACK && [[ $(stack_status "$STACK_NAME") == REVIEW_IN_PROGRESS ]]; then
    aws_ cloudformation delete-stack --stack-name "$STACK_NAME" || true
  fi
}

# The outputs, from the description stack_status left in $WORK/stack.json.
print_outputs() {
  say "Outputs of $STACK_NAME:"
  helper outputs "$WORK/stack.json"
}

no_changes() {
  discard_change_set
  say "No changes: stack $STACK_NAME is up to date with templates/v$VERSION/$STACK.json."
  print_outputs  # the description read before the change set is still current
  exit 0
}

say "Creating change set $CHANGE_SET_NAME ($CHANGE_SET_TYPE)..."
if ! answer=$(aws_ cloudformation create-change-set --stack-name "$STACK_NAME" \
    --change-set-name "$CHANGE_SET_NAME" --change-set-type "$CHANGE_SET_TYPE" \
    "${TEMPLATE_ARGS[@]}" --parameters "file://$WORK/params.json" \
    --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM \
    --description "ecs-templates v$VERSION $STACK" --output text --query Id 2>&1); then
  grep -q 'No updates are to be performed' <<<"$answer" && no_changes
  discard_change_set
  die "CloudFormation refused the change set: $(grep -v '^\s*$' <<<"$answer" | tail -n 1)"
fi
CHANGE_SET_MADE=true

deadline=$((SECONDS + WAIT_MINUTES * 60))
while :; do
  aws_ cloudformation describe-change-set --stack-name "$STACK_NAME" \
    --change-set-name "$CHANGE_SET_NAME" --output json >"$WORK/change-set.json"
  cs_status=$(helper field "$WORK/change-set.json" Status)
  case $cs_status in
    CREATE_COMPLETE) break ;;
    FAILED)
      cs_reason=$(helper field "$WORK/change-set.json" StatusReason)
      if [[ $cs_reason == *"didn't contain changes"* || $cs_reason == *"No updates are to be performed"* ]]; then
        no_changes
      fi
      discard_change_set
      die "the change set failed: $cs_reason" ;;
  esac
  ((SECONDS < deadline)) || { discard_change_set; die "the change set is still $cs_status after $WAIT_MINUTES minutes"; }
  sleep "$POLL_SECONDS"
done

CURRENT=()
if [[ $CHANGE_SET_TYPE == UPDATE ]]; then
  aws_ cloudformation describe-stack-resources --stack-name "$STACK_NAME" --output json >"$WORK/current.json"
  CURRENT=("$WORK/current.json")
fi
review_status=0
helper review "$WORK/change-set.json" "$TEMPLATE" "${CURRENT[@]}" || review_status=$?
if ((review_status == 3)); then
  if $ASSUME_YES; then
    say "--yes given: going on."
  elif [[ -t 0 ]]; then
    if ! confirm "Apply this change set to $STACK_NAME anyway?"; then
      discard_change_set
      die "aborted: nothing changed (the change set was deleted)"
    fi
  else
    say "stdin is not a terminal: going on without asking (use a terminal to be asked)."
  fi
elif ((review_status != 0)); then
  discard_change_set
  exit "$review_status"
fi

trap 'printf "\n%s: interrupted; the stack operation goes on in CloudFormation\n" "$SCRIPT_NAME" >&2; exit 130' INT
say "Executing $CHANGE_SET_NAME; stack events:"
if ! answer=$(aws_ cloudformation execute-change-set --stack-name "$STACK_NAME" \
    --change-set-name "$CHANGE_SET_NAME" 2>&1); then
  discard_change_set
  die "CloudFormation did not execute the change set: $(grep -v '^\s*$' <<<"$answer" | tail -n 1)"
fi
follow_stack "$STACK_NAME" "$(helper field "$WORK/change-set.json" CreationTime)"
case $FINAL_STATUS in
  CREATE_COMPLETE|UPDATE_COMPLETE|IMPORT_COMPLETE)
    say "Stack $STACK_NAME: $FINAL_STATUS"
    print_outputs ;;
  ROLLBACK_COMPLETE)
    die "creating $STACK_NAME failed and was rolled back (see the FAILED events above); the next deploy deletes and recreates it" ;;
  *) die "deploying $STACK_NAME ended in $FINAL_STATUS (see the FAILED events above)" ;;
esac
