"""ECS as CloudFormation creates it, over moto's own ecs backend.

moto's models of AWS::ECS::Cluster, ::Service and ::TaskDefinition keep a name, a task
definition's containers and a desired count, and no deletion; AWS::ECS::CapacityProvider and
::ClusterCapacityProviderAssociations are missing. Here:

- a cluster keeps its settings, configuration, capacity providers and Service Connect
  namespace (`ServiceConnectDefaults.Namespace`, a name or ARN; an unknown name creates an
  HTTP namespace, https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterServiceConnectDefaultsRequest.html),
  and refuses deletion while it has active services (ClusterContainsServicesException);
- a task definition keeps its volumes under the API's names (EFS: `efsVolumeConfiguration.fileSystemId`,
  `authorizationConfig.iam`), its network mode, compatibilities, cpu, memory, roles and runtime
  platform, and an update registers a revision with the same (camelCase) containers;
- a service keeps its network configuration (subnets and security groups checked), load
  balancers, Cloud Map registries (checked to exist), capacity provider strategy and
  deployment configuration. With `ServiceConnectConfiguration` enabled it checks what ECS
  checks (a namespace, from the service or the cluster; each PortName a named port mapping
  of the task definition) and creates the Cloud Map service of each entry under its
  DiscoveryName (else its PortName), as ECS does
  (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts.html);
  the configuration and those resources show in the deployment, as in DescribeServices;
- deleting a service or a cluster deletes it (moto marks it INACTIVE, as ECS does).
"""
from __future__ import annotations

from typing import Any

from moto.core.utils import pascal_to_camelcase, remap_nested_keys
from moto.ecs import models as ecs_models
from moto.ecs.exceptions import InvalidParameterException
from moto.servicediscovery.models import servicediscovery_backends


ECS = ecs_models.ecs_backends


# CloudFormation names that camel-casing does not turn into the API's (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html)
API_NAMES = {"eFSVolumeConfiguration": "efsVolumeConfiguration", "filesystemId": "fileSystemId", "iAM": "iam",
             "fSxWindowsFileServerVolumeConfiguration": "fsxWindowsFileServerVolumeConfiguration"}


def camel(value: Any) -> Any:
    return remap_nested_keys(value, lambda key: API_NAMES.get(pascal_to_camelcase(key), pascal_to_camelcase(key))) \
        if value is not None else None


def namespace_of(account_id: str, region_name: str, name_or_arn: str, create: bool) -> Any:
    """The Cloud Map namespace named or ARN'd, created as HTTP when `create` and unknown."""
    backend = servicediscovery_backends[account_id][region_name]
    for namespace in backend.list_namespaces():
        if name_or_arn in (namespace.name, namespace.arn, namespace.id):
            return namespace
    if not create:
        raise InvalidParameterException(f"Service Connect namespace {name_or_arn} not found")
    operation = backend.create_http_namespace(name_or_arn, "", "", [])
    return backend.get_namespace(backend.get_operation(operation).targets["NAMESPACE"])


# --- AWS::ECS::Cluster -----------------------------------------------------------------------

def create_cluster(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                   region_name: str, **kwargs: Any) -> ecs_models.Cluster:
    properties = cloudformation_json["Properties"]
    defaults = properties.get("ServiceConnectDefaults")
    namespace = namespace_of(account_id, region_name, defaults["Namespace"], create=True) if defaults else None
    return ECS[account_id][region_name].create_cluster(
        resource_name, tags=camel(properties.get("Tags")), cluster_settings=camel(properties.get("ClusterSettings")),
        configuration=camel(properties.get("Configuration")),
        capacity_providers=properties.get("CapacityProviders"),
        default_capacity_provider_strategy=camel(properties.get("DefaultCapacityProviderStrategy")),
        service_connect_defaults={"namespace": namespace.arn} if namespace else None)


def update_cluster(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                   account_id: str, region_name: str) -> ecs_models.Cluster:
    if original_resource.name != new_resource_name:
        delete_cluster(original_resource, account_id, region_name)
    return create_cluster(cls, new_resource_name, cloudformation_json, account_id, region_name)


def delete_cluster(self: ecs_models.Cluster, account_id: str, region_name: str) -> None:
    backend = ECS[account_id][region_name]
    active = [service.name for service in backend.services.values()
              if service.cluster_arn == self.arn and service.status == "ACTIVE"]
    if active:
        raise InvalidParameterException(f"ClusterContainsServicesException: {self.name} still has {active}")
    backend.delete_cluster(self.arn)


# --- AWS::ECS::TaskDefinition -------------------------------------------------------------------

def register_task_definition(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                             region_name: str, **kwargs: Any) -> ecs_models.TaskDefinition:
    properties = cloudformation_json["Properties"]
    return ECS[account_id][region_name].register_task_definition(
        family=properties.get("Family", resource_name),
        container_definitions=camel(properties.get("ContainerDefinitions", [])),
        volumes=camel(properties.get("Volumes", [])), network_mode=properties.get("NetworkMode"),
        tags=camel(properties.get("Tags")), requires_compatibilities=properties.get("RequiresCompatibilities"),
        cpu=properties.get("Cpu"), memory=properties.get("Memory"),
        task_role_arn=properties.get("TaskRoleArn"), execution_role_arn=properties.get("ExecutionRoleArn"),
        runtime_platform=camel(properties.get("RuntimePlatform")), pid_mode=properties.get("PidMode"),
        ipc_mode=properties.get("IpcMode"), ephemeral_storage=camel(properties.get("EphemeralStorage")))


def update_task_definition(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                           account_id: str, region_name: str) -> ecs_models.TaskDefinition:
    """A new revision (CloudFormation replaces a task definition on any change)."""
    ECS[account_id][region_name].deregister_task_definition(original_resource.arn)
    return register_task_definition(cls, new_resource_name, cloudformation_json, account_id, region_name)


# --- AWS::ECS::Service ------------------------------------------------------------------------

def launch_type_of(properties: dict[str, Any]) -> str:
    """moto needs a launch type; a FARGATE capacity provider strategy means Fargate."""
    providers = {item["CapacityProvider"] for item in properties.get("CapacityProviderStrategy", [])}
    if properties.get("LaunchType"):
        return properties["LaunchType"]
    return "FARGATE" if providers and providers <= {"FARGATE", "FARGATE_SPOT"} else "EC2"


def check_registries(account_id: str, region_name: str, registries: list[dict[str, Any]]) -> None:
    arns = {service.arn for service in servicediscovery_backends[account_id][region_name].list_services()}
    for registry in registries:
        if registry["RegistryArn"] not in arns:
            raise InvalidParameterException(f"service registry {registry['RegistryArn']} does not exist")


def service_connect(service: ecs_models.Service, configuration: dict[str, Any] | None,
                    account_id: str, region_name: str) -> None:
    """Check the Service Connect configuration and create its Cloud Map services, as ECS does."""
    backend = servicediscovery_backends[account_id][region_name]
    for resource in getattr(service, "service_connect_resources", []):
        backend.delete_service(resource["discoveryArn"].rsplit("/", 1)[1])
    service.service_connect_resources = []
    deployment = service.deployments[0] if service.deployments else {}
    if not configuration or str(configuration.get("Enabled")).lower() != "true":
        deployment.pop("serviceConnectConfiguration", None)
        deployment.pop("serviceConnectResources", None)
        return
    cluster = ECS[account_id][region_name].clusters[service.cluster_name]
    name = configuration.get("Namespace") or (cluster.service_connect_defaults or {}).get("namespace")
    if not name:
        raise InvalidParameterException("Service Connect needs a namespace: on the service or the cluster's defaults")
    namespace = namespace_of(account_id, region_name, name, create=False)
    definition = ECS[account_id][region_name].describe_task_definition(service.task_definition)
    port_names = {mapping.get("name") for container in definition.container_definitions
                  for mapping in container.get("portMappings", [])}
    for entry in configuration.get("Services", []):
        if entry["PortName"] not in port_names:
            raise InvalidParameterException(
                f"Service Connect port name {entry['PortName']} is not a port mapping name of {definition.arn}")
        discovery = backend.create_service(entry.get("DiscoveryName", entry["PortName"]), namespace.id, "", "",
                                           {}, {}, {}, [], "HTTP")
        service.service_connect_resources.append({"discoveryName": discovery.name, "discoveryArn": discovery.arn})
    deployment["serviceConnectConfiguration"] = dict(camel(configuration), namespace=namespace.arn)
    deployment["serviceConnectResources"] = service.service_connect_resources


def configure_service(service: ecs_models.Service, properties: dict[str, Any], account_id: str,
                      region_name: str) -> ecs_models.Service:
    """What moto's model drops, set on the service it created."""
    network = camel(properties.get("NetworkConfiguration"))
    service.network_configuration = service._validate_network(network) if network else {}
    service.load_balancers = camel(properties.get("LoadBalancers", []))
    service.service_registries = camel(properties.get("ServiceRegistries", []))
    service.capacity_provider_strategy = camel(properties.get("CapacityProviderStrategy"))
    service.deployment_configuration = camel(properties.get("DeploymentConfiguration"))
    service.health_check_grace_period_seconds = properties.get("HealthCheckGracePeriodSeconds")
    service.enable_ecs_managed_tags = properties.get("EnableECSManagedTags")
    service.enable_execute_command = properties.get("EnableExecuteCommand")
    service.propagate_tags = properties.get("PropagateTags", "NONE")
    service.launch_type = launch_type_of(properties)
    for deployment in service.deployments:
        deployment.update(networkConfiguration=network or None, launchType=service.launch_type,
                          taskDefinition=service.task_definition)
    service_connect(service, properties.get("ServiceConnectConfiguration"), account_id, region_name)
    return service


def create_service(cls: type, resource_name: str, cloudformation_json: Any, account_id: str,
                   region_name: str, **kwargs: Any) -> ecs_models.Service:
    properties = cloudformation_json["Properties"]
    check_registries(account_id, region_name, properties.get("ServiceRegistries", []))
    service = ECS[account_id][region_name].create_service(
        properties.get("Cluster", "default"), resource_name, int(properties.get("DesiredCount", 1)),
        task_definition_str=properties["TaskDefinition"], launch_type=launch_type_of(properties),
        scheduling_strategy=properties.get("SchedulingStrategy"), tags=camel(properties.get("Tags")),
        deployment_controller=camel(properties.get("DeploymentController")),
        platform_version=properties.get("PlatformVersion"), role_arn=properties.get("Role"))
    return configure_service(service, properties, account_id, region_name)


def update_service(cls: type, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                   account_id: str, region_name: str) -> ecs_models.Service:
    properties = cloudformation_json["Properties"]
    cluster = properties.get("Cluster", "default").split("/")[-1]
    if (cluster, new_resource_name) != (original_resource.cluster_name, original_resource.name):
        delete_service(original_resource, account_id, region_name)
        return create_service(cls, new_resource_name, cloudformation_json, account_id, region_name)
    check_registries(account_id, region_name, properties.get("ServiceRegistries", []))
    service = ECS[account_id][region_name].update_service({
        "cluster": cluster, "service": original_resource.name,
        "task_definition": properties["TaskDefinition"], "desired_count": int(properties.get("DesiredCount", 1))})
    return configure_service(service, properties, account_id, region_name)


def delete_service(self: ecs_models.Service, account_id: str, region_name: str) -> None:
    service_connect(self, None, account_id, region_name)
    backend = ECS[account_id][region_name]
    backend.delete_service(self.cluster_name, self.name, force=True)


def service_attribute(self: ecs_models.Service, attribute_name: str) -> str:
    if attribute_name == "ServiceArn":
        return self.arn
    return _moto_service_attribute(self, attribute_name)


_moto_service_attribute = ecs_models.Service.get_cfn_attribute


def install() -> None:
    ecs_models.Cluster.create_from_cloudformation_json = classmethod(create_cluster)  # type: ignore[assignment]
    ecs_models.Cluster.update_from_cloudformation_json = classmethod(update_cluster)  # type: ignore[assignment]
    ecs_models.Cluster.delete = delete_cluster  # type: ignore[attr-defined]
    ecs_models.TaskDefinition.create_from_cloudformation_json = classmethod(  # type: ignore[assignment]
        register_task_definition)
    ecs_models.TaskDefinition.update_from_cloudformation_json = classmethod(  # type: ignore[assignment]
        update_task_definition)
    ecs_models.Service.create_from_cloudformation_json = classmethod(create_service)  # type: ignore[assignment]
    ecs_models.Service.update_from_cloudformation_json = classmethod(update_service)  # type: ignore[assignment]
    ecs_models.Service.delete = delete_service  # type: ignore[attr-defined]
    ecs_models.Service.get_cfn_attribute = service_attribute  # type: ignore[method-assign]
    ecs_models.Service.has_cfn_attr = classmethod(lambda cls, attr: attr in ("Name", "ServiceArn"))  # type: ignore
