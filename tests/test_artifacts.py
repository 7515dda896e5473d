"""Versioned artifact directories: checksums, immutability of releases, atomic writes."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from ecs_templates import artifacts
from ecs_templates.errors import ArtifactError

FILES = {"a.json": b'{"a": 1}\n', "a.yaml": b"a: 1\n"}


def with_manifest(files: dict[str, bytes], version: str) -> dict[str, bytes]:
    return {**files, "manifest.json": artifacts.manifest(files, {"status": "passed"}, version)}


def test_manifest_lists_checksums_and_versions():
    data = json.loads(artifacts.manifest(FILES, {"status": "passed"}, "1.2.3"))
    assert data["files"]["a.json"] == {"sha256": hashlib.sha256(FILES["a.json"]).hexdigest(), "size": 9}
    assert data["generator"] == {"name": "ecs-templates", "version": "1.2.3"}
    assert set(data["libraries"]) == {"troposphere", "awacs", "cfn-lint", "PyYAML"}
    assert data["validation"] == {"status": "passed"}


def test_write_creates_version_directory(tmp_path: Path):
    result = artifacts.write_version(tmp_path / "out", with_manifest(FILES, "1.0.0"), version="1.0.0")
    assert result.changed and result.directory == tmp_path / "out" / "v1.0.0"
    assert sorted(p.name for p in result.directory.iterdir()) == ["a.json", "a.yaml", "manifest.json"]
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["v1.0.0"], "no staging directory left"


def test_released_version_is_immutable(tmp_path: Path):
    artifacts.write_version(tmp_path, with_manifest(FILES, "1.0.0"), version="1.0.0")
    again = artifacts.write_version(tmp_path, with_manifest(FILES, "1.0.0"), version="1.0.0")
    assert not again.changed
    changed = with_manifest({**FILES, "a.json": b'{"a": 2}\n'}, "1.0.0")
    with pytest.raises(ArtifactError, match="released versions are immutable: bump __version__"):
        artifacts.write_version(tmp_path, changed, version="1.0.0")
    assert (tmp_path / "v1.0.0" / "a.json").read_bytes() == FILES["a.json"], "release damaged"


def test_dev_version_is_replaced_whole(tmp_path: Path):
    artifacts.write_version(tmp_path, {"old.json": b"{}", **FILES}, version="1.1.0.dev0")
    artifacts.write_version(tmp_path, {"a.json": b"[]"}, version="1.1.0.dev0")
    assert sorted(p.name for p in (tmp_path / "v1.1.0.dev0").iterdir()) == ["a.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1.1.0.dev0"]


def test_output_under_a_regular_file_is_refused(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("keep me")
    with pytest.raises(ArtifactError, match="is a file, not a directory"):
        artifacts.write_version(blocker / "templates", FILES, version="1.0.0")
    assert blocker.read_text() == "keep me"


def test_failed_write_leaves_nothing(tmp_path: Path, monkeypatch):
    def broken_replace(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(artifacts.os, "replace", broken_replace)
    with pytest.raises(ArtifactError, match="No space left"):
        artifacts.write_version(tmp_path, FILES, version="1.0.0")
    assert list(tmp_path.iterdir()) == []


def test_oversized_templates_are_measured_minified():
    padded = b'{"Resources": {"A": "%s"}}' % (b"x" * 51_200)
    indented = b'{\n' + b' ' * 60_000 + b'"Resources": {}}'
    assert artifacts.oversized({"big.json": padded, "indented.json": indented, "big.yaml": b"x" * 60_000,
                                "manifest.json": padded}) == ["big.json"]


@pytest.mark.parametrize("versions, newest", [
    (["0.1.0", "0.2.0.dev0", "0.10.0"], "0.10.0"),
    (["0.2.0.dev3", "0.2.0"], "0.2.0"),
    (["0.2.0.dev3", "0.2.0.dev10"], "0.2.0.dev10"),
])
def test_newest_version_directory(tmp_path: Path, versions, newest):
    for version in versions:
        (tmp_path / f"v{version}").mkdir()
    assert artifacts.newest_version_directory(tmp_path).name == f"v{newest}"
