# shellcheck shell=bash
# Shared by scripts/*.sh: sourced, never run. Every AWS call goes through aws_, which adds
# --region, --profile and --endpoint-url (AWS_ENDPOINT_URL) so the scripts run unchanged
# against AWS or a local emulator.

# ECS_TEMPLATES_COMMAND: the name `ecs-templates deploy` (and its siblings) runs a script under.
SCRIPT_NAME=${ECS_TEMPLATES_COMMAND:-$(basename "$0")}
SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The templates: ECS_TEMPLATES_DIR; else, in a clone (setup.cfg beside ecs_templates/), its
# templates/; else (the scripts installed with the package) the current directory's templates/.
CLONE_DIR=$(cd -P "$SCRIPTS_DIR/../.." && pwd)
DEFAULT_TEMPLATES_DIR=$PWD/templates
[[ ! -f $CLONE_DIR/setup.cfg ]] || DEFAULT_TEMPLATES_DIR=$CLONE_DIR/templates
TEMPLATES_DIR=${ECS_TEMPLATES_DIR:-$DEFAULT_TEMPLATES_DIR}
HELPER=$SCRIPTS_DIR/lib/cfn_helper.py
POLL_SECONDS=${DEPLOY_POLL_SECONDS:-5}
WAIT_MINUTES=${DEPLOY_TIMEOUT_MINUTES:-60}
export ECS_SCRIPT_NAME=$SCRIPT_NAME

PREFIX=${STACK_PREFIX:-wordpress}
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-}}
PROFILE=${AWS_PROFILE:-}
VERSION=
STACK_NAME_OVERRIDE=
AWS_ARGS=()
WORK=

die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

usage_error() {
  printf "%s: error: %s\nTry '%s --help'.\n" "$SCRIPT_NAME" "$*" "$SCRIPT_NAME" >&2
  exit 2
}

say() { printf '%s\n' "$*"; }

helper() { python3 "$HELPER" "$@"; }

# Options every script takes; returns 1 when $1 is not one of them. Sets SHIFT_BY.
common_option() {
  SHIFT_BY=2
  case $1 in
    --region|--profile|--prefix|--version|--stack-name)
      [[ $# -ge 2 && -n $2 && $2 != --* ]] || usage_error "$1 needs a value"
      case $1 in
        --region) REGION=$2 ;;
        --profile) PROFILE=$2 ;;
        --prefix) PREFIX=$2 ;;
        --version) VERSION=${2#v} ;;
        --stack-name) STACK_NAME_OVERRIDE=$2 ;;
      esac ;;
    *) return 1 ;;
  esac
}

COMMON_HELP="Common options:
  --region REGION     AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's)
  --profile PROFILE   AWS CLI profile (default: AWS_PROFILE)
  --prefix PREFIX     stack names are PREFIX-STACK (default: STACK_PREFIX or 'wordpress')
  --stack-name NAME   use this stack name instead of PREFIX-STACK (one stack only)
  --version V         template version under templates/ (default: the newest)
  -h, --help          this help

Environment: AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL (passed as --endpoint-url to every
call, e.g. a local emulator), ECS_TEMPLATES_DIR (default: a clone's templates/, else ./templates),
DEPLOY_POLL_SECONDS (5), DEPLOY_TIMEOUT_MINUTES (60)."

make_workdir() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/ecs-templates.XXXXXX")
  trap 'rm -rf "$WORK"' EXIT
}

# The version directory: --version, or the newest templates/v*/. Sets VERSION and VERSION_DIR.
resolve_version() {
  command -v python3 >/dev/null 2>&1 || die "python3 is not on PATH (the scripts read templates with it)"
  [[ -d $TEMPLATES_DIR ]] || die "no templates directory $TEMPLATES_DIR: run 'ecs-templates build' (in a clone: make templates)"
  local available
  available=$(helper versions "$TEMPLATES_DIR")
  [[ -n $available ]] || die "no template version in $TEMPLATES_DIR: run 'ecs-templates build' (in a clone: make templates)"
  [[ -n $VERSION ]] || VERSION=$(tail -n 1 <<<"$available")
  VERSION_DIR=$TEMPLATES_DIR/v$VERSION
  [[ -d $VERSION_DIR ]] ||
    usage_error "template version $VERSION not found in $TEMPLATES_DIR (available: $(paste -sd ' ' <<<"$available"))"
}

# Fails unless templates/v<version>/<stack>.json exists.
require_stack_template() {
  local stack=$1
  [[ -f $VERSION_DIR/$stack.json ]] ||
    usage_error "unknown stack '$stack': templates/v$VERSION has $(helper stacks "$VERSION_DIR" | paste -sd ' ')"
}

stack_name_for() {
  local name=${STACK_NAME_OVERRIDE:-$PREFIX-$1}
  [[ $name =~ ^[A-Za-z][A-Za-z0-9-]{0,127}$ ]] ||
    usage_error "invalid stack name '$name': letters, digits and hyphens, starting with a letter (check --prefix)"
  printf '%s\n' "$name"
}

# The aws CLI, a region, and credentials that work; sets AWS_ARGS.
require_aws() {
  command -v aws >/dev/null 2>&1 ||
    die "the aws CLI is not on PATH: install it (pip install awscli, or AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
  AWS_ARGS=()
  [[ -z $PROFILE ]] || AWS_ARGS+=(--profile "$PROFILE")
  if [[ -z $REGION ]]; then
    REGION=$(aws "${AWS_ARGS[@]}" configure get region 2>/dev/null || true)
  fi
  [[ -n $REGION ]] || die "no AWS region: set AWS_REGION, pass --region, or configure one for the profile"
  AWS_ARGS+=(--region "$REGION")
  [[ -z ${AWS_ENDPOINT_URL:-} ]] || AWS_ARGS+=(--endpoint-url "$AWS_ENDPOINT_URL")
  local answer
  if ! answer=$(aws_ sts get-caller-identity --query Account --output text 2>&1); then
    die "no usable AWS credentials${PROFILE:+ for profile $PROFILE}: $(grep -v '^\s*$' <<<"$answer" | tail -n 1)"
  fi
}

aws_() { aws "${AWS_ARGS[@]}" "$@"; }

# The stack's status, or NONE when it does not exist (deleted stacks count as absent);
# the whole description is left in $WORK/stack.json.
stack_status() {
  local answer
  if aws_ cloudformation describe-stacks --stack-name "$1" --output json \
      >"$WORK/stack.json" 2>"$WORK/stack.error"; then
    answer=$(helper field "$WORK/stack.json" Stacks.0.StackStatus)
    [[ $answer == DELETE_COMPLETE ]] && answer=NONE
    printf '%s\n' "$answer"
  elif grep -q 'does not exist' "$WORK/stack.error"; then
    printf '{}\n' >"$WORK/stack.json"
    printf 'NONE\n'
  else
    die "cannot read stack $1: $(grep -v '^\s*$' "$WORK/stack.error" | tail -n 1)"
  fi
}

# Prints each new stack event (time, resource, type, status, reason) until the stack leaves
# every *_IN_PROGRESS state; sets FINAL_STATUS. $1: stack name or id; $2: print only the
# events from this time on (ISO 8601), else those not seen by mark_events_seen.
follow_stack() {
  local stack=$1 since=() deadline=$((SECONDS + WAIT_MINUTES * 60))
  [[ -z ${2:-} ]] || since=(--since "$2")
  FINAL_STATUS=
  while :; do
    if aws_ cloudformation describe-stack-events --stack-name "$stack" --max-items 100 \
        --output json >"$WORK/events.json" 2>/dev/null; then
      helper events "${since[@]}" "$WORK/events.json" "$WORK/seen-events"
    fi
    FINAL_STATUS=$(stack_status "$stack")
    [[ $FINAL_STATUS == *_IN_PROGRESS ]] || return 0
    ((SECONDS < deadline)) ||
      die "stack $stack is still $FINAL_STATUS after $WAIT_MINUTES minutes; it goes on in CloudFormation"
    sleep "$POLL_SECONDS"
  done
}

# Marks the events that exist now as seen, so follow_stack prints only what comes next.
mark_events_seen() {
  if aws_ cloudformation describe-stack-events --stack-name "$1" --max-items 100 \
      --output json >"$WORK/events.json" 2>/dev/null; then
    helper events "$WORK/events.json" "$WORK/seen-events" >/dev/null
  fi
}

# Asks on a terminal; $1 the question. Returns 0 for yes.
confirm() {
  local reply
  read -r -p "$1 [y/N] " reply || return 1
  [[ $reply == [yY] || $reply == [yY][eE][sS] ]]
}
