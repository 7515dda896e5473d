"""A recording stand-in for the docker CLI: the tests have no Docker engine.

Each call is appended as one JSON line ({"argv": [...], "stdin": ...}) to $STANDIN_DOCKER_LOG;
stdin is read only for `login --password-stdin`. `push` ends the way a real push ends, with the
image manifest put into the ECR repository (PutImage against AWS_ENDPOINT_URL), so the
registry side that push-images.sh lists afterwards is real. `image inspect` answers
$STANDIN_DOCKER_ARCH (default arm64) for the images named in $STANDIN_DOCKER_LOCAL.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

import boto3


def record(argv: list[str], stdin: str | None) -> None:
    with open(os.environ["STANDIN_DOCKER_LOG"], "a", encoding="utf-8") as log:
        log.write(json.dumps({"argv": argv, "stdin": stdin}) + "\n")


def manifest_for(reference: str) -> str:
    digest = "sha256:" + hashlib.sha256(reference.encode()).hexdigest()
    return json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": digest},
        "layers": [],
    })


def push(reference: str) -> None:
    """uri:tag, uri = <account>.dkr.ecr.<region>.amazonaws.com/<repository>."""
    uri, _, tag = reference.rpartition(":")
    host, _, repository = uri.partition("/")
    region = host.split(".")[3]
    ecr = boto3.client("ecr", region_name=region, endpoint_url=os.environ["AWS_ENDPOINT_URL"])
    ecr.put_image(repositoryName=repository, imageManifest=manifest_for(reference), imageTag=tag)
    print(f"{tag}: digest: pushed")


def main(argv: list[str]) -> int:
    stdin = sys.stdin.read() if "--password-stdin" in argv else None
    record(argv, stdin)
    if argv[:1] == ["push"]:
        push(argv[-1])
    elif argv[:2] == ["image", "inspect"]:
        if argv[-1] not in os.environ.get("STANDIN_DOCKER_LOCAL", "").split():
            print(f"Error: No such image: {argv[-1]}", file=sys.stderr)
            return 1
        print(os.environ.get("STANDIN_DOCKER_ARCH", "arm64"))
    elif argv[:1] == ["login"]:
        print("Login Succeeded")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
