"""What the importer knows about Compose keys: data, kept apart from the mapping logic.

Every key of the Compose Specification (and of the older `version: '2'`/`'3'` files) is
in exactly one of three groups: mapped to the application config, noted (ECS does the
same thing its own way: always a warning), or without an ECS meaning (an error, or a
warning with --lenient). A key in none of them is unknown: a typo, always an error.
"""
from __future__ import annotations

import re

TOP_LEVEL_KEYS = ("version", "name", "services", "volumes", "secrets", "networks", "configs",
                  "include", "models")
TOP_LEVEL_UNSUPPORTED = {
    "configs": "has no ECS meaning here: ECS does not mount config files; bake the file into "
               "the image or pass the values as environment variables",
    "models": "has no ECS meaning here: ECS has no model runner",
}

SERVICE_MAPPED = frozenset((
    "image", "ports", "expose", "environment", "env_file", "command", "entrypoint", "depends_on",
    "healthcheck", "deploy", "secrets", "volumes", "links", "working_dir", "user", "labels",
    "cpus", "cpu_shares", "mem_limit", "mem_reservation", "networks", "stop_grace_period", "stop_signal",
    "stdin_open", "tty",
)) | frozenset(("build", "cap_add", "cap_drop", "sysctls", "ulimits", "shm_size", "init", "privileged",
                "tmpfs", "devices", "network_mode"))  # importers/compose/options.py

SERVICE_NOTED = {
    "restart": "ECS does not restart single containers: the service replaces the task when an "
               "essential container stops",
    "container_name": "ECS names the container after the service",
    "logging": "the containers log to CloudWatch Logs (awslogs driver, one log group per task)",
    "platform": "the CPU architecture is the stack's (ec2.capacity.architecture, arm64 by default): "
                "check that the image is built for it",
    "pull_policy": "ECS pulls the image when a task starts",
}

_WHY = {
    "volumes_from": "mount the same named volume in both services instead",
    "external_links": "containers outside the task are not reachable by name",
    "extra_hosts": "host entries are not portable between network modes",
    "hostname": "the host name depends on the network mode; services reach each other through "
                "environment values naming the service",
    "scale": "all services run in one ECS task; set the task count in the stack config "
             "(ec2.desired_count)",
    "configs": "ECS does not mount config files; bake them into the image",
}
SERVICE_UNSUPPORTED_KEYS = frozenset((
    "annotations", "attach", "blkio_config", "cgroup", "cgroup_parent",
    "configs", "cpu_count", "cpu_percent", "cpu_period", "cpu_quota", "cpu_rt_period", "cpu_rt_runtime",
    "cpuset", "credential_spec", "develop", "device_cgroup_rules", "dns", "dns_opt",
    "dns_search", "domainname", "driver_opts", "external_links", "extra_hosts", "gpus",
    "group_add", "hostname", "ipc", "isolation", "label_file", "mac_address", "memswap_limit",
    "mem_swappiness", "models", "oom_kill_disable", "oom_score_adj", "pid",
    "pids_limit", "post_start", "pre_stop", "provider", "read_only",
    "runtime", "scale", "security_opt",
    "storage_opt", "use_api_socket", "userns_mode", "uts",
    "volume_driver", "volumes_from", "net", "dockerfile",
))


def why_unsupported(key: str) -> str:
    return "has no ECS meaning here" + (f": {_WHY[key]}" if key in _WHY else "")


DEPLOY_KEYS = ("resources", "labels", "replicas", "mode", "placement", "restart_policy",
               "update_config", "rollback_config", "endpoint_mode")
RESOURCE_KEYS = ("cpus", "memory", "pids", "devices", "generic_resources")

CONDITIONS = {
    "service_started": "START",
    "service_healthy": "HEALTHY",
    "service_completed_successfully": "SUCCESS",
}

# Ports that databases, caches and brokers listen on: never opened to the internet.
DATABASE_PORTS = frozenset((1433, 1521, 3306, 5432, 5672, 5984, 6379, 7000, 7001, 8086, 9042,
                            9200, 9300, 11211, 27017, 28015))

_SECRET_WORD = re.compile(r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|"
                          r"PRIVATE_?KEY|AUTH_?KEY|CREDENTIALS?|SALT|(^|_)PASS$|(^|_)PWD$", re.IGNORECASE)
# Names that mention a secret but hold something about it (a length, a path, a user name).
_SECRET_METADATA = re.compile(r"_(FILE|PATH|LENGTH|TTL|EXPIRY|EXPIRES|TIMEOUT|HOST|PORT|USER|"
                              r"USERNAME|NAME|ALGORITHM|MIN|MAX|ENABLED|TYPE|ID)$", re.IGNORECASE)
# Values of password-like names that are switches, not passwords (MYSQL_ALLOW_EMPTY_PASSWORD: yes).
FLAG_VALUES = frozenset(("", "yes", "no", "true", "false", "on", "off", "0", "1"))


def is_secret_name(name: str) -> bool:
    """Whether an environment variable (or a Compose variable) of this name holds a password-like value."""
    return bool(_SECRET_WORD.search(name)) and not _SECRET_METADATA.search(name)


