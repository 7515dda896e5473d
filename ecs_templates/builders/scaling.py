"""Application Auto Scaling of an ECS service: target tracking on CPU and on requests per task."""
from __future__ import annotations

from typing import Any

from troposphere import GetAtt, Join, Ref, Sub, Template, ecs
from troposphere import applicationautoscaling as scaling

from ecs_templates.builders.load_balancer import LoadBalancer
from ecs_templates.builders.template import add_parameter

SCALING_GROUP = "Scaling"
SCALE_IN_COOLDOWN, SCALE_OUT_COOLDOWN = 300, 60


def add_task_count_parameters(template: Template, *, minimum: int, maximum: int) -> tuple[Ref, Ref]:
    """MinTasks and MaxTasks; their defaults are the configuration's (checked min <= desired <= max)."""
    low = add_parameter(
        template, "MinTasks", group=SCALING_GROUP, label="Minimum web tasks",
        Type="Number", Default=minimum, MinValue=1, MaxValue=100,
        Description="Scaling never goes below this many web tasks. Must not exceed MaxTasks.")
    high = add_parameter(
        template, "MaxTasks", group=SCALING_GROUP, label="Maximum web tasks",
        Type="Number", Default=maximum, MinValue=1, MaxValue=100,
        Description="Scaling never goes above this many web tasks (the cost ceiling).")
    return Ref(low), Ref(high)


def add_service_scaling(template: Template, *, cluster: ecs.Cluster, service: ecs.Service, minimum: Any,
                        maximum: Any, cpu_percent: int, requests_per_target: int,
                        balancer: LoadBalancer) -> scaling.ScalableTarget:
    """Scale the service's desired count between `minimum` and `maximum` on two targets.

    Target tracking scales out when either metric is above its target and in only when
    both are below. No RoleARN: Application Auto Scaling uses its service-linked role.
    """
    target = template.add_resource(scaling.ScalableTarget(
        "ScalableTarget",
        ServiceNamespace="ecs",
        ScalableDimension="ecs:service:DesiredCount",
        ResourceId=Sub("service/${Cluster}/${ServiceName}", Cluster=Ref(cluster),
                       ServiceName=GetAtt(service, "Name")),
        MinCapacity=minimum,
        MaxCapacity=maximum,
    ))
    template.add_resource(_policy("CpuScalingPolicy", target, cpu_percent, scaling.PredefinedMetricSpecification(
        PredefinedMetricType="ECSServiceAverageCPUUtilization")))
    template.add_resource(_policy("RequestsScalingPolicy", target, requests_per_target,
                                  scaling.PredefinedMetricSpecification(
                                      PredefinedMetricType="ALBRequestCountPerTarget",
                                      ResourceLabel=Join("/", [
                                          GetAtt(balancer.load_balancer, "LoadBalancerFullName"),
                                          GetAtt(balancer.target_group, "TargetGroupFullName")]))))
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
