"""Corrections to how moto's CloudFormation reads a template and runs an update.

Applied by `emulator_models.install()` when the emulator starts (tests/emulator.py). Each
correction makes moto do what CloudFormation documents, for what our templates use:

- `{"Ref": "AWS::NoValue"}` as a list item, directly or as the chosen branch of `Fn::If`,
  removes the item: "Removes the corresponding resource property when specified as a return
  value in the Fn::If intrinsic function"
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html#cfn-pseudo-param-novalue).
  moto kept the item as null, and IAM then failed with HTTP 500 on a role whose Policies
  held a null.
- An update reaches the resources that refer to a changed one (`Ref`, `Fn::GetAtt`,
  `${X}` / `${X.Attr}` in `Fn::Sub`): a service whose task definition gets a new revision
  is updated to that revision, as CloudFormation does. moto updated only the resources whose
  own text or parameters changed.
- A parameter named only inside `Fn::Sub` (`${ImageTag}`) counts as a reference: changing
  it updates the resource. moto looked for `Ref` alone, so the change set of such an
  update changed nothing.
- A resource of a type moto models but cannot update keeps its old state in the stack
  (moto put None in its place, and the resource vanished from the stack's resources).
- Deleting a stack takes a final snapshot of an `AWS::RDS::DBInstance` whose
  DeletionPolicy is Snapshot
  (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-deletionpolicy.html);
  moto deleted the instance with no snapshot.
"""
from __future__ import annotations

import re
from typing import Any

from moto.cloudformation import parsing
from moto.rds.models import rds_backends

NO_VALUE = {"Ref": "AWS::NoValue"}
_moto_clean_json = parsing.clean_json
_moto_build_resource_diff = parsing.ResourceMap.build_resource_diff
_moto_parse_and_update_resource = parsing.parse_and_update_resource
_moto_delete_resource = parsing.ResourceMap._delete_resource  # type: ignore[attr-defined]


def is_no_value(node: Any, resources_map: parsing.ResourceMap) -> bool:
    """Whether `node` resolves to AWS::NoValue (itself, or the chosen branch of Fn::If)."""
    if node == NO_VALUE:
        return True
    if isinstance(node, dict) and set(node) == {"Fn::If"}:
        condition, when_true, when_false = node["Fn::If"]
        chosen = when_true if resources_map.lazy_condition_map[condition] else when_false
        return is_no_value(chosen, resources_map)
    return False


def clean_json(resource_json: Any, resources_map: parsing.ResourceMap) -> Any:
    """moto's clean_json, with the list items that resolve to AWS::NoValue left out."""
    if isinstance(resource_json, list):
        return [clean_json(item, resources_map) for item in resource_json
                if not is_no_value(item, resources_map)]
    return _moto_clean_json(resource_json, resources_map)


def references(node: Any) -> set[str]:
    """The logical ids `node` refers to through Ref, Fn::GetAtt and Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else value.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {name.split(".", 1)[0] for name in re.findall(r"\$\{([^!}][^}]*)\}", text)}
            found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def build_resource_diff(self: parsing.ResourceMap, other_template: dict[str, Any],
                        parameters: dict[str, Any] | None = None) -> dict[str, Any]:
    """moto's diff, with the resources that refer to a modified one modified too."""
    actions = _moto_build_resource_diff(self, other_template, parameters)
    resources = other_template["Resources"]
    modified = set(actions["Modify"])
    while True:
        dependents = {name for name, spec in resources.items()
                      if name not in modified and name not in actions["Add"]
                      and references(spec.get("Properties", {})) & modified}
        if not dependents:
            break
        modified |= dependents
        actions["Modify"] += sorted(dependents)
    return actions


def parse_and_update_resource(logical_id: str, resource_json: dict[str, Any],
                              resources_map: parsing.ResourceMap, account_id: str, region_name: str) -> Any:
    """moto's update; a resource its model cannot update stays as it was."""
    updated = _moto_parse_and_update_resource(logical_id, resource_json, resources_map, account_id, region_name)
    if updated is None:
        return resources_map._parsed_resources.get(logical_id)  # type: ignore[attr-defined]
    return updated


def delete_resource(self: parsing.ResourceMap, parsed_resource: Any, resource_json: dict[str, Any]) -> None:
    """moto's delete, with the final snapshot that DeletionPolicy Snapshot asks for."""
    if resource_json.get("Type") == "AWS::RDS::DBInstance" and resource_json.get("DeletionPolicy") == "Snapshot":
        backend = rds_backends[self._account_id][self._region_name]  # type: ignore[attr-defined]
        identifier = parsed_resource.db_instance_identifier
        backend.create_db_snapshot(identifier, f"{identifier}-final-snapshot")
    _moto_delete_resource(self, parsed_resource, resource_json)


def references_from_template(template: Any) -> list[str]:
    """moto's list of the names a resource refers to, `Fn::Sub` names included."""
    return sorted(references(template))


def install() -> None:
    parsing.clean_json = clean_json
    parsing.get_references_from_template = references_from_template
    parsing.ResourceMap.build_resource_diff = build_resource_diff  # type: ignore[method-assign]
    parsing.parse_and_update_resource = parse_and_update_resource
    parsing.ResourceMap._delete_resource = delete_resource  # type: ignore[attr-defined]
