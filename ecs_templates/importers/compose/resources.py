"""A service's `deploy:` and legacy resource keys read into its container size, task count and tags; how it stops."""
from __future__ import annotations

from typing import Any

from ecs_templates.config.container_options import STOP_SIGNAL_PATTERN
from ecs_templates.importers.compose import values
from ecs_templates.importers.compose.keys import DEPLOY_KEYS, RESOURCE_KEYS, SERVICE_NOTED


def read_resources(reader: Any) -> None:
    deploy = reader.mapping("deploy", reader.resolved("deploy")) if reader.raw.get("deploy") is not None else {}
    for key in sorted(deploy):
        if key.startswith("x-") or key in ("resources", "labels"):
            continue
        if key not in DEPLOY_KEYS:
            raise reader.error(f"deploy.{key}", f"unknown key; deploy has {', '.join(DEPLOY_KEYS)}")
        if key == "restart_policy":
            reader.warn("deploy.restart_policy", SERVICE_NOTED["restart"])
        elif key == "replicas":
            replicas = deploy["replicas"]
            if isinstance(replicas, bool) or not isinstance(replicas, int) or not 1 <= replicas <= 100:
                raise reader.error("deploy.replicas", f"{replicas!r}: an ECS service runs 1 to 100 tasks; "
                                                    "give a whole number in that range (a service that "
                                                    "should not run does not belong in the file)")
            reader.draft.replicas = replicas
        else:
            reader.report.unsupported(reader.service, f"deploy.{key}", "has no ECS meaning here")
    resources = reader.mapping("deploy.resources", deploy.get("resources") or {})
    chosen: dict[str, tuple[str, Any]] = {}
    for kind in ("limits", "reservations"):
        section = reader.mapping(f"deploy.resources.{kind}", resources.get(kind) or {})
        for key in sorted(section):
            where = f"deploy.resources.{kind}.{key}"
            if key not in RESOURCE_KEYS:
                raise reader.error(where, f"unknown key; resources have {', '.join(RESOURCE_KEYS)}")
            if key in ("pids", "devices", "generic_resources"):
                reader.report.unsupported(reader.service, where, "has no ECS meaning here")
            elif key == "memory":
                chosen["memory" if kind == "limits" else "memory_reservation"] = (where, section[key])
                if kind == "limits":
                    reader.draft.limits["memory"] = reader.convert(where, values.mebibytes, section[key])
            elif kind == "reservations" or "cpu" not in chosen:
                chosen["cpu"] = (where, section[key])
            if kind == "limits" and key == "cpus":
                reader.draft.limits["cpu"] = reader.convert(where, values.cpu_units, section[key])
    if "cpus" in (resources.get("limits") or {}):
        reader.warn("deploy.resources.limits.cpus", "an ECS container's CPU units are a share of the "
                                                  "task's CPU, not a cap; the task size is the limit "
                                                  "(in ecs-services the service's own Fargate size)")
    legacy = {"cpus": "cpu", "cpu_shares": "cpu", "mem_limit": "memory", "mem_reservation": "memory_reservation"}
    for key, target in legacy.items():
        if reader.raw.get(key) is not None:
            if target in chosen:
                raise reader.error(key, f"also set by {chosen[target][0]}; set it once")
            chosen[target] = (key, reader.resolved(key))
    for target, (where, value) in sorted(chosen.items()):
        if target == "cpu":
            if where == "cpu_shares":
                units = value if isinstance(value, int) and not isinstance(value, bool) else -1
                if units < 0:
                    raise reader.error(where, f"expected a whole number of CPU shares, got {value!r}")
            else:
                units = reader.convert(where, values.cpu_units, value)
            reader.draft.data["cpu"] = units
        else:
            reader.draft.data[target] = reader.convert(where, values.mebibytes, value)
    if "labels" in deploy:
        reader.draft.tags = reader._pairs("deploy.labels", deploy["labels"])

def stop_signal(reader: Any) -> None:
    """`stop_signal` becomes the STOPSIGNAL of a derived image: ECS stops a container with its image's."""
    if reader.raw.get("stop_signal") is None:
        return
    signal = reader.resolved("stop_signal")
    if not isinstance(signal, (str, int)) or isinstance(signal, bool) or \
            not STOP_SIGNAL_PATTERN.match(str(signal).upper()):
        raise reader.error("stop_signal", f"{signal!r} is not a signal: give a name such as SIGINT or a number")
    reader.draft.data["stop_signal"] = str(signal).upper()
    reader.report.note(reader.service, "stop_signal", f"{str(signal).upper()}: the STOPSIGNAL of a derived image "
                       "that push-images.sh builds (FROM the service's image), since ECS stops a container with "
                       "its image's stop signal")


def terminal(reader: Any) -> None:
    """`stdin_open` and `tty` become the container's interactive and pseudoTerminal."""
    for key, target in (("stdin_open", "interactive"), ("tty", "pseudo_terminal")):
        if reader.raw.get(key) is None:
            continue
        value = reader.resolved(key)
        if not isinstance(value, bool):
            raise reader.error(key, f"expected true or false, got {value!r}")
        if value:
            reader.draft.data[target] = True


def stop_grace_period(reader: Any) -> None:
    """`stop_grace_period` becomes the container's stopTimeout, within ECS's 2 to 120 seconds."""
    if reader.raw.get("stop_grace_period") is None:
        return
    seconds = reader.convert("stop_grace_period", values.seconds, reader.resolved("stop_grace_period"))
    timeout = min(max(seconds, 2), 120)
    reader.warn("stop_grace_period", f"becomes the container's stopTimeout: {timeout}s"
              + ("" if timeout == seconds else f" ({seconds}s is outside ECS's 2s to 120s)"))
    reader.draft.data["stop_timeout"] = timeout
