#!/usr/bin/env bash
# Push the application's images into the ECR repositories of the ecr stack.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $SCRIPT_NAME [--tag TAG] [--platform PLATFORM] [--local] [--project DIR] [--version V]

Logs docker in to this account's ECR (aws ecr get-login-password | docker login), then for
each repository of templates/v<version>/ecr.json (Metadata.EcsTemplates.SourceImages, e.g.
wordpress <- wordpress:latest, mariadb <- mariadb:11.0.2): pulls the source image for the
stacks' architecture (the task definitions' CpuArchitecture: linux/arm64 by default), tags it
<account>.dkr.ecr.<region>.amazonaws.com/<RepositoryNamePrefix><repository>:TAG and pushes
that one platform (docker push --platform); then lists what each repository holds. Deploy the
ecr stack first (scripts/deploy.sh ecr); the prefix is the ecr stack's parameter.
A repository whose source is a build (a compose service with build:) is built instead, for the
same platform: docker buildx build --platform --file --target --build-arg ... <context>, paths
relative to the project (--project). A repository that lists files to copy (read-only bind
mounts of project files) or a stop signal gets a derived image: a Dockerfile generated here,
FROM the pulled or built image plus one COPY per file and its STOPSIGNAL, built with the
project as its context.

Options:
  --tag TAG            the tag to push (default: latest, the ECS stacks' ImageTag default)
  --platform PLATFORM  docker platform to pull (default: from the templates, e.g. linux/arm64)
  --local              take the images already in the local docker instead of pulling them
  --project DIR        the directory the builds' paths are relative to: the one holding the
                       config file (default: the current directory)
$COMMON_HELP
EOF
}

TAG=latest
PLATFORM=
LOCAL=false
PROJECT=.
while [[ $# -gt 0 ]]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --local) LOCAL=true; shift ;;
    --tag|--platform|--project)
      [[ $# -ge 2 && -n $2 && $2 != --* ]] || usage_error "$1 needs a value"
      case $1 in --tag) TAG=$2 ;; --platform) PLATFORM=$2 ;; --project) PROJECT=$2 ;; esac
      shift 2 ;;
    -*)
      common_option "$@" || usage_error "unknown option $1"
      shift "$SHIFT_BY" ;;
    *) usage_error "unexpected argument '$1' (the repositories come from the ecr template)" ;;
  esac
done
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || usage_error "invalid tag '$TAG': letters, digits, _ . - (at most 128)"
[[ -z $PLATFORM || $PLATFORM =~ ^linux/(arm64|amd64)$ ]] || usage_error "--platform must be linux/arm64 or linux/amd64"
[[ -d $PROJECT ]] || usage_error "--project $PROJECT is not a directory"

resolve_version
require_stack_template ecr
make_workdir
helper source-images "$VERSION_DIR/ecr.json" >"$WORK/images"
[[ -s $WORK/images ]] || die "templates/v$VERSION/ecr.json lists no source images (Metadata.EcsTemplates.SourceImages)"
[[ -n $PLATFORM ]] || PLATFORM=$(helper platform "$VERSION_DIR")
command -v docker >/dev/null 2>&1 || die "docker is not on PATH: install Docker to push images"
# Check every build before pushing anything: its context and Dockerfile must be in the project.
while IFS=$'\t' read -r repository kind _ copy; do
  if [[ $kind == build ]]; then
    mapfile -t build_args < <(helper build-args "$VERSION_DIR/ecr.json" "$repository" "$PROJECT")
    [[ -d ${build_args[-1]} ]] ||
      die "the build context ${build_args[-1]} of $repository does not exist: run $SCRIPT_NAME in the project directory or give --project"
    [[ -f ${build_args[1]} ]] ||
      die "the Dockerfile ${build_args[1]} of $repository does not exist: run $SCRIPT_NAME in the project directory or give --project"
  fi
  if [[ $kind == build || $copy == copy ]] && ! docker buildx version >/dev/null 2>&1; then
    die "docker buildx is not available: install the buildx plugin to build $repository"
  fi
done <"$WORK/images"

require_aws
# The repositories' names carry the ecr stack's RepositoryNamePrefix (when it does not exist:
# the prefix deploy.sh would give it).
if ! NAME_PREFIX=$(aws_ cloudformation describe-stacks --stack-name "$(stack_name_for ecr)" \
    --query "Stacks[0].Parameters[?ParameterKey=='RepositoryNamePrefix'].ParameterValue | [0]" \
    --output text 2>/dev/null); then
  NAME_PREFIX=$(default_repository_prefix)
fi
[[ $NAME_PREFIX != None ]] || NAME_PREFIX=
mapfile -t REPOSITORIES < <(cut -f1 "$WORK/images" | sed "s|^|$NAME_PREFIX|")
if ! aws_ ecr describe-repositories --repository-names "${REPOSITORIES[@]}" \
    --query 'repositories[].[repositoryName,repositoryUri]' --output text >"$WORK/uris" 2>"$WORK/error"; then
  die "the repositories ${REPOSITORIES[*]} are not all in ECR ($REGION): deploy the ecr stack first (scripts/deploy.sh ecr): $(tail -n 1 "$WORK/error")"
fi
REGISTRY=$(head -n 1 "$WORK/uris" | cut -f2 | cut -d/ -f1)

# Push exactly the platform the stacks run. With the containerd image store (the default of
# Docker Engine 29 and Docker Desktop 4.34) a tag names the whole multi-platform index, of which
# the pull fetched one platform, and a plain push fails on the missing content (docker/cli#4959);
# `docker push --platform` (Docker 27+, docker/cli#4984) pushes that platform's manifest alone.
# An older client has no such flag and its classic image store holds the one platform pulled.
PUSH_PLATFORM=()
push_help=$(docker push --help 2>/dev/null || true)
if [[ $push_help == *--platform* ]]; then
  PUSH_PLATFORM=(--platform "$PLATFORM")
else
  say "This docker client cannot push one platform (docker push --platform needs Docker 27 or later): pushing the tag."
fi

say "Logging docker in to $REGISTRY..."
aws_ ecr get-login-password | docker login --username AWS --password-stdin "$REGISTRY"

while IFS=$'\t' read -r repository kind source copy; do
  uri=$(awk -F'\t' -v name="$NAME_PREFIX$repository" '$1 == name {print $2}' "$WORK/uris")
  if [[ $kind == build ]]; then
    mapfile -t build_args < <(helper build-args "$VERSION_DIR/ecr.json" "$repository" "$PROJECT")
    say "Building $repository ($PLATFORM) from ${build_args[-1]}..."
    # --load: the built platform goes into the local image store, from which the push sends it.
    docker buildx build --platform "$PLATFORM" "${build_args[@]:0:${#build_args[@]}-1}" \
      --tag "$uri:$TAG" --load "${build_args[-1]}"
    source=$uri:$TAG
  elif $LOCAL; then
    architecture=$(docker image inspect --format '{{.Architecture}}' "$source" 2>/dev/null) ||
      die "local image $source not found: pull or build it, or drop --local"
    [[ $architecture == "${PLATFORM#linux/}" ]] ||
      die "local image $source is $architecture but the stacks run ${PLATFORM#linux/}: drop --local to pull $PLATFORM"
  else
    say "Pulling $source ($PLATFORM)..."
    docker pull --platform "$PLATFORM" "$source"
  fi
  if [[ $copy == copy ]]; then
    # The read-only project files of the compose file's bind mounts and its stop_signal, in a derived image.
    dockerfile=$WORK/derived-${repository//\//-}.Dockerfile
    helper derived-dockerfile "$VERSION_DIR/ecr.json" "$repository" "$source" >"$dockerfile"
    say "Building $repository ($PLATFORM): $source plus the project's files and stop signal..."
    docker buildx build --platform "$PLATFORM" --file "$dockerfile" --tag "$uri:$TAG" --load "$PROJECT"
  elif [[ $kind != build ]]; then
    docker tag "$source" "$uri:$TAG"
  fi
  say "Pushing $repository ($PLATFORM) as $uri:$TAG..."
  docker push "${PUSH_PLATFORM[@]}" "$uri:$TAG"
done <"$WORK/images"

say "The registry holds:"
listing="sort_by(imageDetails, &to_string(imagePushedAt))[].[join(',', imageTags || \`[\"<untagged>\"]\`), imageDigest, to_string(imagePushedAt)]"
for repository in "${REPOSITORIES[@]}"; do
  say "  $repository:"
  aws_ ecr describe-images --repository-name "$repository" \
    --query "$listing" \
    --output text | sed 's/^/    /'
done
