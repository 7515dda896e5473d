"""`make bench`: generation and validation speed, measured side by side in one run.

1. Generating every stack in one process, against a bare `import troposphere, awacs`
   (the floor any troposphere-based generator pays). Target: at most 2x.
2. `ecs-templates build` (generate + validate every stack), against the cfn-lint
   command line alone on the same JSON files. Target: below 1x.

Each command runs in a fresh interpreter, several times; the median counts.
"""
from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RUNS = 5

BARE_IMPORT = "import troposphere, awacs"
GENERATE = ("from ecs_templates.config import load_config\n"
            "from ecs_templates.artifacts import render_templates\n"
            "from ecs_templates.stacks import build_all\n"
            "render_templates(build_all(load_config()))")


def median_seconds(command: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    python = sys.executable
    bare = median_seconds([python, "-c", BARE_IMPORT])
    generate = median_seconds([python, "-c", GENERATE])
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "templates"
        subprocess.run([str(BIN / "ecs-templates"), "build", "--output", str(out)], check=True,
                       stdout=subprocess.DEVNULL)
        json_files = sorted(str(p) for p in out.glob("v*/*.json") if p.name != "manifest.json")
        build = median_seconds([str(BIN / "ecs-templates"), "build", "--output", str(Path(scratch) / "b")])
        cli_lint = median_seconds([str(BIN / "cfn-lint"), "--include-checks", "I", "--", *json_files])
    print(f"bare import troposphere+awacs   {bare * 1000:8.0f} ms")
    print(f"generate all stacks (1 process) {generate * 1000:8.0f} ms   ratio {generate / bare:5.2f}x (target <= 2)")
    print(f"ecs-templates build + validate  {build * 1000:8.0f} ms")
    print(f"cfn-lint CLI on the same JSON   {cli_lint * 1000:8.0f} ms   ratio {build / cli_lint:5.2f}x (target < 1)")
    print(f"({len(json_files)} templates, median of {RUNS} runs each)")


if __name__ == "__main__":
    main()
