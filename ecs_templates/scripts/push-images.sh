#!/usr/bin/env bash
# Push the application's images into the ECR repositories of the ecr stack.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [--tag TAG] [--platform PLATFORM] [--local] [--version V]

Logs docker in to this account's ECR (aws ecr get-login-password | docker login), then for
each repository of templates/v<version>/ecr.json (Metadata.EcsTemplates.SourceImages, e.g.
wordpress <- wordpress:latest, mariadb <- mariadb:11.0.2): pulls the source image for the
stacks' architecture (the task definitions' CpuArchitecture: linux/arm64 by default), tags it
<account>.dkr.ecr.<region>.amazonaws.com/<repository>:TAG and pushes it; then lists what each
repository holds. Deploy the ecr stack first (scripts/deploy.sh ecr).

Options:
  --tag TAG            the tag to push (default: latest, the ECS stacks' ImageTag default)
  --platform PLATFORM  docker platform to pull (default: from the templates, e.g. linux/arm64)
  --local              take the images already in the local docker instead of pulling them
$COMMON_HELP
EOF
}

TAG=latest
PLATFORM=
LOCAL=false
while [[ $# -gt 0 ]]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --local) LOCAL=true; shift ;;
    --tag|--platform)
      [[ $# -ge 2 && -n $2 && $2 != --* ]] || usage_error "$1 needs a value"
      if [[ $1 == --tag ]]; then TAG=$2; else PLATFORM=$2; fi
      shift 2 ;;
    -*)
      common_option "$@" || usage_error "unknown option $1"
      shift "$SHIFT_BY" ;;
    *) usage_error "unexpected argument '$1' (the repositories come from the ecr template)" ;;
  esac
done
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || usage_error "invalid tag '$TAG': letters, digits, _ . - (at most 128)"
[[ -z $PLATFORM || $PLATFORM =~ ^linux/(arm64|amd64)$ ]] || usage_error "--platform must be linux/arm64 or linux/amd64"

resolve_version
require_stack_template ecr
make_workdir
helper source-images "$VERSION_DIR/ecr.json" >"$WORK/images"
[[ -s $WORK/images ]] || die "templates/v$VERSION/ecr.json lists no source images (Metadata.EcsTemplates.SourceImages)"
[[ -n $PLATFORM ]] || PLATFORM=$(helper platform "$VERSION_DIR")
command -v docker >/dev/null 2>&1 || die "docker is not on PATH: install Docker to push images"

require_aws
mapfile -t REPOSITORIES < <(cut -f1 "$WORK/images")
if ! aws_ ecr describe-repositories --repository-names "${REPOSITORIES[@]}" \
    --query 'repositories[].[repositoryName,repositoryUri]' --output text >"$WORK/uris" 2>"$WORK/error"; then
  die "the repositories ${REPOSITORIES[*]} are not all in ECR ($REGION): deploy the ecr stack first (scripts/deploy.sh ecr): $(tail -n 1 "$WORK/error")"
fi
REGISTRY=$(head -n 1 "$WORK/uris" | cut -f2 | cut -d/ -f1)

say "Logging docker in to $REGISTRY..."
aws_ ecr get-login-password | docker login --username AWS --password-stdin "$REGISTRY"

while IFS=$'\t' read -r repository source; do
  uri=$(awk -F'\t' -v name="$repository" '$1 == name {print $2}' "$WORK/uris")
  if $LOCAL; then
    architecture=$(docker image inspect --format '{{.Architecture}}' "$source" 2>/dev/null) ||
      die "local image $source not found: pull or build it, or drop --local"
    [[ $architecture == "${PLATFORM#linux/}" ]] ||
      die "local image $source is $architecture but the stacks run ${PLATFORM#linux/}: drop --local to pull $PLATFORM"
  else
    say "Pulling $source ($PLATFORM)..."
    docker pull --platform "$PLATFORM" "$source"
  fi
  say "Pushing $source as $uri:$TAG..."
  docker tag "$source" "$uri:$TAG"
  docker push "$uri:$TAG"
done <"$WORK/images"

say "The registry holds:"
listing="sort_by(imageDetails, &to_string(imagePushedAt))[].[join(',', imageTags || \`[\"<untagged>\"]\`), imageDigest, to_string(imagePushedAt)]"
for repository in "${REPOSITORIES[@]}"; do
  say "  $repository:"
  aws_ ecr describe-images --repository-name "$repository" \
    --query "$listing" \
    --output text | sed 's/^/    /'
done
