"""CloudFormation models that moto lacks, registered over moto's own service backends.

`install()` runs when the emulator starts (tests/emulator.py). It applies the corrections of
tests/emulator_parsing.py (template processing), emulator_ecs.py (ECS, Service Connect),
emulator_scaling.py, emulator_storage.py (RDS, EFS), emulator_elbv2.py (ALB / NLB) and
emulator_network.py (ingress rules), and registers here, each creating, updating and deleting
through the moto backend of its service so that the results are visible through its API:

- AWS::SecretsManager::Secret (GenerateSecretString or SecretString; Ref is the ARN);
- AWS::ServiceDiscovery::PrivateDnsNamespace, ::HttpNamespace, ::Service (Ref is the Id;
  GetAtt Id, Arn, and HostedZoneId / Name);
- (in tests/emulator_corrections.py) the `Fn::GetAtt`s that moto's EFS, ELBv2 and ECS
  task-definition models lack, and IAM role updates that bring the trust policy and the
  inline policies up to date.

What stays unmodelled (moto keeps it as data, or not at all; nothing runs):
- no task runs: ECS keeps services and their configuration but starts no task, registers no
  Service Connect or Cloud Map instance, and runs no health check, deployment circuit
  breaker or rollback; the tests place a task themselves where they need an address;
- scaling policies store their configuration; no alarm fires and nothing scales;
- a secret's KmsKeyId is stored, nothing is encrypted; a Cloud Map namespace gets its
  hosted zone but no records; deleting a namespace leaves that hosted zone;
- an RDS instance has no engine behind it; its managed secret holds moto's fixed text; the
  final snapshot of DeletionPolicy Snapshot is named `<instance>-final-snapshot`
  (CloudFormation's name differs);
- EFS mount targets and access points are moto's own (no NFS behind them);
- no load balancer carries traffic or checks health; an NLB's security groups and every
  ingress rule are stored, never enforced; a target group keeps its first health check;
- replacement rules: a changed property updates in place unless it changes a name (or a
  scaling policy's target, a namespace's VPC, a load balancer's Name / Scheme / Type, or an
  ingress rule's properties);
- a log group update keeps the group and its old retention;
- what moto's CloudFormation itself leaves out (resource changes in an update's change set,
  failed states, parameter validation) is listed in
  docs/deploying.md ("Against a local emulator, and what it does not model").
"""
from __future__ import annotations

import functools
import json
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.core.base_backend import InstanceTrackerMeta
from moto.core.common_models import CloudFormationModel
from moto.secretsmanager.models import secretsmanager_backends
from moto.servicediscovery.models import servicediscovery_backends


class HarnessMeta(InstanceTrackerMeta):
    """moto files each model class under the second part of its module's dotted name."""

    def __new__(meta, name: str, bases: Any, namespace: dict[str, Any]) -> type:
        namespace["__module__"] = f"harness.{namespace.get('__module__', __name__)}"
        return super().__new__(meta, name, bases, namespace)


class HarnessModel(CloudFormationModel, metaclass=HarnessMeta):
    """A resource that lives in a moto backend: its Ref, its attributes, its deletion."""

    TYPE = ""
    NAME_PROPERTY = ""
    ATTRIBUTES: tuple[str, ...] = ()

    def __init__(self, physical_id: str, attributes: dict[str, Any], state: dict[str, Any]) -> None:
        self.physical_id = physical_id
        self.attributes = attributes
        self.state = state

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @classmethod
    def cloudformation_type(cls) -> str:  # type: ignore[override]
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:  # type: ignore[override]
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute_name]

    def is_created(self) -> bool:
        return True

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        """Replace: delete the old resource, create the new one (subclasses update in place)."""
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    def delete(self, account_id: str, region_name: str) -> None:
        raise NotImplementedError


class Secret(HarnessModel):
    TYPE, NAME_PROPERTY, ATTRIBUTES = "AWS::SecretsManager::Secret", "Name", ("Id",)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,  # type: ignore[override]
                                        account_id: str, region_name: str, **kwargs: Any) -> Secret:
        properties = cloudformation_json["Properties"]
        backend = secretsmanager_backends[account_id][region_name]
        value = properties.get("SecretString")
        generate = properties.get("GenerateSecretString")
        if generate is not None:
            value = backend.get_random_password(
                password_length=int(generate.get("PasswordLength", 32)),
                exclude_characters=generate.get("ExcludeCharacters", ""),
                exclude_numbers=bool(generate.get("ExcludeNumbers")),
                exclude_punctuation=bool(generate.get("ExcludePunctuation")),
                exclude_uppercase=bool(generate.get("ExcludeUppercase")),
                exclude_lowercase=bool(generate.get("ExcludeLowercase")),
                include_space=bool(generate.get("IncludeSpace")),
                require_each_included_type=bool(generate.get("RequireEachIncludedType", True)))
            value = json.loads(value)["RandomPassword"]  # moto answers with the API's JSON
            if "SecretStringTemplate" in generate:
                document = json.loads(generate["SecretStringTemplate"])
                document[generate["GenerateStringKey"]] = value
                value = json.dumps(document)
        created = backend.create_secret(
            name=resource_name, secret_string=value, secret_binary=None,
            description=properties.get("Description"), tags=properties.get("Tags"),
            kms_key_id=properties.get("KmsKeyId"), client_request_token=None,
            replica_regions=[], force_overwrite=False)
        arn = json.loads(created)["ARN"]
        return cls(arn, {"Id": arn}, {"name": resource_name})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        """The value stays (CloudFormation generates a secret string only on creation)."""
        if new_resource_name != original_resource.state["name"]:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        properties = cloudformation_json["Properties"]
        secretsmanager_backends[account_id][region_name].update_secret(
            original_resource.physical_id, description=properties.get("Description"),
            kms_key_id=properties.get("KmsKeyId"))
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        secretsmanager_backends[account_id][region_name].delete_secret(
            self.physical_id, recovery_window_in_days=None, force_delete_without_recovery=True)


class PrivateDnsNamespace(HarnessModel):
    TYPE, ATTRIBUTES = "AWS::ServiceDiscovery::PrivateDnsNamespace", ("Id", "Arn", "HostedZoneId")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,  # type: ignore[override]
                                        account_id: str, region_name: str, **kwargs: Any) -> HarnessModel:
        properties = cloudformation_json["Properties"]
        backend = servicediscovery_backends[account_id][region_name]
        if cls.TYPE.endswith("HttpNamespace"):
            operation = backend.create_http_namespace(properties["Name"], "", properties.get("Description"),
                                                      properties.get("Tags"))
        else:
            operation = backend.create_private_dns_namespace(
                properties["Name"], "", properties.get("Description"), properties["Vpc"],
                properties.get("Tags"), properties.get("Properties"))
        namespace = backend.get_namespace(backend.get_operation(operation).targets["NAMESPACE"])
        return cls(namespace.id, {"Id": namespace.id, "Arn": namespace.arn,
                                  "HostedZoneId": namespace.dns_properties.get("HostedZoneId")}, {})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        """Name and Vpc replace the namespace; the rest is its description."""
        properties = cloudformation_json["Properties"]
        namespace = servicediscovery_backends[account_id][region_name].get_namespace(original_resource.physical_id)
        if properties["Name"] != namespace.name or properties.get("Vpc", namespace.vpc) != namespace.vpc:
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        namespace.description = properties.get("Description")
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        servicediscovery_backends[account_id][region_name].delete_namespace(self.physical_id)


class HttpNamespace(PrivateDnsNamespace):
    TYPE, ATTRIBUTES = "AWS::ServiceDiscovery::HttpNamespace", ("Id", "Arn")


class DiscoveryService(HarnessModel):
    TYPE, ATTRIBUTES = "AWS::ServiceDiscovery::Service", ("Id", "Arn", "Name")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: Any,  # type: ignore[override]
                                        account_id: str, region_name: str, **kwargs: Any) -> DiscoveryService:
        properties = cloudformation_json["Properties"]
        backend = servicediscovery_backends[account_id][region_name]
        namespace = backend.get_namespace(properties["NamespaceId"])  # raises NamespaceNotFound as Cloud Map does
        service = backend.create_service(
            properties.get("Name", resource_name), namespace.id, "", properties.get("Description"),
            properties.get("DnsConfig"), properties.get("HealthCheckConfig"),
            properties.get("HealthCheckCustomConfig"), properties.get("Tags"), properties.get("Type"))
        return cls(service.id, {"Id": service.id, "Arn": service.arn, "Name": service.name}, {})

    @classmethod
    def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,  # type: ignore[override]
                                        cloudformation_json: Any, account_id: str, region_name: str) -> Any:
        properties = cloudformation_json["Properties"]
        service = servicediscovery_backends[account_id][region_name].get_service(original_resource.physical_id)
        if (properties.get("Name", service.name), properties["NamespaceId"]) != (service.name, service.namespace_id):
            return super().update_from_cloudformation_json(
                original_resource, new_resource_name, cloudformation_json, account_id, region_name)
        service.description = properties.get("Description")
        service.dns_config = properties.get("DnsConfig")
        return original_resource

    def delete(self, account_id: str, region_name: str) -> None:
        servicediscovery_backends[account_id][region_name].delete_service(self.physical_id)


def harness_models(base: type = HarnessModel) -> list[type[CloudFormationModel]]:
    """Every model class of the harness (moto lists only direct subclasses of its base)."""
    found: list[type[CloudFormationModel]] = []
    for model in base.__subclasses__():
        found += ([model] if model.TYPE else []) + harness_models(model)
    return found


def model_list() -> list[type[CloudFormationModel]]:
    return [model for model in CloudFormationModel.__subclasses__() if model is not HarnessModel] + harness_models()


def install() -> None:
    """Apply the corrections and register the models in this process (once is enough)."""
    import emulator_corrections
    import emulator_ecs
    import emulator_elbv2
    import emulator_network
    import emulator_parsing
    import emulator_storage
    import emulator_scaling  # noqa: F401  (its models register by being defined)

    if parsing.get_model_list.__wrapped__ is model_list:
        return
    emulator_parsing.install()
    emulator_ecs.install()
    emulator_storage.install()
    emulator_elbv2.install()
    emulator_network.install()
    emulator_corrections.install()
    parsing.get_model_list = functools.lru_cache(model_list)
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
