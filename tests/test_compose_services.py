"""Compose files of the common shapes import as one ECS service per compose service, and build lint-clean.

Per service: the ECS service, its security group admitting exactly its clients on the ports they
use, the Service Connect alias, an EFS access point per named volume, and the load balancer's
listener and target group for a public port. The import report names the stacks and the reasons.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecs_templates.artifacts import render_templates
from ecs_templates.importers.compose import import_compose
from ecs_templates.stacks import build_all
from compose_helpers import DATA, import_text
from helpers import run_cli

SHAPES = {
    # file: {service: ({(client, port)}, [aliases (name, port)], [volumes], public port or None)}
    "wordpress-mysql.yml": {
        "wordpress": (set(), [("wordpress", 80)], ["Wordpress"], 80),
        # 33060 (the X protocol) from the image table: published by name, but open to nobody.
        "db": ({("wordpress", 3306)}, [("db", 3306), ("db", 33060)], ["Db"], None)},
    "adminer-postgres.yml": {
        "adminer": (set(), [("adminer", 8080)], [], 8080),
        "db": ({("adminer", 5432)}, [("db", 5432)], ["Pgdata"], None)},
    "zookeeper-ensemble.yml": {
        f"zoo{n}": ({(f"zoo{m}", port) for m in (1, 2, 3) if m != n for port in (2888, 3888)},
                    [(f"zoo{n}", 2181), (f"zoo{n}", 2888), (f"zoo{n}", 3888)], [f"Zoo{n}Data", f"Zoo{n}Datalog"],
                    None) for n in (1, 2, 3)},
    # Two networks: the proxy reaches the app only; the app reaches db under its alias `database`.
    "networks-aliases.yml": {
        "proxy": (set(), [("proxy", 80)], [], 80),
        "app": ({("proxy", 8000)}, [("app", 8000)], [], None),
        "db": ({("app", 5432)}, [("db", 5432)], ["DbVarLibPostgresqlData"], None)},
    "elasticsearch-kibana.yml": {
        "kibana": (set(), [("kibana", 5601)], [], 5601),
        "elasticsearch": ({("kibana", 9200)}, [("elasticsearch", 9200), ("elasticsearch", 9300)], ["Esdata"], None)},
}


def _logical(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


PARAMS = sorted(SHAPES)


@pytest.fixture(scope="module", params=sorted(SHAPES))
def imported(request):
    result = import_compose(DATA / request.param, environ={"DB_PASSWORD": "x", "POSTGRES_PASSWORD": "y"})
    return request.param, result, {name: json.loads(t.to_json()) for name, t in build_all(result.config).items()}


@pytest.mark.parametrize("name", PARAMS)
def test_every_stack_of_the_import_builds_lint_clean(name, validator):
    result = import_compose(DATA / name, environ={})
    files = render_templates(build_all(result.config))
    for stack in result.config.stacks:
        findings = validator.lint_text(files[f"{stack}.json"].decode(), f"{name}:{stack}.json")
        assert findings == [], "\n".join(map(str, findings))


def test_each_compose_service_is_its_own_ecs_service(imported):
    name, result, templates = imported
    resources = templates["ecs-services"]["Resources"]
    services = {r["Properties"]["ServiceName"] for r in resources.values() if r["Type"] == "AWS::ECS::Service"}
    assert services == set(SHAPES[name])
    for service, (_, aliases, _, _) in SHAPES[name].items():
        connect = resources[f"{_logical(service)}Service"]["Properties"]["ServiceConnectConfiguration"]
        assert sorted((a["DnsName"], a["Port"]) for s in connect["Services"] for a in s["ClientAliases"]) == aliases


def test_security_groups_admit_exactly_the_clients_on_the_ports_they_use(imported):
    name, _, templates = imported
    resources = templates["ecs-services"]["Resources"]
    by_group = {f"{_logical(s)}SecurityGroup": s for s in SHAPES[name]}
    for service, (clients, _, _, public) in SHAPES[name].items():
        group = f"{_logical(service)}SecurityGroup"
        found = set()
        rules = [r["Properties"] for r in resources.values()
                 if r["Type"] == "AWS::EC2::SecurityGroupIngress" and r["Properties"]["GroupId"] == {"Ref": group}]
        rules += resources[group]["Properties"].get("SecurityGroupIngress", [])
        from_lb = set()
        for rule in rules:
            assert "CidrIp" not in rule and rule["FromPort"] == rule["ToPort"]
            source = rule["SourceSecurityGroupId"]["Ref"]
            if source == "LoadBalancerSecurityGroup":
                from_lb.add(rule["FromPort"])
            else:
                found.add((by_group[source], rule["FromPort"]))
        assert found == clients, service
        assert from_lb == ({public} if public else set()), service


def test_an_efs_access_point_per_named_volume(imported):
    name, _, templates = imported
    points = {n for n, r in templates["ecs-services"]["Resources"].items() if r["Type"] == "AWS::EFS::AccessPoint"}
    assert points == {f"{volume}AccessPoint" for _, _, volumes, _ in SHAPES[name].values() for volume in volumes}


def test_the_public_port_is_behind_the_load_balancer(imported):
    name, _, templates = imported
    resources = templates["ecs-services"]["Resources"]
    (service, port), = [(s, spec[3]) for s, spec in SHAPES[name].items() if spec[3]] or [(None, None)]
    groups = {n: r for n, r in resources.items() if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup"}
    if service is None:
        assert groups == {}
        return
    assert set(groups) == {f"{_logical(service)}{port}TargetGroup"}
    assert groups[f"{_logical(service)}{port}TargetGroup"]["Properties"]["Port"] == port
    listener = resources["HttpListener"]["Properties"]
    assert listener["Port"] == 80
    assert listener["DefaultActions"][0]["TargetGroupArn"] == {"Ref": f"{_logical(service)}{port}TargetGroup"}


def test_the_report_names_the_stacks_and_each_ports_protocol(imported):
    name, result, _ = imported
    notes = "\n".join(map(str, result.notes))
    assert f"{name}: stacks: {', '.join(result.config.stacks)}" in notes
    for service in SHAPES[name]:
        assert f"services.{service}.ports: " in notes


def test_canonical_wordpress_database_gets_the_image_port_and_rds():
    result = import_compose(DATA / "wordpress-mysql.yml", environ={})
    (use,) = result.config.application.container("wordpress").uses
    assert (use.container, use.port, use.env) == ("db", 3306, "WORDPRESS_DB_HOST")
    assert result.config.stacks == ("ecr", "ecs-ec2", "ecs-fargate", "ecs-services", "ecs-services-rds")
    notes = "\n".join(map(str, result.notes))
    assert ("services.db.ports: 3306/tcp speaks tcp (image table: mysql); port from image table (mysql): "
            "wordpress reaches it by name and it lists no port; private; reached by wordpress") in notes
    assert ("services.wordpress.ports: 80/tcp speaks http (image table: wordpress); port from ports:; public, "
            "Application Load Balancer on 80") in notes


def test_zookeeper_leaves_out_the_single_task_stacks_and_says_why():
    result = import_compose(DATA / "zookeeper-ensemble.yml", environ={})
    assert result.config.stacks == ("ecr", "ecs-services")
    notes = "\n".join(map(str, result.notes))
    assert ("stacks: ecs-ec2 and ecs-fargate left out: they run every service in one task (one network), and "
            "zoo1 and zoo2 both listen on TCP 2181; ecs-services runs each as its own service") in notes
    assert "stacks: ecs-services-rds left out: " in notes
    assert "ecs-fargate" not in build_all(result.config)


def test_app_protocol_replicas_and_limits_map_to_the_service():
    result = import_compose(DATA / "elasticsearch-kibana.yml", environ={})
    (port,) = result.config.application.container("kibana").ports
    assert (port.container_port, port.app_protocol, port.public) == (5601, "http", True)
    services = result.config.services
    kibana, search = services.settings_of("kibana"), services.settings_of("elasticsearch")
    assert (kibana.desired_tasks, kibana.max_tasks) == (2, 4)
    assert (search.cpu, search.memory) == (2048, 4096)  # 1.5 CPUs and 3 GiB, rounded up to a Fargate size
    notes = "\n".join(map(str, result.notes))
    assert "services.kibana.ports: 5601/tcp speaks http (compose app_protocol)" in notes
    # rounded: a warning that gives the size
    assert ("1536 CPU units and 3072 MiB become the Fargate size 2048 CPU units / 4096 MiB of its service "
            "(services.tasks.elasticsearch), rounded up") in "\n".join(map(str, result.warnings))


def test_replicas_of_a_service_that_holds_data_are_refused(tmp_path: Path):
    from ecs_templates.errors import ComposeError
    with pytest.raises(ComposeError, match=r"services\.db\.deploy\.replicas: 3 replicas of a service that holds "
                                           r"data \(a postgres database\).*remove deploy\.replicas"):
        import_text(tmp_path, "services:\n  db:\n    image: postgres:16\n    deploy: {replicas: 3}\n")


BAD_REACH = """\
services:
  web:
    image: nginx:1.27
    ports: ["80:80"]
    environment:
      API_HOST: api
  api:
    image: registry.example.com/shop/api:2.1
"""


def test_a_name_reached_without_any_port_is_one_error_and_writes_nothing(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text(BAD_REACH)
    result = run_cli("import-compose", "docker-compose.yml", "-o", "app.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "ecs-templates: error: docker-compose.yml: services.api.expose: web reaches api by name "
        "(environment.API_HOST), but api lists no port (ports: or expose:), the image table knows none for "
        "registry.example.com/shop/api:2.1, and no file of the project names one; add the port it listens on, e.g. expose: [\"8080\"]"]
    assert not (tmp_path / "app.yaml").exists()


def test_depends_on_a_known_image_without_ports_opens_its_main_port(tmp_path: Path):
    result = import_text(tmp_path, "services:\n  app:\n    image: x\n    depends_on: [cache]\n"
                                   "  cache:\n    image: redis:7\n")
    assert [p.container_port for p in result.config.application.container("cache").ports] == [6379]
    resources = build_all(result.config)["ecs-services"].to_dict()["Resources"]
    assert resources["CacheFromApp6379TcpIngress"]["Properties"]["FromPort"] == 6379


def test_two_services_on_one_port_build_as_services(tmp_path: Path):
    result = import_text(tmp_path, "services:\n  a:\n    image: x\n    expose: ['80']\n"
                                   "  b:\n    image: y\n    ports: ['80:80']\n")
    assert result.config.stacks[:2] == ("ecr", "ecs-services")
    assert "a and b both listen on TCP 80" in "\n".join(map(str, result.notes))
