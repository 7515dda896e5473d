"""Monthly cost estimates read from a finished template and a price table.

Sizes come from the template as deployed with its parameter defaults (instance type,
desired counts, volume sizes, task CPU and memory, database class); what the template
cannot know (hours a month, GB served, GB of logs, ...) comes from `Usage`, whose values
are printed with every estimate. Each line is rounded to the cent; the yearly figure is
twelve times the monthly one and totals are sums of the rounded lines, so a printed
table always adds up. Resource types with no price rule are listed as not priced rather
than silently counted as free.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Sequence

from ecs_templates.config.fargate_sizes import CPU_VALUES, VALID_MEMORY_MIB
from ecs_templates.config.instance_types import INSTANCE_TYPES
from ecs_templates.docs.diagram import INTERNET, traffic_edges
from ecs_templates.docs.prices import RegionPrices
from ecs_templates.docs.template import (Template, is_created, of_type, properties, references, resolve,
                                         resolve_number, resources, text_of)
from ecs_templates.errors import EcsTemplatesError

CENT = Decimal("0.01")
MONTHS = 12

# Row order follows the seed's table (compute, registry, transfer, load balancer, block storage,
# monitoring), then what the seed did not have.
CATEGORIES = {
    "compute": "Compute", "registry": "Amazon ECR", "transfer": "AWS Data Transfer",
    "load_balancer": "Elastic Load Balancing", "block_storage": "Amazon EBS", "logs": "Amazon CloudWatch",
    "secrets": "AWS Secrets Manager", "public_ipv4": "Public IPv4 addresses", "database": "Amazon RDS",
    "file_storage": "Amazon EFS",
}

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
FARGATE_RATES = ("arm64", "x86_64", "spot")
# Fargate Spot runs X86_64 Linux tasks only, so a Spot line always prices an x86_64 task:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
FARGATE_LABELS = {"spot": "Fargate Spot (x86_64 task)", "arm64": "Fargate arm64", "x86_64": "Fargate x86_64"}


@dataclass(frozen=True)
class Usage:
    """What a template cannot know; every value is printed with the estimate."""

    hours_per_month: Decimal = Decimal(730)
    data_transfer_gb: Decimal = Decimal(100)
    log_ingest_gb: Decimal = Decimal(2)
    image_storage_gb: Decimal = Decimal("0.8")
    alb_lcu: Decimal = Decimal("0.25")
    nlb_lcu: Decimal = Decimal("0.25")
    efs_storage_gb: Decimal = Decimal(5)

    DESCRIPTIONS = {
        "hours_per_month": "hours a month everything runs",
        "data_transfer_gb": "GB a month served to the internet",
        "log_ingest_gb": "GB of container logs a month",
        "image_storage_gb": "GB of images stored in ECR",
        "alb_lcu": "average load balancer capacity units",
        "nlb_lcu": "average network load balancer capacity units",
        "efs_storage_gb": "GB stored on each EFS file system",
    }

    @classmethod
    def from_assignments(cls, assignments: Sequence[str]) -> "Usage":
        """`KEY=VALUE` pairs (the CLI's --assume) over the defaults."""
        known = [item.name for item in fields(cls)]
        values: dict[str, Decimal] = {}
        for assignment in assignments:
            key, separator, text = assignment.partition("=")
            key = key.strip().replace("-", "_")
            if not separator or key not in known:
                raise EcsTemplatesError(f"--assume {assignment}: expected KEY=VALUE with KEY one of "
                                        f"{', '.join(known)}")
            try:
                value = Decimal(text.strip())
            except InvalidOperation:
                raise EcsTemplatesError(f"--assume {assignment}: {text!r} is not a number") from None
            if not value.is_finite() or value < 0 or (key == "hours_per_month" and value > 744):
                raise EcsTemplatesError(f"--assume {assignment}: must be a number from 0"
                                        + (" to 744 (31 days)" if key == "hours_per_month" else " up"))
            values[key] = value
        return cls(**values)

    def describe(self) -> str:
        return "; ".join(f"{item.name}={getattr(self, item.name)} ({self.DESCRIPTIONS[item.name]})"
                         for item in fields(self))


@dataclass(frozen=True)
class Line:
    category: str
    service: str
    sizing: str
    monthly: Decimal
    optional: bool = False
    resource: str = ""  # the logical ID of what the line prices (an ECS service, a load balancer), if one


    @property
    def yearly(self) -> Decimal:
        return self.monthly * MONTHS


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: RegionPrices
    usage: Usage
    lines: tuple[Line, ...]
    not_priced: tuple[str, ...] = ()

    @property
    def required(self) -> Decimal:
        return sum((line.monthly for line in self.lines if not line.optional), Decimal("0.00"))

    @property
    def with_optional(self) -> Decimal:
        return sum((line.monthly for line in self.lines), Decimal("0.00"))

    def by_category(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            if not line.optional:
                totals[line.category] = totals.get(line.category, Decimal("0.00")) + line.monthly
        return totals


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _number(value: float | None) -> Decimal | None:
    """A float read from a template as a Decimal written plainly (30, not 3E+1; 0.5, not 0.50)."""
    if value is None:
        return None
    number = Decimal(str(value))
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def _plural(count: Decimal | int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "es" if word.endswith("s") else "s")


def fargate_size(cpu: int, memory: int) -> tuple[int, int]:
    """The smallest valid Fargate size with at least this CPU and memory (MiB)."""
    for units in CPU_VALUES:
        if units >= cpu:
            fitting = [size for size in VALID_MEMORY_MIB[units] if size >= memory]
            if fitting:
                return units, fitting[0]
    raise EcsTemplatesError(f"no Fargate size has {cpu} CPU units and {memory} MiB")


def estimate(stack: str, template: Template, region: RegionPrices, usage: Usage, *,
             tasks: int | None = None, fargate_rate: str | None = None) -> Estimate:
    """The monthly estimate of one template; `tasks` overrides every service's task count
    (scale-out), `fargate_rate` prices every Fargate task at arm64, x86_64 or spot rates."""
    lines: list[Line] = []
    hours = usage.hours_per_month
    lines.extend(_ec2_lines(template, region, hours, tasks))
    lines.extend(_fargate_lines(template, region, hours, tasks, fargate_rate))
    lines.extend(_registry_lines(template, region, usage))
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
            lines.append(_alb_line(region, usage, optional=False, name=name))
        elif kind == "network":
            lines.append(_nlb_line(region, usage, name))
        else:
            unpriced.append(f"AWS::ElasticLoadBalancingV2::LoadBalancer ({kind})")
    if public and not balancers and (of_type(template, "AWS::ECS::Service")):
        lines.append(_alb_line(region, usage, optional=True))
    lines.extend(_ebs_lines(template, region, tasks))
    lines.extend(_log_lines(template, region, usage))
    secrets = [resource for resource in of_type(template, "AWS::SecretsManager::Secret").values()
               if is_created(template, resource)]
    if secrets:
        rate = region.get("secrets_manager_secret_month")
        lines.append(Line("secrets", "AWS Secrets Manager", f"{_plural(len(secrets), 'secret')} x {rate}/month",
                          money(len(secrets) * rate)))
    lines.extend(_database_lines(template, region, hours))
    lines.extend(_file_system_lines(template, region, usage))
    lines.extend(_public_ipv4_lines(template, region, hours, tasks))
    order = list(CATEGORIES)
    lines.sort(key=lambda line: (order.index(line.category), line.optional))
    for resource in resources(template).values():
        resource_type = resource.get("Type", "")
        if (resource_type not in FREE_TYPES + PRICED_TYPES and not resource_type.startswith("AWS::IAM::")
                and is_created(template, resource)):
            unpriced.append(resource_type)
    return Estimate(stack, region, usage, tuple(lines), tuple(sorted(set(unpriced))))


def _launch_template_data(template: Template, group: Mapping[str, Any]) -> dict[str, Any]:
    spec = properties(group).get("LaunchTemplate", {})
    for name in references(spec.get("LaunchTemplateId", spec.get("LaunchTemplateName"))):
        target = resources(template).get(name)
        if target and target.get("Type") == "AWS::EC2::LaunchTemplate":
            return dict(properties(target).get("LaunchTemplateData", {}))
    return {}


def _instance_groups(template: Template, tasks: int | None) -> list[tuple[str, int, dict[str, Any]]]:
    """(instance type, instance count, launch template data) of each Auto Scaling group."""
    return [(instance_type, count, data) for _, instance_type, count, data in _named_groups(template, tasks)]


def services_on(template: Template, group: str) -> list[str]:
    """The ECS services placed on an Auto Scaling group: through a capacity provider of that group
    in their own strategy, else in their cluster's default strategy."""
    providers = {name for name, provider in of_type(template, "AWS::ECS::CapacityProvider").items()
                 if group in references(properties(provider))}
    defaults = {ref for association in of_type(template, "AWS::ECS::ClusterCapacityProviderAssociations",
                                               "AWS::ECS::Cluster").values()
                for ref in references(properties(association).get("DefaultCapacityProviderStrategy"))}
    placed = []
    for name, service in of_type(template, "AWS::ECS::Service").items():
        service_props = properties(service)
        strategy = set(references(service_props.get("CapacityProviderStrategy")))
        if not service_props.get("CapacityProviderStrategy") and not service_props.get("LaunchType"):
            strategy = defaults
        if strategy & providers and is_created(template, service):
            placed.append(name)
    return placed


def _named_groups(template: Template, tasks: int | None) -> list[tuple[str, str, int, dict[str, Any]]]:
    groups = []
    for group_name, group in of_type(template, "AWS::AutoScaling::AutoScalingGroup").items():
        if not is_created(template, group):
            continue
        group_props = properties(group)
        data = _launch_template_data(template, group)
        instance_type = resolve(template, data.get("InstanceType"))
        minimum = int(resolve_number(template, group_props.get("MinSize"), 0) or 0)
        maximum = int(resolve_number(template, group_props.get("MaxSize"), minimum) or minimum)
        count = int(resolve_number(template, group_props.get("DesiredCapacity"), minimum) or minimum)
        if tasks is not None:
            count = min(maximum, max(minimum, math.ceil(tasks / _tasks_per_instance(template, instance_type))))
        groups.append((group_name, str(instance_type), count, data))
    return groups


def _tasks_per_instance(template: Template, instance_type: Any) -> int:
    """One task per instance when a task binds a fixed host port, else as many as CPU and memory allow."""
    spec = INSTANCE_TYPES.get(str(instance_type))
    per_instance = 1
    for task in of_type(template, "AWS::ECS::TaskDefinition").values():
        task_props = properties(task)
        if resolve(template, task_props.get("NetworkMode")) in (None, "bridge", "host") and any(
                mapping.get("HostPort") for container in task_props.get("ContainerDefinitions", [])
                for mapping in container.get("PortMappings", [])):
            return 1
        cpu = resolve_number(template, task_props.get("Cpu"))
        memory = resolve_number(template, task_props.get("Memory"))
        if spec and cpu and memory:
            per_instance = max(1, min(int(spec.vcpus * 1024 // cpu), int(spec.memory_mib * 0.9 // memory)))
    return per_instance


def _ec2_lines(template: Template, region: RegionPrices, hours: Decimal, tasks: int | None) -> list[Line]:
    lines = []
    for group, instance_type, count, _ in _named_groups(template, tasks):
        rate = region.get("ec2_hourly", instance_type)
        placed = services_on(template, group)
        lines.append(Line("compute", "Amazon EC2",
                          f"{count} x {instance_type} on-demand x {hours} h x {rate}/h"
                          + (f" (runs {', '.join(placed)})" if placed else ""),
                          money(count * hours * rate), resource=group))
    return lines


def _ebs_lines(template: Template, region: RegionPrices, tasks: int | None) -> list[Line]:
    lines = []
    for _, count, data in _instance_groups(template, tasks):
        for mapping in data.get("BlockDeviceMappings", []):
            ebs = mapping.get("Ebs", {})
            size = _number(resolve_number(template, ebs.get("VolumeSize")))
            if size is None:
                continue
            volume_type = str(resolve(template, ebs.get("VolumeType")) or "gp2")
            rate = region.get("ebs_gb_month", volume_type)
            lines.append(Line("block_storage", "Amazon EBS",
                              f"{count} x {size} GiB {volume_type} x {rate}/GB-month",
                              money(count * size * rate)))
    return lines


def _service_task(template: Template, service: Mapping[str, Any]) -> dict[str, Any] | None:
    tasks = of_type(template, "AWS::ECS::TaskDefinition")
    name = next((ref for ref in references(properties(service).get("TaskDefinition")) if ref in tasks), None)
    return tasks.get(name) if name else None


def _providers(template: Template, service: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(provider, base, weight) of a service: its own strategy, else the cluster's default, else its launch type."""
    service_props = properties(service)
    strategy = resolve(template, service_props.get("CapacityProviderStrategy"))
    launch_type = resolve(template, service_props.get("LaunchType"))
    if not strategy and not launch_type:
        cluster_refs = set(references(service_props.get("Cluster")))
        for resource in of_type(template, "AWS::ECS::ClusterCapacityProviderAssociations", "AWS::ECS::Cluster").values():
            resource_props = properties(resource)
            if resource.get("Type") == "AWS::ECS::Cluster" or cluster_refs & set(references(resource_props.get("Cluster"))):
                strategy = resolve(template, resource_props.get("DefaultCapacityProviderStrategy")) or strategy
    if strategy:
        return [(str(item.get("CapacityProvider")), int(item.get("Base", 0) or 0), int(item.get("Weight", 0) or 0))
                for item in strategy if isinstance(item.get("CapacityProvider"), str)]
    if launch_type:
        return [(str(launch_type), 0, 1)]
    task = _service_task(template, service) or {}
    compatibilities = resolve(template, properties(task).get("RequiresCompatibilities")) or []
    return [("FARGATE", 0, 1)] if compatibilities == ["FARGATE"] else []


def _split(count: int, providers: Sequence[tuple[str, int, int]]) -> dict[str, int]:
    """Tasks per provider: each base first, then the rest by weight (largest remainders win)."""
    shares = {name: 0 for name, _, _ in providers}
    remaining = count
    for name, base, _ in providers:
        taken = min(base, remaining)
        shares[name] += taken
        remaining -= taken
    total_weight = sum(weight for _, _, weight in providers)
    if remaining and total_weight:
        exact = {name: Decimal(remaining * weight) / total_weight for name, _, weight in providers}
        floors = {name: int(value) for name, value in exact.items()}
        left = remaining - sum(floors.values())
        for name in sorted(exact, key=lambda n: (-(exact[n] - floors[n]), n))[:left]:
            floors[name] += 1
        for name, value in floors.items():
            shares[name] += value
    return {name: share for name, share in shares.items() if share}


def fargate_services(template: Template, tasks: int | None = None
                     ) -> list[tuple[str, dict[str, Any], dict[str, Any], dict[str, int]]]:
    """(service name, service, task definition, tasks per Fargate provider) of every Fargate service;
    `tasks` replaces the desired count (scale-out) and is split by the same strategy."""
    found = []
    for name, service in of_type(template, "AWS::ECS::Service").items():
        task = _service_task(template, service)
        providers = [item for item in _providers(template, service) if item[0] in ("FARGATE", "FARGATE_SPOT")]
        if task is None or not providers or not is_created(template, service):
            continue
        count = tasks if tasks is not None else int(
            resolve_number(template, properties(service).get("DesiredCount"), 1) or 0)
        found.append((name, service, task, _split(count, providers)))
    return found


def _fargate_lines(template: Template, region: RegionPrices, hours: Decimal, tasks: int | None,
                   fargate_rate: str | None) -> list[Line]:
    lines = []
    for name, _, task, shares in fargate_services(template, tasks):
        task_props = properties(task)
        vcpu = _number((resolve_number(template, task_props.get("Cpu"), 256) or 256) / 1024)
        memory_gb = _number((resolve_number(template, task_props.get("Memory"), 512) or 512) / 1024)
        architecture = "arm64" if str(resolve(template, (task_props.get("RuntimePlatform") or {})
                                              .get("CpuArchitecture"))).upper() == "ARM64" else "x86_64"
        if fargate_rate is not None:  # every task at one rate: one line
            by_rate = {fargate_rate: sum(shares.values())}
        else:
            by_rate = {}
            for provider, count in shares.items():
                if provider == "FARGATE_SPOT" and architecture != "x86_64" and count:
                    raise EcsTemplatesError(
                        f"{name}: {count} task(s) on FARGATE_SPOT, but the task definition is {architecture} "
                        "and Fargate Spot runs X86_64 Linux tasks only; make the task X86_64 or give "
                        "FARGATE_SPOT weight 0")
                rate_name = "spot" if provider == "FARGATE_SPOT" else architecture
                by_rate[rate_name] = by_rate.get(rate_name, 0) + count
        for rate_name, count in sorted(by_rate.items(), key=lambda item: (item[0] == "spot", item[0])):
            vcpu_rate, gb_rate = (region.get("fargate", rate_name, "vcpu_hour"),
                                  region.get("fargate", rate_name, "gb_hour"))
            label = FARGATE_LABELS[rate_name]
            lines.append(Line(
                "compute", f"AWS {label}",
                f"{name}: {_plural(count, 'task')} x ({vcpu} vCPU x {vcpu_rate} + {memory_gb} GB x {gb_rate}) x {hours} h",
                money(count * hours * (vcpu * vcpu_rate + memory_gb * gb_rate)), resource=name))
    return lines


def _registry_lines(template: Template, region: RegionPrices, usage: Usage) -> list[Line]:
    rate = region.get("ecr_gb_month")
    sizing = f"{usage.image_storage_gb} GB of images x {rate}/GB-month"
    if of_type(template, "AWS::ECR::Repository"):
        return [Line("registry", "Amazon ECR", sizing, money(usage.image_storage_gb * rate))]
    pulls_from_ecr = any(".dkr.ecr." in text_of(template, container.get("Image"))
                         for task in of_type(template, "AWS::ECS::TaskDefinition").values()
                         for container in properties(task).get("ContainerDefinitions", []))
    if pulls_from_ecr:
        return [Line("registry", "Amazon ECR", sizing + " (the repositories of the ecr stack)",
                     money(usage.image_storage_gb * rate))]
    return []


def _alb_line(region: RegionPrices, usage: Usage, *, optional: bool, name: str = "") -> Line:
    hour, lcu = region.get("alb", "hour"), region.get("alb", "lcu_hour")
    hours = usage.hours_per_month
    sizing = (f"{name}: " if name else "") + f"{hours} h x {hour} + {usage.alb_lcu} LCU x {hours} h x {lcu}"
    return Line("load_balancer", "Elastic Load Balancing" + (" (optional, not in this template)" if optional else ""),
                sizing, money(hours * hour + usage.alb_lcu * hours * lcu), optional, name)


def _nlb_line(region: RegionPrices, usage: Usage, name: str) -> Line:
    """A Network Load Balancer: its hours and NLCU-hours (https://aws.amazon.com/elasticloadbalancing/pricing/)."""
    hour, lcu = region.get("nlb", "hour"), region.get("nlb", "nlcu_hour")
    hours = usage.hours_per_month
    return Line("load_balancer", "Elastic Load Balancing (network)",
                f"{name}: {hours} h x {hour} + {usage.nlb_lcu} NLCU x {hours} h x {lcu}",
                money(hours * hour + usage.nlb_lcu * hours * lcu), resource=name)


def _log_lines(template: Template, region: RegionPrices, usage: Usage) -> list[Line]:
    groups = [resource for resource in of_type(template, "AWS::Logs::LogGroup").values() if is_created(template, resource)]
    if not groups:
        return []
    retention = max(int(resolve_number(template, properties(group).get("RetentionInDays"), 3653) or 3653)
                    for group in groups)
    kept_days = min(retention, 365)
    stored = _number(float((usage.log_ingest_gb * kept_days / 30).quantize(CENT, rounding=ROUND_HALF_UP)))
    ingest, storage = region.get("cloudwatch_logs", "ingest_gb"), region.get("cloudwatch_logs", "storage_gb_month")
    return [Line("logs", "Amazon CloudWatch Logs",
                 f"{usage.log_ingest_gb} GB ingested x {ingest} + {stored} GB kept ({kept_days}-day retention) "
                 f"x {storage}/GB-month", money(usage.log_ingest_gb * ingest + stored * storage))]


def _database_lines(template: Template, region: RegionPrices, hours: Decimal) -> list[Line]:
    lines = []
    for name, database in of_type(template, "AWS::RDS::DBInstance").items():
        if not is_created(template, database):
            continue
        database_props = properties(database)
        instance_class = str(resolve(template, database_props.get("DBInstanceClass")))
        multi_az = str(resolve(template, database_props.get("MultiAZ"))).lower() == "true"
        copies = 2 if multi_az else 1
        deployment = "Multi-AZ" if multi_az else "Single-AZ"
        rate = region.get("rds_hourly", instance_class)
        lines.append(Line("database", "Amazon RDS instance",
                          f"{name}: {instance_class} {deployment} x {hours} h x {rate}/h"
                          + (" x 2" if multi_az else ""), money(copies * hours * rate)))
        size = _number(resolve_number(template, database_props.get("AllocatedStorage")))
        if size:
            storage_type = str(resolve(template, database_props.get("StorageType")) or "gp2")
            storage_rate = region.get("rds_storage_gb_month", storage_type)
            lines.append(Line("database", "Amazon RDS storage",
                              f"{name}: {size} GB {storage_type} {deployment} x {storage_rate}/GB-month"
                              + (" x 2" if multi_az else ""), money(copies * size * storage_rate)))
    return lines


def _file_system_lines(template: Template, region: RegionPrices, usage: Usage) -> list[Line]:
    systems = [name for name, resource in of_type(template, "AWS::EFS::FileSystem").items()
               if is_created(template, resource)]
    rate = region.get("efs_gb_month") if systems else Decimal(0)
    return [Line("file_storage", "Amazon EFS", f"{name}: {usage.efs_storage_gb} GB Standard x {rate}/GB-month",
                 money(usage.efs_storage_gb * rate)) for name in systems]


def _public_ipv4_lines(template: Template, region: RegionPrices, hours: Decimal, tasks: int | None) -> list[Line]:
    addresses = 0
    for _, count, data in _instance_groups(template, tasks):
        if any(resolve(template, interface.get("AssociatePublicIpAddress")) in (True, "true")
               for interface in data.get("NetworkInterfaces", [])):
            addresses += count
    for _, service, _, shares in fargate_services(template, tasks):
        configuration = properties(service).get("NetworkConfiguration", {})
        if resolve(template, (configuration.get("AwsvpcConfiguration") or {}).get("AssignPublicIp")) == "ENABLED":
            addresses += sum(shares.values())
    if not addresses:
        return []
    rate = region.get("public_ipv4_hour")
    return [Line("public_ipv4", "Public IPv4 addresses", f"{_plural(addresses, 'address')} x {hours} h x {rate}/h",
                 money(addresses * hours * rate))]


# ---- rendering ----------------------------------------------------------------------------------

def markdown_table(header: Sequence[str], rows: Iterable[Sequence[str]], align: str) -> str:
    """A Markdown table padded to its column widths (readable as plain text too); align: l or r per column."""
    cells = [list(header)] + [[cell.replace("|", "\\|").replace("\n", " ") for cell in row] for row in rows]
    widths = [max(len(row[index]) for row in cells) for index in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "| " + " | ".join(cell.rjust(width) if side == "r" else cell.ljust(width)
                                 for cell, width, side in zip(row, widths, align)) + " |"

    rule = "| " + " | ".join(("-" * (width - 1) + ":") if side == "r" else "-" * width
                             for width, side in zip(widths, align)) + " |"
    return "\n".join([line(cells[0]), rule] + [line(row) for row in cells[1:]]) + "\n"


def amount(value: Decimal, *, approximate: bool = False) -> str:
    return ("~" if approximate else "") + f"{value:,.2f}"


def total_text(low: Decimal, high: Decimal) -> str:
    return amount(low) if low == high else f"{amount(low)} - {amount(high)}"


def render_estimate(estimate_: Estimate) -> str:
    """The seed's table: service, sizing, monthly and yearly, optional lines marked, total as a range."""
    currency = estimate_.region.table.currency
    rows = [[f"**{line.service}**", line.sizing, amount(line.monthly, approximate=line.optional),
             amount(line.yearly, approximate=line.optional)] for line in estimate_.lines]
    rows.append(["**Total estimated**", "without - with the optional lines" if estimate_.required != estimate_.with_optional
                 else "", f"**{total_text(estimate_.required, estimate_.with_optional)}**",
                 f"**{total_text(estimate_.required * MONTHS, estimate_.with_optional * MONTHS)}**"])
    text = markdown_table(["Service", "Sizing", f"Monthly ({currency})", f"Yearly ({currency})"], rows, "llrr")
    if estimate_.not_priced:
        text += f"\nNot priced (no rule in the price table): {', '.join(estimate_.not_priced)}.\n"
    return text


def price_note(region: RegionPrices) -> str:
    table = region.table
    return (f"Prices: {region.name}, {table.currency}, as of {table.as_of}, from {table.location}; "
            f"source: {table.source}.")

