"""The configuration model: the embedded default is the seed's, and bad input names its field."""
from __future__ import annotations

from pathlib import Path

import pytest

from ecs_templates.config import load_config, parse_config
from ecs_templates.errors import ConfigError


def test_default_is_the_seed_application(default_config):
    app = default_config.application
    assert [c.name for c in app.containers] == ["mariadb", "wordpress"]
    wordpress, mariadb = app.container("wordpress"), app.container("mariadb")
    assert wordpress.image == "wordpress:latest" and mariadb.image == "mariadb:11.4"
    assert wordpress.environment_map == {
        "WORDPRESS_CONFIG_EXTRA": "define('WP_AUTO_UPDATE_CORE', false);",
        "WORDPRESS_DB_NAME": "wordpress", "WORDPRESS_DB_USER": "wordpress"}
    assert mariadb.environment_map == {"MYSQL_DATABASE": "wordpress", "MYSQL_USER": "wordpress"}
    assert dict(mariadb.secrets) == {"MYSQL_PASSWORD": "db-password", "MYSQL_ROOT_PASSWORD": "db-root-password"}
    assert dict(wordpress.secrets) == {"WORDPRESS_DB_PASSWORD": "db-password"}
    assert [(p.container_port, p.host_port, p.public) for p in wordpress.ports] == [(80, 80, True)]
    assert [(p.container_port, p.host_port, p.public) for p in mariadb.ports] == [(3306, None, False)]
    assert [(d.container, d.condition) for d in wordpress.depends_on] == [("mariadb", "HEALTHY")]
    assert mariadb.essential and wordpress.essential
    assert mariadb.health_check is not None and "password" not in " ".join(mariadb.health_check.command).lower()
    ec2 = default_config.ec2
    assert (ec2.cluster_name, ec2.task_family, ec2.service_name) == ("wordpress-cluster", "wordpress-task",
                                                                     "wordpress-service")
    assert (ec2.task_cpu, ec2.task_memory, ec2.desired_count) == (1024, 1024, 1)
    capacity = ec2.capacity
    assert (capacity.architecture, capacity.desired_size, capacity.max_size, capacity.root_volume_gib) == \
        ("arm64", 1, 2, 30)
    assert capacity.instance.architecture == "arm64"


def test_override_changes_one_value_and_keeps_the_rest():
    config = parse_config({"ec2": {"capacity": {"max_size": 4}},
                           "application": {"containers": {"wordpress": {"environment": {"EXTRA": 1}}}}})
    assert config.ec2.capacity.max_size == 4
    assert config.ec2.capacity.instance_type == "t4g.medium"
    env = config.application.container("wordpress").environment_map
    assert env["EXTRA"] == "1" and env["WORDPRESS_DB_NAME"] == "wordpress"


def test_application_name_drives_default_names():
    config = parse_config({"application": {"name": "blog"}})
    assert (config.ec2.cluster_name, config.ec2.task_family) == ("blog-cluster", "blog-task")


def test_extends_none_starts_from_an_empty_application():
    config = parse_config({"application": {"extends": "none", "name": "web", "containers": {
        "nginx": {"image": "nginx:1.27", "ports": [{"container": 80, "host": 80, "public": True}]}}}})
    assert [c.name for c in config.application.containers] == ["nginx"]
    assert config.application.secrets == ()


def test_null_removes_a_container():
    config = parse_config({"application": {"containers": {"wordpress": None}}})
    assert [c.name for c in config.application.containers] == ["mariadb"]


def test_x86_architecture_with_x86_type():
    config = parse_config({"ec2": {"capacity": {"architecture": "x86_64", "instance_type": "t3.medium"}}})
    assert config.ec2.capacity.instance.architecture == "x86_64"


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"ec2": {"capacity": {"instance_type": "t2.medium"}}}, "ec2.capacity.instance_type",
     "t2.medium is an x86_64 instance type"),
    ({"ec2": {"capacity": {"instance_type": "t2.medium"}}}, "ec2.capacity.instance_type", "t4g"),
    ({"ec2": {"capacity": {"instance_type": "z9.huge"}}}, "ec2.capacity.instance_type", "not offered"),
    ({"ec2": {"capacity": {"architecture": "sparc"}}}, "ec2.capacity.architecture", "arm64, x86_64"),
    ({"ec2": {"capacity": {"desired_size": 3}}}, "ec2.capacity.desired_size", "min_size <= desired_size"),
    ({"ec2": {"task_memory": 8192}}, "ec2.task_memory", "does not fit on t4g.medium"),
    ({"ec2": {"task_cpu": "lots"}}, "ec2.task_cpu", "expected an integer"),
    ({"ec2": {"desired_count": 3}}, "ec2.desired_count", "fixed host port 80"),
    ({"ec2": {"clusterName": "x"}}, "ec2.clusterName", "unknown key; did you mean 'cluster_name'?"),
    ({"bogus": 1}, "bogus", "unknown key"),
    ({"ec2": ["a", "b"]}, "ec2", "expected a mapping"),
    ({"logs": {"retention_days": 42}}, "logs.retention_days", "not a CloudWatch Logs retention"),
    ({"application": {"containers": {"wordpress": {"imag": "x"}}}},
     "application.containers.wordpress.imag", "unknown key"),
    ({"application": {"containers": {"wordpress": {"essential": "yes"}}}},
     "application.containers.wordpress.essential", "expected true or false"),
    ({"application": {"containers": {"wordpress": {"ports": [{"container": 70000}]}}}},
     "application.containers.wordpress.ports[0].container", "above the maximum"),
    ({"application": {"containers": {"wordpress": {"depends_on": {"redis": "START"}}}}},
     "application.containers.wordpress.depends_on.redis", "no container named 'redis'"),
    ({"application": {"containers": {"mariadb": {"depends_on": {"wordpress": "START"}}}}},
     "application.containers.mariadb.depends_on", "dependency cycle mariadb -> wordpress -> mariadb"),
    ({"application": {"containers": {"mariadb": {"health_check": None}}}},
     "application.containers.wordpress.depends_on.mariadb", "has no health_check"),
    ({"application": {"containers": {"wordpress": {"depends_on": {"mariadb": "READY"}}}}},
     "application.containers.wordpress.depends_on.mariadb", "START, COMPLETE, SUCCESS, HEALTHY"),
    ({"application": {"containers": {"wordpress": {"uses": [{"container": "mariadb", "port": 5432,
                                                             "env": "DB"}]}}}},
     "application.containers.wordpress.uses.mariadb.port", "does not expose port 5432"),
    ({"application": {"containers": {"wordpress": {"secrets": {"X": "api-key"}}}}},
     "application.containers.wordpress.secrets.X", "does not define"),
    ({"application": {"containers": {"wordpress": {"environment": {"WORDPRESS_DB_PASSWORD": "root"}}}}},
     "application.containers.wordpress.secrets.WORDPRESS_DB_PASSWORD", "keep it only in secrets"),
    ({"application": {"containers": {"wordpress": {"environment": {"WORDPRESS_DB_HOST": "db"}}}}},
     "application.containers.wordpress.uses.mariadb.env", "writes it from `uses`"),
    ({"application": {"containers": {"wordpress": {"health_check": {"command": ["curl", "x"]}}}}},
     "application.containers.wordpress.health_check.command", "CMD or CMD-SHELL"),
    ({"application": {"containers": {"Word_Press": {"image": "x"}}}},
     "application.containers.Word_Press", "not a valid name"),
    ({"application": {"containers": {"mariadb": {"essential": False}, "wordpress": {"essential": False}}}},
     "application.containers", "no container is essential"),
])
def test_bad_config_names_the_field(overrides, field, fragment):
    with pytest.raises(ConfigError) as raised:
        parse_config(overrides)
    assert raised.value.field == field
    assert fragment in raised.value.message


def test_arm64_with_t2_medium_names_valid_families():
    with pytest.raises(ConfigError, match=r"families .*c6g.*t4g.*\(e\.g\. t4g\.medium\)"):
        parse_config({"ec2": {"capacity": {"instance_type": "t2.medium"}}})


@pytest.mark.parametrize("content, fragment", [
    (b"ec2: [unclosed", "is not valid YAML at line 1"),
    (b"- a\n- b\n", "must hold a mapping at the top level"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "is not UTF-8 text"),
    (b"ec2:\n  capacity:\n    instance_type: t2.medium\n", "ec2.capacity.instance_type"),
])
def test_bad_config_file(tmp_path: Path, content: bytes, fragment: str):
    path = tmp_path / "app.yaml"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=None) as raised:
        load_config(path)
    assert fragment in str(raised.value)


def test_missing_config_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")


def test_empty_config_file_is_the_default(tmp_path: Path, default_config):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert load_config(path) == default_config
