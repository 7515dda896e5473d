"""Application Auto Scaling of an ECS service: target tracking on CPU and on requests per task."""
from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Join, Ref, Sub, Template, ecs
from troposphere import applicationautoscaling as scaling

from ecs_templates.builders.template import add_parameter

SCALING_GROUP = "Scaling"
SCALE_IN_COOLDOWN, SCALE_OUT_COOLDOWN = 300, 60


def add_task_count_parameters(template: Template, *, prefix: str, what: str, minimum: int,
                              maximum: int) -> tuple[Ref, Ref]:
    """<Prefix>MinTasks and <Prefix>MaxTasks; their defaults are the configuration's (min <= desired <= max)."""
    low = add_parameter(
        template, f"{prefix}MinTasks", group=SCALING_GROUP, label=f"Minimum {what} tasks",
        Type="Number", Default=minimum, MinValue=1, MaxValue=100,
        Description=f"Scaling never goes below this many {what} tasks. Must not exceed {prefix}MaxTasks.")
    high = add_parameter(
        template, f"{prefix}MaxTasks", group=SCALING_GROUP, label=f"Maximum {what} tasks",
        Type="Number", Default=maximum, MinValue=1, MaxValue=100,
        Description=f"Scaling never goes above this many {what} tasks (the cost ceiling).")
    return Ref(low), Ref(high)


def add_service_scaling(template: Template, *, prefix: str, cluster: ecs.Cluster, service: ecs.Service,
                        minimum: Any, maximum: Any, cpu_percent: int, requests_per_target: int,
                        load_balancer: Any = None, target_group: Any = None) -> scaling.ScalableTarget:
    """Scale the service's desired count between `minimum` and `maximum` on CPU, and on requests behind an ALB.

    Target tracking scales out when either metric is above its target and in only when
    both are below. No RoleARN: Application Auto Scaling uses its service-linked role.
    """
    target = template.add_resource(scaling.ScalableTarget(
        f"{prefix}ScalableTarget",
        ServiceNamespace="ecs",
        ScalableDimension="ecs:service:DesiredCount",
        ResourceId=Sub("service/${Cluster}/${ServiceName}", Cluster=Ref(cluster),
                       ServiceName=GetAtt(service, "Name")),
        MinCapacity=minimum,
        MaxCapacity=maximum,
    ))
    template.add_resource(_policy(f"{prefix}CpuScalingPolicy", target, cpu_percent,
                                  scaling.PredefinedMetricSpecification(
                                      PredefinedMetricType="ECSServiceAverageCPUUtilization")))
    if target_group is not None:
        template.add_resource(_policy(f"{prefix}RequestsScalingPolicy", target, requests_per_target,
                                      scaling.PredefinedMetricSpecification(
                                          PredefinedMetricType="ALBRequestCountPerTarget",
                                          ResourceLabel=Join("/", [
                                              GetAtt(load_balancer, "LoadBalancerFullName"),
                                              GetAtt(target_group, "TargetGroupFullName")]))))
    return target


def _policy(name: str, target: scaling.ScalableTarget, value: int,
            metric: scaling.PredefinedMetricSpecification) -> scaling.ScalingPolicy:
    return scaling.ScalingPolicy(
        name,
        PolicyName=Sub(f"${{AWS::StackName}}-{name}"),
        PolicyType="TargetTrackingScaling",
        ScalingTargetId=Ref(target),
        TargetTrackingScalingPolicyConfiguration=scaling.TargetTrackingScalingPolicyConfiguration(
            TargetValue=float(value),
            PredefinedMetricSpecification=metric,
            ScaleInCooldown=SCALE_IN_COOLDOWN,
            ScaleOutCooldown=SCALE_OUT_COOLDOWN,
        ),
    )
