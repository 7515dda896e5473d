"""docs/configuration.md is generated from the one declaration of each setting, and current."""
from __future__ import annotations

import dataclasses

from ecs_templates.config.model import Ec2Capacity
from ecs_templates.config.services import ServiceSettings
from ecs_templates.docs.configuration import render
from helpers import ROOT, config_with


def test_the_committed_reference_is_current():
    assert (ROOT / "docs" / "configuration.md").read_text("utf-8") == render(), \
        "run `python -m ecs_templates.docs.configuration > docs/configuration.md` and commit it"


def test_every_declared_setting_appears_with_its_default_and_bounds():
    text = render()
    for field in dataclasses.fields(ServiceSettings):
        assert f"| `services.defaults.{field.name}` |" in text
    assert "| `ec2.capacity.max_size` | integer | `2` | 1..100 |" in text
    assert "| `services.launch_type` | string | `fargate` | fargate \\| ec2 |" in text


def test_the_loader_enforces_the_declared_bounds_and_names_them():
    import pytest
    from ecs_templates.errors import ConfigError
    with pytest.raises(ConfigError) as raised:
        config_with({"services": {"defaults": {"cpu_target_percent": 99}}})
    assert (raised.value.field, raised.value.message) == ("services.defaults.cpu_target_percent",
                                                          "99 is above the maximum 95")
    with pytest.raises(ConfigError) as raised:
        config_with({"ec2": {"capacity": {"max_sise": 3}}})
    assert "did you mean 'max_size'?" in raised.value.message
    assert Ec2Capacity().max_size == 2  # the default the reference shows is the dataclass's own
