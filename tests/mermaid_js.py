"""Mermaid's own parser (the `mermaid` npm package, in Node with jsdom) over many diagrams at once.

`make test` installs it from package.json / package-lock.json (`npm ci`). One Node process
parses every text given to `parse`, since starting Node and loading Mermaid is the slow part.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "mermaid_parse.mjs"
SETUP = "run `make node_modules/.installed-stamp` (npm ci) first"


@dataclass(frozen=True)
class Parsed:
    ok: bool
    error: str = ""
    type: str = ""
    nodes: int | None = None
    edges: int | None = None
    subgraphs: int | None = None


def parse(texts: list[str]) -> list[Parsed]:
    """One result per text, in order; AssertionError when Node or the package is missing."""
    node = shutil.which("node")
    assert node is not None, f"Mermaid's parser needs Node.js on PATH; {SETUP}"
    assert (ROOT / "node_modules" / "mermaid" / "package.json").exists(), f"mermaid is not installed: {SETUP}"
    result = subprocess.run([node, str(SCRIPT)], input=json.dumps(texts), capture_output=True, text=True,
                            cwd=ROOT, timeout=300, check=False)
    assert result.returncode == 0, f"the Mermaid parser failed to run:\n{result.stderr}"
    return [Parsed(**entry) for entry in json.loads(result.stdout)]


def blocks(markdown: str) -> list[str]:
    """The text of every ```mermaid block of a Markdown page."""
    return [part.split("```", 1)[0] for part in markdown.split("```mermaid\n")[1:]]
