"""docker-compose import: a Compose file in, the application config out (plain data).

`import_compose(path)` returns the data `ecs-templates build --config` reads, the
validated Config, and the warnings (file, service, key) of what did not map one to one.
"""
from __future__ import annotations

from ecs_templates.importers.compose.importer import ImportResult, import_compose
from ecs_templates.importers.compose.render import render_config

__all__ = ["ImportResult", "import_compose", "render_config"]
