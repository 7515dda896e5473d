"""Any application as separate ECS services: a five-service application, resource by resource; bad input.

tests/data/services/shop.yaml: web (public nginx) -> api -> db (PostgreSQL) and cache (Redis); a worker
that uses both and keeps reports on a volume the image table does not know.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ecs_templates.config import load_config
from ecs_templates.config.topology import topology
from ecs_templates.errors import ConfigError
from ecs_templates.stacks import build_all
from helpers import assert_build_refuses, config_with, resources_of_type
from services_helpers import containers, ecs_services, environment, ingress_graph, role_statements, service_connect_aliases

SHOP = Path(__file__).parent / "data" / "services" / "shop.yaml"
SERVICES = {"web", "api", "worker", "cache", "db"}


@pytest.fixture(scope="module")
def shop() -> dict[str, dict[str, Any]]:
    return {name: template.to_dict() for name, template in build_all(load_config(SHOP)).items()}


def test_the_stacks_asked_for_and_lint_clean(shop, validator):
    assert set(shop) == {"ecr", "ecs-services", "ecs-services-rds"}
    import json
    for name in ("ecs-services", "ecs-services-rds"):
        assert validator.lint_text(json.dumps(shop[name]), f"shop/{name}.json") == []


def test_one_ecs_service_per_application_service(shop):
    assert set(ecs_services(shop["ecs-services"])) == SERVICES
    assert set(ecs_services(shop["ecs-services-rds"])) == SERVICES - {"db"}


def test_security_group_graph_follows_who_talks_to_whom(shop):
    graph = ingress_graph(shop["ecs-services"])
    assert graph == {
        ("LoadBalancerSecurityGroup", 80, "tcp", "cidr:AllowedCidr"),
        ("LoadBalancerSecurityGroup", 443, "tcp", "cidr:AllowedCidr"),
        ("WebSecurityGroup", 80, "tcp", "LoadBalancerSecurityGroup"),
        ("ApiSecurityGroup", 8080, "tcp", "WebSecurityGroup"),              # API_URL=http://api:8080/v1
        ("DbSecurityGroup", 5432, "tcp", "ApiSecurityGroup"),               # DATABASE_HOST: db, the table's port
        ("DbSecurityGroup", 5432, "tcp", "WorkerSecurityGroup"),
        ("CacheSecurityGroup", 6379, "tcp", "ApiSecurityGroup"),            # redis://cache:6379/0
        ("CacheSecurityGroup", 6379, "tcp", "WorkerSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "tcp", "CacheSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "tcp", "DbSecurityGroup"),
        ("FileSystemSecurityGroup", 2049, "tcp", "WorkerSecurityGroup"),
    }
    rds = ingress_graph(shop["ecs-services-rds"])
    assert ("DbDatabaseSecurityGroup", 5432, "tcp", "ApiSecurityGroup") in rds
    assert ("DbDatabaseSecurityGroup", 5432, "tcp", "WorkerSecurityGroup") in rds
    assert not any(group == "DbSecurityGroup" for group, *_ in rds)


def test_service_connect_names_are_the_service_names(shop):
    assert service_connect_aliases(shop["ecs-services"]) == {
        ("web", "web", 80), ("api", "api", 8080), ("cache", "cache", 6379), ("db", "db", 5432)}
    worker = ecs_services(shop["ecs-services"])["worker"]["ServiceConnectConfiguration"]
    assert worker["Enabled"] is True and "Services" not in worker  # a client only
    api = containers(shop["ecs-services"], "ApiTaskDefinition")["api"]
    assert environment(api)["REDIS_URL"] == "redis://cache:6379/0" and environment(api)["DATABASE_HOST"] == "db"


def test_volumes_each_get_an_access_point_with_the_owner_the_image_needs(shop):
    points = {name: p["Properties"] for name, p in resources_of_type(shop["ecs-services"], "AWS::EFS::AccessPoint").items()}
    assert set(points) == {"DbDataAccessPoint", "CacheDataAccessPoint", "ReportsAccessPoint"}
    assert points["DbDataAccessPoint"]["PosixUser"] == {"Uid": "999", "Gid": "999"}
    assert points["DbDataAccessPoint"]["RootDirectory"]["CreationInfo"]["Permissions"] == "0700"
    # Not in the image table: root-owned, no user enforced, and the worker's role may act as root there.
    assert "PosixUser" not in points["ReportsAccessPoint"]
    assert points["ReportsAccessPoint"]["RootDirectory"]["CreationInfo"]["OwnerUid"] == "0"
    worker_mount = role_statements(shop["ecs-services"], "WorkerTaskRole")
    assert worker_mount[0]["Action"] == ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite",
                                         "elasticfilesystem:ClientRootAccess"]
    db_mount = role_statements(shop["ecs-services"], "DbTaskRole")
    assert "elasticfilesystem:ClientRootAccess" not in db_mount[0]["Action"]


def test_services_that_hold_data_keep_one_task_the_others_scale(shop):
    services = ecs_services(shop["ecs-services"])
    for name in ("db", "cache", "worker"):
        assert services[name]["DesiredCount"] == 1
        assert services[name]["DeploymentConfiguration"]["MaximumPercent"] == 100
        assert f"{name.title()}ScalableTarget" not in shop["ecs-services"]["Resources"]
    assert services["web"]["DesiredCount"] == 2
    parameters = shop["ecs-services"]["Parameters"]
    assert (parameters["WebMinTasks"]["Default"], parameters["WebMaxTasks"]["Default"]) == (2, 6)
    resources = shop["ecs-services"]["Resources"]
    assert "WebRequestsScalingPolicy" in resources and "ApiRequestsScalingPolicy" not in resources
    assert "ApiCpuScalingPolicy" in resources
    api = resources["ApiTaskDefinition"]["Properties"]
    assert (api["Cpu"], api["Memory"]) == ("1024", "2048")


def test_start_order_follows_depends_on(shop):
    resources = shop["ecs-services"]["Resources"]
    assert {"DbService", "CacheService"} <= set(resources["ApiService"]["DependsOn"])
    assert "ApiService" in resources["WebService"]["DependsOn"]


def test_only_the_web_service_is_public(shop):
    outputs = shop["ecs-services"]["Outputs"]
    assert [name for name in outputs if name.endswith("Url")] == ["WebUrl"]
    assert set(resources_of_type(shop["ecs-services"], "AWS::ElasticLoadBalancingV2::TargetGroup")) == {"Web80TargetGroup"}


def test_postgres_on_rds_gets_its_user_from_a_setup_container_in_each_client(shop):
    template = shop["ecs-services-rds"]
    database = template["Resources"]["DbDatabase"]["Properties"]
    assert (database["Engine"], database["EngineVersion"], database["Port"]) == ("postgres", "16", "5432")
    for client in ("Api", "Worker"):
        task = containers(template, f"{client}TaskDefinition")
        setup = task["db-app-user"]
        assert "psql" in setup["Command"][2] and "sslmode=require" in setup["Command"][2]
        assert environment(setup)["DB_APP_USER"] == "shop" and environment(setup)["DB_MASTER_USER"] == "dbadmin"
    assert environment(containers(template, "ApiTaskDefinition")["api"])["DATABASE_HOST"] == "db"  # not a `uses`


def test_public_udp_and_tcp_go_behind_a_network_load_balancer(validator):
    config = config_with({"application": {"extends": "none", "name": "game", "containers": {
        "server": {"image": "registry.example.com/game/server:1", "ports": [
            {"container": 27015, "protocol": "udp", "public": True},
            {"container": 27016, "public": True},
            {"container": 8080, "public": True}]}}},
        "stacks": ["ecs-services"]})
    template = build_all(config)["ecs-services"]
    data = template.to_dict()
    nlb = data["Resources"]["NetworkLoadBalancer"]["Properties"]
    assert nlb["Type"] == "network" and nlb["SecurityGroups"] == [{"Ref": "NetworkLoadBalancerSecurityGroup"}]
    listeners = {p["Properties"]["Port"]: p["Properties"]["Protocol"]
                 for p in resources_of_type(data, "AWS::ElasticLoadBalancingV2::Listener").values()}
    assert listeners == {27015: "UDP", 27016: "TCP", 80: "HTTP", 443: "HTTPS"}  # the first public HTTP one: 80/443
    graph = ingress_graph(data)
    assert ("ServerSecurityGroup", 27015, "udp", "NetworkLoadBalancerSecurityGroup") in graph
    assert ("NetworkLoadBalancerSecurityGroup", 27015, "udp", "cidr:AllowedCidr") in graph
    assert validator.lint_text(template.to_json(), "game.json") == []


def test_three_services_on_one_port_run_only_as_services():
    """A three-node ZooKeeper ensemble: one task cannot hold it; the services stack can."""
    nodes = {f"zoo{n}": {"image": "zookeeper:3.9", "ports": [{"container": 2181}],
                         "environment": {"ZOO_MY_ID": str(n),
                                         "ZOO_SERVERS": " ".join(f"server.{m}=zoo{m}:2888:3888;2181" for m in (1, 2, 3))}}
             for n in (1, 2, 3)}
    base = {"application": {"extends": "none", "name": "zk", "containers": nodes}}
    templates = build_all(config_with({**base, "stacks": ["ecs-services"]}))
    data = templates["ecs-services"].to_dict()
    assert set(ecs_services(data)) == {"zoo1", "zoo2", "zoo3"}
    assert ("Zoo2SecurityGroup", 2888, "tcp", "Zoo1SecurityGroup") in ingress_graph(data)
    with pytest.raises(ConfigError) as raised:
        build_all(config_with({**base, "stacks": ["ecs-fargate"]}))
    assert "ecs-services" in raised.value.message and "2181" in raised.value.message


def test_two_services_on_one_host_port_are_refused_by_ecs_ec2_and_run_as_services(tmp_path: Path):
    text = ("application:\n  extends: none\n  name: two\n  containers:\n"
            "    a: {image: nginx:1.27, ports: [{container: 80, host: 80, public: true}]}\n"
            "    b: {image: nginx:1.27, ports: [{container: 80, host: 8080, public: true}]}\n")
    assert_build_refuses(tmp_path, text.replace("8080", "80") + "stacks: [ecs-ec2]\n",
                         "b and a both take host port 80 of the instance, which one task (ecs-ec2) cannot hold")
    listeners = {p["Properties"]["Port"] for p in resources_of_type(
        build_all(config_with({**__import__("yaml").safe_load(text), "stacks": ["ecs-services"]}))["ecs-services"]
        .to_dict(), "AWS::ElasticLoadBalancingV2::Listener").values()}
    assert listeners == {80, 443, 8080}


def test_host_and_path_rules_share_the_main_listener():
    config = config_with({"application": {"containers": {"adminer": {
        "image": "adminer:4", "ports": [{"container": 8080, "public": True}], "depends_on": {"mariadb": "START"}}}},
        "services": {"tasks": {"adminer": {"host_header": "admin.example.com"}}}})
    data = build_all(config)["ecs-services"].to_dict()
    rule = data["Resources"]["Adminer8080HttpRule"]["Properties"]
    assert rule["ListenerArn"] == {"Ref": "HttpListener"}
    assert rule["Conditions"] == [{"Field": "host-header", "HostHeaderConfig": {"Values": ["admin.example.com"]}}]
    assert data["Resources"]["Adminer8080HttpsRule"]["Condition"] == "HasCertificate"
    assert ("MariadbSecurityGroup", 3306, "tcp", "AdminerSecurityGroup") in ingress_graph(data)


def test_topology_is_plain_data_for_the_python_api():
    result = topology(load_config(SHOP))
    assert [service.name for service in result.services] == ["api", "cache", "db", "web", "worker"]
    assert result.service("db").holds_data and not result.service("api").holds_data
    assert result.clients_of("cache") == ("api", "worker")


SHOP_TEXT = SHOP.read_text()


@pytest.mark.parametrize("change, fragment", [
    # an invalid service name
    (lambda text: text.replace("    worker:", "    Worker_1:"), "application.containers.Worker_1: 'Worker_1' is not a valid name"),
    # a dependency on an unknown service
    (lambda text: text.replace("depends_on: {api: START}", "depends_on: {payments: START}"),
     "no container named 'payments'"),
    # two services publishing the same port
    (lambda text: text.replace("image: redis:7.4", "image: redis:7.4\n      ports: [{container: 80, host: 80, public: true}]"),
     "both publish TCP 80"),
    # a volume shared by services that cannot share it
    (lambda text: text.replace("mounts: [{volume: reports, path: /srv/reports}]", "mounts: [{volume: db-data, path: /srv/reports}]"),
     "volume 'db-data' is shared by db, worker, but db holds data and must be its only writer"),
    # RDS asked for a service that is not a known database
    (lambda text: text.replace("services:\n", "services:\n  rds: {replace: [cache]}\n"),
     "cache (redis:7.4) is not a database that RDS can replace"),
    # a size that Fargate does not offer
    (lambda text: text.replace("api: {cpu: 1024, memory: 2048}", "api: {cpu: 1024, memory: 1536}"),
     "services.tasks.api.memory: 1536 MiB does not go with cpu 1024 on Fargate"),
    # settings for a service that does not exist
    (lambda text: text.replace("    web: {min_tasks", "    front: {min_tasks"), "services.tasks.front: no service named 'front'"),
    # a database port made public
    (lambda text: text.replace("image: postgres:16", "image: postgres:16\n      ports: [{container: 5432, public: true}]"),
     "database ports are never public"),
    # two writers asked for a database
    (lambda text: text.replace("api: {cpu: 1024, memory: 2048}", "api: {cpu: 1024, memory: 2048}\n    db: {desired_tasks: 2, max_tasks: 2}"),
     "db holds data (a postgres database) and runs one task"),
    # a one-shot container nobody waits for
    (lambda text: text.replace("image: redis:7.4", "image: redis:7.4\n    seed:\n      image: registry.example.com/shop/seed:1\n      essential: false\n    cache2:\n      image: redis:7.4"),
     "seed is a one-shot container (not essential) that no service waits for"),
])
def test_bad_services_input_is_one_clear_message_and_nothing_written(tmp_path: Path, change, fragment):
    assert_build_refuses(tmp_path, change(SHOP_TEXT), fragment)


def test_quotas_exceeded_is_refused(tmp_path: Path):
    """Over 500 resources: the build names the quota, the count and what to do (ecs_templates/quotas.py)."""
    lines = ["application:", "  extends: none", "  name: big", "  containers:"]
    for n in range(60):
        lines += [f"    svc{n:02d}:", "      image: registry.example.com/big/app:1", "      repository: app",
                  f"      ports: [{{container: {8000 + n}}}]", f"      environment: {{NEXT: \"http://svc{(n + 1) % 60:02d}:{8000 + (n + 1) % 60}\"}}"]
    lines += ["stacks: [ecs-services]"]
    assert_build_refuses(tmp_path, "\n".join(lines) + "\n", "resources")
