"""Compose's YAML tags `!reset` and `!override`, read into markers that the merge obeys.

In a file that extends or includes another, `!reset` removes what a key inherits and
`!override` replaces it whole instead of merging
(https://docs.docker.com/reference/compose-file/merge/#reset-value). The loader turns them
into `Reset` and `Override`; `assembly.merge_service` applies them, and `plain` drops the
markers that are left (a `!reset` key with nothing to inherit is simply not set).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml


@dataclass(frozen=True)
class Reset:
    value: Any


@dataclass(frozen=True)
class Override:
    value: Any


class ComposeLoader(yaml.SafeLoader):
    """PyYAML's safe loader plus the two Compose tags."""


def _untagged(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    tag = loader.resolve(yaml.ScalarNode, node.value, (True, False))
    return loader.construct_object(yaml.ScalarNode(tag, node.value, style=node.style), deep=True)


ComposeLoader.add_constructor("!reset", lambda loader, node: Reset(_untagged(loader, node)))
ComposeLoader.add_constructor("!override", lambda loader, node: Override(_untagged(loader, node)))


def plain(value: Any) -> Any:
    """`value` with the markers gone: a reset key removed, an override's value in its place."""
    if isinstance(value, Override):
        return plain(value.value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if not isinstance(item, Reset)}
    if isinstance(value, list):
        return [plain(item) for item in value if not isinstance(item, Reset)]
    return value
