"""cfn-lint through its Python API: one runner (rules loaded once) for every template."""
from __future__ import annotations

import gc
import multiprocessing
import os
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from ecs_templates.errors import LintError

TEMPLATE_SUFFIXES = (".json", ".yaml", ".yml", ".template")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    column: int
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.rule} {self.message}"


class Validator:
    """Lints template text with all cfn-lint rules, informational ones included."""

    def __init__(self, regions: Sequence[str] = ("us-east-1",)) -> None:
        self.regions = list(regions)

    @cached_property
    def _runner(self):  # type: ignore[no-untyped-def]
        # Loading cfn-lint builds a large heap that lives as long as the process (modules, rules,
        # schemas). The cyclic garbage collector would walk it again at each of its passes while
        # it grows (a quarter to a third of the load time), finding nothing to free: it waits.
        with _collector_paused():
            from cfnlint.config import ConfigMixIn
            from cfnlint.runner import Runner

            return Runner(ConfigMixIn(regions=self.regions, include_checks=["I"]))

    def lint_text(self, text: str, path: str) -> list[Finding]:
        from cfnlint.decode.decode import decode_str

        template, matches = decode_str(text)
        if not matches and template is not None:
            matches = list(self._runner.validate_template(template))
        return sorted({_finding(match, path) for match in matches},
                      key=lambda f: (f.path, f.line, f.column, f.rule, f.message))

    def lint_many(self, items: Sequence[tuple[str, str]]) -> list[Finding]:
        """Lint (text, path) pairs, spread over the CPU cores when there are several.

        The rules are loaded once, before the workers fork, so each worker starts warm.
        Frozen before the fork (the documented idiom), that heap is left out of the workers'
        garbage collections: they do not walk it, nor write to its memory pages, which would
        copy them. The largest templates go first, so no worker is left with a big one at the end.
        """
        workers = min(len(items), os.cpu_count() or 1)
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return [finding for text, path in items for finding in self.lint_text(text, path)]
        self._runner  # noqa: B018 - load the rules before forking
        order = sorted(range(len(items)), key=lambda index: -len(items[index][0]))
        global _FORKED_VALIDATOR
        _FORKED_VALIDATOR = self
        gc.freeze()
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.starmap(_lint_in_worker, [items[index] for index in order], chunksize=1)
        finally:
            gc.unfreeze()
            _FORKED_VALIDATOR = None
        by_item = dict(zip(order, results))
        return [finding for index in range(len(items)) for finding in by_item[index]]

    def lint_paths(self, paths: Iterable[Path]) -> list[Finding]:
        findings: list[Finding] = []
        items: list[tuple[str, str]] = []
        for path in expand_paths(paths):
            try:
                text = path.read_text("utf-8")
            except UnicodeDecodeError:
                findings.append(Finding(str(path), 1, 1, "E0000", "not UTF-8 text: not a template"))
                continue
            items.append((text, str(path)))
        return findings + self.lint_many(items)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No automatic garbage collection inside the block (reference counting still frees memory)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_FORKED_VALIDATOR: Validator | None = None


def _lint_in_worker(text: str, path: str) -> list[Finding]:
    assert _FORKED_VALIDATOR is not None
    return _FORKED_VALIDATOR.lint_text(text, path)


def _finding(match, path: str) -> Finding:  # type: ignore[no-untyped-def]
    return Finding(path, int(match.linenumber or 1), int(match.columnnumber or 1),
                   str(match.rule.id), str(match.message))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given; directories become the templates directly inside them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in TEMPLATE_SUFFIXES and p.is_file()
                           and p.name != "manifest.json")
            if not found:
                raise LintError(f"{path} holds no template (*.json, *.yaml); give a file or a version directory")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise LintError(f"{path} does not exist; give a template file or a directory of templates")
    return files
