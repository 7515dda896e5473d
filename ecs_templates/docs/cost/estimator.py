"""One template's estimate: every price rule applied, the lines in table order, the rest listed.

Resource types with no price rule are listed as not priced rather than silently counted
as free; `FREE_TYPES` are those that cost nothing by themselves.
"""
from __future__ import annotations

from ecs_templates.docs.cost.model import CATEGORIES, Estimate, Line, Usage, money, plural
from ecs_templates.docs.cost.rules import (alb_line, database_lines, ebs_lines, ec2_lines, fargate_lines,
                                           file_system_lines, log_lines, nlb_line, public_ipv4_lines, registry_lines)
from ecs_templates.docs.diagram import INTERNET, traffic_edges
from ecs_templates.docs.prices import RegionPrices
from ecs_templates.docs.template import Template, is_created, of_type, properties, resolve, resources

# Types that cost nothing by themselves (their cost, if any, is in the resources they run).
FREE_TYPES = (
    "AWS::ECS::Cluster", "AWS::ECS::Service", "AWS::ECS::TaskDefinition", "AWS::ECS::CapacityProvider",
    "AWS::ECS::ClusterCapacityProviderAssociations", "AWS::EC2::SecurityGroup", "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::SecurityGroupEgress", "AWS::EC2::LaunchTemplate", "AWS::ElasticLoadBalancingV2::Listener",
    "AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ElasticLoadBalancingV2::TargetGroup",
    "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::EFS::MountTarget", "AWS::EFS::AccessPoint", "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBParameterGroup",
    "AWS::SecretsManager::SecretTargetAttachment",
)
PRICED_TYPES = (
    "AWS::AutoScaling::AutoScalingGroup", "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::EFS::FileSystem",
    "AWS::RDS::DBInstance", "AWS::SecretsManager::Secret", "AWS::Logs::LogGroup", "AWS::ECR::Repository",
)


def estimate(stack: str, template: Template, region: RegionPrices, usage: Usage, *,
             tasks: int | None = None, fargate_rate: str | None = None) -> Estimate:
    """The monthly estimate of one template; `tasks` overrides every service's task count
    (scale-out), `fargate_rate` prices every Fargate task at arm64, x86_64 or spot rates."""
    lines: list[Line] = []
    hours = usage.hours_per_month
    lines.extend(ec2_lines(template, region, hours, tasks))
    lines.extend(fargate_lines(template, region, hours, tasks, fargate_rate))
    lines.extend(registry_lines(template, region, usage))
    public = any(edge.source == INTERNET for edge in traffic_edges(template))
    balancers = {name: resource for name, resource in of_type(template, "AWS::ElasticLoadBalancingV2::LoadBalancer").items()
                 if is_created(template, resource)}
    if public:
        rate = region.get("data_transfer_out_gb")
        lines.append(Line("transfer", "AWS Data Transfer", f"{usage.data_transfer_gb} GB out x {rate}/GB",
                          money(usage.data_transfer_gb * rate)))
    unpriced: list[str] = []
    for name, resource in balancers.items():
        kind = resolve(template, properties(resource).get("Type")) or "application"
        if kind == "application":
            lines.append(alb_line(region, usage, optional=False, name=name))
        elif kind == "network":
            lines.append(nlb_line(region, usage, name))
        else:
            unpriced.append(f"AWS::ElasticLoadBalancingV2::LoadBalancer ({kind})")
    if public and not balancers and (of_type(template, "AWS::ECS::Service")):
        lines.append(alb_line(region, usage, optional=True))
    lines.extend(ebs_lines(template, region, tasks))
    lines.extend(log_lines(template, region, usage))
    secrets = [resource for resource in of_type(template, "AWS::SecretsManager::Secret").values()
               if is_created(template, resource)]
    if secrets:
        rate = region.get("secrets_manager_secret_month")
        lines.append(Line("secrets", "AWS Secrets Manager", f"{plural(len(secrets), 'secret')} x {rate}/month",
                          money(len(secrets) * rate)))
    lines.extend(database_lines(template, region, hours))
    lines.extend(file_system_lines(template, region, usage))
    lines.extend(public_ipv4_lines(template, region, hours, tasks))
    order = list(CATEGORIES)
    lines.sort(key=lambda line: (order.index(line.category), line.optional))
    for resource in resources(template).values():
        resource_type = resource.get("Type", "")
        if (resource_type not in FREE_TYPES + PRICED_TYPES and not resource_type.startswith("AWS::IAM::")
                and is_created(template, resource)):
            unpriced.append(resource_type)
    return Estimate(stack, region, usage, tuple(lines), tuple(sorted(set(unpriced))))
