"""Network: the VPC and subnets chosen at deploy time, and a security group per entry point."""
from __future__ import annotations

from typing import Sequence

from troposphere import Ref, Sub, Template, ec2

from ecs_templates.builders.suppressions import suppress
from ecs_templates.builders.template import add_parameter

NETWORK_GROUP = "Network"

# checkov CKV_AWS_260 flags port 80 open to 0.0.0.0/0; here that port is the product.
PUBLIC_HTTP_REASON = (
    "TCP 80 is the website's public entry point, open to its visitors by design (plain HTTP, as in "
    "the lab); only the configured public ports are opened, never a database port, and the "
    "AllowedCidr parameter narrows the source at deploy time.")


def add_vpc_parameters(template: Template) -> tuple[Ref, Ref]:
    """VPC and subnets as AWS-typed parameters: the console offers them as drop-down lists."""
    vpc = add_parameter(
        template, "VpcId", group=NETWORK_GROUP, label="VPC", Type="AWS::EC2::VPC::Id",
        Description="The VPC to run in (the seed used the default VPC).")
    subnets = add_parameter(
        template, "SubnetIds", group=NETWORK_GROUP, label="Subnets",
        Type="List<AWS::EC2::Subnet::Id>",
        Description="Subnets of that VPC for the instances or tasks (the seed used all subnets of "
                    "the default VPC). They need a route to the internet to pull images.")
    return Ref(vpc), Ref(subnets)


def add_ingress_cidr_parameter(template: Template) -> Ref:
    cidr = add_parameter(
        template, "AllowedCidr", group=NETWORK_GROUP, label="Who may reach the site",
        Type="String", Default="0.0.0.0/0",
        AllowedPattern=r"^(\d{1,3}\.){3}\d{1,3}/\d{1,2}$",
        ConstraintDescription="an IPv4 CIDR block such as 203.0.113.0/24",
        Description="IPv4 range allowed to open the public ports (0.0.0.0/0: everybody; narrow it "
                    "to your own address while testing).")
    return Ref(cidr)


def add_public_security_group(template: Template, name: str, *, vpc: Ref, ports: Sequence[int],
                              source_cidr: Ref, description: str) -> ec2.SecurityGroup:
    """A security group that opens exactly `ports` to `source_cidr`; every rule says why."""
    group = template.add_resource(ec2.SecurityGroup(
        name,
        GroupDescription=description,
        VpcId=vpc,
        SecurityGroupIngress=[
            ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp=source_cidr,
                                  Description=f"Public entry point: TCP {port}")
            for port in sorted(set(ports))
        ],
        SecurityGroupEgress=[ec2.SecurityGroupRule(
            IpProtocol="-1", CidrIp="0.0.0.0/0",
            Description="Outbound: image pulls from ECR, Secrets Manager, CloudWatch Logs, ECS API")],
        Tags=[ec2.Tag("Name", Sub(f"${{AWS::StackName}}-{name}"))],
    ))
    if 80 in ports:
        suppress(group, "CKV_AWS_260", PUBLIC_HTTP_REASON)
    return group
