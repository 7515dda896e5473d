"""docs/compose.md is generated from the importer's own key tables, and current."""
from __future__ import annotations

import pytest

from ecs_templates.docs import compose_reference
from ecs_templates.docs.compose_reference import render
from ecs_templates.importers.compose import keys
from helpers import ROOT


def test_the_committed_compose_reference_is_current():
    assert (ROOT / "docs" / "compose.md").read_text("utf-8") == render(), \
        "run `python -m ecs_templates.docs.compose_reference > docs/compose.md` and commit it"


def test_every_key_of_the_importer_appears_once_in_its_group():
    text = render()
    mapped = text.split("## Service keys that map", 1)[1].split("\n## ", 1)[0]
    noted = text.split("## Service keys that ECS does its own way", 1)[1].split("\n## ", 1)[0]
    unsupported = text.split("## Service keys without an ECS meaning here", 1)[1].split("\n## ", 1)[0]
    for group, section in ((keys.SERVICE_MAPPED, mapped), (keys.SERVICE_NOTED, noted),
                           (keys.SERVICE_UNSUPPORTED_KEYS, unsupported)):
        for key in group:
            assert section.count(f"\n| `{key}` |") == 1, key
    assert "| `build` | `build` (context, dockerfile, args, target) |" in mapped
    assert f"| `ipc` | {keys.why_unsupported('ipc')} |" in unsupported
    assert "| `service_healthy` | `HEALTHY` |" in text


def test_a_mapped_key_without_a_description_stops_the_generator(monkeypatch):
    monkeypatch.setattr(compose_reference, "SERVICE_MAPPED", keys.SERVICE_MAPPED | {"scale"})
    with pytest.raises(ValueError, match=r"undocumented \['scale'\]"):
        render()
