"""Compose keys, one by one: what each becomes, and what is refused with file, service and key."""
from __future__ import annotations

import re
import textwrap

import pytest

from ecs_templates.errors import ComposeError
from compose_helpers import container_definitions, environment, import_text, warnings_text


def compose(services: str, extra: str = "") -> str:
    return "services:\n" + textwrap.indent(textwrap.dedent(services), "  ") + textwrap.dedent(extra)


WEB = """
web:
  image: nginx:1.27
"""


def test_environment_list_and_mapping_forms_and_env_file(tmp_path):
    (tmp_path / "web.env").write_text("FROM_FILE=1\nOVERRIDDEN=file\n")
    result = import_text(tmp_path, compose("""
        web:
          image: nginx:1.27
          env_file: [web.env]
          environment:
            - OVERRIDDEN=compose
            - FROM_SHELL
            - NOT_SET
        api:
          image: api:1
          environment:
            NUMBER: 3
            FLAG: true
            EMPTY: ""
    """), environ={"FROM_SHELL": "shell"})
    app = result.config.application
    assert app.container("web").environment_map == {"FROM_FILE": "1", "FROM_SHELL": "shell",
                                                    "OVERRIDDEN": "compose"}
    assert app.container("api").environment_map == {"EMPTY": "", "FLAG": "true", "NUMBER": "3"}
    assert "services.web.environment.NOT_SET: NOT_SET is not set in the environment" in warnings_text(result)


def test_variables_from_dotenv_and_environment(tmp_path):
    (tmp_path / ".env").write_text("TAG=1.25\nPORT=8080\n")
    result = import_text(tmp_path, compose("""
        web:
          image: nginx:${TAG}
          ports: ["${PORT}:${PORT}"]
          environment:
            GREETING: ${GREETING:-hello}
    """), environ={"PORT": "9090"})
    web = result.config.application.container("web")
    assert web.image == "nginx:1.25"
    assert [(p.container_port, p.host_port) for p in web.ports] == [(9090, 9090)]
    assert web.environment_map == {"GREETING": "hello"}


def test_missing_required_variable_is_an_error_naming_service_and_key(tmp_path):
    with pytest.raises(ComposeError, match=r"docker-compose\.yml: services\.web\.image: required variable "
                                           r"TAG is not set \(pick a tag\)"):
        import_text(tmp_path, compose("""
            web:
              image: nginx:${TAG:?pick a tag}
        """))


def test_password_variable_needs_no_value_at_import(tmp_path):
    """The value is generated at deploy time, so ${DB_PASSWORD:?} need not be set to import."""
    result = import_text(tmp_path, compose("""
        db:
          image: postgres:16
          environment:
            POSTGRES_PASSWORD: ${DB_PASSWORD:?set it}
        app:
          image: app:1
          environment:
            DB_PASS: ${DB_PASSWORD:?set it}
    """))
    app = result.config.application
    assert [s.name for s in app.secrets] == ["db-password"]
    assert dict(app.container("app").secrets) == {"DB_PASS": "db-password"}


def test_plain_text_passwords_become_one_secret_per_value(tmp_path):
    result = import_text(tmp_path, compose("""
        db:
          image: mariadb:11
          environment:
            MYSQL_ROOT_PASSWORD: r00t-Pw
            MYSQL_PASSWORD: wp-Pw-1
            MYSQL_ALLOW_EMPTY_PASSWORD: "no"
            PASSWORD_MIN_LENGTH: 8
        web:
          image: wordpress:6
          environment:
            WORDPRESS_DB_PASSWORD: wp-Pw-1
    """))
    app = result.config.application
    shared = dict(app.container("db").secrets)["MYSQL_PASSWORD"]
    assert dict(app.container("web").secrets) == {"WORDPRESS_DB_PASSWORD": shared}
    assert dict(app.container("db").secrets)["MYSQL_ROOT_PASSWORD"] != shared
    assert app.container("db").environment_map == {"MYSQL_ALLOW_EMPTY_PASSWORD": "no", "PASSWORD_MIN_LENGTH": "8"}
    assert "services.db.environment.MYSQL_ROOT_PASSWORD: a password written in plain text" in warnings_text(result)
    assert "r00t-Pw" not in str(result.data) and "wp-Pw-1" not in str(result.data)


@pytest.mark.parametrize("value, fragment", [
    # inside a URL to a service of the file it becomes an assembled secret (test_compose_spec.py)
    ("postgres://app:${DB_PASSWORD}@db/app", "holds a URL with a password in it whose host is no service"),
    ("postgres://app:hunter2@db/app", "holds a URL with a password in it whose host is no service"),
    ("host=db password=${DB_PASSWORD}", "embeds the variable DB_PASSWORD in a longer value"),
])
def test_password_inside_a_longer_value_is_refused(tmp_path, value, fragment):
    with pytest.raises(ComposeError, match=rf"services\.app\.environment\.DATABASE_URL: {fragment}"):
        import_text(tmp_path, compose(f"""
            app:
              image: app:1
              environment:
                DATABASE_URL: "{value}"
        """), lenient=True)


@pytest.mark.parametrize("value, rendered_bridge, rendered_awsvpc", [
    ("db:5432", "db:5432", "127.0.0.1:5432"),
    ("postgres://app@db/app", "postgres://app@db/app", "postgres://app@127.0.0.1/app"),
    ("postgresql://db:5432/app?opt={x}", "postgresql://db:5432/app?opt={x}", "postgresql://127.0.0.1:5432/app?opt={x}"),
])
def test_service_names_in_values_resolve_under_every_network_mode(tmp_path, value, rendered_bridge, rendered_awsvpc):
    result = import_text(tmp_path, compose(f"""
        db:
          image: postgres:16
          expose: ["5432"]
        app:
          image: app:1
          environment:
            DATABASE: "{value}"
            DB_NAME: db
    """))
    config = result.config
    assert environment(container_definitions(config, "bridge")["app"])["DATABASE"] == rendered_bridge
    assert environment(container_definitions(config, "awsvpc")["app"])["DATABASE"] == rendered_awsvpc
    assert config.application.container("app").environment_map == {"DB_NAME": "db"}


def test_host_only_value_under_a_host_key_takes_the_single_port(tmp_path):
    result = import_text(tmp_path, compose("""
        cache:
          image: redis:7
        app:
          image: app:1
          environment:
            REDIS_HOST: cache
            REDIS_PORT: "6379"
            CACHE_ADDR: cache:6379
    """))
    app = result.config.application
    assert [p.container_port for p in app.container("cache").ports] == [6379]  # added from the value
    assert {(u.env, u.format) for u in app.container("app").uses} == {("CACHE_ADDR", "{host}:{port}"),
                                                                      ("REDIS_HOST", "{host}")}


def test_host_without_port_and_no_known_port_is_an_error(tmp_path):
    with pytest.raises(ComposeError, match=r"services\.cache\.expose: app reaches cache by name "
                                           r"\(environment\.REDIS_HOST\), but cache lists no port"):
        import_text(tmp_path, compose("""
            cache:
              image: registry.example.com/cache:7
            app:
              image: app:1
              environment:
                REDIS_HOST: cache
        """))


@pytest.mark.parametrize("port, expected, warning", [
    ("'80:80'", (80, 80, True), None),
    ("'8080:80'", (80, 80, True), "'8080:80': the host port 8080 is a local choice; ECS publishes the container port 80"),
    ("'80'", (80, 80, True), "Compose publishes it on a random host port"),
    ("'127.0.0.1:8080:80'", (80, None, False), "published on the local loopback only"),
    ("'5432:5432'", (5432, None, False), "database ports are never public"),
    ("{target: 80, published: 8000, protocol: tcp, mode: host}", (80, 80, True), "the host port 8000"),
])
def test_port_forms(tmp_path, port, expected, warning):
    result = import_text(tmp_path, compose(f"""
        web:
          image: nginx:1.27
          ports:
            - {port}
    """))
    (mapped,) = result.config.application.container("web").ports
    assert (mapped.container_port, mapped.host_port, mapped.public) == expected
    if warning:
        assert "docker-compose.yml: services.web.ports[0]: " in warnings_text(result)
        assert warning in warnings_text(result)
    else:
        assert result.warnings == []


@pytest.mark.parametrize("services, fragment", [
    ("web:\n  image: nginx\n  ports: ['80:http']\n", r"services\.web\.ports\[0\]: 'http' is not a container port"),
    ("web:\n  image: nginx\n  ports: ['3000-3005:3000-3005']\n", r"services\.web\.ports\[0\]: .* is a port range"),
    ("web:\n  image: nginx\n  ports: [{published: 80}]\n", r"services\.web\.ports\[0\]: a port in long form needs target"),
    ("web:\n  image: nginx\n  expose: ['99999']\n", r"services\.web\.expose: '99999' is not a container port"),
])
def test_bad_ports(tmp_path, services, fragment):
    with pytest.raises(ComposeError, match=fragment):
        import_text(tmp_path, compose(services))


def test_depends_on_forms(tmp_path):
    result = import_text(tmp_path, compose("""
        db:
          image: postgres:16
          healthcheck:
            test: pg_isready
        init:
          image: app:1
        cache:
          image: redis:7
        app:
          image: app:1
          depends_on:
            db: {condition: service_healthy}
            init: {condition: service_completed_successfully}
            cache: {condition: service_started, restart: true}
        worker:
          image: app:1
          depends_on: [cache, db]
    """))
    app = result.config.application
    assert {(d.container, d.condition) for d in app.container("app").depends_on} == {
        ("db", "HEALTHY"), ("init", "SUCCESS"), ("cache", "START")}
    assert {(d.container, d.condition) for d in app.container("worker").depends_on} == {
        ("cache", "START"), ("db", "START")}
    assert not app.container("init").essential and app.container("app").essential
    assert "services.app.depends_on.cache.restart" in warnings_text(result)


@pytest.mark.parametrize("services, fragment", [
    ("a:\n  image: x\n  depends_on: [nope]\n", r"services\.a\.depends_on\.nope: no service named 'nope'"),
    ("a:\n  image: x\n  depends_on: {b: {condition: service_ready}}\nb:\n  image: y\n",
     r"services\.a\.depends_on\.b\.condition: 'service_ready' is not one of"),
    ("a:\n  image: x\n  links: [a]\n", r"services\.a\.links\.a: a service cannot refer to itself"),
])
def test_bad_dependencies(tmp_path, services, fragment):
    with pytest.raises(ComposeError, match=fragment):
        import_text(tmp_path, compose(services))


@pytest.mark.parametrize("health, expected", [
    ("test: [CMD, curl, -f, http://127.0.0.1/]", (("CMD", "curl", "-f", "http://127.0.0.1/"), 30, 5, 3, 0)),
    ("test: curl -f http://127.0.0.1/ || exit 1\ninterval: 1m\ntimeout: 10s\nretries: 2\nstart_period: 2m30s",
     (("CMD-SHELL", "curl -f http://127.0.0.1/ || exit 1"), 60, 10, 2, 150)),
    ("test: [CMD-SHELL, 'echo $$HOME']", (("CMD-SHELL", "echo $HOME"), 30, 5, 3, 0)),
    ("test: [NONE]", None),
    ("test: [CMD, true]\ndisable: true", None),
])
def test_health_check_forms(tmp_path, health, expected):
    result = import_text(tmp_path, compose(WEB + "  healthcheck:\n" + textwrap.indent(health, "    ") + "\n"))
    check = result.config.application.container("web").health_check
    if expected is None:
        assert check is None
    else:
        assert (check.command, check.interval, check.timeout, check.retries, check.start_period) == expected


@pytest.mark.parametrize("health, fragment", [
    ("test: [CMD, x]\ninterval: 10s\ntimeout: 500ms", r"healthcheck\.timeout: 500ms is not a whole number of seconds"),
    ("test: [CMD, x]\nretries: many", r"healthcheck\.retries: expected a whole number of retries"),
    ("test: [RUN, x]", r"healthcheck\.test: expected \[CMD, \.\.\.\]"),
    ("test: [CMD, x]\ninterval: 10", r"healthcheck\.interval: '10' is not a duration"),
    ("interval: 10s", r"healthcheck\.test: missing: ECS does not run the image's HEALTHCHECK"),
])
def test_bad_health_checks(tmp_path, health, fragment):
    with pytest.raises(ComposeError, match=r"services\.web\." + fragment):
        import_text(tmp_path, compose(WEB + "  healthcheck:\n" + textwrap.indent(health, "    ") + "\n"))


@pytest.mark.parametrize("health, expected, warning", [
    ("interval: 1s", (6, 5, 3, 0), r"healthcheck\.interval: 1s is outside what ECS accepts \(5s to 300s\); it becomes 5s"),
    ("interval: 10s\ntimeout: 30s", (31, 30, 3, 0), r"healthcheck\.interval: 10s is not longer than the timeout \(30s\).*becomes 31s"),
    ("interval: 10s\ntimeout: 10s", (11, 10, 3, 0), r"healthcheck\.interval: .*becomes 11s"),
    ("interval: 300s\ntimeout: 120s\nretries: 20", (300, 120, 10, 0), r"healthcheck\.retries: 20 is outside .*it becomes 10"),
    ("interval: 400s\ntimeout: 1s\nstart_period: 10m", (300, 2, 3, 300), r"healthcheck\.start_period: 600s .*it becomes 300s"),
    ("interval: 5s\ntimeout: 5s", (6, 5, 3, 0), r"healthcheck\.interval: 5s is not longer"),
])
def test_health_check_adapted_to_ecs_bounds(tmp_path, health, expected, warning):
    result = import_text(tmp_path, compose(WEB + "  healthcheck:\n" +
                                           textwrap.indent("test: [CMD, x]\n" + health, "    ") + "\n"))
    check = result.config.application.container("web").health_check
    assert (check.interval, check.timeout, check.retries, check.start_period) == expected
    assert re.search(warning, warnings_text(result))


def test_resources_deploy_and_legacy(tmp_path):
    result = import_text(tmp_path, compose("""
        a:
          image: x
          deploy:
            resources:
              limits: {cpus: "1.5", memory: 1g}
              reservations: {cpus: "0.25", memory: 512M}
        b:
          image: y
          cpus: 0.5
          mem_limit: 268435456
    """))
    app = result.config.application
    assert (app.container("a").cpu, app.container("a").memory, app.container("a").memory_reservation) == (256, 1024, 512)
    assert (app.container("b").cpu, app.container("b").memory) == (512, 256)


def test_resource_set_twice_is_an_error(tmp_path):
    with pytest.raises(ComposeError, match=r"services\.a\.mem_limit: also set by deploy\.resources\.limits\.memory"):
        import_text(tmp_path, compose("""
            a:
              image: x
              mem_limit: 256m
              deploy: {resources: {limits: {memory: 256m}}}
        """))


def test_command_entrypoint_user_working_dir(tmp_path):
    result = import_text(tmp_path, compose("""
        a:
          image: x
          entrypoint: /bin/sh -c
          command: ["echo hello && sleep 5"]
          user: 1000
          working_dir: /srv
    """))
    a = result.config.application.container("a")
    assert a.entry_point == ("/bin/sh", "-c") and a.command == ("echo hello && sleep 5",)
    assert (a.user, a.working_directory) == ("1000", "/srv")


def test_named_volumes_labels_and_tags_render_in_the_task_definition(tmp_path):
    result = import_text(tmp_path, compose("""
        db:
          image: postgres:16
          labels: ["com.example.tier=data"]
          volumes:
            - pg.data:/var/lib/postgresql/data
            - shared:/backup:ro
          deploy: {labels: {team: data}}
        tool:
          image: x
          volumes:
            - type: volume
              source: shared
              target: /in
              read_only: true
            - /scratch
    """, """
        volumes:
          pg.data:
          shared: {}
    """))
    app = result.config.application
    assert [(m.volume, m.path, m.read_only) for m in app.container("db").mounts] == [
        ("pg-data", "/var/lib/postgresql/data", False), ("shared", "/backup", True)]
    assert [(m.volume, m.path, m.read_only) for m in app.container("tool").mounts] == [("shared", "/in", True)]
    assert dict(app.tags) == {"team": "data"}
    definitions = container_definitions(result.config, "awsvpc")
    assert definitions["db"]["MountPoints"] == [
        {"ContainerPath": "/var/lib/postgresql/data", "ReadOnly": False, "SourceVolume": "pg-data"},
        {"ContainerPath": "/backup", "ReadOnly": True, "SourceVolume": "shared"}]
    assert definitions["db"]["DockerLabels"] == {"com.example.tier": "data"}
    assert "services.tool.volumes[1]: anonymous volume /scratch" in warnings_text(result)


@pytest.mark.parametrize("services, extra, key, reason", [
    ("web:\n  image: x\n  ipc: host\n", "", "services.web.ipc", "has no ECS meaning here"),
    ("web:\n  image: x\n  network_mode: none\n", "", "services.web.network_mode", "'none' has no ECS meaning here"),
    ("web:\n  image: x\n  volumes: ['./data:/var/lib/data']\n", "", "services.web.volumes[0]",
     "a writable bind mount of a directory Compose would create"),
    ("web:\n  image: x\n  networks: [front]\n", "networks:\n  front: {external: true}\n", "networks.front.external",
     "a network made outside this file has no ECS meaning here"),
    ("web:\n  image: x\n  volumes: [data:/d]\n", "volumes:\n  data: {driver: local}\n", "volumes.data.driver",
     "no drivers"),
])
def test_keys_without_ecs_meaning_are_errors_or_warnings_with_lenient(tmp_path, services, extra, key, reason):
    text = compose(services, extra)
    with pytest.raises(ComposeError, match=rf"docker-compose\.yml: {re.escape(key)}: .*{reason}.*"
                                           r"--lenient imports without it"):
        import_text(tmp_path, text)
    result = import_text(tmp_path, text, lenient=True)
    assert f"docker-compose.yml: {key}: " in warnings_text(result) and reason in warnings_text(result)


@pytest.mark.parametrize("key, value", [("restart", "always"), ("container_name", "my-web"),
                                        ("logging", "{driver: json-file}"), ("platform", "linux/amd64")])
def test_keys_ecs_handles_its_own_way_are_warnings(tmp_path, key, value):
    result = import_text(tmp_path, compose(WEB + f"  {key}: {value}\n"))
    assert f"services.web.{key}: " in warnings_text(result)


@pytest.mark.parametrize("value, seconds, fragment", [
    ("45s", 45, "becomes the container's stopTimeout: 45s"),
    ("5m", 120, "becomes the container's stopTimeout: 120s (300s is outside ECS's 2s to 120s)"),
])
def test_stop_grace_period_becomes_stop_timeout_with_a_warning(tmp_path, value, seconds, fragment):
    result = import_text(tmp_path, compose(WEB + f"  stop_grace_period: {value}\n"))
    assert f"services.web.stop_grace_period: {fragment}" in warnings_text(result)
    assert container_definitions(result.config, "awsvpc")["web"]["StopTimeout"] == seconds


def test_extension_fields_are_ignored_as_compose_does(tmp_path):
    result = import_text(tmp_path, compose(WEB + "  x-team: web\n", "x-common: &common\n  a: 1\n"))
    assert result.warnings == []


def test_service_names_become_container_names(tmp_path):
    result = import_text(tmp_path, compose("""
        My_DB:
          image: postgres:16
          expose: ["5432"]
        app:
          image: x
          environment:
            DB: My_DB:5432
    """))
    app = result.config.application
    assert [c.name for c in app.containers] == ["app", "my-db"]
    assert environment(container_definitions(result.config, "bridge")["app"])["DB"] == "my-db:5432"
    assert "services.My_DB: is named my-db on ECS" in warnings_text(result)


@pytest.mark.parametrize("text, fragment", [
    ("- a\n- list\n", r"docker-compose\.yml: expected a mapping at the top level"),
    ("services: {}\n", r"docker-compose\.yml: services: no services defined"),
    ("version: '3'\n", r"docker-compose\.yml: services: no services defined"),
    ("services:\n  web: {image: x}\ncolour: blue\n", r"docker-compose\.yml: colour: unknown top-level key"),
    ("services:\n  web:\n    ports: ['80:80']\n", r"services\.web\.image: missing: every service needs an image"),
    ("services:\n  web:\n    build: .\n", r"services\.web\.build\.dockerfile: .*Dockerfile does not exist"),
    ("services:\n  web: nginx\n", r"services\.web: expected a mapping of service keys"),
    ("services:\n  web:\n    image: x\n    imagee: y\n", r"services\.web\.imagee: unknown key: .* did you mean image\?"),
    ("services: [web]\n", r"services: expected a mapping of service names"),
    ("db:\n  image: mariadb\n", r"services: is missing while db at the top level look like services"),
    ("services:\n  web:\n    image: x\n    environment: {'BAD-NAME': 1}\n",
     r"services\.web\.environment\.BAD-NAME: is not a valid environment variable name"),
    ("services:\n  web:\n    image: x\n    secrets: [nope]\n", r"services\.web\.secrets\[0\]: secret 'nope' is not defined"),
    ("services:\n  web:\n    image: x\n    volumes: [data:/d]\n", r"services\.web\.volumes\[0\]: volume 'data' is not defined"),
    ("services:\n  web:\n    image: x\n    env_file: missing.env\n", r"services\.web\.env_file: missing\.env does not exist"),
    ("services:\n  web:\n    image: x\n    command: 'echo \"unclosed'\n", r"services\.web\.command: cannot split"),
])
def test_bad_input_names_file_service_and_key(tmp_path, text, fragment):
    with pytest.raises(ComposeError, match=fragment):
        import_text(tmp_path, text)


def test_not_yaml(tmp_path):
    with pytest.raises(ComposeError, match=r"docker-compose\.yml: is not valid YAML at line 3, column 1"):
        import_text(tmp_path, "services:\n  web: [\n")


def test_service_address_in_a_command_is_reported(tmp_path):
    result = import_text(tmp_path, compose("""
        db:
          image: postgres:16
          expose: ["5432"]
        app:
          image: x
          command: ["wait-for", "db:5432", "--", "serve"]
    """))
    assert ("services.app.command: 'db:5432' names service db, which resolves under bridge only"
            in warnings_text(result))


def test_containers_larger_than_the_task_are_reported(tmp_path):
    result = import_text(tmp_path, compose("""
        a:
          image: x
          mem_limit: 768m
        b:
          image: y
          deploy: {resources: {reservations: {memory: 512m, cpus: "1.5"}}}
    """))
    text = warnings_text(result)
    assert "services: the containers ask for 1280 MiB together, more than the ec2 task's 1024 MiB" in text
    assert "the containers ask for 1536 CPU units together" in text


def test_password_variable_outside_environment_is_refused(tmp_path):
    with pytest.raises(ComposeError, match=r"services\.cache\.command: uses the password variable REDIS_PASSWORD"):
        import_text(tmp_path, compose("""
            cache:
              image: redis:7
              command: redis-server --requirepass ${REDIS_PASSWORD}
        """), environ={"REDIS_PASSWORD": "pw"})


def test_dotted_environment_names_pass_as_docker_passes_them(tmp_path):
    result = import_text(tmp_path, compose("es:\n  image: elasticsearch:8.15.0\n  environment:\n"
                                           "    discovery.type: single-node\n"))
    assert environment(container_definitions(result.config, "awsvpc")["es"]) == {"discovery.type": "single-node"}


def test_top_level_names_that_yaml_reads_as_numbers_sit_beside_text_names(tmp_path):
    """volumes:, networks: and secrets: entries are taken in name order, whatever YAML made of the name."""
    result = import_text(tmp_path, "services:\n  db:\n    image: postgres:16\n    networks: [back]\n"
                                   "    volumes: ['1:/var/lib/postgresql/data']\n    secrets: [pw]\n"
                                   "volumes:\n  1: {}\n  a:\nnetworks:\n  2: {}\n  back:\n"
                                   "secrets:\n  3: {environment: THREE}\n  pw: {environment: PW}\n")
    db = result.config.application.container("db")
    assert [mount.volume for mount in db.mounts] == ["1"]
    assert db.networks == ("back",)
    with pytest.raises(ComposeError, match=r"volumes\.a: expected a mapping, got"):
        import_text(tmp_path, "services:\n  db:\n    image: postgres:16\nvolumes:\n  a: [x]\n")
