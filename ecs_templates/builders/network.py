"""Network: the VPC and subnets chosen at deploy time, and a security group per entry point."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from troposphere import Ref, Sub, Template, ec2, ecs

from ecs_templates.builders.suppressions import suppress
from ecs_templates.builders.template import add_parameter

NETWORK_GROUP = "Network"

# checkov CKV_AWS_260 flags port 80 open to 0.0.0.0/0; here that port is the product.
PUBLIC_HTTP_REASON = (
    "TCP 80 is the website's public entry point, open to its visitors by design (plain HTTP "
    "unless a certificate is given); only the configured public ports are opened, never a database port, and the "
    "AllowedCidr parameter narrows the source at deploy time.")


SUBNETS_DESCRIPTION = ("Subnets of that VPC for the instances or tasks (for example all subnets of "
                       "the default VPC). They need a route to the internet to pull images.")


def add_vpc_parameters(template: Template, *, subnets_description: str = SUBNETS_DESCRIPTION) -> tuple[Ref, Ref]:
    """VPC and subnets as AWS-typed parameters: the console offers them as drop-down lists."""
    vpc = add_parameter(
        template, "VpcId", group=NETWORK_GROUP, label="VPC", Type="AWS::EC2::VPC::Id",
        Description="The VPC to run in (for example the default VPC).")
    subnets = add_parameter(
        template, "SubnetIds", group=NETWORK_GROUP, label="Subnets",
        Type="List<AWS::EC2::Subnet::Id>", Description=subnets_description)
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


@dataclass(frozen=True)
class IngressRule:
    """One inbound TCP (or UDP) port, from an address range or from the members of another security group."""

    port: int
    description: str
    source_cidr: Any = None
    source_security_group: Any = None
    protocol: str = "tcp"

    def __post_init__(self) -> None:
        if (self.source_cidr is None) == (self.source_security_group is None):
            raise ValueError("an ingress rule needs exactly one source: a CIDR or a security group")

    def rule(self) -> ec2.SecurityGroupRule:
        source = ({"CidrIp": self.source_cidr} if self.source_cidr is not None
                  else {"SourceSecurityGroupId": self.source_security_group})
        return ec2.SecurityGroupRule(IpProtocol=self.protocol, FromPort=self.port, ToPort=self.port,
                                     Description=self.description, **source)


EGRESS_DESCRIPTION = "Outbound: image pulls from ECR, Secrets Manager, CloudWatch Logs, ECS API"


def add_security_group(template: Template, name: str, *, vpc: Ref, ingress: Sequence[IngressRule],
                       description: str, egress_description: str = EGRESS_DESCRIPTION) -> ec2.SecurityGroup:
    """A security group that opens exactly the `ingress` rules (sorted by port); every rule says why."""
    group = template.add_resource(ec2.SecurityGroup(
        name,
        GroupDescription=description,
        VpcId=vpc,
        SecurityGroupIngress=[rule.rule() for rule in sorted(ingress, key=lambda rule: (rule.port, rule.protocol,
                                                                                        rule.description))],
        SecurityGroupEgress=[ec2.SecurityGroupRule(
            IpProtocol="-1", CidrIp="0.0.0.0/0", Description=egress_description)],
        Tags=[ec2.Tag("Name", Sub(f"${{AWS::StackName}}-{name}"))],
    ))
    if any(rule.port == 80 and rule.source_cidr is not None for rule in ingress):
        suppress(group, "CKV_AWS_260", PUBLIC_HTTP_REASON)
    return group


def add_public_security_group(template: Template, name: str, *, vpc: Ref, ports: Sequence[int],
                              source_cidr: Ref | None, description: str) -> ec2.SecurityGroup:
    """A security group that opens exactly `ports` to `source_cidr` (None: no ports, no source asked)."""
    return add_security_group(
        template, name, vpc=vpc, description=description,
        ingress=[IngressRule(port, f"Public entry point: TCP {port}", source_cidr=source_cidr)
                 for port in sorted(set(ports))])


def add_assign_public_ip_parameter(template: Template) -> Ref:
    """Whether awsvpc tasks get a public IP: needed to be reached, and to pull images without a NAT gateway."""
    parameter = add_parameter(
        template, "AssignPublicIp", group=NETWORK_GROUP, label="Public IP for the tasks",
        Type="String", Default="ENABLED", AllowedValues=["ENABLED", "DISABLED"],
        Description="ENABLED: each task gets a public IP (needed in public subnets "
                    "to be reached and to pull images). DISABLED: private subnets with a NAT gateway "
                    "or VPC endpoints only.")
    return Ref(parameter)


def awsvpc_network_configuration(*, subnets: Any, security_groups: Sequence[Any],
                                 assign_public_ip: Any = "DISABLED") -> ecs.NetworkConfiguration:
    """The network of an awsvpc service: each task gets its own interface in `subnets`."""
    return ecs.NetworkConfiguration(AwsvpcConfiguration=ecs.AwsvpcConfiguration(
        AssignPublicIp=assign_public_ip,
        SecurityGroups=list(security_groups),
        Subnets=subnets,
    ))


def add_ingress(template: Template, name: str, *, group: Any, rule: IngressRule) -> ec2.SecurityGroupIngress:
    """An inbound rule as its own resource: groups that admit each other would otherwise form a cycle."""
    source = ({"CidrIp": rule.source_cidr} if rule.source_cidr is not None
              else {"SourceSecurityGroupId": rule.source_security_group})
    return template.add_resource(ec2.SecurityGroupIngress(
        name, GroupId=group, IpProtocol=rule.protocol, FromPort=rule.port, ToPort=rule.port,
        Description=rule.description, **source))
