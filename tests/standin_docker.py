"""A recording stand-in for the docker CLI: the tests have no Docker engine.

Each call is appended as one JSON line ({"argv": [...], "stdin": ..., "platform": ...}) to
$STANDIN_DOCKER_LOG; stdin is read only for `login --password-stdin`; "platform" is what a push
sends (--platform, or "all" for the whole multi-platform index).

It behaves as Docker 29 with its default containerd image store: a pull fetches one platform of
a multi-platform image, so pushing the tag without --platform fails on the content that was
not pulled (docker/cli#4959); `push --platform P` pushes that platform's manifest alone.
$STANDIN_DOCKER_CLIENT=old plays a client before Docker 27 (no `push --platform`, classic
store: a plain push sends the one platform pulled). A push ends the way a real push ends, with
the image manifest put into the ECR repository (PutImage against AWS_ENDPOINT_URL), so the
registry side that push-images.sh lists afterwards is real. `image inspect` answers
$STANDIN_DOCKER_ARCH (default arm64) for the images named in $STANDIN_DOCKER_LOCAL.
`buildx build` records the build as "build" ({platform, context, dockerfile, args, target, tag,
and the Dockerfile's text, read at the time since a generated one goes away}); it refuses a
context or Dockerfile that does not exist, as docker does.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

import boto3


OLD_CLIENT = os.environ.get("STANDIN_DOCKER_CLIENT") == "old"
PUSH_HELP = """Usage:  docker image push [OPTIONS] NAME[:TAG]

Upload an image to a registry

Options:
  -a, --all-tags                Push all tags of an image to the repository
{platform}  -q, --quiet                   Suppress verbose output
"""
PLATFORM_HELP = """      --platform string         Push a platform-specific manifest as a single-platform image to the
                                registry. Image index won't be pushed
"""


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def record(argv: list[str], stdin: str | None) -> None:
    platform = (option(argv, "--platform") or ("one pulled" if OLD_CLIENT else "all")) \
        if argv[:1] == ["push"] and "--help" not in argv else None
    entry: dict[str, object] = {"argv": argv, "stdin": stdin, "platform": platform}
    if argv[:2] == ["buildx", "build"]:
        entry["build"] = build(argv)
    with open(os.environ["STANDIN_DOCKER_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def build(argv: list[str]) -> dict[str, object]:
    """buildx build [--platform P] [--file F] [--target T] [--build-arg K=V]... [--tag T] [--load] CONTEXT."""
    context = argv[-1]
    dockerfile = option(argv, "--file") or os.path.join(context, "Dockerfile")
    args = [argv[index + 1] for index, word in enumerate(argv[:-1]) if word == "--build-arg"]
    text = open(dockerfile, encoding="utf-8").read() if os.path.isfile(dockerfile) else None
    return {"platform": option(argv, "--platform"), "context": context, "dockerfile": dockerfile,
            "args": dict(arg.split("=", 1) for arg in args), "target": option(argv, "--target"),
            "tag": option(argv, "--tag"), "load": "--load" in argv, "dockerfile_text": text,
            "context_exists": os.path.isdir(context)}


def manifest_for(reference: str) -> str:
    digest = "sha256:" + hashlib.sha256(reference.encode()).hexdigest()
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": digest},
        "layers": [],
    })


def push(argv: list[str]) -> int:
    """push [--platform P] uri:tag, uri = <account>.dkr.ecr.<region>.amazonaws.com/<repository>."""
    if OLD_CLIENT and "--platform" in argv:
        print("unknown flag: --platform\nSee 'docker push --help'.", file=sys.stderr)
        return 125
    platform, reference = option(argv, "--platform"), argv[-1]
    if platform is None and not OLD_CLIENT:
        print(f"failed to push {reference}: missing content: content digest sha256:0123: not found\n"
              "Note: You're trying to push a manifest list/index which references multiple platform "
              "specific manifests, but not all of them are available locally", file=sys.stderr)
        return 1
    uri, _, tag = reference.rpartition(":")
    host, _, repository = uri.partition("/")
    region = host.split(".")[3]
    ecr = boto3.client("ecr", region_name=region, endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    ecr.put_image(repositoryName=repository, imageManifest=manifest_for(f"{reference} {platform}"), imageTag=tag)
    print(f"{tag}: digest: pushed")
    return 0


def main(argv: list[str]) -> int:
    stdin = sys.stdin.read() if "--password-stdin" in argv else None
    record(argv, stdin)
    if argv[:2] == ["push", "--help"]:
        print(PUSH_HELP.format(platform="" if OLD_CLIENT else PLATFORM_HELP), end="")
    elif argv[:1] == ["push"]:
        return push(argv)
    elif argv[:2] == ["image", "inspect"]:
        if argv[-1] not in os.environ.get("STANDIN_DOCKER_LOCAL", "").split():
            print(f"Error: No such image: {argv[-1]}", file=sys.stderr)
            return 1
        print(os.environ.get("STANDIN_DOCKER_ARCH", "arm64"))
    elif argv[:2] == ["buildx", "build"]:
        built = build(argv)
        if not built["context_exists"] or built["dockerfile_text"] is None:
            print(f"ERROR: failed to build: no such context or Dockerfile: {built['dockerfile']}", file=sys.stderr)
            return 1
        print(f"=> naming to {built['tag']} done")
    elif argv[:2] == ["buildx", "version"]:
        print("github.com/docker/buildx v0.19.3")
    elif argv[:1] == ["login"]:
        print("Login Succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
