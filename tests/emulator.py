"""moto's server on 127.0.0.1 and the deploy scripts run against it with the real AWS CLI.

The scripts run as a user runs them: bash, the `aws` of this virtual environment on PATH,
fake credentials, AWS_ENDPOINT_URL pointing at the emulator, stdin not a terminal. Results
are read back through the service APIs with boto3.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

import emulator_models
import emulator_import  # noqa: F401  (moto extensions: IMPORT change sets, RetainExceptOnCreate)

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account
VENV_BIN = Path(sys.executable).parent


class Emulator:
    """One moto server for the test session; `reset()` empties every service between tests.

    The server runs in this process, with moto extended where our templates need it
    (tests/emulator_models.py: what is modelled and what is not).
    """

    def __init__(self) -> None:
        emulator_models.install()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    def start(self) -> str:
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self.server.stop()

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass


@dataclass
class Deployer:
    """Runs scripts/* against the emulator and reads the results through the APIs."""

    endpoint: str
    workdir: Path

    def env(self, **overrides: str | None) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("AWS_", "STACK_PREFIX", "ECS_TEMPLATES_DIR", "DEPLOY_"))}
        env.update({
            "PATH": os.pathsep.join([str(self.workdir / "bin"), str(VENV_BIN), env.get("PATH", "")]),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_CONFIG_FILE": str(self.workdir / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.workdir / "no-aws-credentials"),
            "AWS_MAX_ATTEMPTS": "1",
            "DEPLOY_POLL_SECONDS": "0.2",
            "STANDIN_DOCKER_LOG": str(self.docker_log),
        })
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    @property
    def docker_log(self) -> Path:
        return self.workdir / "docker-calls.jsonl"

    def install_standin_docker(self) -> None:
        """A `docker` first on PATH that records its calls (tests/standin_docker.py)."""
        bin_dir = self.workdir / "bin"
        bin_dir.mkdir(exist_ok=True)
        docker = bin_dir / "docker"
        docker.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{ROOT / "tests" / "standin_docker.py"}" "$@"\n')
        docker.chmod(0o755)

    def docker_calls(self) -> list[dict[str, Any]]:
        if not self.docker_log.exists():
            return []
        return [json.loads(line) for line in self.docker_log.read_text().splitlines()]

    def run(self, script: str, *args: str, env: dict[str, str] | None = None,
            stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(SCRIPTS / script), *args], cwd=ROOT, env=env or self.env(),
                              stdin=stdin, capture_output=True, text=True, timeout=600)

    def ok(self, script: str, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        result = self.run(script, *args, **kwargs)
        assert result.returncode == 0, f"{script} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=REGION, endpoint_url=self.endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    # --- reading results -------------------------------------------------------------------

    def stack(self, name: str) -> dict[str, Any] | None:
        """The live stack, or None when it does not exist (or was deleted)."""
        cloudformation = self.client("cloudformation")
        try:
            stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
        except cloudformation.exceptions.ClientError as error:
            if "does not exist" in str(error):
                return None
            raise
        return None if stack["StackStatus"] == "DELETE_COMPLETE" else stack

    def parameters(self, name: str) -> dict[str, str]:
        stack = self.stack(name)
        assert stack is not None, f"stack {name} does not exist"
        return {item["ParameterKey"]: item["ParameterValue"] for item in stack.get("Parameters", [])}

    def resources(self, name: str) -> dict[str, dict[str, Any]]:
        answer = self.client("cloudformation").describe_stack_resources(StackName=name)
        # moto lists the resources of types it does not model without a logical id
        return {resource["LogicalResourceId"]: resource for resource in answer["StackResources"]
                if "LogicalResourceId" in resource}

    def live_stacks(self) -> list[str]:
        summaries = self.client("cloudformation").list_stacks()["StackSummaries"]
        return sorted(summary["StackName"] for summary in summaries
                      if summary["StackStatus"] != "DELETE_COMPLETE")

    def pending_change_sets(self) -> list[str]:
        cloudformation = self.client("cloudformation")
        names = []
        for stack in self.live_stacks():
            for summary in cloudformation.list_change_sets(StackName=stack)["Summaries"]:
                if summary.get("StackName") == stack and summary.get("ExecutionStatus") == "AVAILABLE":
                    names.append(f"{stack}/{summary['ChangeSetName']}")
        return names

    def default_network(self, instance_type: str | None = None) -> tuple[str, list[str]]:
        """The default VPC and its subnets (with an instance type: in the zones that offer it)."""
        ec2 = self.client("ec2")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
        if instance_type:
            offerings = ec2.describe_instance_type_offerings(
                LocationType="availability-zone",
                Filters=[{"Name": "instance-type", "Values": [instance_type]}])["InstanceTypeOfferings"]
            subnets = [subnet for subnet in subnets
                       if subnet["AvailabilityZone"] in {offering["Location"] for offering in offerings}]
        return vpc, sorted(subnet["SubnetId"] for subnet in subnets)

    # --- what the emulator does not do: place the service's task ----------------------------

    def place_service_task(self, stack_name: str, template: dict[str, Any]) -> str:
        """Start the stack's service task the way ECS would, and return the address it gets.

        moto creates services but never runs their tasks or registers instances with the
        cluster (there is no ECS agent). The test plays ECS from the template: under bridge it registers the Auto Scaling group's instance and runs the
        task there; under awsvpc it runs the task in the stack's subnets and security group
        and gives the task's network interface a public address.
        """
        resources = self.resources(stack_name)
        ecs, ec2 = self.client("ecs"), self.client("ec2")
        service_arn = next(resource["PhysicalResourceId"] for resource in resources.values()
                           if resource["ResourceType"] == "AWS::ECS::Service")
        cluster = service_arn.split("/")[1]
        service = ecs.describe_services(cluster=cluster, services=[service_arn])["services"][0]
        task_spec = next(spec["Properties"] for spec in template["Resources"].values()
                         if spec["Type"] == "AWS::ECS::TaskDefinition")
        definition = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
        placeable = self.placeable_revision(definition, task_spec)
        if task_spec.get("NetworkMode") == "awsvpc":
            subnets = next(listed(value) for key, value in self.parameters(stack_name).items()
                           if template["Parameters"][key]["Type"] == "List<AWS::EC2::Subnet::Id>")
            groups = [resource["PhysicalResourceId"] for resource in resources.values()
                      if resource["ResourceType"] == "AWS::EC2::SecurityGroup"]
            task = ecs.run_task(cluster=cluster, taskDefinition=placeable, launchType="FARGATE",
                                networkConfiguration={"awsvpcConfiguration": {
                                    "subnets": subnets, "securityGroups": groups, "assignPublicIp": "ENABLED"}},
                                startedBy=f"ecs-svc/{service['serviceName']}")["tasks"][0]
            eni = next(detail["value"] for attachment in task["attachments"]
                       for detail in attachment["details"] if detail["name"] == "networkInterfaceId")
            allocation = ec2.allocate_address(Domain="vpc")
            ec2.associate_address(AllocationId=allocation["AllocationId"], NetworkInterfaceId=eni)
            return allocation["PublicIp"]
        group = next(resource["PhysicalResourceId"] for resource in resources.values()
                     if resource["ResourceType"] == "AWS::AutoScaling::AutoScalingGroup")
        autoscaling = self.client("autoscaling")
        instance_id = autoscaling.describe_auto_scaling_groups(
            AutoScalingGroupNames=[group])["AutoScalingGroups"][0]["Instances"][0]["InstanceId"]
        ecs.register_container_instance(cluster=cluster, instanceIdentityDocument=json.dumps(
            {"instanceId": instance_id, "region": REGION, "accountId": ACCOUNT}))
        ecs.run_task(cluster=cluster, taskDefinition=placeable, launchType="EC2",
                     startedBy=f"ecs-svc/{service['serviceName']}")
        instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        return instance["PublicDnsName"]

    def placeable_revision(self, definition: dict[str, Any], task_spec: dict[str, Any]) -> str:
        """A revision of the task definition that moto can place, as the template describes it.

        moto adds up container-level memory to place a task and fails on a container with
        none (ECS accepts task-level memory alone): the revision shares the task's memory out
        as each container's memoryReservation. It takes the template's network mode and
        compatibilities and leaves out `secrets`, which nothing would resolve (no task
        starts in the emulator).
        """
        containers = definition["containerDefinitions"]
        share = int(task_spec.get("Memory") or definition["memory"]) // len(containers)
        keys = ["family", "taskRoleArn", "executionRoleArn", "cpu", "memory", "runtimePlatform", "volumes"]
        revision = self.client("ecs").register_task_definition(
            containerDefinitions=[dict({key: value for key, value in container.items() if key != "secrets"},
                                       memoryReservation=container.get("memoryReservation", share))
                                  for container in containers],
            networkMode=task_spec.get("NetworkMode", "bridge"),
            requiresCompatibilities=task_spec.get("RequiresCompatibilities", ["EC2"]),
            **{key: definition[key] for key in keys if key in definition})
        return revision["taskDefinition"]["taskDefinitionArn"]


def listed(value: str) -> list[str]:
    """A list parameter as the stack reports it: AWS "a,b"; moto the text of a Python list."""
    return sorted(item.strip(" '\"") for item in value.strip("[]").split(","))
