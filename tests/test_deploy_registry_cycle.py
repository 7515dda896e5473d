"""The registry's whole life against the emulator, and what deploy.sh checks before it creates anything.

deploy ecr -> push -> deploy ecs-ec2 -> update -> destroy (delete.sh --all) -> deploy ecr again:
the second deploy adopts the retained repositories through an IMPORT change set (moto extended
in tests/emulator_import.py) and their images are still there. Also: a second copy of the
stacks under another prefix, the capacity provider names ECS refuses, the default subnets in
zones without the instance type, the inline size of every default template, the push of one
platform by an old docker client.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from moto.ec2.models.instance_types import INSTANCE_TYPE_OFFERINGS

from ecs_templates.artifacts import newest_version_directory
from emulator import REGION, ROOT, SCRIPTS, Deployer, Emulator, listed

pytestmark = [
    pytest.mark.emulator,
    pytest.mark.filterwarnings("ignore:Tried to parse .* not supported by moto:UserWarning"),
]

NEWEST = newest_version_directory(ROOT / "templates")
assert NEWEST is not None, "no templates/v*/: run make templates"
INLINE_LIMIT = 51_200


def template_of(stack: str) -> dict[str, Any]:
    return json.loads((NEWEST / f"{stack}.json").read_text())


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    server = Emulator()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def deployer(emulator: Emulator, tmp_path: Path) -> Deployer:
    emulator.reset()
    deployer = Deployer(emulator.url, tmp_path)
    deployer.install_standin_docker()
    return deployer


def kms_parameters(deployer: Deployer, template: dict[str, Any]) -> list[str]:
    """An emulator-made key for each optional KMS key ARN (moto cannot drop a NoValue list item)."""
    ecr_kms = [name for name, spec in template["Parameters"].items()
               if name.endswith("KmsKeyArn") and spec.get("Default") == ""]
    return [argument for name in ecr_kms for argument in
            ("--param", f"{name}={deployer.client('kms').create_key()['KeyMetadata']['Arn']}")]


def images(deployer: Deployer, repository: str) -> list[tuple[str, str]]:
    details = deployer.client("ecr").describe_images(repositoryName=repository)["imageDetails"]
    return sorted((detail["imageDigest"], ",".join(detail.get("imageTags", []))) for detail in details)


def repository_resources(deployer: Deployer, stack_name: str) -> dict[str, str]:
    return {logical: resource["PhysicalResourceId"] for logical, resource in deployer.resources(stack_name).items()
            if resource["ResourceType"] == "AWS::ECR::Repository"}


def zones_offering(instance_type: str) -> set[str]:
    return {offering["Location"] for offering in INSTANCE_TYPE_OFFERINGS["availability-zone"][REGION]
            if offering["InstanceType"] == instance_type}


def test_destroy_then_deploy_the_registry_again_adopts_its_repositories(deployer: Deployer) -> None:
    created = deployer.ok("deploy.sh", "ecr")
    assert "IMPORT" not in created.stdout
    repositories = repository_resources(deployer, "wordpress-ecr")
    assert sorted(repositories.values()) == ["mariadb", "wordpress"]
    deployer.ok("push-images.sh")
    pushed = {name: images(deployer, name) for name in repositories.values()}
    assert all(len(listing) == 1 for listing in pushed.values())

    ec2 = template_of("ecs-ec2")
    kms = kms_parameters(deployer, ec2)
    deployer.ok("deploy.sh", "ecs-ec2", *kms)
    updated = deployer.ok("deploy.sh", "ecs-ec2", "--param", "ImageTag=v2", *kms)
    assert "Stack wordpress-ecs-ec2: UPDATE_COMPLETE" in updated.stdout
    assert deployer.parameters("wordpress-ecs-ec2")["ImageTag"] == "v2"

    destroyed = deployer.ok("delete.sh", "--all", "--yes")
    assert deployer.live_stacks() == []
    kept = destroyed.stdout.split("Kept by wordpress-ecr's DeletionPolicy", 1)[1]
    for name in repositories.values():
        assert name in kept and "RetainExceptOnCreate, 1 image(s)" in kept
        assert images(deployer, name) == pushed[name], "the deletion kept the repository and its images"

    again = deployer.ok("deploy.sh", "ecr")
    for logical, name in repositories.items():
        assert f"Repository {name} exists already: the new stack adopts it ({logical})" in again.stdout
        assert f"Import   {logical}" in again.stdout
    assert "Creating change set import-" in again.stdout and "(IMPORT)" in again.stdout
    assert "Stack wordpress-ecr: IMPORT_COMPLETE; now the whole template." in again.stdout
    assert "Creating change set deploy-" in again.stdout and "(UPDATE)" in again.stdout
    assert "Stack wordpress-ecr: UPDATE_COMPLETE" in again.stdout
    assert repository_resources(deployer, "wordpress-ecr") == repositories
    for name in repositories.values():
        assert images(deployer, name) == pushed[name]
    assert deployer.pending_change_sets() == []
    assert "No changes" in deployer.ok("deploy.sh", "ecr").stdout

    # the adopted registry serves the next push as before
    deployer.ok("push-images.sh", "--tag", "v2")
    for name in repositories.values():
        assert sorted(tag for _, tag in images(deployer, name)) == ["latest", "v2"]


def test_only_missing_repositories_are_created_and_nothing_is_left_when_the_import_is_refused(
        deployer: Deployer) -> None:
    deployer.client("ecr").create_repository(repositoryName="mariadb")
    adopted = deployer.ok("deploy.sh", "ecr")
    assert "Repository mariadb exists already" in adopted.stdout
    assert "Repository wordpress exists already" not in adopted.stdout
    assert sorted(repository_resources(deployer, "wordpress-ecr").values()) == ["mariadb", "wordpress"]

    # a repository that another stack holds cannot be imported: the empty new stack goes too
    refused = deployer.run("deploy.sh", "ecr", "--stack-name", "copy-ecr")
    assert refused.returncode == 1
    assert "already exists in stack wordpress-ecr" in refused.stderr
    assert deployer.live_stacks() == ["wordpress-ecr"] and deployer.pending_change_sets() == []


def test_a_second_copy_under_another_prefix_has_repositories_of_its_own(deployer: Deployer) -> None:
    deployer.ok("deploy.sh", "ecr")
    copy = deployer.ok("deploy.sh", "ecr", "--prefix", "Copy2")
    assert "RepositoryNamePrefix: copy2/ (from --prefix Copy2" in copy.stdout
    assert deployer.parameters("Copy2-ecr")["RepositoryNamePrefix"] == "copy2/"
    assert sorted(repository_resources(deployer, "Copy2-ecr").values()) == ["copy2/mariadb", "copy2/wordpress"]
    assert sorted(repository_resources(deployer, "wordpress-ecr").values()) == ["mariadb", "wordpress"]

    deployer.ok("push-images.sh", "--prefix", "Copy2")
    pushes = [call["argv"][-1] for call in deployer.docker_calls() if call["argv"][:1] == ["push"]
              and "--help" not in call["argv"]]
    assert sorted(uri.split("/", 1)[1] for uri in pushes) == ["copy2/mariadb:latest", "copy2/wordpress:latest"]
    assert images(deployer, "wordpress") == []

    own = deployer.ok("deploy.sh", "ecr", "--prefix", "third", "--param", "RepositoryNamePrefix=team-3-")
    assert "RepositoryNamePrefix: " not in own.stdout.split("parameters:")[0]
    assert sorted(repository_resources(deployer, "third-ecr").values()) == ["team-3-mariadb", "team-3-wordpress"]


@pytest.mark.parametrize("prefix", ["ecs", "AWS-lab", "fargate2", "Ecs"])
def test_a_prefix_that_would_name_a_reserved_capacity_provider_is_refused(deployer: Deployer, prefix: str) -> None:
    result = deployer.run("deploy.sh", "ecs-ec2", "--prefix", prefix)
    assert result.returncode == 2
    assert result.stderr.startswith(f"deploy.sh: error: stack name {prefix}-ecs-ec2 would name capacity provider "
                                    f"Ec2CapacityProvider '{prefix}-ecs-ec2...', and ECS refuses")
    assert "choose another --prefix" in result.stderr and "Traceback" not in result.stderr
    assert deployer.live_stacks() == []
    assert deployer.client("ecr").describe_repositories()["repositories"] == []


def test_the_reserved_prefix_is_no_concern_of_stacks_without_a_capacity_provider(deployer: Deployer) -> None:
    deployer.ok("deploy.sh", "ecr", "--prefix", "ecs")
    assert deployer.stack("ecs-ecr")["StackStatus"] == "CREATE_COMPLETE"


def test_default_subnets_in_zones_without_the_instance_type_are_left_out(deployer: Deployer,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    instance_type = template_of("ecs-ec2")["Parameters"]["InstanceType"]["Default"]
    ec2 = deployer.client("ec2")
    vpc, subnets = deployer.default_network()
    zone_of = {subnet["SubnetId"]: subnet["AvailabilityZone"] for subnet in ec2.describe_subnets(SubnetIds=subnets)["Subnets"]}
    offered = zones_offering(instance_type)
    left_out = sorted(subnet for subnet, zone in zone_of.items() if zone not in offered)
    assert left_out, f"moto's us-east-1 data has a zone without {instance_type} (as AWS's us-east-1e)"

    result = deployer.ok("deploy.sh", "ecs-ec2", *kms_parameters(deployer, template_of("ecs-ec2")))
    for subnet in left_out:
        assert f"{subnet} ({zone_of[subnet]})" in result.stdout
    assert f"SubnetIds: left out " in result.stdout and f"the zone does not offer {instance_type}" in result.stdout
    assert listed(deployer.parameters("wordpress-ecs-ec2")["SubnetIds"]) == sorted(set(subnets) - set(left_out))

    # no zone offers it: one clear error, and nothing created
    deployer.ok("delete.sh", "ecs-ec2", "--yes")
    monkeypatch.setitem(INSTANCE_TYPE_OFFERINGS["availability-zone"], REGION, [
        offering for offering in INSTANCE_TYPE_OFFERINGS["availability-zone"][REGION]
        if offering["InstanceType"] != "t4g.large"])
    refused = deployer.run("deploy.sh", "ecs-ec2", "--param", "InstanceType=t4g.large")
    assert refused.returncode == 1
    assert refused.stderr == (f"deploy.sh: error: no subnet of {vpc} is in a zone that offers t4g.large: choose "
                              "another InstanceType, or pass --param SubnetIds=subnet-...\n")
    assert deployer.live_stacks() == []

    # subnets given are taken as given
    given = deployer.ok("deploy.sh", "ecs-ec2", "--param", f"VpcId={vpc}", "--param", f"SubnetIds={left_out[0]}",
                        *kms_parameters(deployer, template_of("ecs-ec2")))
    assert "left out" not in given.stdout
    assert listed(deployer.parameters("wordpress-ecs-ec2")["SubnetIds"]) == [left_out[0]]


@pytest.mark.parametrize("stack", sorted(path.stem for path in NEWEST.glob("*.json") if path.name != "manifest.json"))
def test_every_default_template_goes_inline(stack: str, tmp_path: Path) -> None:
    """deploy.sh sends the minified body; each default template fits CloudFormation's 51,200 bytes."""
    out = tmp_path / f"{stack}.min.json"
    result = subprocess.run([sys.executable, str(SCRIPTS / "lib" / "cfn_helper.py"), "minify",
                             str(NEWEST / f"{stack}.json"), str(out)], capture_output=True, text=True, check=True)
    size = int(result.stdout)
    assert size == out.stat().st_size <= INLINE_LIMIT, f"{stack}: {size} bytes minified"
    assert json.loads(out.read_text()) == template_of(stack)


def test_the_largest_default_stack_deploys_without_a_bucket(deployer: Deployer) -> None:
    """ecs-services is over the limit as written and under it minified: no --s3-bucket needed.

    moto cannot create that stack (its resource types, listed in docs/deploying.md), so the check ends
    where CloudFormation takes the body: the change set is accepted, no bucket is asked for."""
    largest = max(NEWEST.glob("ecs-*.json"), key=lambda path: path.stat().st_size)
    assert largest.stat().st_size > INLINE_LIMIT
    result = deployer.run("deploy.sh", largest.stem, *kms_parameters(deployer, template_of(largest.stem)))
    assert "--s3-bucket" not in result.stderr
    assert f"Creating change set deploy-" in result.stdout
    assert "CloudFormation refused the change set" not in result.stderr


def test_an_old_docker_client_pushes_the_tag_it_pulled(deployer: Deployer) -> None:
    deployer.ok("deploy.sh", "ecr")
    result = deployer.ok("push-images.sh", env=deployer.env(STANDIN_DOCKER_CLIENT="old"))
    assert "cannot push one platform (docker push --platform needs Docker 27 or later)" in result.stdout
    pushes = [call for call in deployer.docker_calls() if call["argv"][:1] == ["push"] and "--help" not in call["argv"]]
    assert [call["argv"][1:-1] for call in pushes] == [[], []]
    assert [call["platform"] for call in pushes] == ["one pulled", "one pulled"]
