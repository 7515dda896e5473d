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
The template is sent inline, minified (up to 51,200 bytes), else through --s3-bucket.

Creating a stack whose ECR repositories exist already (kept when the stack was deleted)
adopts them through an IMPORT change set, images included, then updates the stack to the
whole template.

Every parameter gets an explicit value on every deploy: --param, else --params-file, else the
template's default (never the previous value); RepositoryNamePrefix defaults to PREFIX/ for a
--prefix other than 'wordpress'. A VPC or subnet-list parameter left unset takes the account's
default VPC and its subnets (only those in zones that offer the InstanceType, if the stack has one).
A prefix that would make a capacity provider name start with aws, ecs or fargate is refused.

Options:
  --param KEY=VALUE   a template parameter (repeatable; lists comma-separated)
  --params-file FILE  KEY=VALUE lines (# comments), or JSON: {"Key": "value"} or
                      [{"ParameterKey": ..., "ParameterValue": ...}] (repeatable; --param wins)
  --s3-bucket BUCKET  upload the template there first (required above 51,200 bytes minified)
  --yes               do not ask before deleting or replacing stateful resources
$COMMON_HELP

Example (a services stack on the data an earlier one kept: delete.sh prints this command):
  $SCRIPT_NAME ecs-services-rds --param ExistingFileSystemId=fs-0123abcd \\
    --param MariadbSnapshotIdentifier=<final snapshot> --param VpcId=vpc-... --param SubnetIds=subnet-...,subnet-...

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
if [[ -z ${GIVEN_VALUE[RepositoryNamePrefix]+given} && -n $(helper field "$TEMPLATE" Parameters.RepositoryNamePrefix.Type) ]]; then
  name_prefix=$(default_repository_prefix)
  if [[ -n $name_prefix ]]; then
    say "RepositoryNamePrefix: $name_prefix (from --prefix $PREFIX; pass --param RepositoryNamePrefix=... to choose)"
    PARAMS=("RepositoryNamePrefix=$name_prefix" "${PARAMS[@]}")
    GIVEN_VALUE[RepositoryNamePrefix]=$name_prefix
  fi
fi
# Validate every value now; the VPC and subnets left unset are looked up once AWS is reachable.
helper parameters --stack "$STACK" --defer-network "${PARAM_FILES[@]}" \
  "$TEMPLATE" "$WORK/params.json" "${PARAMS[@]}" >/dev/null
while IFS=$'\t' read -r logical name; do
  usage_error "stack name $STACK_NAME would name capacity provider $logical '$name...', and ECS refuses a capacity provider name that starts with aws, ecs or fargate: choose another --prefix (or --stack-name)"
done < <(helper reserved-names "$TEMPLATE" "$WORK/params.json" "$STACK_NAME")
# Inline, the template body is limited to 51,200 bytes; through S3, to 1 MB (CreateChangeSet,
# TemplateBody and TemplateURL): https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateChangeSet.html
TEMPLATE_BYTES=$(helper minify "$TEMPLATE" "$WORK/template.json")
if ((TEMPLATE_BYTES > INLINE_LIMIT)) && [[ -z $S3_BUCKET ]]; then
  usage_error "$TEMPLATE is $TEMPLATE_BYTES bytes even minified, over CloudFormation's inline limit of $INLINE_LIMIT: pass --s3-bucket BUCKET (a bucket of yours in the same region)"
fi
INSTANCE_TYPE=
if [[ -n $(helper field "$TEMPLATE" Parameters.InstanceType.Type) ]]; then
  INSTANCE_TYPE=${GIVEN_VALUE[InstanceType]:-$(helper field "$TEMPLATE" Parameters.InstanceType.Default)}
fi

require_aws

# Sets SUBNETS to the subnets of VPC $1 for parameter $2, comma-separated: with an INSTANCE_TYPE,
# only those in zones that offer it, saying which it leaves out (Auto Scaling launches fail in
# the others; in us-east-1 one zone of the default VPC offers no Graviton type). The zones come
# from https://docs.aws.amazon.com/cli/latest/reference/ec2/describe-instance-type-offerings.html
subnets_of() {
  local vpc_id=$1 name=$2 subnet zone kept=() left=() zones
  aws_ ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc_id" \
    --query 'Subnets[].[SubnetId,AvailabilityZone]' --output text >"$WORK/subnets"
  [[ -s $WORK/subnets ]] || die "VPC $vpc_id has no subnets: pass --param $name=subnet-...,subnet-..."
  if [[ -n $INSTANCE_TYPE ]]; then
    zones=" $(aws_ ec2 describe-instance-type-offerings --location-type availability-zone \
      --filters "Name=instance-type,Values=$INSTANCE_TYPE" \
      --query 'InstanceTypeOfferings[].Location' --output text | tr -s '\t\n' '  ') "
  fi
  while read -r subnet zone; do
    if [[ -z $INSTANCE_TYPE || $zones == *" $zone "* ]]; then kept+=("$subnet"); else left+=("$subnet ($zone)"); fi
  done <"$WORK/subnets"
  ((${#left[@]} == 0)) || say "$name: left out ${left[*]}: the zone does not offer $INSTANCE_TYPE"
  ((${#kept[@]} > 0)) ||
    die "no subnet of $vpc_id is in a zone that offers $INSTANCE_TYPE: choose another InstanceType, or pass --param $name=subnet-..."
  SUBNETS=$(IFS=,; printf '%s' "${kept[*]}")
}

# A VPC or subnet list not given: the default VPC and its subnets, as in the lab
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
    subnets_of "$vpc_id" "$name"
    NETWORK+=("$name=$SUBNETS")
    if [[ -n $INSTANCE_TYPE ]]; then
      say "$name: the subnets of $vpc_id in zones that offer $INSTANCE_TYPE"
    else
      say "$name: all subnets of $vpc_id"
    fi
  fi
done < <(helper network-params "$TEMPLATE" "${!GIVEN_VALUE[@]}")

say "Stack $STACK_NAME ($REGION) from templates/v$VERSION/$STACK.json, parameters:"
helper parameters --stack "$STACK" "${PARAM_FILES[@]}" \
  "$TEMPLATE" "$WORK/params.json" "${NETWORK[@]}" "${PARAMS[@]}"

TEMPLATE_ARGS=(--template-body "file://$WORK/template.json")
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

STAMP=$(date -u +%Y%m%dT%H%M%S)
CHANGE_SET_NAME=
CREATED_EMPTY_STACK=false
[[ $CHANGE_SET_TYPE == CREATE && $STATUS != REVIEW_IN_PROGRESS ]] && CREATED_EMPTY_STACK=true

# Leaves nothing behind when no change set is executed: the change set, and the empty
# REVIEW_IN_PROGRESS stack that a CREATE (or IMPORT) change set makes.
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

# Goes on after a warning when --yes, or when nobody can be asked; asks on a terminal.
go_on_or_abort() {
  if $ASSUME_YES; then
    say "--yes given: going on."
  elif [[ -t 0 ]]; then
    if ! confirm "$1"; then
      discard_change_set
      die "aborted: nothing changed (the change set was deleted)"
    fi
  else
    say "stdin is not a terminal: going on without asking (use a terminal to be asked)."
  fi
}

# Creates change set $CHANGE_SET_NAME of type $1 with the template arguments that follow and
# waits until CloudFormation has worked it out into $WORK/change-set.json.
make_change_set() {
  local type=$1 answer cs_status cs_reason deadline
  shift
  say "Creating change set $CHANGE_SET_NAME ($type)..."
  if ! answer=$(aws_ cloudformation create-change-set --stack-name "$STACK_NAME" \
      --change-set-name "$CHANGE_SET_NAME" --change-set-type "$type" \
      "$@" --parameters "file://$WORK/params.json" \
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
      CREATE_COMPLETE) return 0 ;;
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
}

# Executes the change set made last and follows the stack until it settles; sets FINAL_STATUS.
execute_change_set() {
  local answer
  say "Executing $CHANGE_SET_NAME; stack events:"
  if ! answer=$(aws_ cloudformation execute-change-set --stack-name "$STACK_NAME" \
      --change-set-name "$CHANGE_SET_NAME" 2>&1); then
    discard_change_set
    die "CloudFormation did not execute the change set: $(grep -v '^\s*$' <<<"$answer" | tail -n 1)"
  fi
  follow_stack "$STACK_NAME" "$(helper field "$WORK/change-set.json" CreationTime)"
}

trap 'printf "\n%s: interrupted; the stack operation goes on in CloudFormation\n" "$SCRIPT_NAME" >&2; exit 130' INT

# A new stack whose repositories exist (kept by the deletion of an earlier one): adopt them with
# an IMPORT change set, which may only add the imported resources, each with a DeletionPolicy
# (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html,
# .../resource-import-new-stack.html); the update below adds the rest and the outputs.
if [[ $CHANGE_SET_TYPE == CREATE ]]; then
  ADOPT=()
  while IFS=$'\t' read -r type logical _ identifier; do
    [[ $type == AWS::ECR::Repository ]] || continue
    if aws_ ecr describe-repositories --repository-names "$identifier" \
        --query 'repositories[0].repositoryName' --output text >/dev/null 2>"$WORK/ecr.error"; then
      ADOPT+=("$logical")
      say "Repository $identifier exists already: the new stack adopts it ($logical), with its images."
    elif ! grep -q RepositoryNotFoundException "$WORK/ecr.error"; then
      die "cannot tell whether repository $identifier exists: $(tail -n 1 "$WORK/ecr.error")"
    fi
  done < <(helper importable "$TEMPLATE" "$WORK/params.json" "$STACK_NAME")
  if ((${#ADOPT[@]} > 0)); then
    helper import-request "$TEMPLATE" "$WORK/params.json" "$STACK_NAME" \
      "$WORK/import.json" "$WORK/import-resources.json" "${ADOPT[@]}" >/dev/null
    CHANGE_SET_NAME="import-$STAMP"
    make_change_set IMPORT --template-body "file://$WORK/import.json" \
      --resources-to-import "file://$WORK/import-resources.json"
    helper review "$WORK/change-set.json" "$TEMPLATE"
    say "The update after the import applies the template's settings (lifecycle policy, scanning, tag mutability) to them."
    go_on_or_abort "Adopt ${#ADOPT[@]} existing repositor$( ((${#ADOPT[@]} == 1)) && echo y || echo ies) into $STACK_NAME?"
    execute_change_set
    [[ $FINAL_STATUS == IMPORT_COMPLETE ]] ||
      die "importing into $STACK_NAME ended in $FINAL_STATUS (see the FAILED events above)"
    say "Stack $STACK_NAME: IMPORT_COMPLETE; now the whole template."
    CHANGE_SET_TYPE=UPDATE CREATED_EMPTY_STACK=false CHANGE_SET_MADE=false
  fi
fi

CHANGE_SET_NAME="deploy-$STAMP"
make_change_set "$CHANGE_SET_TYPE" "${TEMPLATE_ARGS[@]}"

CURRENT=()
if [[ $CHANGE_SET_TYPE == UPDATE ]]; then
  aws_ cloudformation describe-stack-resources --stack-name "$STACK_NAME" --output json >"$WORK/current.json"
  CURRENT=("$WORK/current.json")
fi
review_status=0
helper review "$WORK/change-set.json" "$TEMPLATE" "${CURRENT[@]}" || review_status=$?
if ((review_status == 3)); then
  go_on_or_abort "Apply this change set to $STACK_NAME anyway?"
elif ((review_status != 0)); then
  discard_change_set
  exit "$review_status"
fi

execute_change_set
case $FINAL_STATUS in
  CREATE_COMPLETE|UPDATE_COMPLETE|IMPORT_COMPLETE)
    say "Stack $STACK_NAME: $FINAL_STATUS"
    print_outputs ;;
  ROLLBACK_COMPLETE)
    die "creating $STACK_NAME failed and was rolled back (see the FAILED events above); the next deploy deletes and recreates it" ;;
  *) die "deploying $STACK_NAME ended in $FINAL_STATUS (see the FAILED events above)" ;;
esac
