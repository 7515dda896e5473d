"""Realistic Compose files: each imports, builds every registered stack and lints clean.

The top-level docker-compose.yml (the seed's annex 1 done right) imports into exactly
the built-in default, so both build byte-identical templates.
"""
from __future__ import annotations

import pytest
import yaml

from ecs_templates.artifacts import render_templates
from ecs_templates.config import load_config, parse_config
from ecs_templates.importers.compose import import_compose, render_config
from ecs_templates.stacks import STACKS, build_all
from compose_helpers import DATA, container_definitions, environment, warnings_text
from helpers import ROOT

FILES = ["web-db.yml", "three-tier.yml", "worker.yml", "secrets.yml"]


@pytest.fixture(scope="module", params=FILES)
def imported(request):
    return request.param, import_compose(DATA / request.param, environ={})


@pytest.fixture(scope="module")
def built(imported):
    name, result = imported
    return name, result, render_templates(build_all(result.config))


def test_every_registered_stack_is_built(built):
    _, result, files = built
    assert {f"{spec.name}.json" for spec in STACKS if spec.enabled(result.config)} <= set(files)


@pytest.mark.parametrize("stack", [spec.name for spec in STACKS])
def test_imported_file_builds_lint_clean(built, stack, validator):
    name, result, files = built
    spec = next(spec for spec in STACKS if spec.name == stack)
    if not spec.enabled(result.config):  # e.g. ecs-services-*, which these applications do not fit
        assert f"{stack}.json" not in files
        return
    findings = validator.lint_text(files[f"{stack}.json"].decode(), f"{name}:{stack}.json")
    assert findings == [], "\n".join(map(str, findings))


def test_rendered_config_reads_back_to_the_same_config(imported):
    name, result = imported
    text = render_config(result.data, source=name)
    assert parse_config(yaml.safe_load(text)) == result.config
    assert render_config(import_compose(DATA / name, environ={}).data, source=name) == text


def test_top_level_compose_file_is_the_built_in_default():
    result = import_compose(ROOT / "docker-compose.yml", environ={})
    assert result.config == load_config()
    assert render_templates(build_all(result.config)) == render_templates(build_all(load_config()))


def test_top_level_compose_file_commits_no_password():
    text = (ROOT / "docker-compose.yml").read_text()
    document = yaml.safe_load(text)
    assert set(document["services"]) == {"mariadb", "wordpress"}
    for service in document["services"].values():
        for name, value in service.get("environment", {}).items():
            assert "PASSWORD" not in name or name.endswith("_FILE"), name
    example = (ROOT / ".env.example").read_text()
    assert "DB_PASSWORD=\n" in example and "DB_ROOT_PASSWORD=\n" in example
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_seed_annex_one_as_written_is_refused_as_mis_indented():
    with pytest.raises(Exception, match=r"seed-annex-1\.yml: services: is empty while db, wordpress at "
                                        r"the top level look like services: the services look mis-indented"):
        import_compose(DATA / "seed-annex-1.yml", environ={})


def test_web_db_shares_one_secret_and_wires_the_database_for_each_network_mode():
    result = import_compose(DATA / "web-db.yml", environ={})
    app = result.config.application
    assert [secret.name for secret in app.secrets] == ["db-password"]
    assert dict(app.container("db").secrets) == {"POSTGRES_PASSWORD": "db-password"}
    assert dict(app.container("gitea").secrets) == {"GITEA__database__PASSWD": "db-password"}
    bridge = container_definitions(result.config, "bridge")["gitea"]
    assert environment(bridge)["GITEA__database__HOST"] == "db:5432" and bridge["Links"] == ["db:db"]
    awsvpc = container_definitions(result.config, "awsvpc")["gitea"]
    assert environment(awsvpc)["GITEA__database__HOST"] == "127.0.0.1:5432" and "Links" not in awsvpc
    assert [(d.container, d.condition) for d in app.container("gitea").depends_on] == [("db", "HEALTHY")]
    assert {(m.volume, m.path) for m in app.container("db").mounts} == {("db-data", "/var/lib/postgresql/data")}
    assert "volumes.db-data: becomes a task volume shared by its containers: on ecs-ec2 a Docker volume" in warnings_text(result)


def test_three_tier_maps_urls_resources_and_env_file():
    result = import_compose(DATA / "three-tier.yml", environ={})
    app = result.config.application
    api = app.container("api")
    assert {(u.container, u.port, u.env, u.format) for u in api.uses} == {
        ("db", 5432, "DATABASE_URL", "postgres://shop@{host}:{port}/shop?sslmode=disable"),
        ("cache", 6379, "REDIS_URL", "redis://{host}:{port}/0")}
    assert (api.cpu, api.memory, api.memory_reservation) == (512, 384, 256)
    assert api.command == ("node", "server.js", "--port", "3000") and api.working_directory == "/srv/app"
    assert api.health_check.interval == 90 and api.health_check.start_period == 40
    assert api.environment_map == {"LOG_LEVEL": "info", "NODE_ENV": "production"}
    db = app.container("db")
    assert db.environment_map == {"POSTGRES_DB": "shop", "POSTGRES_USER": "shop"}
    assert dict(db.secrets) == {"POSTGRES_PASSWORD": "db-password"} == {"POSTGRES_PASSWORD": dict(api.secrets)["PGPASSWORD"]}
    assert db.health_check.command == ("CMD-SHELL", "pg_isready -U ${POSTGRES_USER} -d shop")
    frontend = app.container("frontend")
    assert [(p.container_port, p.host_port, p.public) for p in frontend.ports] == [(80, 80, True)]
    assert frontend.health_check.command == ("CMD-SHELL", "curl -fsS http://127.0.0.1/ || exit 1")
    assert ("three-tier.yml: services.frontend.ports[0]: '8080:80': the host port 8080 is a local choice; "
            "ECS publishes the container port 80") in warnings_text(result)
    awsvpc = container_definitions(result.config, "awsvpc")["api"]
    assert environment(awsvpc)["REDIS_URL"] == "redis://127.0.0.1:6379/0"


def test_worker_without_ports_waits_for_a_one_shot_job():
    result = import_compose(DATA / "worker.yml", environ={})
    app = result.config.application
    assert app.name == "compose"  # no name: the directory's, as Compose does
    worker, migrate = app.container("worker"), app.container("migrate")
    assert worker.ports == () and worker.essential and not migrate.essential
    assert {(d.container, d.condition) for d in worker.depends_on} == {("migrate", "SUCCESS"), ("queue", "HEALTHY")}
    assert worker.entry_point == ("/usr/local/bin/app",)
    assert worker.command == ("worker", "--queue", "reports", "--concurrency", "4")
    assert (worker.user, worker.cpu, worker.memory, worker.memory_reservation) == ("1000:1000", 256, 256, 128)
    assert dict(worker.labels) == {"com.example.role": "worker", "com.example.team": "reports"}
    assert dict(app.tags) == {"cost-center": "4711"}
    assert app.container("queue").cpu == 128
    (use,) = worker.uses  # the link alias `broker` names the queue service
    assert (use.container, use.port, use.format) == ("queue", 6379, "redis://{host}:{port}/1")
    definitions = container_definitions(result.config, "bridge")
    assert definitions["worker"]["DockerLabels"] == {"com.example.role": "worker", "com.example.team": "reports"}
    assert environment(definitions["worker"])["BROKER_URL"] == "redis://queue:6379/1"


def test_secrets_file_mounts_become_variables_and_each_use_is_reported():
    result = import_compose(DATA / "secrets.yml", environ={})
    app = result.config.application
    assert [s.name for s in app.secrets] == ["admin-password", "db-password", "smtp-password", "webhook-token"]
    assert dict(app.container("grafana").secrets) == {
        "GF_DATABASE_PASSWORD": "db-password", "GF_SECURITY_ADMIN_PASSWORD": "admin-password",
        "GF_SMTP_PASSWORD": "smtp-password"}
    assert dict(app.container("mysql").secrets) == {"MYSQL_PASSWORD": "db-password"}
    assert dict(app.container("alerts").secrets) == {"SMTP_AUTH_PASSWORD": "smtp-password",
                                                     "WEBHOOK_TOKEN": "webhook-token"}
    assert app.container("mysql").environment_map["MYSQL_RANDOM_ROOT_PASSWORD"] == "yes"
    text = warnings_text(result)
    for service in ("grafana", "mysql", "alerts"):
        assert f"secrets.yml: services.{service}.secrets: Compose mounts secrets as files" in text
    assert "check that the image reads the variable WEBHOOK_TOKEN" in text


@pytest.mark.parametrize("name", FILES + ["../../../docker-compose.yml"])
def test_no_password_value_reaches_a_template(name):
    result = import_compose(DATA / name, environ={"DB_PASSWORD": "s3cr3t-from-env", "SMTP_PASSWORD": "mail-pw",
                                                  "WORKER_TOKEN": "tok-123", "SESSION_SECRET": "sess-456"})
    rendered = b"".join(render_templates(build_all(result.config)).values()).decode()
    for value in ("s3cr3t-from-env", "mail-pw", "tok-123", "sess-456"):
        assert value not in rendered and value not in render_config(result.data, source=name)


def test_worker_without_public_port_opens_nothing_and_asks_no_cidr():
    result = import_compose(DATA / "worker.yml", environ={})
    for name, built_template in build_all(result.config).items():
        template = built_template.to_dict()
        assert "AllowedCidr" not in template.get("Parameters", {}), name
        assert "SiteUrlHint" not in template.get("Outputs", {}), name
        resources = template["Resources"]
        assert not [r for r in resources.values() if r["Type"].startswith("AWS::ElasticLoadBalancingV2::")], name
        for resource in resources.values():
            if resource["Type"] == "AWS::EC2::SecurityGroup":
                inline = resource["Properties"].get("SecurityGroupIngress", [])
                if name in ("ecs-ec2", "ecs-fargate"):
                    assert inline == [], name
                    assert "no public port" in resource["Properties"]["GroupDescription"], name
                else:  # EFS admits NFS from the services that mount a volume (queue: redis keeps /data)
                    assert all("CidrIp" not in rule and rule["FromPort"] == 2049 for rule in inline), name
            if resource["Type"] == "AWS::EC2::SecurityGroupIngress":  # the services stack: service to service only
                assert "CidrIp" not in resource["Properties"] and "SourceSecurityGroupId" in resource["Properties"]
    services = build_all(result.config)["ecs-services"].to_dict()["Resources"]
    ingress = {n: r["Properties"] for n, r in services.items() if r["Type"] == "AWS::EC2::SecurityGroupIngress"}
    assert {(p["FromPort"], p["ToPort"]) for p in ingress.values()} == {(6379, 6379)}, sorted(ingress)
