"""Versioned artifacts: render templates, checksum them, write a version directory atomically.

`templates/v<version>/` holds `<stack>.json`, `<stack>.yaml` and `manifest.json`. A
released version (no `.dev` in it) is immutable: building it again must give the same
bytes, or the build stops and asks for a version bump. Nothing is written until every
file is rendered (and validated); then the directory appears in one rename.

hashlib, shutil and tempfile are imported by the functions that checksum and write:
rendering alone (generation, the docs commands) does not load them.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import yaml
from troposphere import Template

from ecs_templates import __version__
from ecs_templates.errors import ArtifactError

# `aws cloudformation deploy` and the console accept at most this many bytes inline;
# larger templates must be uploaded to S3 first.
INLINE_TEMPLATE_LIMIT = 51_200
MANIFEST = "manifest.json"
LIBRARIES = ("troposphere", "awacs", "cfn-lint", "PyYAML")


def render_json(data: Mapping[str, Any]) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# libyaml's emitter when PyYAML has it (same text as the pure-Python one, several times faster).
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def render_yaml(data: Mapping[str, Any]) -> bytes:
    text = yaml.dump(dict(data), Dumper=_DUMPER, sort_keys=True, default_flow_style=False,
                     allow_unicode=True, width=120)
    return text.encode("utf-8")


def yaml_matches_json(yaml_text: bytes, json_text: bytes) -> bool:
    """The YAML rendering holds exactly the JSON's template (so linting one validates both)."""
    return yaml.load(yaml_text, Loader=_LOADER) == json.loads(json_text)


def render_templates(templates: Mapping[str, Template]) -> dict[str, bytes]:
    """File name -> bytes, JSON and YAML for each stack."""
    files: dict[str, bytes] = {}
    for name, template in templates.items():
        data = template.to_dict()
        files[f"{name}.json"] = render_json(data)
        files[f"{name}.yaml"] = render_yaml(data)
    return files


def library_versions() -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for library in LIBRARIES:
        try:
            versions[library] = metadata.version(library)
        except metadata.PackageNotFoundError:  # pragma: no cover - installed with the package
            versions[library] = "unknown"
    return versions


def manifest(files: Mapping[str, bytes], validation: Mapping[str, Any], version: str = __version__) -> bytes:
    """What the directory holds: each file's sha256 and size, who made it, how it was validated."""
    import hashlib

    return render_json({
        "generator": {"name": "ecs-templates", "version": version},
        "libraries": library_versions(),
        "files": {name: {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
                  for name, content in sorted(files.items())},
        "validation": dict(validation),
    })


def is_released(version: str) -> bool:
    return ".dev" not in version


def oversized(files: Mapping[str, bytes]) -> list[str]:
    """JSON templates too large to pass inline to CloudFormation even minified, as deploy.sh sends them.

    The console uploads a template file to S3 itself, so only the inline body has this limit.
    """
    import json

    return sorted(name for name, content in files.items()
                  if name != MANIFEST and name.endswith(".json")
                  and len(json.dumps(json.loads(content), separators=(",", ":")).encode()) > INLINE_TEMPLATE_LIMIT)


def check_output_root(output: Path) -> None:
    """The output must be, or be creatable as, a directory: no regular file on the way."""
    for candidate in [output, *output.parents]:
        if candidate.exists():
            if not candidate.is_dir():
                raise ArtifactError(f"output {output}: {candidate} is a file, not a directory; "
                                    "choose another --output")
            return


@dataclass(frozen=True)
class WriteResult:
    directory: Path
    changed: bool


def read_directory(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir()) if path.is_file()}


def write_version(output: Path, files: Mapping[str, bytes], *, version: str = __version__) -> WriteResult:
    """Write `output/v<version>/` with exactly `files`, atomically, honouring released immutability."""
    import shutil
    import tempfile

    check_output_root(output)
    target = output / f"v{version}"
    if target.exists():
        if not target.is_dir():
            raise ArtifactError(f"{target} exists and is not a directory; move it away")
        if read_directory(target) == dict(files):
            return WriteResult(target, changed=False)
        if is_released(version):
            raise ArtifactError(
                f"{target} is released version {version} and this build differs from it; released "
                "versions are immutable: bump __version__ in ecs_templates/__init__.py "
                "(or build a .dev version) instead of overwriting")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArtifactError(f"cannot create {output}: {error.strerror}") from None
    staging = Path(tempfile.mkdtemp(prefix=f".v{version}.", dir=output))
    try:
        for name, content in sorted(files.items()):
            (staging / name).write_bytes(content)
        staging.chmod(0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".v{version}.old.", dir=output))
            os.replace(target, retired / target.name)
            os.replace(staging, target)
            shutil.rmtree(retired)
        else:
            os.replace(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise ArtifactError(f"cannot write {target}: {error.strerror}") from None
    return WriteResult(target, changed=True)


def newest_version_directory(output: Path) -> Path | None:
    """The version directory with the highest version number (dev versions sort before their release)."""
    candidates = [path for path in output.glob("v*") if path.is_dir()]
    return max(candidates, key=lambda path: version_key(path.name[1:]), default=None)


def version_key(version: str) -> tuple[Any, ...]:
    release, _, dev = version.partition(".dev")
    numbers = tuple(int(part) if part.isdigit() else 0 for part in release.split("."))
    return numbers + ((0, int(dev or 0)) if _ else (1, 0))


def write_file_atomically(path: Path, content: bytes) -> None:
    """Write one file in a single rename: a failure leaves any existing file as it was."""
    import tempfile

    if path.is_dir():
        raise ArtifactError(f"{path} is a directory; give a file name")
    if not path.parent.is_dir():
        raise ArtifactError(f"cannot write {path}: the directory {path.parent} does not exist")
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.chmod(staging, 0o644)
        os.replace(staging, path)
    except OSError as error:
        Path(staging).unlink(missing_ok=True)
        raise ArtifactError(f"cannot write {path}: {error.strerror}") from None
