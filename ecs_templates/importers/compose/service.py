"""One Compose service read into the draft of one ECS container.

`ServiceReader` checks the service's keys and reads its image and process itself; each other
group of keys has a module of its own that reads through the reader (ports.py,
service_environment.py, dependencies.py, resources.py, volumes.py, networks.py, options.py).
Cross-service work (addresses between services, port clashes, which containers are
essential) happens afterwards in `importer`, once every service has a draft.
"""
from __future__ import annotations

import difflib
from typing import Any, Callable

from ecs_templates.config.fields import type_name
from ecs_templates.importers.compose import options, values
from ecs_templates.importers.compose.dependencies import read_dependencies
from ecs_templates.importers.compose.draft import Context, Draft
from ecs_templates.importers.compose.health import read_health_check
from ecs_templates.importers.compose.interpolation import InterpolationError, resolve, variables_in
from ecs_templates.importers.compose.keys import (
    SERVICE_MAPPED,
    SERVICE_NOTED,
    SERVICE_UNSUPPORTED_KEYS,
    is_secret_name,
    why_unsupported,
)
from ecs_templates.importers.compose.networks import service_networks
from ecs_templates.importers.compose.ports import read_ports
from ecs_templates.importers.compose.resources import read_resources, stop_grace_period, stop_signal, terminal
from ecs_templates.importers.compose.service_environment import read_environment
from ecs_templates.importers.compose.volumes import read_mounts


class ServiceReader:
    def __init__(self, context: Context, compose_name: str, raw: Any) -> None:
        self.context = context
        self.report = context.report
        self.service = compose_name
        self.raw = raw
        self.draft = Draft(compose_name, context.services[compose_name])

    # -- helpers -------------------------------------------------------------------------------

    def error(self, key: str, message: str) -> Exception:
        return self.report.error(self.service, key, message)

    def warn(self, key: str, message: str) -> None:
        self.report.warn(self.service, key, message)

    def convert(self, key: str, reader: Callable[..., Any], *args: Any) -> Any:
        try:
            return reader(*args)
        except ValueError as error:
            raise self.error(key, str(error)) from None

    def resolved(self, key: str) -> Any:
        """The value of `key` interpolated; a password variable may only feed `environment`."""
        secret = next((name for name in variables_in(self.raw[key]) if is_secret_name(name)), None)
        if secret:
            raise self.error(key, f"uses the password variable {secret}, whose value would be written in "
                                  "the task definition; pass it in an environment variable, which the import "
                                  "turns into a generated secret")
        unset: list[str] = []
        try:
            value = resolve(self.raw[key], self.context.variables, unset)
        except InterpolationError as error:
            raise self.error(key, str(error)) from None
        self.warn_unset(key, unset)
        return value

    def warn_unset(self, key: str, unset: list[str]) -> None:
        for name in dict.fromkeys(unset):
            self.warn(key, f"variable {name} is not set; an empty string is used, as Compose does")

    def mapping(self, key: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(key, f"expected a mapping, got {type_name(value)}")
        return value

    # -- the service ---------------------------------------------------------------------------

    def read(self) -> Draft:
        if not isinstance(self.raw, dict):
            raise self.report.error(self.service, "", f"expected a mapping of service keys (image:, "
                                                      f"ports:, ...), got {type_name(self.raw)}")
        self._check_keys()
        self._image()
        if self.raw.get("build") is not None:
            options.read_build(self)
        self._process()
        if "healthcheck" in self.raw:
            check = read_health_check(self, self.mapping("healthcheck", self.resolved("healthcheck")))
            if check is not None:
                self.draft.data["health_check"] = check
        read_ports(self)
        read_environment(self)
        read_dependencies(self)
        read_resources(self)
        self._labels()
        read_mounts(self)
        options.read_linux(self)
        stop_grace_period(self)
        stop_signal(self)
        terminal(self)
        self.draft.networks, self.draft.aliases = service_networks(self, self.context.networks)
        if self.draft.networks:
            self.draft.data["networks"] = list(self.draft.networks)
        return self.draft

    def _check_keys(self) -> None:
        known = SERVICE_MAPPED | set(SERVICE_NOTED) | SERVICE_UNSUPPORTED_KEYS
        for key in sorted(self.raw):
            if not isinstance(key, str):
                raise self.error("", f"keys must be strings, got {type_name(key)} {key!r}")
            if key.startswith("x-") or key in SERVICE_MAPPED:
                continue
            if key in SERVICE_NOTED:
                self.warn(key, SERVICE_NOTED[key])
            elif key == "hostname" and self.raw[key] == self.service:
                # Its own service name: what the others already find it by (Service Connect).
                self.warn(key, f"{self.service!r} is the service's name, which the others reach it by already")
            elif key in SERVICE_UNSUPPORTED_KEYS:
                self.report.unsupported(self.service, key, why_unsupported(key))
            else:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f"did you mean {close[0]}?" if close else "check the spelling"
                raise self.error(key, f"unknown key: not a Compose service key; {hint}")

    def _image(self) -> None:
        if "image" not in self.raw:
            if self.raw.get("build") is not None:
                return  # push-images builds it; the repository's name is its local tag
            raise self.error("image", "missing: every service needs an image (e.g. image: nginx:1.27)")
        image = self.resolved("image")
        if not isinstance(image, str) or not image.strip():
            raise self.error("image", f"expected an image name such as nginx:1.27, got {type_name(image)}")
        self.draft.data["image"] = image.strip()

    def _process(self) -> None:
        for key, target in (("entrypoint", "entry_point"), ("command", "command")):
            if self.raw.get(key) is not None:
                words = self.convert(key, values.command, self.resolved(key))
                if "" in words:
                    raise self.error(key, f"argument {words.index('') + 1} is empty, which the config "
                                          "cannot carry; remove it or give it a value")
                if words:
                    self.draft.data[target] = words
        if self.raw.get("working_dir") is not None:
            self.draft.data["working_directory"] = str(self.resolved("working_dir"))
        if self.raw.get("user") is not None:
            self.draft.data["user"] = str(self.resolved("user"))

    # -- labels --------------------------------------------------------------------------------

    def _labels(self) -> None:
        if self.raw.get("labels") is not None:
            labels = self._pairs("labels", self.resolved("labels"))
            if labels:
                self.draft.data["labels"] = labels

    def _pairs(self, key: str, value: Any) -> dict[str, str]:
        pairs = self.convert(key, values.key_values, value, "labels")
        return {name: text or "" for name, text in sorted(pairs)}


def read_service(context: Context, compose_name: str, raw: Any) -> Draft:
    return ServiceReader(context, compose_name, raw).read()
