"""EC2 capacity: launch template, Auto Scaling group and the ECS capacity provider over it."""
from __future__ import annotations

from troposphere import Base64, Equals, GetAtt, If, NoValue, Not, Ref, Sub, Template, autoscaling, ec2, ecs

from ecs_templates.builders.suppressions import suppress
from ecs_templates.builders.template import add_condition, add_parameter
from ecs_templates.config import instance_types
from ecs_templates.config.model import Ec2Capacity

CAPACITY_GROUP = "EC2 capacity"

# checkov CKV_AWS_88 flags any public IP; without a load balancer the instances need one.
PUBLIC_IP_REASON = (
    "There is no load balancer in this single-task design: visitors reach the site at the "
    "container instance's public DNS name, so the instances need a public IP. Their security "
    "group opens only the public ports, and IMDSv2 is required.")

# The agent of the ECS-optimized AMI (AL2023 as AL2) reads /etc/ecs/ecs.config when it starts:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
USER_DATA = """#!/bin/bash
# Join the ECS cluster of this stack.
cat >> /etc/ecs/ecs.config <<'CONFIG'
ECS_CLUSTER=${Cluster}
ECS_ENABLE_CONTAINER_METADATA=true
CONFIG
"""


def add_capacity_parameters(template: Template, capacity: Ec2Capacity, *, task_cpu: int,
                            task_memory: int) -> tuple[Ref, Ref, Ref]:
    """Instance type (only those of the configured architecture that hold the task), AMI, optional key pair."""
    arch = capacity.architecture
    # The config already refuses an instance type that cannot hold the task (check_fits_instance);
    # the console offers no such type either, or the task is never placed and the deploy hangs.
    instance_type = add_parameter(
        template, "InstanceType", group=CAPACITY_GROUP, label="Instance type",
        Type="String", Default=capacity.instance_type,
        AllowedValues=instance_types.instance_types_for_task(arch, task_cpu, task_memory),
        Description=f"EC2 instance type of the container instances. Only {arch} types are offered (the "
                    f"{arch} ECS-optimized AMI cannot boot any other), "
                    f"and only those that hold a task of {task_cpu} CPU units / {task_memory} MiB.")
    ami = add_parameter(
        template, "AmiId", group=CAPACITY_GROUP, label="ECS-optimized AMI (SSM parameter)",
        Type="AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        Default=instance_types.ECS_AMI_SSM_PARAMETER[arch],
        Description=f"Public SSM parameter of the recommended ECS-optimized {instance_types.AMI_OPERATING_SYSTEM} "
                    f"{arch} AMI; resolved at each deploy: instances launched after an update use the newest "
                    "AMI (running ones are not replaced).")
    key_name = add_parameter(
        template, "KeyName", group=CAPACITY_GROUP, label="SSH key pair (optional)",
        Type="String", Default="",
        Description="Name of an existing EC2 key pair for SSH (vockey in the Learner Lab). Empty: no key pair.")
    return Ref(instance_type), Ref(ami), Ref(key_name)


def add_ec2_capacity(template: Template, capacity: Ec2Capacity, *, cluster: ecs.Cluster,
                     security_group: ec2.SecurityGroup, subnets: Ref, instance_profile: object,
                     task_cpu: int, task_memory: int) -> ecs.CapacityProvider:
    """An Auto Scaling group of ECS-optimized instances, scaled by ECS through a capacity provider.

    `task_cpu` and `task_memory` are the largest task the instances must hold.
    """
    instance_type, ami, key_name = add_capacity_parameters(template, capacity, task_cpu=task_cpu,
                                                           task_memory=task_memory)
    has_key = add_condition(template, "HasKeyName", Not(Equals(key_name, "")))
    launch_template = suppress(template.add_resource(ec2.LaunchTemplate(
        "LaunchTemplate",
        LaunchTemplateData=ec2.LaunchTemplateData(
            ImageId=ami,
            InstanceType=instance_type,
            KeyName=If(has_key, key_name, NoValue),
            IamInstanceProfile=ec2.IamInstanceProfile(Name=instance_profile),
            # IMDSv2 only; a hop limit of 1 keeps containers in bridge mode away from the
            # instance role's credentials (tasks get theirs from the ECS agent instead).
            MetadataOptions=ec2.MetadataOptions(HttpTokens="required", HttpEndpoint="enabled",
                                                HttpPutResponseHopLimit=1),
            Monitoring=ec2.Monitoring(Enabled=True),
            BlockDeviceMappings=[ec2.LaunchTemplateBlockDeviceMapping(
                DeviceName=instance_types.ECS_AMI_ROOT_DEVICE,
                Ebs=ec2.EBSBlockDevice(VolumeSize=capacity.root_volume_gib, VolumeType="gp3",
                                       Encrypted=True, DeleteOnTermination=True),
            )],
            NetworkInterfaces=[ec2.NetworkInterfaces(
                DeviceIndex=0,
                # The seed reaches WordPress at the instance's public DNS name: no load balancer.
                AssociatePublicIpAddress=True,
                Groups=[Ref(security_group)],
                DeleteOnTermination=True,
            )],
            UserData=Base64(Sub(USER_DATA, Cluster=Ref(cluster))),
            TagSpecifications=[ec2.TagSpecifications(
                ResourceType="instance",
                Tags=[ec2.Tag("Name", Sub("${AWS::StackName}-container-instance"))])],
        ),
    )), "CKV_AWS_88", PUBLIC_IP_REASON)
    group = template.add_resource(autoscaling.AutoScalingGroup(
        "AutoScalingGroup",
        LaunchTemplate=autoscaling.LaunchTemplateSpecification(
            LaunchTemplateId=Ref(launch_template),
            Version=GetAtt(launch_template, "LatestVersionNumber")),
        MinSize=str(capacity.min_size),
        MaxSize=str(capacity.max_size),
        DesiredCapacity=str(capacity.desired_size),
        VPCZoneIdentifier=subnets,
        NewInstancesProtectedFromScaleIn=False,
        Tags=[autoscaling.Tag("AmazonECSManaged", "", True)],
    ))
    return template.add_resource(ecs.CapacityProvider(
        "Ec2CapacityProvider",
        AutoScalingGroupProvider=ecs.AutoScalingGroupProvider(
            AutoScalingGroupArn=Ref(group),
            ManagedScaling=ecs.ManagedScaling(Status="ENABLED", TargetCapacity=100,
                                              MinimumScalingStepSize=1, MaximumScalingStepSize=1),
            ManagedTerminationProtection="DISABLED",
        ),
    ))

