"""`make bench`: generation and validation speed, measured side by side in one run.

1. Generating every stack in one process, against a bare `import troposphere, awacs`
   (the floor any troposphere-based generator pays). Target: at most 2x.
   "Generating" is everything from nothing to the deployable text: start Python, import
   the package, load the embedded config, build every stack's troposphere Template, turn
   it into template data (`to_dict`) and into its JSON text, the canonical artifact (what
   cfn-lint validates, what the manifest checksums, what the console and the AWS CLI take).
   The YAML text is the same data written a second time by PyYAML, whose pure-Python
   representer alone costs about a quarter of the floor: it is measured and printed on its
   own line (with its ratio), and it is inside `ecs-templates build` below.
2. `ecs-templates build` (generate JSON and YAML, README, validate, manifest, write every
   stack), against the cfn-lint command line alone on the same JSON files. Target: below 1x.

Each command runs in a fresh interpreter; the commands of one comparison take turns, run
after run, so that another process on the machine slows both sides alike; the median
counts. Every command runs once untimed first, with Python's bytecode cache on (in
.bench/pycache, even when PYTHONDONTWRITEBYTECODE is set): the libraries' bytecode was
compiled when pip installed them, so this package's is too, as on any machine after the
first run; compiling the sources again on every run would measure the compiler.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Mapping, Sequence

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GENERATE_RUNS = 21
BUILD_RUNS = 7

BARE_IMPORT = "import troposphere, awacs"
GENERATE = """\
from ecs_templates.artifacts import render_json
from ecs_templates.config import load_config
from ecs_templates.stacks import build_all
data = [template.to_dict() for template in build_all(load_config()).values()]
texts = [render_json(template) for template in data]
"""
GENERATE_WITH_YAML = GENERATE + """\
from ecs_templates.artifacts import render_yaml
texts += [render_yaml(template) for template in data]
"""


def bench_environment() -> dict[str, str]:
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(ROOT / ".bench" / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def side_by_side(commands: Mapping[str, Sequence[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, the commands taking turns run after run."""
    env = bench_environment()

    def run(command: Sequence[str]) -> float:
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    for command in commands.values():
        run(command)  # warm-up: bytecode cache, file system cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(run(command))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    python = sys.executable
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start")
    generation = side_by_side({"bare": [python, "-c", BARE_IMPORT],
                               "generate": [python, "-c", GENERATE],
                               "with_yaml": [python, "-c", GENERATE_WITH_YAML]}, GENERATE_RUNS)
    bare = generation["bare"]
    with tempfile.TemporaryDirectory() as scratch:
        first = Path(scratch) / "first"
        subprocess.run([str(BIN / "ecs-templates"), "build", "--output", str(first)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        json_files = sorted(str(p) for p in first.glob("v*/*.json") if p.name != "manifest.json")
        validation = side_by_side(
            {"build": [str(BIN / "ecs-templates"), "build", "--output", str(Path(scratch) / "b")],
             "cfn_lint": [str(BIN / "cfn-lint"), "--include-checks", "I", "--", *json_files]}, BUILD_RUNS)
    build, cli_lint = validation["build"], validation["cfn_lint"]
    print(f"bare import troposphere+awacs    {bare * 1000:8.0f} ms")
    print(f"generate all stacks (data, JSON) {generation['generate'] * 1000:8.0f} ms   "
          f"ratio {generation['generate'] / bare:5.2f}x (target <= 2)")
    print(f"  the same plus the YAML text    {generation['with_yaml'] * 1000:8.0f} ms   "
          f"ratio {generation['with_yaml'] / bare:5.2f}x (for information)")
    print(f"ecs-templates build + validate   {build * 1000:8.0f} ms")
    print(f"cfn-lint CLI on the same JSON    {cli_lint * 1000:8.0f} ms   "
          f"ratio {build / cli_lint:5.2f}x (target < 1)")
    print(f"({len(json_files)} templates; medians of {GENERATE_RUNS} and {BUILD_RUNS} alternating runs)")


if __name__ == "__main__":
    main()
