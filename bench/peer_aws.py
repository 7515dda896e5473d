"""The AWS API that the peer's `render` calls, served by moto on 127.0.0.1 for `make bench`.

ECS Compose-X's `render` asks CloudFormation's ValidateTemplate about every template it writes.
moto answers ValidateTemplate by running cfn-lint and failing on its first match of any level,
warnings and informational ones included, and it loads cfn-lint into the server for the first
call: a rejection no real account gives, and seconds of cfn-lint that would count as the peer's
time. AWS documents ValidateTemplate as a syntax check: "CloudFormation first checks if the
template is valid JSON. If it isn't, CloudFormation checks if the template is valid YAML. If
both these checks fail, CloudFormation returns a template validation error."
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html).
The stand-in below does that, plus the two template-format checks CloudFormation is known to make
at this step (a Resources section, and Ref / Fn::GetAtt naming something the template declares),
with CloudFormation's own wording. What stays unmodelled: the 51,200-byte TemplateBody limit
(the peer skips validation above it itself), transforms, and property-level checks, which real
CloudFormation makes only when a stack is created.
"""
from __future__ import annotations

import json
import logging
import socket
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import yaml
from moto.cloudformation.models import CloudFormationBackend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
PSEUDO_PARAMETERS = frozenset({"AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition",
                               "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix"})


@dataclass(frozen=True)
class Problem:
    """What moto's ValidateTemplate response reads from each problem: its message."""

    message: str


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !GetAtt, !Sub...) read as their long forms."""


def _short_form(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {"Ref" if suffix == "Ref" else f"Fn::{suffix}": value}


_TemplateLoader.add_multi_constructor("!", _short_form)


def _references(node: Any) -> Iterator[tuple[str, str]]:
    """Every ("Ref" | "Fn::GetAtt", name) in the template, Fn::Sub's own variables excepted."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield key, value
            elif key == "Fn::GetAtt" and isinstance(value, list) and value and isinstance(value[0], str):
                yield key, value[0]
            elif key == "Fn::GetAtt" and isinstance(value, str):
                yield key, value.split(".", 1)[0]
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def problems(body: str) -> list[Problem]:
    """ValidateTemplate's findings on one template body, as CloudFormation words them."""
    try:
        template = json.loads(body)
    except ValueError:
        try:
            template = yaml.load(body, Loader=_TemplateLoader)  # noqa: S506 - a SafeLoader subclass
        except yaml.YAMLError as error:
            return [Problem(f"Template format error: YAML not well-formed. {error}")]
    if not isinstance(template, dict):
        return [Problem("Template format error: JSON not well-formed.")]
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        return [Problem("Template format error: At least one Resources member must be defined.")]
    declared = set(resources) | set(template.get("Parameters") or {}) | PSEUDO_PARAMETERS
    refs = sorted({name for kind, name in _references(resources) if kind == "Ref" and name not in declared})
    if refs:
        return [Problem(f"Template format error: Unresolved resource dependencies [{', '.join(refs)}] "
                        "in the Resources block of the template")]
    for kind, name in _references(template):
        if kind == "Fn::GetAtt" and name not in resources:
            return [Problem(f"Template error: instance of Fn::GetAtt references undefined resource {name}")]
    return []


def install() -> None:
    CloudFormationBackend.validate_template = lambda self, template: problems(template)  # type: ignore[method-assign]


@contextmanager
def serving() -> Iterator[str]:
    """moto on a free loopback port, ValidateTemplate as above; yields its endpoint URL."""
    install()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
