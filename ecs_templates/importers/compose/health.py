"""A Compose `healthcheck:` read into the container's ECS health check.

ECS bounds every field (interval 5-300 s, timeout 2-120 s, retries 1-10, start period
0-300 s, timeout shorter than interval:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html). A value
outside them changes nothing about what the check tests, only how often, so the import
moves it to the nearest valid value and says so; the config loader keeps refusing them.
"""
from __future__ import annotations

from typing import Any, Callable

from ecs_templates.importers.compose import values

BOUNDS = {"interval": (5, 300), "timeout": (2, 120), "retries": (1, 10), "start_period": (0, 300)}
DEFAULTS = {"interval": 30, "timeout": 5}
_KEYS = ("test", "interval", "timeout", "retries", "start_period", "disable")


def read_health_check(reader: Any, health: dict[str, Any]) -> dict[str, Any] | None:
    """The `health_check` of the container config, or None (disabled, or no test given leniently)."""
    for key in sorted(health):
        if key not in _KEYS and not key.startswith("x-"):
            if key == "start_interval":
                reader.warn(f"healthcheck.{key}", "ECS has no separate interval during the start period; "
                                                  "the interval is used throughout")
            else:
                raise reader.error(f"healthcheck.{key}", "unknown key; Compose health checks have "
                                                         + ", ".join(_KEYS))
    test = health.get("test")
    if health.get("disable") is True or test in (["NONE"], "NONE"):
        return None
    if test is None:
        reader.report.unsupported(reader.service, "healthcheck.test",
                                  "missing: ECS does not run the image's HEALTHCHECK; give the test")
        return None
    if isinstance(test, str):
        command = ["CMD-SHELL", test]
    else:
        command = reader.convert("healthcheck.test", values.command, test)
        if len(command) < 2 or command[0] not in ("CMD", "CMD-SHELL"):
            raise reader.error("healthcheck.test", "expected [CMD, ...], [CMD-SHELL, '...'], [NONE] or a "
                                                   "string (run by the shell)")
    check: dict[str, Any] = {"command": command}
    for key in ("interval", "timeout", "start_period"):
        if health.get(key) is not None:
            seconds = reader.convert(f"healthcheck.{key}", values.seconds, health[key])
            check[key] = _bounded(reader.warn, key, seconds, "s")
    if health.get("retries") is not None:
        retries = health["retries"]
        if isinstance(retries, bool) or not isinstance(retries, int):
            raise reader.error("healthcheck.retries", f"expected a whole number of retries, got {retries!r}")
        check["retries"] = _bounded(reader.warn, "retries", retries, "")
    interval = check.get("interval", DEFAULTS["interval"])
    timeout = check.get("timeout", DEFAULTS["timeout"])
    if timeout >= interval:
        # Keep the timeout (how long one check may take) and check less often, unless the interval
        # is at its maximum already; then shorten the timeout.
        if interval + 1 <= BOUNDS["interval"][1] and timeout + 1 >= BOUNDS["interval"][0]:
            check["interval"] = max(timeout + 1, BOUNDS["interval"][0])
            reader.warn("healthcheck.interval", f"{interval}s is not longer than the timeout ({timeout}s), "
                                                f"which ECS requires; the interval becomes {check['interval']}s")
        else:
            check["timeout"] = interval - 1
            reader.warn("healthcheck.timeout", f"{timeout}s is not shorter than the interval ({interval}s), "
                                               f"which ECS requires; the timeout becomes {check['timeout']}s")
    return {key: check[key] for key in ("command", "interval", "timeout", "retries", "start_period")
            if key in check}


def _bounded(warn: Callable[[str, str], None], key: str, value: int, unit: str) -> int:
    low, high = BOUNDS[key]
    adapted = min(max(value, low), high)
    if adapted != value:
        warn(f"healthcheck.{key}", f"{value}{unit} is outside what ECS accepts ({low}{unit} to {high}{unit}); "
                                   f"it becomes {adapted}{unit}")
    return adapted
