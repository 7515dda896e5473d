"""docs/compose.md: which Compose key becomes what, from the importer's own key tables.

`python -m ecs_templates.docs.compose_reference > docs/compose.md` writes it; a test keeps the
committed page equal to it. The groups (mapped, noted, without an ECS meaning), the reasons,
the depends_on conditions and the private database ports come from
`ecs_templates/importers/compose/keys.py`. What a mapped key becomes is prose kept here, one
entry per key of `SERVICE_MAPPED`: `render` refuses to run when the two sets differ, so a key
the importer learns cannot go undocumented.
"""
from __future__ import annotations

from ecs_templates.importers.compose.keys import (
    CONDITIONS,
    DATABASE_PORTS,
    DEPLOY_KEYS,
    RESOURCE_KEYS,
    SERVICE_MAPPED,
    SERVICE_NOTED,
    SERVICE_UNSUPPORTED_KEYS,
    TOP_LEVEL_KEYS,
    TOP_LEVEL_UNSUPPORTED,
    why_unsupported,
)

# Compose service key -> (what it becomes in the application config, notes).
MAPPED: dict[str, tuple[str, str]] = {
    "image": ("`image`", "required unless the service has `build:` (then the image is its ECR repository)"),
    "build": ("`build` (context, dockerfile, args, target)", "push-images builds it for the stacks' architecture "
              "(`docker buildx build --platform`) and pushes that platform to the service's ECR repository; a "
              "missing context or Dockerfile is an error"),
    "cap_add": ("`linux.cap_add`", "Fargate takes SYS_PTRACE only; any other refused, naming the EC2 launch type"),
    "cap_drop": ("`linux.cap_drop`", "every launch type"),
    "networks": ("`networks`", "a service reaches another only through a network they share (security groups "
                 "follow); aliases become `uses` of the aliased service; `external: true` is refused"),
    "stop_grace_period": ("`stop_timeout`", "kept within ECS's 2 to 120 seconds, with a warning"),
    "stdin_open": ("`interactive`", "ECS keeps the container's standard input open"),
    "tty": ("`pseudo_terminal`", "ECS gives the container a terminal"),
    "stop_signal": ("`stop_signal`", "the STOPSIGNAL of a derived image push-images builds: ECS stops a "
                    "container with its image's signal"),
    "devices": ("`linux.devices`", "EC2 only (ecs-ec2, or services.launch_type: ec2)"),
    "init": ("`linux.init`", "every launch type (initProcessEnabled)"),
    "network_mode": ("`host`: ecs-ec2 in host mode", "the services stacks refuse it, naming ecs-ec2"),
    "privileged": ("`linux.privileged`", "EC2 only"),
    "shm_size": ("`linux.shm_size`", "EC2 only"),
    "sysctls": ("`linux.sysctls`", "Fargate takes the net.* ones only"),
    "tmpfs": ("`linux.tmpfs`", "EC2 only"),
    "ulimits": ("`linux.ulimits`", "every launch type (Fargate within its bounds)"),
    "ports": ("`ports` with `public: true`; long syntax `app_protocol` kept",
              "a differing host port (`8080:80`) is a local choice: warning, the container port is "
              "published (unless two services publish one container port: each keeps its host port); "
              "`127.0.0.1:` bindings and database ports stay private (warning); ranges and "
              "non-numbers are errors"),
    "expose": ("private `ports`", "reachable by the services that use them, never from the internet"),
    "environment": ("`environment`", "list or mapping; a bare `- NAME` takes the value from the environment; "
                    "password-like names become generated secrets (below)"),
    "env_file": ("`environment`", "`environment` overrides `env_file`; a missing file is an error"),
    "command": ("`command`", "a string is split like a shell, as Compose does"),
    "entrypoint": ("`entry_point`", "a string is split like a shell, as Compose does"),
    "depends_on": ("`depends_on` START / HEALTHY / SUCCESS (conditions below)",
                   "a container others wait to complete is `essential: false` and runs in their task"),
    "healthcheck": ("`health_check`", "durations in whole seconds within ECS limits (interval 5-300 s, "
                    "timeout 2-120 s, retries 1-10), else an error; `test: [NONE]` or `disable` turn it off"),
    "deploy": ("`deploy.replicas`: the service's task count; `deploy.resources`: `cpu`, `memory`, "
               "`memory_reservation`; `deploy.labels`: `application.tags`",
               "`restart_policy` is noted; the other deploy keys have no ECS meaning here"),
    "secrets": ("generated secrets injected as variables",
                "Compose mounts files under `/run/secrets`, ECS injects variables (warning): `NAME_FILE: "
                "/run/secrets/x` becomes `NAME`; the local `file:`/`environment:` value is never read"),
    "volumes": ("container `mounts`; in `ecs-services` each named volume is an EFS access point",
                "services naming the same volume share it; anonymous volumes stay in the container "
                "(warning); host bind mounts have no ECS meaning here"),
    "links": ("aliases of the service name, START dependency",
              "a link no value uses is reported"),
    "working_dir": ("`working_directory`", ""),
    "user": ("`user`", ""),
    "labels": ("container `labels` (Docker labels)", ""),
    "cpus": ("`cpu` (1024 units per CPU)", "ECS CPU units are a share of the task, not a cap (warning)"),
    "cpu_shares": ("`cpu`", ""),
    "mem_limit": ("`memory` (MiB)", ""),
    "mem_reservation": ("`memory_reservation` (MiB)", ""),
}

INTRO = """# Importing docker-compose

Generated from the importer's key tables (`python -m ecs_templates.docs.compose_reference`;
`ecs_templates/importers/compose/keys.py`); a test keeps this page current.

The file you run locally can be the source of the templates. `docker-compose.yml` at the
top of this repository (services nested, a MariaDB health check that WordPress waits for, no
password in the file: copy `.env.example` to `.env` for `docker compose up`) imports into
exactly the built-in default:

```sh
ecs-templates import-compose docker-compose.yml -o app.yaml   # [--lenient]
ecs-templates build --config app.yaml                         # byte-identical to `ecs-templates build`
```

`import-compose FILE [-o OUT] [--lenient]` reads the Compose Specification and the older
files with a `version:` key, and writes the application config (`application: {extends:
none, ...}`) that `build --config` reads; without `-o` it prints it. Each compose service
becomes one container and one service of the `ecs-services` stack, found by the others under
its compose name through Service Connect. The stacks written into the config (`stacks:`) are
`ecr` and `ecs-services` always; `ecs-ec2` and `ecs-fargate`, which hold every service in one
task, when no two services listen on one port; `ecs-services-rds` when a database service's
container sets what RDS takes over (database name, user, password secret). The report says
why a stack is left out.

Variables are interpolated as Compose does (`$VAR`, `${VAR}`, `${VAR:-default}`,
`${VAR-default}`, `${VAR:?message}`, `${VAR:+other}`, `$$`) from the environment and a `.env`
file beside the Compose file (the environment wins); a required variable that is missing is
an error. Whatever does not map one to one is a warning on stderr naming file, service and
key. Errors are one line naming file, service and key; the exit status is 1 and nothing is
written (`-o` is written atomically, so an existing file is never damaged).

The file is read as `docker compose` reads it: `include` (other files' services, volumes,
networks and secrets, a name defined twice refused; an included service's relative paths are
its file's directory's, or `project_directory`'s; an include's `env_file` is an error: put its
variables in the main `.env`), `extends` (a service of this file or of
`file:`, a circle refused) merged by the Compose Specification's rules, `!reset` and
`!override` removing or replacing what a key inherits, and `profiles`: a service with
profiles is imported only when `--profile NAME` (repeatable) names one of them; an unknown
profile is an error.

Password-like values (names matching `*PASSWORD*`, `*SECRET*`, `*TOKEN*`, `*API_KEY*`, ...)
become `application.secrets`, generated by Secrets Manager, and container `secrets`: a
`${VAR}` is not even read, the same `${VAR}` in two services is one secret, a plain-text
password becomes a secret too (warning), a password inside a URL (`mysql://root:pw@db/x`)
becomes a generated secret and the whole value a secret assembled from it (warning), and
switches (`MYSQL_ALLOW_EMPTY_PASSWORD: "yes"`) stay plain. A service name as a host in a
value (`db:3306`, `mysql://db/x`, `REDIS_HOST: cache`) is a connection (`uses`): Service
Connect resolves it in `ecs-services`; the single-task stacks render it as a link under
bridge and `127.0.0.1:3306` under awsvpc.

A service that others reach by name needs a port. From `ports` or `expose`, or the port a
value names (`zoo1:2888`); else the first of these that names one, reported with its file
and line: a listen-all address in its own environment or command (`ASPNETCORE_URLS=http://+:8000`,
`-b 0.0.0.0:8000`) or a `PORT` variable; a proxy's port label
(`traefik.http.services.<name>.loadbalancer.server.port`); its image (the built stage's
`EXPOSE`, its parent stages' and its base image's, or the image table's main port); the
files its clients carry into their images (their build context and copied project files, not
`node_modules` or `.git`: an nginx.conf's `proxy_pass http://backend:8000`). Else an error.

On the load balancer, the public HTTP service that publishes 80 (else the first) is served
on 80 and each other public port on its own listener. A host port that differs from the
container port (`8080:80`) is a local choice and the container port is published, except when
two services publish one container port under distinct host ports (`81:5000`, `82:5000`):
then each keeps its host port as its listener's (a note), as on the Compose host.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    if set(MAPPED) != set(SERVICE_MAPPED):
        missing, extra = sorted(set(SERVICE_MAPPED) - set(MAPPED)), sorted(set(MAPPED) - set(SERVICE_MAPPED))
        raise ValueError(f"compose reference out of step with keys.SERVICE_MAPPED: undocumented {missing}, "
                         f"no longer mapped {extra}; update MAPPED in {__name__}")
    lines = [INTRO, "## Service keys that map", "", "| Compose | becomes | notes |", "| --- | --- | --- |"]
    lines += [f"| `{key}` | {_cell(MAPPED[key][0])} | {_cell(MAPPED[key][1])} |" for key in sorted(SERVICE_MAPPED)]
    lines += ["", f"`deploy` has {', '.join(f'`{key}`' for key in DEPLOY_KEYS)}; `deploy.resources` limits and "
              f"reservations have {', '.join(f'`{key}`' for key in RESOURCE_KEYS)} (`cpus` and `memory` map).",
              "", "`depends_on` conditions:", "", "| Compose condition | ECS condition |", "| --- | --- |"]
    lines += [f"| `{condition}` | `{ecs}` |" for condition, ecs in CONDITIONS.items()]
    lines += ["", "## Service keys that ECS does its own way (always a warning)", "", "| Compose | why |",
              "| --- | --- |"]
    lines += [f"| `{key}` | {_cell(text)} |" for key, text in sorted(SERVICE_NOTED.items())]
    lines += ["", "## Service keys without an ECS meaning here", "",
              "An error naming file, service and key; a warning with `--lenient` (never silently dropped).", "",
              "| Compose | why |", "| --- | --- |"]
    lines += [f"| `{key}` | {_cell(why_unsupported(key))} |" for key in sorted(SERVICE_UNSUPPORTED_KEYS)]
    lines += ["", "## Top-level keys", "", "| Compose | becomes |", "| --- | --- |"]
    top = {"version": "accepted and ignored (older files)", "name": "`application.name` (default: the "
           "directory's name, as Compose does)", "services": "the containers and services above",
           "volumes": "the named volumes the services mount", "secrets": "generated secrets (see `secrets` above)"}
    lines += [f"| `{key}` | {_cell(TOP_LEVEL_UNSUPPORTED.get(key) or top.get(key, ''))} |" for key in TOP_LEVEL_KEYS]
    lines += ["", "`x-*` extension fields are ignored, as Compose does. Any other key is unknown (a typo): "
              "always an error, with the closest known key.", "",
              "## Ports that stay private", "",
              "Published database, cache and broker ports are never opened to the internet (a warning says "
              "so): " + ", ".join(str(port) for port in sorted(DATABASE_PORTS)) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
