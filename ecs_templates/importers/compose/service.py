"""One Compose service read into the draft of one ECS container.

Cross-service work (addresses between services, port clashes, which containers are
essential) happens afterwards in `importer`, once every service has a draft.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from ecs_templates.config.fields import type_name
from ecs_templates.config.model import ENV_NAME_PATTERN
from ecs_templates.importers.compose import options, values
from ecs_templates.importers.compose.environment import Assembled, Plain, classify
from ecs_templates.importers.compose.env_files import env_files, read_env_file, secret_files
from ecs_templates.importers.compose.health import read_health_check
from ecs_templates.importers.compose.ports import read_ports
from ecs_templates.importers.compose.resources import read_resources, stop_grace_period, stop_signal, terminal
from ecs_templates.importers.compose.networks import service_networks
from ecs_templates.importers.compose.interpolation import (
    InterpolationError,
    Node,
    Reference,
    parse,
    resolve,
    variables_in,
)
from ecs_templates.importers.compose.keys import (
    CONDITIONS,
    SERVICE_MAPPED,
    SERVICE_NOTED,
    SERVICE_UNSUPPORTED_KEYS,
    is_secret_name,
    why_unsupported,
)
from ecs_templates.importers.compose.report import Report
from ecs_templates.importers.compose.secrets import SecretBook



@dataclass
class Draft:
    """What one service becomes; `data` holds the container keys that need no other service."""

    compose_name: str
    name: str
    data: dict[str, Any] = field(default_factory=dict)
    ports: dict[int, dict[str, Any]] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    hosts: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    depends_on: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    volumes: set[str] = field(default_factory=set)
    sources: dict[int, str] = field(default_factory=dict)   # port -> where it came from (the import report)
    replicas: int | None = None                               # deploy.replicas
    limits: dict[str, int] = field(default_factory=dict)      # deploy.resources.limits: cpu units, memory MiB
    assembled: dict[str, str] = field(default_factory=dict)   # variable -> password secret (URL values)
    networks: tuple[str, ...] = ()                            # () = the default network
    aliases: dict[str, str] = field(default_factory=dict)     # network alias -> its network (config name)
    published: dict[int, values.HostPort] = field(default_factory=dict)  # container port -> its other host port


@dataclass
class Context:
    """What every service is read against: the whole file's names and variables."""

    report: Report
    variables: Mapping[str, str]
    book: SecretBook
    directory: Path
    services: Mapping[str, str]        # Compose service name -> container name
    volumes: Mapping[str, str]         # top-level volume -> task volume name
    secrets: Mapping[str, str]         # top-level secret -> application secret name
    networks: Mapping[str, str] = field(default_factory=dict)  # top-level network -> config name


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
        self._warn_unset(key, unset)
        return value

    def _warn_unset(self, key: str, unset: list[str]) -> None:
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
        self._environment()
        self._dependencies()
        read_resources(self)
        self._labels()
        self._volumes()
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

    # -- environment and secrets ---------------------------------------------------------------

    def _environment(self) -> None:
        entries: dict[str, tuple[Node, ...] | None] = {}
        if self.raw.get("env_file") is not None:
            for path, required in env_files(self):
                entries.update(read_env_file(self, path, required))
        if self.raw.get("environment") is not None:
            pairs = self.convert("environment", values.key_values, self.raw["environment"],
                                 "KEY=value entries")
            for name, text in pairs:
                try:
                    entries[name] = None if text is None else parse(text)
                except InterpolationError as error:
                    raise self.error(f"environment.{name}", str(error)) from None
        file_variables = secret_files(self, entries)
        notes: list[str] = []
        for name in sorted(entries):
            key = f"environment.{name}"
            if not ENV_NAME_PATTERN.match(name):
                raise self.error(key, "is not a valid environment variable name (letters, digits, _ and .)")
            nodes = entries[name]
            if nodes is None:  # `- NAME`: the value comes from the environment, if set
                if name not in self.context.variables:
                    self.warn(key, f"{name} is not set in the environment, so Compose leaves it out; "
                                   "so does the import")
                    continue
                nodes = (Reference(name),)
            unset: list[str] = []
            try:
                value = classify(name, nodes, variables=self.context.variables, book=self.context.book,
                                 service=self.draft.name, unset=unset, notes=notes)
            except (ValueError, InterpolationError) as error:
                raise self.error(key, str(error)) from None
            self._warn_unset(key, unset)
            for note in notes:
                self.warn(key, note)
            notes.clear()
            if isinstance(value, Assembled):
                self.draft.environment[name] = value.value
                self.draft.assembled[name] = value.secret
                self.context.book.use(value.secret, self.draft.name, name)
            elif isinstance(value, Plain):
                self.draft.environment[name] = value.value
            else:
                self._add_secret(key, name, value.name)
        for name, secret in file_variables.items():
            self._add_secret(f"environment.{name}_FILE", name, secret)

    def _add_secret(self, key: str, variable: str, secret: str) -> None:
        if variable in self.draft.environment or variable in self.draft.secrets:
            raise self.error(key, f"{variable} is set twice (as a value and from a secret); keep one")
        self.draft.secrets[variable] = secret
        self.context.book.use(secret, self.draft.name, variable)

    # -- start order and links -----------------------------------------------------------------

    def _dependencies(self) -> None:
        if self.raw.get("depends_on") is not None:
            value = self.resolved("depends_on")
            if isinstance(value, list):
                value = {name: None for name in value}
            for target, options in self.mapping("depends_on", value).items():
                key = f"depends_on.{target}"
                options = options or {}
                if not isinstance(options, dict):
                    raise self.error(key, f"expected a mapping with condition:, got {type_name(options)}")
                condition = options.get("condition", "service_started")
                if condition not in CONDITIONS:
                    raise self.error(f"{key}.condition", f"{condition!r} is not one of: {', '.join(CONDITIONS)}")
                if options.get("restart"):
                    self.warn(f"{key}.restart", "ECS does not restart a container when the one it depends "
                                                "on restarts; not imported")
                if options.get("required") is False:
                    self.warn(f"{key}.required", "ECS starts the task only with every container; the "
                                                 "dependency is imported as required")
                self.draft.depends_on[self._target(key, target)] = CONDITIONS[condition]
        if self.raw.get("links") is not None:
            links = self.convert("links", values.string_list, self.resolved("links"), "service[:alias] names")
            for link in links:
                target, _, alias = link.partition(":")
                container = self._target(f"links.{link}", target)
                self.draft.links[alias or target] = container
                self.draft.depends_on.setdefault(container, "START")  # links imply start order

    def _target(self, key: str, target: Any) -> str:
        if target not in self.context.services:
            raise self.error(key, f"no service named {target!r} in this file "
                                  f"(services: {', '.join(sorted(self.context.services))})")
        if target == self.service:
            raise self.error(key, "a service cannot refer to itself")
        return self.context.services[target]

    # -- resources, labels, volumes ------------------------------------------------------------

    def _labels(self) -> None:
        if self.raw.get("labels") is not None:
            labels = self._pairs("labels", self.resolved("labels"))
            if labels:
                self.draft.data["labels"] = labels

    def _pairs(self, key: str, value: Any) -> dict[str, str]:
        pairs = self.convert(key, values.key_values, value, "labels")
        return {name: text or "" for name, text in sorted(pairs)}

    def _volumes(self) -> None:
        if self.raw.get("volumes") is None:
            return
        listed = self.resolved("volumes")
        if not isinstance(listed, list):
            raise self.error("volumes", f"expected a list of volumes, got {type_name(listed)}")
        mounts = []
        for index, item in enumerate(listed):
            key = f"volumes[{index}]"
            mount = self._mount(key, item)
            if mount:
                mounts.append(mount)
        if mounts:
            self.draft.data["mounts"] = mounts

    def _mount(self, key: str, item: Any) -> dict[str, Any] | None:
        if isinstance(item, str):
            parts = item.split(":")
            if len(parts) == 1:
                kind, source, target, read_only = "volume", "", parts[0], False
            else:
                source, target = parts[0], parts[1]
                read_only = len(parts) > 2 and "ro" in parts[2].split(",")
                kind = "bind" if source.startswith(("/", ".", "~")) or "/" in source else "volume"
        elif isinstance(item, dict):
            kind, source = str(item.get("type", "volume")), str(item.get("source") or "")
            target, read_only = str(item.get("target") or ""), item.get("read_only") is True
        else:
            raise self.error(key, f"expected 'volume:/path' or a mapping, got {type_name(item)}")
        if not target.startswith("/"):
            raise self.error(key, f"the mount path {target!r} must be absolute")
        if kind == "bind":
            host_mount = options.bind_mount(self, key, source, target, read_only)
            if host_mount is not None:
                self.draft.data.setdefault("host_mounts", []).append(host_mount)
            return None
        if kind != "volume":
            self.report.unsupported(self.service, key, f"a {kind} mount has no ECS meaning here")
            return None
        if not source:
            self.warn(key, f"anonymous volume {target}: on ECS the data stays in the container for the "
                           "life of the task; not imported as a volume")
            return None
        if source not in self.context.volumes:
            raise self.error(key, f"volume {source!r} is not defined under the top-level volumes:")
        self.draft.volumes.add(source)
        mount: dict[str, Any] = {"volume": self.context.volumes[source], "path": target}
        if read_only:
            mount["read_only"] = True
        return mount


def read_service(context: Context, compose_name: str, raw: Any) -> Draft:
    return ServiceReader(context, compose_name, raw).read()
