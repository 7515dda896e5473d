"""`make bench` (second part): this project beside ECS Compose-X on the same public compose files.

The corpus is docker/awesome-compose, read at bench time from a git clone (bare or not) and
never copied into this repository: AWESOME_COMPOSE=<path of the clone> (default: the path in
DEFAULT_CORPUS). Without it the comparison is skipped with a message saying so.

For each compose file, each side runs in a fresh process, the sides taking turns run after run
(the median of RUNS counts, PEER_RUNS=N to change it); the first file gets one untimed warm-up
round (bytecode and file caches), and a side that fails is not run again on that file:
- ours: `ecs-templates import-compose --lenient FILE -o config.yaml`, then `ecs-templates build
  --config config.yaml` (cfn-lint validation included), and the same with `build --no-lint`;
  --lenient is the mode that reads a file as the peer does, warning about keys without an ECS
  meaning instead of stopping (the strict import's verdict is printed too);
- the peer: `ecs-compose-x render -p NAME -f FILE -d DIR` (its documented local render), from
  .venv-peer (constraints-peer.txt), against moto on 127.0.0.1 (bench/peer_aws.py), with fake
  credentials and region us-east-1; it asks CloudFormation's ValidateTemplate about each template.
A side succeeds when every command exits 0; a failure shows the first line of its error.
The ratios are ours / peer over the files both sides render (equal scope).

Figures of 2026-12-02 (2 cores, awesome-compose 18f59bd, ecs-composex 1.1.9, medians of 3 runs):
README.md, *Speed*, "Beside ECS Compose-X".
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import bench_environment  # noqa: E402
from peer_aws import serving  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_CORPUS = Path("/work/.mirror/docker+awesome-compose/repo")
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
RUNS = int(os.environ.get("PEER_RUNS", "3"))
REGION = "us-east-1"
FAKE_CREDENTIAL = "testing"  # what moto's own documentation uses; no account stands behind it


@dataclass
class Outcome:
    """One side on one file: median seconds of its runs, and its error when it failed."""

    times: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def first_error_line(stderr: str) -> str:
    """The line that says what went wrong: a traceback's last line, else the first error line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if any(line.startswith("Traceback") for line in lines):
        return lines[-1]
    for line in lines:
        if "error" in line.lower():
            return line
    return lines[0] if lines else "no message"


def corpus_files(corpus: Path, into: Path) -> list[Path]:
    """Extract the corpus's HEAD into `into` (example folders whole: env files, secrets files)."""
    git = ["git", "--git-dir", str(corpus)] if (corpus / "HEAD").is_file() else ["git", "-C", str(corpus)]
    archive = subprocess.run([*git, "archive", "--format=tar", "HEAD"], check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return sorted(p for p in into.glob("*/*") if p.name in COMPOSE_NAMES)


def corpus_revision(corpus: Path) -> str:
    git = ["git", "--git-dir", str(corpus)] if (corpus / "HEAD").is_file() else ["git", "-C", str(corpus)]
    return subprocess.run([*git, "rev-parse", "--short", "HEAD"], check=True, capture_output=True,
                          text=True).stdout.strip()


def run_steps(steps: Sequence[Sequence[str]], env: dict[str, str], cwd: Path) -> tuple[float, str | None]:
    """Run the commands one after another; wall time of all, and the first failure's message."""
    start = time.perf_counter()
    for step in steps:
        done = subprocess.run(step, cwd=cwd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            return time.perf_counter() - start, first_error_line(done.stderr or done.stdout)
    return time.perf_counter() - start, None


def measure(file: Path, scratch: Path, peer: Path, env: dict[str, str], peer_env: dict[str, str],
            runs: int, warm_up: bool) -> dict[str, Outcome]:
    """Every side on one file, the sides taking turns; with warm_up, a first round untimed."""
    ours = str(BIN / "ecs-templates")
    config = scratch / "config.yaml"
    imported = [ours, "import-compose", "--lenient", str(file), "-o", str(config)]

    def sides(run: int) -> dict[str, list[list[str]]]:
        """The commands of each side; every run writes into folders of its own."""
        return {
            "ours": [imported, [ours, "build", "--config", str(config), "--output", str(scratch / f"ours-{run}")]],
            "ours_no_lint": [imported, [ours, "build", "--no-lint", "--config", str(config),
                                        "--output", str(scratch / f"ours-no-lint-{run}")]],
            "peer": [[str(peer), "render", "-p", file.parent.name.lower(), "-f", str(file),
                      "-d", str(scratch / f"peer-{run}")]],
        }

    outcomes = {name: Outcome() for name in sides(0)}
    first_timed = 1 if warm_up else 0
    for round_number in range(runs + first_timed):
        for name, steps in sides(round_number).items():
            if not outcomes[name].ok:
                continue  # a failure fails the same way every time: no need to time it again
            seconds, error = run_steps(steps, peer_env if name == "peer" else env, file.parent)
            if error is not None:
                outcomes[name].error = error
            elif round_number >= first_timed:
                outcomes[name].times.append(seconds)
    strict = subprocess.run([ours, "import-compose", str(file), "-o", str(scratch / "strict.yaml")],
                            cwd=file.parent, env=env, capture_output=True, text=True)
    outcomes["strict_import"] = Outcome(error=None if strict.returncode == 0 else first_error_line(strict.stderr))
    return outcomes


def cell(outcome: Outcome) -> str:
    return f"{outcome.median * 1000:7.0f}" if outcome.ok else "   fail"


def summary(label: str, outcomes: list[Outcome]) -> str:
    times = [o.median for o in outcomes if o.ok]
    if not times:
        return f"{label:28} renders  0"
    return (f"{label:28} renders {len(times):2}   median {statistics.median(times) * 1000:6.0f} ms   "
            f"total {sum(times):7.2f} s")


def report(results: dict[str, dict[str, Outcome]], corpus_prefix: str) -> None:
    print(f"{'file':32} {'ours ms':>7} {'no-lint':>7} {'peer ms':>7}  first error line (ours | peer)")
    for name, sides in results.items():
        errors = [f"ours: {sides['ours'].error}" if not sides["ours"].ok else "",
                  f"peer: {sides['peer'].error}" if not sides["peer"].ok else ""]
        note = " | ".join(e.replace(corpus_prefix, "")[:110] for e in errors if e)
        print(f"{name:32} {cell(sides['ours'])} {cell(sides['ours_no_lint'])} {cell(sides['peer'])}  {note}")
    print()
    print(f"{len(results)} files; ours strict import (no --lenient) accepts "
          f"{sum(s['strict_import'].ok for s in results.values())}")
    for side, label in (("ours", "ours: import + build"), ("ours_no_lint", "ours: import + build --no-lint"),
                        ("peer", "peer: ecs-compose-x render")):
        print(summary(label, [s[side] for s in results.values()]))
    both = [s for s in results.values() if s["ours"].ok and s["peer"].ok]
    print(f"equal scope: {len(both)} files both render")
    if both:
        peer_total = sum(s["peer"].median for s in both)
        for side, label in (("ours", "import + build"), ("ours_no_lint", "import + build --no-lint")):
            ours_total = sum(s[side].median for s in both)
            ratio_of_medians = statistics.median(s[side].median / s["peer"].median for s in both)
            print(f"  ours ({label}) / peer: total {ours_total:.2f} s / {peer_total:.2f} s = "
                  f"{ours_total / peer_total:.2f}x; median per-file ratio {ratio_of_medians:.2f}x")


def main(argv: Sequence[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--peer", type=Path, default=ROOT / ".venv-peer" / "bin" / "ecs-compose-x",
                           help="the ecs-compose-x program (default: .venv-peer's, from `make bench`)")
    arguments.add_argument("--runs", type=int, default=RUNS, help=f"timed runs per file (default {RUNS})")
    arguments.add_argument("examples", nargs="*", metavar="EXAMPLE",
                           help="only these example folders of the corpus (default: every compose file)")
    args = arguments.parse_args(argv)
    corpus = Path(os.environ.get("AWESOME_COMPOSE", str(DEFAULT_CORPUS)))
    if not (corpus / "HEAD").is_file() and not (corpus / ".git").exists():
        print(f"peer comparison skipped: no awesome-compose clone at {corpus}. Clone "
              "https://github.com/docker/awesome-compose (a bare clone will do) and set "
              "AWESOME_COMPOSE=<its path>, then run `make bench-peer`.")
        return 0
    if not args.peer.is_file():
        print(f"peer comparison: {args.peer} is missing: `make .venv-peer/.installed-stamp` installs it",
              file=sys.stderr)
        return 2
    env = bench_environment()
    with tempfile.TemporaryDirectory() as temporary, serving() as endpoint:
        scratch = Path(temporary)
        files = [f for f in corpus_files(corpus, scratch / "corpus")
                 if not args.examples or f.parent.name in args.examples]
        # Fake credentials (moto accepts any) and a local endpoint: nothing leaves 127.0.0.1.
        peer_env = {key: value for key, value in env.items() if not key.startswith("AWS_")}
        peer_env.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID=FAKE_CREDENTIAL,
                        AWS_SECRET_ACCESS_KEY=FAKE_CREDENTIAL, AWS_DEFAULT_REGION=REGION, AWS_REGION=REGION,
                        AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                        AWS_EC2_METADATA_DISABLED="true", PYTHONWARNINGS="ignore")
        version = subprocess.run([str(args.peer), "version"], env=peer_env, capture_output=True,
                                 text=True).stdout.strip()
        print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start; corpus {corpus} at {corpus_revision(corpus)}, {len(files)} compose "
              f"files; peer {version}; medians of {args.runs} alternating runs after a warm-up")
        results = {}
        for number, file in enumerate(files):
            work = scratch / "work" / file.parent.name
            work.mkdir(parents=True)
            results[f"{file.parent.name}/{file.name}"] = measure(file, work, args.peer, env, peer_env,
                                                                 args.runs, warm_up=number == 0)
    report(results, f"{scratch / 'corpus'}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
