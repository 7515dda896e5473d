"""Reading a finished template: values as deployed with the parameter defaults, and references.

A template dict is what CloudFormation receives. `resolve` evaluates the intrinsic
functions that decide sizes (Ref to a parameter, Fn::If over conditions built from
Fn::Equals/Not/And/Or) using each parameter's Default, which is what a console user who
keeps the defaults deploys. Anything else (GetAtt, Sub, ImportValue) stays unresolved.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping

Template = Mapping[str, Any]

NO_VALUE = "AWS::NoValue"
_UNRESOLVED = object()
_SUB_VARIABLE = re.compile(r"\$\{([A-Za-z0-9_:]+)(?:\.([A-Za-z0-9_.]+))?\}")


def templates_from_files(files: Mapping[str, bytes]) -> dict[str, dict[str, Any]]:
    """Stack name -> template dict, parsed from the rendered `<stack>.json` files (manifest excluded)."""
    return {name[:-len(".json")]: json.loads(content) for name, content in files.items()
            if name.endswith(".json") and name != "manifest.json"}


def resources(template: Template) -> dict[str, dict[str, Any]]:
    return dict(template.get("Resources", {}))


def of_type(template: Template, *types: str) -> dict[str, dict[str, Any]]:
    """The resources of the given types, by logical ID, in sorted order."""
    return {name: resource for name, resource in sorted(resources(template).items())
            if resource.get("Type") in types}


def properties(resource: Mapping[str, Any]) -> dict[str, Any]:
    return dict(resource.get("Properties", {}))


def summary(template: Template) -> str:
    """The stack's one-line summary: the Description after `<generator> | <stack>: `."""
    description = str(template.get("Description", ""))
    _, _, rest = description.partition(" | ")
    _, _, text = rest.partition(": ")
    return text or description


def stack_name(template: Template, default: str) -> str:
    return str(template.get("Metadata", {}).get("EcsTemplates", {}).get("Stack", default))


def condition_holds(template: Template, name: str) -> bool | None:
    """A named condition evaluated with the parameter defaults; None when it cannot be decided."""
    expression = template.get("Conditions", {}).get(name)
    if expression is None:
        return None
    value = _evaluate(template, expression)
    return value if isinstance(value, bool) else None


def is_created(template: Template, resource: Mapping[str, Any]) -> bool:
    """Whether a deployment with the defaults creates this resource (its Condition holds)."""
    condition = resource.get("Condition")
    return condition is None or condition_holds(template, condition) is not False


def resolve(template: Template, value: Any) -> Any:
    """The value as deployed with the parameter defaults, or None when it depends on the deployment."""
    result = _evaluate(template, value)
    return None if result is _UNRESOLVED or result == NO_VALUE else result


def resolve_number(template: Template, value: Any, default: float | None = None) -> float | None:
    result = resolve(template, value)
    try:
        return float(result) if result is not None and not isinstance(result, bool) else default
    except (TypeError, ValueError):
        return default


def _evaluate(template: Template, value: Any) -> Any:
    if isinstance(value, list):
        items = [_evaluate(template, item) for item in value]
        return [item for item in items if item is not NO_VALUE]
    if not isinstance(value, Mapping):
        return value
    if len(value) != 1:
        return {key: item for key, item in ((key, _evaluate(template, item)) for key, item in value.items())
                if item is not NO_VALUE}
    (function, argument), = value.items()
    if function == "Ref":
        if argument == NO_VALUE:
            return NO_VALUE
        parameter = template.get("Parameters", {}).get(argument)
        if parameter is not None and "Default" in parameter:
            return parameter["Default"]
        return _UNRESOLVED
    if function == "Condition":
        held = condition_holds(template, argument)
        return _UNRESOLVED if held is None else held
    if function == "Fn::If":
        held = condition_holds(template, argument[0])
        return _UNRESOLVED if held is None else _evaluate(template, argument[1 if held else 2])
    if function == "Fn::Equals":
        left, right = (_evaluate(template, item) for item in argument)
        if _UNRESOLVED in (left, right):
            return _UNRESOLVED
        return str(left) == str(right)
    if function == "Fn::Not":
        inner = _evaluate(template, argument[0])
        return _UNRESOLVED if not isinstance(inner, bool) else not inner
    if function in ("Fn::And", "Fn::Or"):
        items = [_evaluate(template, item) for item in argument]
        if not all(isinstance(item, bool) for item in items):
            return _UNRESOLVED
        return all(items) if function == "Fn::And" else any(items)
    if function.startswith("Fn::"):
        return _UNRESOLVED
    return {function: _evaluate(template, argument)}


def text_of(template: Template, value: Any) -> str:
    """A readable rendering of a possibly unresolved value: Sub text as written, Refs as ${Name}."""
    resolved = resolve(template, value)
    if resolved is not None and not isinstance(resolved, (dict, list)):
        return str(resolved)
    if isinstance(value, Mapping) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Fn::Sub":
            return argument if isinstance(argument, str) else str(argument[0])
        if function == "Ref":
            return f"${{{argument}}}"
        if function == "Fn::GetAtt":
            return f"${{{'.'.join(argument) if isinstance(argument, list) else argument}}}"
        if function == "Fn::If":
            held = condition_holds(template, argument[0])
            if held is not None:
                return text_of(template, argument[1 if held else 2])
    return "" if value is None else json.dumps(value, sort_keys=True)


def references(value: Any) -> Iterator[str]:
    """Every logical name a value refers to through Ref, Fn::GetAtt or ${...} in Fn::Sub."""
    if isinstance(value, list):
        for item in value:
            yield from references(item)
    elif isinstance(value, Mapping):
        for function, argument in value.items():
            if function == "Ref" and isinstance(argument, str):
                yield argument
            elif function == "Fn::GetAtt":
                target = argument[0] if isinstance(argument, list) else str(argument).split(".")[0]
                yield target
            elif function == "Fn::Sub":
                text, variables = (argument, {}) if isinstance(argument, str) else (argument[0], argument[1])
                for match in _SUB_VARIABLE.finditer(text):
                    if match.group(1) not in variables:
                        yield match.group(1)
                yield from references(variables)
            else:
                yield from references(argument)
