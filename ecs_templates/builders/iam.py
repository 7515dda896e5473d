"""IAM, least privilege with awacs: or no IAM at all, with roles the account already has.

The AWS Academy Learner Lab forbids creating roles. Each role therefore has a parameter
`Existing...`: empty (default) creates a narrowly scoped role; an ARN (LabRole) or a
profile name (LabInstanceProfile) uses that one and the template creates no IAM resource.
"""
from __future__ import annotations

from typing import Any, Sequence

from awacs import ecr as ecr_actions
from awacs import ecs as ecs_actions
from awacs import logs as logs_actions
from awacs import secretsmanager as secrets_actions
from awacs.aws import Allow, PolicyDocument, Statement
from awacs.helpers.trust import make_simple_assume_policy
from troposphere import Equals, GetAtt, If, NoValue, Ref, Sub, Template, iam

from ecs_templates.builders.template import add_condition, add_parameter

IAM_GROUP = "IAM (leave empty to create least-privilege roles)"

# Actions that AWS grants only on Resource "*", with the reason they appear.
STAR_ONLY_ACTIONS = {
    "ecr:GetAuthorizationToken": "a registry login token is account-wide; it grants no image access",
    "ecs:DiscoverPollEndpoint": "the ECS agent asks where to poll before it has a container instance ARN",
}


def _existing_parameter(template: Template, name: str, label: str, description: str) -> tuple[Ref, str]:
    """An optional 'use this existing role' parameter and the condition 'create our own'."""
    parameter = add_parameter(template, f"Existing{name}", group=IAM_GROUP, label=label,
                              Type="String", Default="", Description=description)
    condition = add_condition(template, f"Create{name}", Equals(Ref(parameter), ""))
    return Ref(parameter), condition


def _role(template: Template, name: str, *, condition: str, service: str,
          statements: Sequence[Statement], description: str,
          conditional_statements: Sequence[tuple[str, Sequence[Statement]]] = ()) -> iam.Role:
    """A role with one inline policy, plus one per (condition, statements) present only when that holds."""
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": make_simple_assume_policy(service),
        "Description": description,
        "Condition": condition,
    }
    policies: list[Any] = []
    if statements:
        policies.append(iam.Policy(
            PolicyName="least-privilege",
            PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=list(statements)),
        ))
    for when, extra in conditional_statements:
        policies.append(If(when, iam.Policy(
            PolicyName=f"least-privilege-when-{when}",
            PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=list(extra)),
        ), NoValue))
    if policies:
        properties["Policies"] = policies
    return template.add_resource(iam.Role(name, **properties))


def add_execution_role(template: Template, *, repository_arns: Sequence[Any], secret_arns: Sequence[Any],
                       log_group_arn: Any, extra_statements: Sequence[Statement] = (),
                       conditional_statements: Sequence[tuple[str, Sequence[Statement]]] = (),
                       logical_name: str = "TaskExecutionRole") -> Any:
    """The role ECS uses to start tasks: pull these images, read these secrets, write this log group.

    `conditional_statements` are granted only when their condition holds (e.g. kms:Decrypt on a
    key given as a parameter). Returns the role ARN expression (ours, or the existing one).
    """
    existing, create = _existing_parameter(
        template, "ExecutionRoleArn", "Existing task execution role ARN",
        "ARN of an existing task execution role, e.g. arn:aws:iam::<account>:role/LabRole in the "
        "AWS Academy Learner Lab. Empty: create a role that may only pull this stack's images, "
        "read its secrets and write its log group.")
    statements = [
        Statement(Effect=Allow, Action=[ecr_actions.GetAuthorizationToken], Resource=["*"]),
        Statement(Effect=Allow, Action=[ecr_actions.BatchCheckLayerAvailability,
                                        ecr_actions.GetDownloadUrlForLayer, ecr_actions.BatchGetImage],
                  Resource=list(repository_arns)),
        Statement(Effect=Allow, Action=[logs_actions.CreateLogStream, logs_actions.PutLogEvents],
                  Resource=[log_group_arn]),
    ]
    if secret_arns:
        statements.append(Statement(Effect=Allow, Action=[secrets_actions.GetSecretValue],
                                    Resource=list(secret_arns)))
    statements.extend(extra_statements)
    role = _role(template, logical_name, condition=create, service="ecs-tasks.amazonaws.com",
                 statements=statements, conditional_statements=conditional_statements,
                 description="Starts the tasks: pulls their images, reads their secrets, writes their logs")
    return If(create, GetAtt(role, "Arn"), existing)


TASK_ROLE_DESCRIPTION = ("ARN of an existing role for the containers, e.g. LabRole's ARN in the Learner Lab. "
                         "Empty: create a role with no permissions (add some to it if the containers call AWS APIs).")


def add_task_role(template: Template, *, statements: Sequence[Statement] = (),
                  logical_name: str = "TaskRole", parameter_description: str = TASK_ROLE_DESCRIPTION) -> Any:
    """The role the application's containers run as: no permissions unless the application needs some."""
    existing, create = _existing_parameter(
        template, "TaskRoleArn", "Existing task role ARN", parameter_description)
    role = _role(template, logical_name, condition=create, service="ecs-tasks.amazonaws.com",
                 statements=statements,
                 description="The containers' own identity; attach permissions here if the app needs AWS APIs")
    return If(create, GetAtt(role, "Arn"), existing)


def add_instance_profile(template: Template, *, cluster: Any) -> Any:
    """The container instances' profile: only what the ECS agent needs to serve this one cluster.

    Image pulls and logs go through the task execution role, so the instances need no
    ECR or CloudWatch Logs rights. Returns the profile name expression.
    """
    existing, create = _existing_parameter(
        template, "InstanceProfile", "Existing instance profile name",
        "Name of an existing instance profile for the ECS container instances, e.g. "
        "LabInstanceProfile in the Learner Lab. Empty: create one limited to this cluster.")
    cluster_arn = GetAtt(cluster, "Arn")
    instances_arn = Sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}"
                        ":container-instance/${Cluster}/*", Cluster=Ref(cluster))
    statements = [
        Statement(Effect=Allow, Action=[ecs_actions.DiscoverPollEndpoint], Resource=["*"]),
        Statement(Effect=Allow,
                  Action=[ecs_actions.RegisterContainerInstance, ecs_actions.DeregisterContainerInstance,
                          ecs_actions.SubmitContainerStateChange, ecs_actions.SubmitTaskStateChange,
                          ecs_actions.SubmitAttachmentStateChanges],
                  Resource=[cluster_arn]),
        Statement(Effect=Allow,
                  Action=[ecs_actions.Poll, ecs_actions.StartTelemetrySession,
                          ecs_actions.UpdateContainerInstancesState],
                  Resource=[instances_arn]),
    ]
    role = _role(template, "InstanceRole", condition=create, service="ec2.amazonaws.com",
                 statements=statements, description="Lets the ECS agent on the instances join this cluster")
    profile = template.add_resource(iam.InstanceProfile(
        "InstanceProfile", Roles=[Ref(role)], Condition=create))
    return If(create, Ref(profile), existing)
