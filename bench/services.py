"""`make bench`, part 3: the services stacks for applications of 1, 5, 10, 20 and 40 services.

For each size: `ecs-templates build` (generate, validate with cfn-lint, write) of a generated
application built as ecs-services only, and the cfn-lint command line alone on the JSON that
build wrote. Prints the time per service (growth must be linear) and the ratio of our whole
build to cfn-lint alone (our validation runs cfn-lint in-process with its rules loaded once,
so the whole build should stay below cfn-lint's own command line). Commands take turns, run
after run, in fresh interpreters; the median counts. Never a test: speed is measured here.

The generated application: a chain of web services, each public or internal, each using the next
by name, every fifth one a PostgreSQL database with a volume, so that load balancers, Service
Connect, security-group links, EFS and scaling all grow with the size.
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
SIZES = (1, 5, 10, 20, 40)
RUNS = 3


def application(count: int) -> str:
    """The YAML config of a generated application of `count` services."""
    lines = ["application:", "  extends: none", "  name: bench", "  secrets:", "    db-password: {}", "  containers:"]
    for n in range(count):
        name = f"svc{n:02d}"
        if n % 5 == 4:
            lines += [f"    {name}:", "      image: postgres:16", "      environment: {POSTGRES_DB: app, POSTGRES_USER: app}",
                      "      secrets: {POSTGRES_PASSWORD: db-password}",
                      f"      mounts: [{{volume: {name}-data, path: /var/lib/postgresql/data}}]"]
            continue
        public = "true" if n % 5 == 0 else "false"
        port = 8000 + n
        lines += [f"    {name}:", "      image: registry.example.com/bench/app:1", "      repository: app",
                  f"      ports: [{{container: {port}, host: {port}, public: {public}}}]"]
        if n + 1 < count:
            target = f"svc{n + 1:02d}"
            value = f"{target}:{8000 + n + 1}" if (n + 1) % 5 != 4 else target
            lines.append(f"      environment: {{NEXT_HOST: \"{value}\"}}")
    lines.append("stacks: [ecs-services]")
    return "\n".join(lines) + "\n"


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def main() -> None:
    print("services stacks: ecs-templates build (generate + cfn-lint + write) vs the cfn-lint command line alone")
    print(f"{'services':>8} {'build s':>9} {'per service ms':>15} {'cfn-lint s':>11} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as work:
        for count in SIZES:
            config = Path(work) / f"app{count}.yaml"
            config.write_text(application(count))
            output = Path(work) / f"out{count}"
            build = [str(BIN / "ecs-templates"), "build", "--config", str(config), "--output", str(output)]
            subprocess.run(build, check=True, capture_output=True, cwd=ROOT)  # warm, and the files to lint
            files = sorted(str(path) for path in output.glob("v*/*.json") if path.name != "manifest.json")
            lint = [str(BIN / "cfn-lint"), "--include-checks", "I", "--", *files]
            builds, lints = [], []
            for _ in range(RUNS):
                builds.append(timed(build))
                lints.append(timed(lint))
            ours, theirs = statistics.median(builds), statistics.median(lints)
            print(f"{count:>8} {ours:>9.2f} {ours / count * 1000:>15.0f} {theirs:>11.2f} {ours / theirs:>6.2f}")


if __name__ == "__main__":
    main()
