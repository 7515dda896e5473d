"""The import report's line per service: what each compose service became on ECS."""
from __future__ import annotations

from typing import Any, Mapping

from ecs_templates.importers.compose.report import Report


def service_notes(containers: Mapping[str, Mapping[str, Any]], names: Mapping[str, str], report: Report) -> None:
    """One note per compose service (`names`: compose name -> container name) naming its ECS parts."""
    for compose_name, name in sorted(names.items()):
        container = containers.get(name)
        if container is None:
            continue
        parts = [f"ECS service {name}" if container.get("essential", True) else
                 f"one-shot container {name} (in the task of each service that waits for it)"]
        ports = [f"{p['container']}{'/' + p['protocol'] if 'protocol' in p else ''}"
                 f"{' public' if p.get('public') else ''}" for p in container.get("ports", [])]
        if ports:
            parts.append("ports " + ", ".join(ports))
        if container.get("secrets"):
            parts.append("secrets " + ", ".join(f"{env} <- {secret}" for env, secret in container["secrets"].items()))
        for use in container.get("uses", []):
            what = f" (a secret assembled from {use['password']})" if use.get("password") else ""
            parts.append(f"{use['env']} = the address of {use['container']}:{use['port']}{what}")
        if container.get("mounts"):
            parts.append("EFS volumes " + ", ".join(f"{m['volume']} at {m['path']}" for m in container["mounts"]))
        if container.get("networks"):
            parts.append("networks " + ", ".join(container["networks"]))
        if container.get("health_check"):
            parts.append("health check")
        report.note(compose_name, "", "becomes " + "; ".join(parts))
