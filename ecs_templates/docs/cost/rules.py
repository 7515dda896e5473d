"""The price rules: the lines each kind of priced resource adds to an estimate.

Each rule reads the sizes from the template (through `placement` for where tasks run),
the unit prices from the region's price table and what the template cannot know from
`Usage`, and writes its arithmetic into the line's sizing text.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from ecs_templates.docs.cost.model import CENT, Line, Usage, money, plain_decimal, plural
from ecs_templates.docs.cost.placement import auto_scaling_groups, fargate_services, instance_groups, services_on
from ecs_templates.docs.prices import RegionPrices
from ecs_templates.docs.template import Template, is_created, of_type, properties, resolve, resolve_number, text_of
from ecs_templates.errors import EcsTemplatesError

FARGATE_RATES = ("arm64", "x86_64", "spot")
# Fargate Spot runs X86_64 Linux tasks only, so a Spot line always prices an x86_64 task:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
FARGATE_LABELS = {"spot": "Fargate Spot (x86_64 task)", "arm64": "Fargate arm64", "x86_64": "Fargate x86_64"}


def ec2_lines(template: Template, region: RegionPrices, hours: Decimal, tasks: int | None) -> list[Line]:
    lines = []
    for group, instance_type, count, _ in auto_scaling_groups(template, tasks):
        rate = region.get("ec2_hourly", instance_type)
        placed = services_on(template, group)
        lines.append(Line("compute", "Amazon EC2",
                          f"{count} x {instance_type} on-demand x {hours} h x {rate}/h"
                          + (f" (runs {', '.join(placed)})" if placed else ""),
                          money(count * hours * rate), resource=group))
    return lines


def ebs_lines(template: Template, region: RegionPrices, tasks: int | None) -> list[Line]:
    lines = []
    for _, count, data in instance_groups(template, tasks):
        for mapping in data.get("BlockDeviceMappings", []):
            ebs = mapping.get("Ebs", {})
            size = plain_decimal(resolve_number(template, ebs.get("VolumeSize")))
            if size is None:
                continue
            volume_type = str(resolve(template, ebs.get("VolumeType")) or "gp2")
            rate = region.get("ebs_gb_month", volume_type)
            lines.append(Line("block_storage", "Amazon EBS",
                              f"{count} x {size} GiB {volume_type} x {rate}/GB-month",
                              money(count * size * rate)))
    return lines


def fargate_lines(template: Template, region: RegionPrices, hours: Decimal, tasks: int | None,
                  fargate_rate: str | None) -> list[Line]:
    lines = []
    for name, _, task, shares in fargate_services(template, tasks):
        task_props = properties(task)
        vcpu = plain_decimal((resolve_number(template, task_props.get("Cpu"), 256) or 256) / 1024)
        memory_gb = plain_decimal((resolve_number(template, task_props.get("Memory"), 512) or 512) / 1024)
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
                f"{name}: {plural(count, 'task')} x ({vcpu} vCPU x {vcpu_rate} + {memory_gb} GB x {gb_rate}) x {hours} h",
                money(count * hours * (vcpu * vcpu_rate + memory_gb * gb_rate)), resource=name))
    return lines


def registry_lines(template: Template, region: RegionPrices, usage: Usage) -> list[Line]:
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


def alb_line(region: RegionPrices, usage: Usage, *, optional: bool, name: str = "") -> Line:
    hour, lcu = region.get("alb", "hour"), region.get("alb", "lcu_hour")
    hours = usage.hours_per_month
    sizing = (f"{name}: " if name else "") + f"{hours} h x {hour} + {usage.alb_lcu} LCU x {hours} h x {lcu}"
    return Line("load_balancer", "Elastic Load Balancing" + (" (optional, not in this template)" if optional else ""),
                sizing, money(hours * hour + usage.alb_lcu * hours * lcu), optional, name)


def nlb_line(region: RegionPrices, usage: Usage, name: str) -> Line:
    """A Network Load Balancer: its hours and NLCU-hours (https://aws.amazon.com/elasticloadbalancing/pricing/)."""
    hour, lcu = region.get("nlb", "hour"), region.get("nlb", "nlcu_hour")
    hours = usage.hours_per_month
    return Line("load_balancer", "Elastic Load Balancing (network)",
                f"{name}: {hours} h x {hour} + {usage.nlb_lcu} NLCU x {hours} h x {lcu}",
                money(hours * hour + usage.nlb_lcu * hours * lcu), resource=name)


def log_lines(template: Template, region: RegionPrices, usage: Usage) -> list[Line]:
    groups = [resource for resource in of_type(template, "AWS::Logs::LogGroup").values() if is_created(template, resource)]
    if not groups:
        return []
    retention = max(int(resolve_number(template, properties(group).get("RetentionInDays"), 3653) or 3653)
                    for group in groups)
    kept_days = min(retention, 365)
    stored = plain_decimal(float((usage.log_ingest_gb * kept_days / 30).quantize(CENT, rounding=ROUND_HALF_UP)))
    ingest, storage = region.get("cloudwatch_logs", "ingest_gb"), region.get("cloudwatch_logs", "storage_gb_month")
    return [Line("logs", "Amazon CloudWatch Logs",
                 f"{usage.log_ingest_gb} GB ingested x {ingest} + {stored} GB kept ({kept_days}-day retention) "
                 f"x {storage}/GB-month", money(usage.log_ingest_gb * ingest + stored * storage))]


def database_lines(template: Template, region: RegionPrices, hours: Decimal) -> list[Line]:
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
        size = plain_decimal(resolve_number(template, database_props.get("AllocatedStorage")))
        if size:
            storage_type = str(resolve(template, database_props.get("StorageType")) or "gp2")
            storage_rate = region.get("rds_storage_gb_month", storage_type)
            lines.append(Line("database", "Amazon RDS storage",
                              f"{name}: {size} GB {storage_type} {deployment} x {storage_rate}/GB-month"
                              + (" x 2" if multi_az else ""), money(copies * size * storage_rate)))
    return lines


def file_system_lines(template: Template, region: RegionPrices, usage: Usage) -> list[Line]:
    systems = [name for name, resource in of_type(template, "AWS::EFS::FileSystem").items()
               if is_created(template, resource)]
    rate = region.get("efs_gb_month") if systems else Decimal(0)
    return [Line("file_storage", "Amazon EFS", f"{name}: {usage.efs_storage_gb} GB Standard x {rate}/GB-month",
                 money(usage.efs_storage_gb * rate)) for name in systems]


def public_ipv4_lines(template: Template, region: RegionPrices, hours: Decimal, tasks: int | None) -> list[Line]:
    addresses = 0
    for _, count, data in instance_groups(template, tasks):
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
    return [Line("public_ipv4", "Public IPv4 addresses", f"{plural(addresses, 'address')} x {hours} h x {rate}/h",
                 money(addresses * hours * rate))]
