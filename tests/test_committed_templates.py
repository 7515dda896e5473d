"""The committed templates/ are exactly what the code builds, and every version matches its manifest."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ecs_templates import __version__
from ecs_templates.build import build_files
from ecs_templates.config import load_config
from helpers import ROOT

TEMPLATES = ROOT / "templates"


def test_committed_templates_equal_a_fresh_build(validator):
    directory = TEMPLATES / f"v{__version__}"
    assert directory.is_dir(), f"{directory} is missing: run `make templates` and commit it"
    fresh = build_files(load_config(), validator=validator).files
    committed = {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}
    assert sorted(committed) == sorted(fresh), "file list differs: run `make templates`"
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert not stale, f"committed {stale} differ from a fresh build: run `make templates` and commit"


@pytest.mark.parametrize("directory", sorted(TEMPLATES.glob("v*")), ids=lambda p: p.name)
def test_every_version_matches_its_manifest(directory: Path):
    manifest = json.loads((directory / "manifest.json").read_text())
    names = {p.name for p in directory.iterdir()} - {"manifest.json"}
    assert names == set(manifest["files"])
    for name, entry in manifest["files"].items():
        content = (directory / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"], f"{directory.name}/{name} was edited"
        assert len(content) == entry["size"]
