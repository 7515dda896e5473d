"""EC2 vs Fargate vs scale-out: the seed's section 3.4 question, answered from the templates.

The EC2 side is the first template that runs an ECS service on an Auto Scaling group.
The Fargate side is the first template with a Fargate service (the ecs-fargate stack
once it is in the build); without one, it is the EC2 template itself turned into a
Fargate variant: same containers, secrets, logs and public port, the task at the nearest
valid Fargate size, launch type FARGATE, one public IP per task. Both are priced at
arm64, x86_64 and Spot rates (Spot for the task built for x86_64, the only architecture
Fargate Spot runs), at their desired task count and scaled out.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Mapping

from ecs_templates.docs.cost import (CATEGORIES, MONTHS, Estimate, Usage, amount, estimate, fargate_services,
                                     fargate_size, markdown_table)
from ecs_templates.docs.prices import RegionPrices
from ecs_templates.docs.template import Template, of_type, properties, resolve, resolve_number

# The Spot column prices the task built for x86_64: Fargate Spot runs no ARM64 task.
FARGATE_COLUMNS = {"arm64": "Fargate arm64", "x86_64": "Fargate x86_64", "spot": "Fargate Spot (x86_64 task)"}
_EC2_CAPACITY_TYPES = ("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::LaunchTemplate",
                       "AWS::ECS::CapacityProvider", "AWS::ECS::ClusterCapacityProviderAssociations")


@dataclass(frozen=True)
class Comparison:
    ec2_stack: str
    fargate_stack: str | None  # None: the Fargate variant of the EC2 template
    basis: str
    tasks: int
    scaled_tasks: int
    columns: tuple[tuple[str, Estimate, Estimate], ...]  # title, at desired count, scaled out

    @property
    def stacks(self) -> tuple[str, ...]:
        return tuple(name for name in (self.ec2_stack, self.fargate_stack) if name)


def _is_ec2_stack(template: Template) -> bool:
    return bool(of_type(template, "AWS::AutoScaling::AutoScalingGroup")) and bool(
        of_type(template, "AWS::ECS::Service"))


def _desired_tasks(template: Template) -> int:
    return sum(int(resolve_number(template, properties(service).get("DesiredCount"), 1) or 0)
               for service in of_type(template, "AWS::ECS::Service").values())


def fargate_variant(template: Template) -> dict[str, Any]:
    """The EC2 template as Fargate would run it: capacity resources gone, tasks awsvpc at a Fargate size."""
    variant = copy.deepcopy(dict(template))
    resources = variant["Resources"]
    removed = {name for name, resource in resources.items() if resource.get("Type") in _EC2_CAPACITY_TYPES}
    for name in removed:
        del resources[name]
    for resource in resources.values():
        depends = resource.get("DependsOn")
        if depends is not None:
            kept = [name for name in ([depends] if isinstance(depends, str) else depends) if name not in removed]
            resource.pop("DependsOn")
            if kept:
                resource["DependsOn"] = kept
        props = resource.get("Properties", {})
        if resource.get("Type") == "AWS::ECS::TaskDefinition":
            cpu = int(resolve_number(template, props.get("Cpu"), 256) or 256)
            memory = int(resolve_number(template, props.get("Memory"), 512) or 512)
            cpu, memory = fargate_size(cpu, memory)
            props.update(Cpu=str(cpu), Memory=str(memory), NetworkMode="awsvpc", RequiresCompatibilities=["FARGATE"])
            for container in props.get("ContainerDefinitions", []):
                container.pop("Links", None)
                for mapping in container.get("PortMappings", []):
                    mapping["HostPort"] = mapping.get("ContainerPort")
        elif resource.get("Type") == "AWS::ECS::Service":
            props.pop("CapacityProviderStrategy", None)
            props["LaunchType"] = "FARGATE"
            props["NetworkConfiguration"] = {"AwsvpcConfiguration": {"AssignPublicIp": "ENABLED"}}
    return variant


def _task_size(template: Template) -> str:
    sizes = []
    for task in of_type(template, "AWS::ECS::TaskDefinition").values():
        task_props = properties(task)
        cpu, memory = resolve(template, task_props.get("Cpu")), resolve(template, task_props.get("Memory"))
        architecture = resolve(template, (task_props.get("RuntimePlatform") or {}).get("CpuArchitecture"))
        sizes.append(f"{cpu} CPU units / {memory} MiB" + (f", {architecture}" if architecture else ""))
    return "; ".join(sizes)


def compare(templates: Mapping[str, Template], region: RegionPrices, usage: Usage) -> Comparison | None:
    """EC2 vs Fargate (arm64, x86_64, Spot), at the desired task count and scaled out; None without an EC2 stack."""
    ec2_stack = next((name for name, template in templates.items() if _is_ec2_stack(template)), None)
    if ec2_stack is None:
        return None
    ec2_template = templates[ec2_stack]
    fargate_stack = next((name for name, template in templates.items()
                          if name != ec2_stack and fargate_services(template)), None)
    if fargate_stack is not None:
        fargate_template: Template = templates[fargate_stack]
        basis = (f"Fargate columns: the {fargate_stack} template's tasks ({_task_size(fargate_template)}, "
                 f"{_desired_tasks(fargate_template)} desired).")
    else:
        fargate_template = fargate_variant(ec2_template)
        basis = (f"Fargate columns: this build has no Fargate stack, so they price the {ec2_stack} task "
                 f"({_task_size(ec2_template)}) at the nearest valid Fargate size "
                 f"({_task_size(fargate_template)}), with a public IP per task as the instance has.")
    tasks = _desired_tasks(ec2_template)
    groups = of_type(ec2_template, "AWS::AutoScaling::AutoScalingGroup").values()
    ceilings = [int(resolve_number(ec2_template, properties(group).get("MaxSize"), 1) or 1) for group in groups]
    ceilings += [int(resolve_number(template, properties(target).get("MaxCapacity"), 1) or 1)
                 for template in (ec2_template, fargate_template)
                 for target in of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget").values()]
    scaled = max([tasks + 1] + ceilings)
    columns = [(f"EC2 ({ec2_stack})", estimate(ec2_stack, ec2_template, region, usage),
                estimate(ec2_stack, ec2_template, region, usage, tasks=scaled))]
    name = fargate_stack or f"{ec2_stack} on Fargate"
    for rate, title in FARGATE_COLUMNS.items():
        columns.append((title, estimate(name, fargate_template, region, usage, fargate_rate=rate),
                        estimate(name, fargate_template, region, usage, tasks=scaled, fargate_rate=rate)))
    return Comparison(ec2_stack, fargate_stack, basis, tasks, scaled, tuple(columns))


def render_comparison(comparison: Comparison) -> str:
    """Category rows side by side, then monthly and yearly totals at the desired count and scaled out."""
    currency = comparison.columns[0][1].region.table.currency
    categories = [category for category in CATEGORIES
                  if any(category in column.by_category() for _, column, _ in comparison.columns)]
    rows = []
    for category in categories:
        rows.append([CATEGORIES[category]] + [amount(column.by_category()[category])
                                              if category in column.by_category() else "-"
                                              for _, column, _ in comparison.columns])
    tasks, scaled = comparison.tasks, comparison.scaled_tasks
    rows.append([f"**Monthly, {tasks} task{'s' if tasks != 1 else ''}**"]
                + [f"**{amount(column.required)}**" for _, column, _ in comparison.columns])
    rows.append([f"**Yearly, {tasks} task{'s' if tasks != 1 else ''}**"]
                + [f"**{amount(column.required * MONTHS)}**" for _, column, _ in comparison.columns])
    rows.append([f"**Monthly, scaled out to {scaled} tasks**"]
                + [f"**{amount(scaled_column.required)}**" for _, _, scaled_column in comparison.columns])
    header = [f"Monthly ({currency})"] + [title for title, _, _ in comparison.columns]
    text = markdown_table(header, rows, "l" + "r" * len(comparison.columns))
    instances = [line.sizing.split(" on-demand")[0] for line in comparison.columns[0][2].lines if line.category == "compute"]
    notes = [comparison.basis,
             f"Scaled out: {scaled} tasks (the largest MaxSize/MaxCapacity in the templates); the EC2 column then "
             f"runs {', '.join(instances) or 'as many tasks'}. Optional lines are left out here. "
             "Fargate Spot runs X86_64 Linux tasks only, so its column prices the task built for x86_64 "
             "(an arm64 task cannot use Spot); Spot tasks can be stopped with two minutes' notice."]
    return text + "\n" + "\n".join(notes) + "\n"
