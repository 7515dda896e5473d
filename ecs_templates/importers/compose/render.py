"""The imported config as YAML text: stable bytes for the same Compose file."""
from __future__ import annotations

from typing import Any, Mapping

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style, with multi-line strings as literal blocks so they stay readable."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def render_config(data: Mapping[str, Any], *, source: str) -> str:
    header = (f"# Imported from {source} by `ecs-templates import-compose`.\n"
              "# Build with: ecs-templates build --config <this file>\n")
    return header + yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                              allow_unicode=True, width=100)
