"""The template itself: description, metadata, and parameters that carry their console labels."""
from __future__ import annotations

from typing import Any

from troposphere import Export, Output, Parameter, Sub, Template

from ecs_templates import __version__

INTERFACE = "AWS::CloudFormation::Interface"
METADATA_KEY = "EcsTemplates"


class CountedTemplate(Template):
    """A Template that takes any number of resources, parameters and outputs.

    troposphere stops at CloudFormation's per-template quotas with a bare ValueError in the
    middle of a builder; the build instead refuses the finished template, naming the quota,
    the count and what to do (ecs_templates/quotas.py).
    """

    def add_resource(self, resource: Any) -> Any:
        return self._update(self.resources, resource)

    def add_parameter(self, parameter: Any) -> Any:
        return self._update(self.parameters, parameter)

    def add_output(self, output: Any) -> Any:
        return self._update(self.outputs, output)


def new_template(stack: str, summary: str) -> Template:
    """An empty template whose Description and Metadata carry the stack name and generator version."""
    template = CountedTemplate(Description=f"ecs-templates {__version__} | {stack}: {summary}")
    template.set_version("2010-09-09")
    template.set_metadata({
        METADATA_KEY: {"Generator": "ecs-templates", "Version": __version__, "Stack": stack},
        INTERFACE: {"ParameterGroups": [], "ParameterLabels": {}},
    })
    return template


def stack_metadata(template: Template) -> dict[str, Any]:
    """The tool's own metadata block, for builders that record facts (images, suppressions)."""
    return template.metadata[METADATA_KEY]


def add_parameter(template: Template, name: str, *, group: str, label: str, **properties: Any) -> Parameter:
    """Add a parameter and its console group and label; adding the same one again returns it."""
    existing = template.parameters.get(name)
    if existing is not None:
        return existing
    parameter = template.add_parameter(Parameter(name, **properties))
    interface = template.metadata[INTERFACE]
    for entry in interface["ParameterGroups"]:
        if entry["Label"]["default"] == group:
            entry["Parameters"].append(name)
            break
    else:
        interface["ParameterGroups"].append({"Label": {"default": group}, "Parameters": [name]})
    interface["ParameterLabels"][name] = {"default": label}
    return parameter


def add_condition(template: Template, name: str, condition: Any) -> str:
    """Add a named condition once; returns its name for `Condition=` and `If`."""
    if name not in template.conditions:
        template.add_condition(name, condition)
    return name


def add_output(template: Template, name: str, value: Any, description: str, *,
               export: bool = False, condition: str | None = None) -> Output:
    """An output; exported ones are named `<stack name>-<output name>`."""
    properties: dict[str, Any] = {"Value": value, "Description": description}
    if export:
        properties["Export"] = Export(Sub(f"${{AWS::StackName}}-{name}"))
    if condition:
        properties["Condition"] = condition
    return template.add_output(Output(name, **properties))
