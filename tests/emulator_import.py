"""What the deploy scripts need from CloudFormation and moto 5 does not model, added in-process.

moto's server runs in the test process (ThreadedMotoServer), so its classes are patched here,
once, when tests/emulator.py imports this module. Each patch follows AWS's documented
behaviour, and stays within what the scripts use:

* IMPORT change sets that create a stack from existing resources (moto treats IMPORT as a
  CREATE and tries to create the resources again). Checked as CloudFormation checks them,
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html and
  .../resource-import-new-stack.html: each resource to import is in the template with the
  same type and a DeletionPolicy, the template holds nothing but those resources (an import
  creates, updates and deletes nothing else, and adds no Outputs), the resource exists and
  belongs to no other stack. The change set lists one "Import" change per resource; executing
  it puts the existing resource into the stack, which ends IMPORT_COMPLETE.
* A stack created or updated through a change set reports the outputs of its new template
  and publishes their exports (moto kept those of the template the stack had before: none
  after a CREATE change set), as DescribeStacks and ListExports do: https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
* DeletionPolicy RetainExceptOnCreate keeps the resource when the stack is deleted (moto only
  knows Retain). https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html

Not modelled: importing into a stack that exists; resource types other than those in
IMPORTABLE; comparing the template's properties with the resource's (AWS does not either:
it recommends drift detection after an import); the "except on create" half of
RetainExceptOnCreate (moto never fails a creation, so there is no rollback to delete from).
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from moto.cloudformation import responses
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Change, ChangeSet, CloudFormationBackend
from moto.cloudformation.parsing import ResourceMap
from moto.ecr.models import ecr_backends

# resource type -> (identifier property, lookup of the existing resource by its identifier)
IMPORTABLE: dict[str, tuple[str, Callable[[str, str, str], Any]]] = {
    "AWS::ECR::Repository": ("RepositoryName",
                             lambda account, region, name: ecr_backends[account][region].repositories.get(name)),
}

_request = threading.local()


def _resources_to_import(raw: Any) -> list[dict[str, Any]]:
    """ResourcesToImport as the query protocol gives it: identifiers as a flat map or key/value entries."""
    items = []
    for item in raw or []:
        identifier = item.get("ResourceIdentifier") or {}
        if isinstance(identifier, list):
            identifier = {entry["key"]: entry["value"] for entry in identifier}
        elif "entry" in identifier:
            entries = identifier["entry"]
            identifier = {entry["key"]: entry["value"] for entry in (entries if isinstance(entries, list) else [entries])}
        items.append({"ResourceType": item.get("ResourceType"), "LogicalResourceId": item.get("LogicalResourceId"),
                      "ResourceIdentifier": dict(identifier)})
    return items


def _owner(backend: CloudFormationBackend, resource: Any) -> str | None:
    for stack in backend.stacks.values():
        parsed = stack.resource_map._parsed_resources
        if stack.status != "DELETE_COMPLETE" and any(value is resource for value in parsed.values()):
            return stack.name
    return None


def _import_problem(backend: CloudFormationBackend, change_set: ChangeSet) -> str | None:
    """Why CloudFormation would refuse this IMPORT change set, or None."""
    template = change_set.template_dict or {}
    resources = template.get("Resources") or {}
    wanted = {item["LogicalResourceId"]: item for item in change_set.resources_to_import}
    if not wanted:
        return "ResourcesToImport is required for an IMPORT change set"
    others = sorted(set(resources) - set(wanted))
    if others:
        return f"The template has resources that are not being imported: {others}"
    if template.get("Outputs"):
        return "As part of the import operation, you cannot modify or add [Outputs]"
    for logical, item in sorted(wanted.items()):
        spec = resources.get(logical)
        if spec is None or spec.get("Type") != item["ResourceType"]:
            return f"Resource {logical} of type {item['ResourceType']} is not in the template"
        if "DeletionPolicy" not in spec:
            return f"The following resource(s) must have a DeletionPolicy attribute: [{logical}]"
        if item["ResourceType"] not in IMPORTABLE:
            return f"(test harness) import of {item['ResourceType']} is not modelled"
        key, lookup = IMPORTABLE[item["ResourceType"]]
        value = item["ResourceIdentifier"].get(key)
        existing = lookup(backend.account_id, backend.region_name, value) if value else None
        if existing is None:
            return f"Resource {logical} with identifier {{{key}: {value}}} does not exist"
        owner = _owner(backend, existing)
        if owner is not None:
            return f"Resource {value} of type {item['ResourceType']} already exists in stack {owner}"
    return None


_original_response_create = responses.CloudFormationResponse.create_change_set


def _response_create_change_set(self: responses.CloudFormationResponse) -> Any:
    _request.resources_to_import = _resources_to_import(self._get_param("ResourcesToImport", []))
    try:
        return _original_response_create(self)
    finally:
        _request.resources_to_import = []


_original_create = CloudFormationBackend.create_change_set


def _create_change_set(self: CloudFormationBackend, stack_name: str, change_set_name: str, template: str,
                       parameters: dict[str, str], description: str, change_set_type: str,
                       **kwargs: Any) -> tuple[str, str]:
    if change_set_type == "IMPORT" and any(stack.name == stack_name and stack.status != "REVIEW_IN_PROGRESS"
                                           for stack in self.stacks.values()):
        raise ValidationError(stack_name, message="(test harness) IMPORT into an existing stack is not modelled")
    change_set_id, stack_id = _original_create(self, stack_name, change_set_name, template, parameters,
                                               description, change_set_type, **kwargs)
    if change_set_type == "IMPORT":
        change_set = self.change_sets[change_set_id]
        change_set.resources_to_import = list(getattr(_request, "resources_to_import", []))
        change_set.changes = [Change("Import", item["LogicalResourceId"], item["ResourceType"])
                              for item in change_set.resources_to_import]
        problem = _import_problem(self, change_set)
        if problem is not None:
            change_set.status, change_set.execution_status, change_set.status_reason = \
                "FAILED", "UNAVAILABLE", problem
    return change_set_id, stack_id


_original_execute = CloudFormationBackend.execute_change_set


def _publish_outputs(backend: CloudFormationBackend, stack: Any) -> None:
    """The stack reports the outputs of the template it now runs, and its exports are the
    region's (moto kept the outputs and exports of the stack's earlier template)."""
    for name in [name for name, export in backend.exports.items() if export.exporting_stack_id == stack.stack_id]:
        backend.exports.pop(name)
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    backend._validate_export_uniqueness(stack)
    for export in stack.exports:
        backend.exports[export.name] = export


def _execute_change_set(self: CloudFormationBackend, change_set_name: str, stack_name: str | None = None) -> None:
    change_set = self.change_sets.get(change_set_name) or next(
        (candidate for candidate in self.change_sets.values() if candidate.change_set_name == change_set_name), None)
    if change_set is None or change_set.change_set_type != "IMPORT":
        _original_execute(self, change_set_name, stack_name)
        if change_set is not None:
            _publish_outputs(self, self.stacks[change_set.stack_id])
        return None
    if change_set.execution_status != "AVAILABLE":
        raise ValidationError(change_set_name, message=f"ChangeSet [{change_set_name}] cannot be executed "
                                                       f"in its current status of [{change_set.status}]")
    stack = self.stacks[change_set.stack_id]
    stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
    resource_map: ResourceMap = stack.resource_map
    resource_map._template = change_set.template_dict
    resource_map._resource_json_map = change_set.template_dict["Resources"]
    resource_map.input_parameters = change_set.parameters
    resource_map.load()
    for item in change_set.resources_to_import:
        key, lookup = IMPORTABLE[item["ResourceType"]]
        resource = lookup(self.account_id, self.region_name, item["ResourceIdentifier"][key])
        resource.cf_resource_type, resource.logical_resource_id = item["ResourceType"], item["LogicalResourceId"]
        resource_map._parsed_resources[item["LogicalResourceId"]] = resource
    stack.parameters = change_set.parameters
    stack.template = change_set.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    stack._add_stack_event("IMPORT_COMPLETE")
    stack.status = "IMPORT_COMPLETE"
    change_set.execution_status = "EXECUTE_COMPLETE"
    return None


_original_delete = ResourceMap.delete


def _delete(self: ResourceMap) -> None:
    """RetainExceptOnCreate counts as Retain when a stack that was created is deleted."""
    original = self._resource_json_map
    self._resource_json_map = {
        name: dict(spec, DeletionPolicy="Retain") if spec.get("DeletionPolicy") == "RetainExceptOnCreate" else spec
        for name, spec in original.items()}
    try:
        _original_delete(self)
    finally:
        self._resource_json_map = original


def install() -> None:
    """Patch moto once (idempotent)."""
    if getattr(CloudFormationBackend, "_ecs_templates_import", False):
        return
    responses.CloudFormationResponse.create_change_set = _response_create_change_set
    CloudFormationBackend.create_change_set = _create_change_set
    CloudFormationBackend.execute_change_set = _execute_change_set
    ResourceMap.delete = _delete
    CloudFormationBackend._ecs_templates_import = True


install()
