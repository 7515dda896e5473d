"""The rest of the Compose specification that real files use: include, extends, profiles, x-ecs.

One test per shape, each on a compose file of tests/data/compose; what the import refuses is
in test_cli_import_compose.py (one line, nothing written).
"""
from __future__ import annotations

import json

import pytest

from ecs_templates.artifacts import render_templates
from ecs_templates.errors import ComposeError
from ecs_templates.importers.compose import import_compose, render_config
from ecs_templates.stacks import build_all
from compose_helpers import DATA, import_text, warnings_text
from helpers import run_cli


def _lint_clean(result, validator) -> None:
    files = render_templates(build_all(result.config))
    for stack in result.config.stacks:
        findings = validator.lint_text(files[f"{stack}.json"].decode(), f"{stack}.json")
        assert findings == [], "\n".join(map(str, findings))


def test_include_extends_and_profiles_give_the_services_compose_starts(validator):
    result = import_compose(DATA / "include-extends" / "compose.yaml", environ={})
    containers = result.data["application"]["containers"]
    assert sorted(containers) == ["db", "web", "worker"]  # debug is in a profile not chosen
    # extends from another file and from this one: mappings merged, the own value wins, command replaced
    for name in ("web", "worker"):
        assert containers[name]["environment"] == {"LOG_LEVEL": "debug", "TZ": "UTC"}
        assert containers[name]["labels"] == {"tier": "front"}
        assert containers[name]["depends_on"] == {"db": "HEALTHY"}
        assert containers[name]["uses"] == [{"container": "db", "port": 5432, "env": "DB_HOST", "format": "{host}"}]
    assert containers["web"]["command"] == ["serve", "--port", "8000"]
    assert containers["worker"]["command"] == ["worker"] and "ports" not in containers["worker"]
    # the included file's service, with its env_file read next to it
    assert containers["db"]["environment"] == {"POSTGRES_DB": "app"}
    assert "services.debug.profiles: not imported" in "\n".join(map(str, result.notes))
    _lint_clean(result, validator)


def test_a_chosen_profile_adds_its_services():
    result = import_compose(DATA / "include-extends" / "compose.yaml", environ={}, profiles=["debug"])
    assert result.data["application"]["containers"]["debug"]["command"] == ["sleep", "infinity"]


def test_x_ecs_maps_onto_ports_tasks_and_rds(validator):
    result = import_compose(DATA / "x-ecs.yml", environ={})
    assert result.data["services"] == {
        "rds": {"replace": ["db"]},
        "tasks": {"api": {"cpu": 1024, "memory": 2048, "min_tasks": 2, "desired_tasks": 3, "max_tasks": 6}}}
    assert "ecs-services-rds" in result.config.stacks
    assert result.data["application"]["containers"]["api"]["ports"] == [{"container": 8080}]
    _lint_clean(result, validator)


def test_x_ecs_rds_false_keeps_the_database_container(tmp_path):
    text = (DATA / "x-ecs.yml").read_text().replace("rds: true", "rds: false")
    result = import_text(tmp_path, text)
    assert "ecs-services-rds" not in result.config.stacks
    assert "x-ecs rds: false keeps every database service" in "\n".join(map(str, result.notes))


@pytest.mark.parametrize("extension, fragment", [
    ("{scale: 2}", r"services\.api\.x-ecs\.scale: unknown key; x-ecs has public, scaling, size, rds"),
    ("{public: maybe}", r"services\.api\.x-ecs\.public: expected true or false"),
    ("{scaling: {desired: 0}}", r"services\.api\.x-ecs\.scaling\.desired: expected a whole number above 0"),
    ("{size: {cpu: 300, memory: 512}}", r"services\.tasks\.api\.cpu"),
    ("{rds: true}", r"x-ecs\.rds: true, but ecs-services-rds cannot replace the database"),
])
def test_bad_x_ecs(tmp_path, extension, fragment):
    with pytest.raises(ComposeError, match=fragment):
        import_text(tmp_path, f"services:\n  api:\n    image: example/api:1\n    x-ecs: {extension}\n")


def test_unknown_profile_is_one_line_and_writes_nothing(tmp_path):
    (tmp_path / "docker-compose.yml").write_text("services:\n  web: {image: nginx}\n  debug:\n"
                                                 "    image: busybox\n    profiles: [debug]\n")
    result = run_cli("import-compose", "docker-compose.yml", "-o", "app.yaml", "--profile", "tools", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "ecs-templates: error: docker-compose.yml: --profile tools: no service of the file has that profile "
        "(profiles: debug); name one of them"]
    assert not (tmp_path / "app.yaml").exists()


def test_networks_that_separate_services_leave_out_the_one_task_stacks():
    result = import_compose(DATA / "networks-aliases.yml", environ={})
    assert result.config.stacks == ("ecr", "ecs-services")
    assert "keeps db and proxy on networks that share nothing" in "\n".join(map(str, result.notes))
    assert "networks.back.driver: ECS networks are security group rules" in warnings_text(result)


def test_a_password_inside_a_url_becomes_a_secret_assembled_from_the_generated_password(validator):
    environ = {"CACHE_PASSWORD": "s3cret-value"}
    result = import_compose(DATA / "url-password.yml", environ=environ)
    uses = {use["env"]: use for use in result.data["application"]["containers"]["backend"]["uses"]}
    assert uses["DATABASE_URL"]["format"] == "mysql://root:{password}@{host}:{port}/mysql"
    # the database and the URL agree on one generated password, as they did on the one text
    password = uses["DATABASE_URL"]["password"]
    assert result.data["application"]["containers"]["db"]["secrets"] == {"MYSQL_ROOT_PASSWORD": password}
    assert uses["CACHE_URL"]["password"] == "cache-password"
    files = render_templates(build_all(result.config))
    shown = [render_config(result.data, source="url-password.yml"), "\n".join(map(str, result.warnings + result.notes)),
             *(content.decode() for content in files.values())]
    for text in shown:
        assert "whalehello" not in text and "s3cret-value" not in text
    services = json.loads(files["ecs-services.json"])["Resources"]
    value = services["BackendBackendDATABASEURLValue"]["Properties"]["SecretString"]["Fn::Sub"]
    assert value[0] == "mysql://root:{{resolve:secretsmanager:${Password}}}@${Host}:3306/mysql"
    # The generated password, or the one a deleted copy kept (services stacks: Existing<Name>Arn).
    password = value[1]["Password"]
    assert password == {"Ref": "BackendDatabaseUrlPasswordSecret"} or password == {"Fn::If": [
        "CreateBackendDatabaseUrlPasswordSecret", {"Ref": "BackendDatabaseUrlPasswordSecret"},
        {"Ref": "ExistingBackendDatabaseUrlPasswordSecretArn"}]}
    definition, = services["BackendTaskDefinition"]["Properties"]["ContainerDefinitions"]
    assert {"Name": "DATABASE_URL", "ValueFrom": {"Ref": "BackendBackendDATABASEURLValue"}} in definition["Secrets"]
    assert not any(item["Name"].endswith("_URL") for item in definition.get("Environment", []))
    policy = json.dumps(services["BackendTaskExecutionRole"]["Properties"])
    assert "BackendBackendDATABASEURLValue" in policy and "BackendCACHEURLValue" in policy
    _lint_clean(result, validator)


def test_a_url_password_to_a_host_outside_the_file_is_refused(tmp_path):
    with pytest.raises(ComposeError, match=r"services\.api\.environment\.DATABASE_URL: holds a URL with a password "
                                           r"in it whose host is no service of this file"):
        import_text(tmp_path, "services:\n  api:\n    image: x\n    environment:\n"
                              "      DATABASE_URL: postgres://app:pw@db.example.com:5432/app\n")


def test_the_report_says_per_service_what_it_became():
    result = import_compose(DATA / "networks-aliases.yml", environ={})
    lines = [str(note) for note in result.notes if ": becomes " in str(note)]
    prefix = f"{DATA / 'networks-aliases.yml'}: services."
    assert lines == [
        prefix + "app: becomes ECS service app; ports 8000; DATABASE_HOST = the address of db:5432; networks back, front",
        prefix + "db: becomes ECS service db; ports 5432; secrets POSTGRES_PASSWORD <- db-postgres-password; "
                 "networks back",
        prefix + "proxy: becomes ECS service proxy; ports 80 public; UPSTREAM = the address of app:8000; networks front"]


def test_reset_and_override_tags_remove_and_replace_what_extends_inherits(tmp_path, validator):
    result = import_text(tmp_path, """\
x-base: &base
  image: nginx:1.27
  ports: ["8080:80"]
  environment: {A: "1", B: "2"}
  labels: {team: web}
services:
  base:
    <<: *base
  web:
    extends: base
    ports: !reset []
    environment: !override {C: "3"}
    labels: !reset null
  plain:
    image: nginx:1.27
    command: !reset null
""")
    web = result.config.application.container("web")
    assert web.ports == ()  # the inherited 8080:80 is gone
    assert dict(web.environment) == {"C": "3"} and dict(web.labels) == {}
    assert result.config.application.container("plain").command == ()
    files = render_templates(build_all(result.config))
    assert validator.lint_text(files["ecs-services.json"].decode(), "ecs-services.json") == []


def test_an_included_files_paths_are_its_own_directorys(tmp_path):
    (tmp_path / "api" / "app").mkdir(parents=True)
    (tmp_path / "api" / "app" / "Dockerfile").write_text("FROM python:3.12\nEXPOSE 8000\n")
    (tmp_path / "api" / "nginx.conf").write_text("events {}\n")
    (tmp_path / "api" / "compose.yaml").write_text(
        "services:\n  api:\n    build: ./app\n  edge:\n    image: nginx:1.27\n    ports: ['80:80']\n"
        "    depends_on: [api]\n    volumes: ['./nginx.conf:/etc/nginx/nginx.conf:ro', '/var/log:/host-logs:ro']\n")
    (tmp_path / "compose.yaml").write_text("include:\n  - api/compose.yaml\nservices:\n  other:\n    image: busybox:1.36\n")
    result = import_compose(tmp_path / "compose.yaml", environ={})
    containers = result.config.application
    assert containers.container("api").build.context == "api/app"
    edge = containers.container("edge")
    assert [(c.source, c.path) for c in edge.copies] == [("api/nginx.conf", "/etc/nginx/nginx.conf")]
    assert [(m.source, m.path) for m in edge.host_mounts] == [("/var/log", "/host-logs")]  # a host path stays one

    (tmp_path / "compose.yaml").write_text("include:\n  - path: api/compose.yaml\n    env_file: api.env\n")
    with pytest.raises(ComposeError, match=r"include\[0\]\.env_file: the import interpolates every file"):
        import_compose(tmp_path / "compose.yaml", environ={})
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "app").mkdir()
    (tmp_path / "shared" / "app" / "Dockerfile").write_text("FROM python:3.12\nEXPOSE 8000\n")
    (tmp_path / "shared" / "nginx.conf").write_text("events {}\n")
    (tmp_path / "compose.yaml").write_text("include:\n  - path: api/compose.yaml\n    project_directory: shared\n")
    result = import_compose(tmp_path / "compose.yaml", environ={})
    assert result.config.application.container("api").build.context == "shared/app"
