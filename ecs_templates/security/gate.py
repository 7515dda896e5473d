"""The security gate over template files: checkov's report and this project's own rules, together."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import yaml

from ecs_templates.errors import EcsTemplatesError
from ecs_templates.security.checkov import ScanReport, find_checkov, scan_files, template_files
from ecs_templates.security.inspection import template_problems


class TagTolerantLoader(yaml.SafeLoader):
    """Short-form intrinsic functions (!Ref, !Sub) load as plain values: enough for these checks."""


TagTolerantLoader.add_multi_constructor("!", lambda loader, suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
    else loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
    else loader.construct_mapping(node)))


def load_template(path: Path) -> Any:
    text = path.read_text("utf-8")
    try:
        return json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=TagTolerantLoader)
    except (ValueError, yaml.YAMLError) as error:
        raise EcsTemplatesError(f"{path}: not a readable template ({error})") from None


@dataclass(frozen=True)
class GateResult:
    report: ScanReport
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.problems

    def lines(self) -> list[str]:
        lines = [f"FAILED {result}" for result in self.report.failed]
        lines += [f"UNPARSABLE {error}" for error in self.report.parsing_errors]
        lines += [f"NO REASON {result}" for result in self.report.unreasoned]
        lines += [f"PROBLEM {problem}" for problem in self.problems]
        lines += [f"skipped {result}: {result.comment}" for result in self.report.skipped
                  if result not in self.report.unreasoned]
        return lines

    def summary(self) -> str:
        verdict = "passed" if self.ok else "FAILED"
        return f"security gate {verdict}: {self.report.summary()}; {len(self.problems)} problem(s) of our own rules"


def scan(paths: Sequence[Path], *, checkov: str | Path | None = None) -> GateResult:
    """checkov over every template file in `paths`, and this project's rules over each template."""
    files = template_files(paths)
    report = scan_files(files, find_checkov(checkov))
    problems = [problem for path in files for problem in template_problems(load_template(path), str(path))]
    return GateResult(report, tuple(problems))
