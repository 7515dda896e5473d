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
from ecs_templates.config.model import APP_PROTOCOLS, ENV_NAME_PATTERN
from ecs_templates.importers.compose import values
from ecs_templates.importers.compose.environment import Assembled, Plain, classify
from ecs_templates.importers.compose.health import read_health_check
from ecs_templates.importers.compose.networks import service_networks
from ecs_templates.importers.compose.interpolation import (
    InterpolationError,
    Node,
    Reference,
    evaluate,
    parse,
    parse_dotenv,
    resolve,
    variables_in,
)
from ecs_templates.importers.compose.keys import (
    CONDITIONS,
    DATABASE_PORTS,
    DEPLOY_KEYS,
    RESOURCE_KEYS,
    SERVICE_MAPPED,
    SERVICE_NOTED,
    SERVICE_UNSUPPORTED_KEYS,
    is_secret_name,
    why_unsupported,
)
from ecs_templates.importers.compose.report import Report
from ecs_templates.importers.compose.secrets import SecretBook

SECRETS_DIRECTORY = "/run/secrets/"


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
        self._process()
        if "healthcheck" in self.raw:
            check = read_health_check(self, self.mapping("healthcheck", self.resolved("healthcheck")))
            if check is not None:
                self.draft.data["health_check"] = check
        self._ports()
        self._environment()
        self._dependencies()
        self._resources()
        self._labels()
        self._volumes()
        self._stop_grace_period()
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
            elif key in SERVICE_UNSUPPORTED_KEYS:
                if key == "build" and "image" not in self.raw:
                    continue  # reported as the missing image
                self.report.unsupported(self.service, key, why_unsupported(key))
            else:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                hint = f"did you mean {close[0]}?" if close else "check the spelling"
                raise self.error(key, f"unknown key: not a Compose service key; {hint}")

    def _image(self) -> None:
        if "image" not in self.raw:
            if "build" in self.raw:
                raise self.error("image", "missing: ECS runs images from a registry and does not build "
                                          "them (build:); build and push the image, then name it in image:")
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

    # -- ports ---------------------------------------------------------------------------------

    def _ports(self) -> None:
        if self.raw.get("expose") is not None:
            for port in self.convert("expose", values.expose_ports, self.resolved("expose")):
                self._add_port(port.target, {"container": port.target} |
                               ({"protocol": port.protocol} if port.protocol != "tcp" else {}), "expose:")
        if self.raw.get("ports") is None:
            return
        ports = self.resolved("ports")
        if not isinstance(ports, list):
            raise self.error("ports", f"expected a list of ports, got {type_name(ports)}")
        for index, item in enumerate(ports):
            key = f"ports[{index}]"
            if isinstance(item, dict):
                for extra in sorted(set(item) - {"target", "published", "host_ip", "protocol", "mode",
                                                 "app_protocol", "name"}):
                    if not extra.startswith("x-"):
                        self.warn(f"{key}.{extra}", "has no ECS meaning here; not imported")
                port = self.convert(key, values.long_port, item)
            else:
                port = self.convert(key, values.short_port, item)
            self._published(key, item, port, self._app_protocol(key, item, port))

    def _app_protocol(self, key: str, item: Any, port: values.Port) -> str | None:
        """Compose's `app_protocol` hint of the long port syntax: what the port speaks (http, grpc, ...)."""
        if not isinstance(item, dict) or item.get("app_protocol") in (None, ""):
            return None
        protocol = str(item["app_protocol"]).lower()
        if protocol not in APP_PROTOCOLS:
            raise self.error(f"{key}.app_protocol",
                             f"{item['app_protocol']!r} is not one the stacks route; use one of "
                             f"{', '.join(APP_PROTOCOLS)} (the load balancer ends TLS itself: a port "
                             "that speaks HTTPS is tcp, passed through)")
        if (protocol == "udp") != (port.protocol == "udp"):
            raise self.error(f"{key}.app_protocol", f"{protocol} does not go with protocol {port.protocol}; "
                                                    "udp ports speak udp, tcp ports http, http2, grpc or tcp")
        return protocol

    def _published(self, key: str, written: Any, port: values.Port, app_protocol: str | None = None) -> None:
        entry: dict[str, Any] = {"container": port.target}
        if port.protocol != "tcp":
            entry["protocol"] = port.protocol
        if app_protocol is not None:
            entry["app_protocol"] = app_protocol
        shown = written if isinstance(written, (str, int)) else \
            f"{port.published}:{port.target}" if port.published else str(port.target)
        if port.host_ip in ("127.0.0.1", "::1", "localhost"):
            self.warn(key, f"{shown!r} is published on the local loopback only; on ECS the port stays "
                           "private to the task")
        elif port.target in DATABASE_PORTS:
            self.warn(key, f"{shown!r}: database ports are never public on ECS; {port.target} stays "
                           "private to the task, where the other containers reach it")
        elif port.protocol != "tcp":
            self.report.unsupported(self.service, key, f"{shown!r}: the stacks open public TCP ports only")
        else:
            if port.published is None:
                self.warn(key, f"{shown!r}: Compose publishes it on a random host port; ECS publishes "
                               f"the container port {port.target}")
            elif port.published != port.target:
                self.warn(key, f"{shown!r}: the host port {port.published} is a local choice; ECS "
                               f"publishes the container port {port.target} (under awsvpc a task cannot "
                               "map one port to another)")
            entry.update(host=port.target, public=True)
        self._add_port(port.target, entry, "ports:")

    def _add_port(self, number: int, entry: dict[str, Any], source: str) -> None:
        known = self.draft.ports.get(number)
        if known is None or (entry.get("public") and not known.get("public")):
            if known is not None and "app_protocol" in known and "app_protocol" not in entry:
                entry["app_protocol"] = known["app_protocol"]
            self.draft.ports[number] = entry
            self.draft.sources[number] = source
        elif "app_protocol" in entry:
            known["app_protocol"] = entry["app_protocol"]

    # -- environment and secrets ---------------------------------------------------------------

    def _environment(self) -> None:
        entries: dict[str, tuple[Node, ...] | None] = {}
        if self.raw.get("env_file") is not None:
            for path, required in self._env_files():
                entries.update(self._read_env_file(path, required))
        if self.raw.get("environment") is not None:
            pairs = self.convert("environment", values.key_values, self.raw["environment"],
                                 "KEY=value entries")
            for name, text in pairs:
                try:
                    entries[name] = None if text is None else parse(text)
                except InterpolationError as error:
                    raise self.error(f"environment.{name}", str(error)) from None
        file_variables = self._secret_files(entries)
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

    def _env_files(self) -> list[tuple[str, bool]]:
        value = self.resolved("env_file")
        items = value if isinstance(value, list) else [value]
        files = []
        for index, item in enumerate(items):
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                files.append((item["path"], item.get("required", True) is not False))
            elif isinstance(item, str):
                files.append((item, True))
            else:
                raise self.error(f"env_file[{index}]", f"expected a path, got {type_name(item)}")
        return files

    def _read_env_file(self, name: str, required: bool) -> dict[str, tuple[Node, ...] | None]:
        path = self.context.directory / name
        try:
            text = path.read_text("utf-8")
        except FileNotFoundError:
            if not required:
                return {}
            raise self.error("env_file", f"{name} does not exist (relative to the Compose file); create "
                                         "it or mark it required: false") from None
        except (OSError, UnicodeDecodeError) as error:
            raise self.error("env_file", f"cannot read {name}: {error}") from None
        try:
            return dict(parse_dotenv(text))
        except InterpolationError as error:
            raise self.error("env_file", f"{name}: {error}") from None

    def _secret_files(self, entries: dict[str, tuple[Node, ...] | None]) -> dict[str, str]:
        """Compose secrets of the service as environment variables: the `_FILE` convention.

        Compose mounts a secret as /run/secrets/<name>; many images read the path from
        NAME_FILE. ECS injects secrets as variables, so NAME_FILE becomes NAME.
        """
        if self.raw.get("secrets") is None:
            return {}
        listed = self.resolved("secrets")
        if not isinstance(listed, list):
            raise self.error("secrets", f"expected a list of secret names, got {type_name(listed)}")
        by_path: dict[str, str] = {}
        for index, item in enumerate(listed):
            key = f"secrets[{index}]"
            if isinstance(item, dict):
                source, target = item.get("source"), item.get("target")
                extras = sorted(k for k in set(item) - {"source", "target"} if not k.startswith("x-"))
                if extras:
                    self.warn(f"{key}.{extras[0]}", "file ownership and mode have no meaning for a "
                                                    "secret in an environment variable; not imported")
            else:
                source, target = item, None
            if not isinstance(source, str) or source not in self.context.secrets:
                raise self.error(key, f"secret {source!r} is not defined under the top-level secrets:")
            target = str(target or source)
            by_path[target if target.startswith("/") else SECRETS_DIRECTORY + target] = source
        mapped: dict[str, str] = {}
        shown: list[str] = []
        for name in sorted(entries):
            nodes = entries[name]
            if not name.endswith("_FILE") or nodes is None:
                continue
            try:
                path = evaluate(nodes, self.context.variables)
            except InterpolationError as error:
                raise self.error(f"environment.{name}", str(error)) from None
            if path.startswith(SECRETS_DIRECTORY):
                if path not in by_path:
                    raise self.error(f"environment.{name}", f"{path} is not a secret of this service; list "
                                                            "it under the service's secrets:")
                del entries[name]
                # NAME_FILE (the official images) or NAME__FILE (Grafana) -> NAME
                variable = name[:-len("__FILE")] if name.endswith("__FILE") else name[:-len("_FILE")]
                mapped[variable] = self.context.secrets[by_path.pop(path)]
                shown.append(f"{variable} (in place of {name})")
        for path, source in sorted(by_path.items()):
            variable = source.upper().replace("-", "_").replace(".", "_")
            mapped[variable] = self.context.secrets[source]
            shown.append(f"{variable} (no {variable}_FILE reads {path}: check that the image reads "
                         f"the variable {variable})")
        if shown:
            self.warn("secrets", "Compose mounts secrets as files under /run/secrets; ECS injects them as "
                                 "environment variables: " + "; ".join(shown))
        return mapped

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

    def _resources(self) -> None:
        deploy = self.mapping("deploy", self.resolved("deploy")) if self.raw.get("deploy") is not None else {}
        for key in sorted(deploy):
            if key.startswith("x-") or key in ("resources", "labels"):
                continue
            if key not in DEPLOY_KEYS:
                raise self.error(f"deploy.{key}", f"unknown key; deploy has {', '.join(DEPLOY_KEYS)}")
            if key == "restart_policy":
                self.warn("deploy.restart_policy", SERVICE_NOTED["restart"])
            elif key == "replicas":
                replicas = deploy["replicas"]
                if isinstance(replicas, bool) or not isinstance(replicas, int) or not 1 <= replicas <= 100:
                    raise self.error("deploy.replicas", f"{replicas!r}: an ECS service runs 1 to 100 tasks; "
                                                        "give a whole number in that range (a service that "
                                                        "should not run does not belong in the file)")
                self.draft.replicas = replicas
            else:
                self.report.unsupported(self.service, f"deploy.{key}", "has no ECS meaning here")
        resources = self.mapping("deploy.resources", deploy.get("resources") or {})
        chosen: dict[str, tuple[str, Any]] = {}
        for kind in ("limits", "reservations"):
            section = self.mapping(f"deploy.resources.{kind}", resources.get(kind) or {})
            for key in sorted(section):
                where = f"deploy.resources.{kind}.{key}"
                if key not in RESOURCE_KEYS:
                    raise self.error(where, f"unknown key; resources have {', '.join(RESOURCE_KEYS)}")
                if key in ("pids", "devices", "generic_resources"):
                    self.report.unsupported(self.service, where, "has no ECS meaning here")
                elif key == "memory":
                    chosen["memory" if kind == "limits" else "memory_reservation"] = (where, section[key])
                    if kind == "limits":
                        self.draft.limits["memory"] = self.convert(where, values.mebibytes, section[key])
                elif kind == "reservations" or "cpu" not in chosen:
                    chosen["cpu"] = (where, section[key])
                if kind == "limits" and key == "cpus":
                    self.draft.limits["cpu"] = self.convert(where, values.cpu_units, section[key])
        if "cpus" in (resources.get("limits") or {}):
            self.warn("deploy.resources.limits.cpus", "an ECS container's CPU units are a share of the "
                                                      "task's CPU, not a cap; the task size is the limit "
                                                      "(in ecs-services the service's own Fargate size)")
        legacy = {"cpus": "cpu", "cpu_shares": "cpu", "mem_limit": "memory", "mem_reservation": "memory_reservation"}
        for key, target in legacy.items():
            if self.raw.get(key) is not None:
                if target in chosen:
                    raise self.error(key, f"also set by {chosen[target][0]}; set it once")
                chosen[target] = (key, self.resolved(key))
        for target, (where, value) in sorted(chosen.items()):
            if target == "cpu":
                if where == "cpu_shares":
                    units = value if isinstance(value, int) and not isinstance(value, bool) else -1
                    if units < 0:
                        raise self.error(where, f"expected a whole number of CPU shares, got {value!r}")
                else:
                    units = self.convert(where, values.cpu_units, value)
                self.draft.data["cpu"] = units
            else:
                self.draft.data[target] = self.convert(where, values.mebibytes, value)
        if "labels" in deploy:
            self.draft.tags = self._pairs("deploy.labels", deploy["labels"])

    def _stop_grace_period(self) -> None:
        """`stop_grace_period` becomes the container's stopTimeout, within ECS's 2 to 120 seconds."""
        if self.raw.get("stop_grace_period") is None:
            return
        seconds = self.convert("stop_grace_period", values.seconds, self.resolved("stop_grace_period"))
        timeout = min(max(seconds, 2), 120)
        self.warn("stop_grace_period", f"becomes the container's stopTimeout: {timeout}s"
                  + ("" if timeout == seconds else f" ({seconds}s is outside ECS's 2s to 120s)"))
        self.draft.data["stop_timeout"] = timeout

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
            self.report.unsupported(self.service, key, f"{source}:{target}: a host bind mount has no ECS "
                                                       "meaning (the host's files are not on ECS); copy the "
                                                       "files into the image, or use a named volume")
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
