"""`ecs-templates import-compose` as a user runs it: output, warnings, errors, nothing written on error."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecs_templates import __version__
from compose_helpers import DATA
from helpers import ROOT, run_cli


def test_import_then_build_gives_the_default_templates_byte_for_byte(tmp_path: Path):
    """The done-when of the import: docker-compose.yml -> app.yaml -> the built-in default's templates."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    result = run_cli("import-compose", "docker-compose.yml", "-o", "app.yaml", cwd=tmp_path, check=True)
    assert "app.yaml: 2 container(s), 2 generated secret(s); next: ecs-templates build --config app.yaml" \
        in result.stdout
    assert "docker-compose.yml: services.mariadb.secrets: Compose mounts secrets as files" in result.stderr
    run_cli("build", "--config", "app.yaml", "--output", "imported", cwd=tmp_path, check=True)
    run_cli("build", "--output", "default", cwd=tmp_path, check=True)
    imported = tmp_path / "imported" / f"v{__version__}"
    default = tmp_path / "default" / f"v{__version__}"
    names = sorted(path.name for path in default.iterdir())
    assert names == sorted(path.name for path in imported.iterdir())
    for name in names:
        assert (imported / name).read_bytes() == (default / name).read_bytes(), name


def test_without_output_the_config_goes_to_stdout(tmp_path: Path):
    result = run_cli("import-compose", str(DATA / "worker.yml"), cwd=tmp_path, check=True)
    assert result.stdout.startswith("# Imported from worker.yml by `ecs-templates import-compose`.")
    assert "extends: none" in result.stdout and list(tmp_path.iterdir()) == []


def test_seed_annex_one_exactly_as_written(tmp_path: Path):
    output = tmp_path / "app.yaml"
    result = run_cli("import-compose", str(DATA / "seed-annex-1.yml"), "-o", str(output))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"ecs-templates: error: {DATA / 'seed-annex-1.yml'}: services: is empty while db, wordpress at the top "
        "level look like services: the services look mis-indented; indent db, wordpress under services: "
        "(two more spaces)"]
    assert not output.exists()


BAD = {
    "not-yaml": ("services:\n  web: [\n", "docker-compose.yml: is not valid YAML at line 3"),
    "not-a-mapping": ("just text\n", "docker-compose.yml: expected a mapping at the top level"),
    "no-services": ("version: '3.8'\nvolumes: {}\n", "docker-compose.yml: services: no services defined"),
    "unknown-top-level": ("services:\n  web: {image: x}\nservice:\n  db: {}\n",
                          "docker-compose.yml: service: unknown top-level key"),
    "no-image": ("services:\n  web:\n    ports: ['80:80']\n", "docker-compose.yml: services.web.image: missing"),
    "port-not-a-number": ("services:\n  web:\n    image: nginx\n    ports: ['eighty:80']\n",
                          "docker-compose.yml: services.web.ports[0]: 'eighty' is not a host port number"),
    "unsupported": ("services:\n  web:\n    image: nginx\n    ipc: host\n",
                    "docker-compose.yml: services.web.ipc: has no ECS meaning here"),
    "missing-build-context": ("services:\n  web:\n    build: ./app\n",
                              "docker-compose.yml: services.web.build.context: app does not exist"),
    "missing-dockerfile": ("services:\n  web:\n    build: {context: ., dockerfile: Dockerfile.prod}\n",
                           "docker-compose.yml: services.web.build.dockerfile: Dockerfile.prod does not exist"),
    "missing-variable": ("services:\n  web:\n    image: nginx:${TAG:?}\n",
                         "docker-compose.yml: services.web.image: required variable TAG is not set"),
    "undeclared-network": ("services:\n  web:\n    image: nginx\n    networks: [front]\n",
                           "docker-compose.yml: services.web.networks.front: network 'front' is not declared"),
    "undeclared-volume": ("services:\n  db:\n    image: postgres\n    volumes: ['data:/var/lib/postgresql/data']\n",
                          "docker-compose.yml: services.db.volumes[0]: volume 'data' is not defined"),
    "unknown-depends-on": ("services:\n  web:\n    image: nginx\n    depends_on: [db]\n",
                           "docker-compose.yml: services.web.depends_on.db: no service named 'db'"),
    "no-shared-network": ("services:\n  web:\n    image: nginx\n    environment: {DB: 'db:5432'}\n"
                          "    networks: [front]\n  db:\n    image: postgres\n    networks: [back]\n"
                          "networks: {front: {}, back: {}}\n",
                          "web reaches db by name, but they share no network (web: front; db: back); add one "
                          "of db's networks to web's networks"),
    "circular-extends": ("services:\n  a: {image: x, extends: b}\n  b: {image: y, extends: a}\n",
                         "docker-compose.yml: services.a.extends: extends itself in a circle (a -> b -> a)"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_keeps_an_existing_output(tmp_path: Path, case: str):
    text, fragment = BAD[case]
    (tmp_path / "docker-compose.yml").write_text(text)
    output = tmp_path / "app.yaml"
    output.write_text("precious: true\n")
    result = run_cli("import-compose", "docker-compose.yml", "-o", "app.yaml", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ecs-templates: error: ") and fragment in lines[0], lines
    assert "Traceback" not in result.stderr
    assert output.read_text() == "precious: true\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["app.yaml", "docker-compose.yml"]


def test_lenient_turns_unsupported_keys_into_warnings(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: nginx\n    ipc: host\n    ports: ['80:80']\n"
        "    volumes: ['./html:/usr/share/nginx/html']\n")
    result = run_cli("import-compose", "docker-compose.yml", "-o", "app.yaml", "--lenient", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    warnings = result.stderr.strip().splitlines()
    assert any(line.startswith("ecs-templates: warning: docker-compose.yml: services.web.ipc: ")
               for line in warnings)
    assert any("services.web.volumes[0]: ./html:/usr/share/nginx/html: a writable bind mount" in line
               for line in warnings)
    assert "mounts" not in (tmp_path / "app.yaml").read_text()
    run_cli("build", "--config", "app.yaml", "--output", "out", "--no-lint", cwd=tmp_path, check=True)


def test_variables_from_the_environment_and_dotenv(tmp_path: Path):
    (tmp_path / "docker-compose.yml").write_text("services:\n  web:\n    image: nginx:${TAG:?set TAG}\n")
    (tmp_path / ".env").write_text("TAG=1.25\n")
    assert "image: nginx:1.25" in run_cli("import-compose", "docker-compose.yml", cwd=tmp_path, check=True).stdout


def test_output_into_a_missing_directory(tmp_path: Path):
    result = run_cli("import-compose", str(ROOT / "docker-compose.yml"), "-o", str(tmp_path / "no" / "app.yaml"))
    assert result.returncode == 1 and "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_missing_compose_file(tmp_path: Path):
    result = run_cli("import-compose", str(tmp_path / "nope.yml"))
    assert result.returncode == 1 and "nope.yml: does not exist" in result.stderr
