"""The build: config -> templates -> rendered files -> validation -> manifest, all in memory."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import metadata
from typing import Mapping

from troposphere import Template

from ecs_templates import __version__
from ecs_templates.artifacts import MANIFEST, manifest, oversized, render_templates, yaml_matches_json
from ecs_templates.config.model import Config
from ecs_templates.docs.readme import README, render_readme
from ecs_templates.docs.template import templates_from_files
from ecs_templates.quotas import check_quotas
from ecs_templates.stacks import build_all
from ecs_templates.validation import Finding, Validator


@dataclass(frozen=True)
class BuildOutput:
    files: dict[str, bytes]
    findings: list[Finding] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_files(config: Config, *, validate: bool = True, validator: Validator | None = None,
                location: str = "templates") -> BuildOutput:
    """Every artifact file of one version; nothing touches the disk here."""
    return files_of(build_all(config), validate=validate, validator=validator, location=location)


def files_of(stack_templates: Mapping[str, Template], *, validate: bool = True, validator: Validator | None = None,
             location: str = "templates") -> BuildOutput:
    """The artifacts of finished templates (the config's, or ones a caller extended): rendered, checked, documented."""
    files = render_templates(stack_templates)
    templates = templates_from_files(files)
    check_quotas(files, templates)  # before the README, validation and the manifest: a refused build stops here
    # The README documents the rendered JSON, exactly what is written and deployed.
    files[README] = render_readme(templates, version=__version__)
    findings: list[Finding] = []
    if validate:
        validator = validator or Validator()
        findings.extend(validator.lint_many([(files[name].decode("utf-8"), f"{location}/{name}")
                                             for name in sorted(files) if name.endswith(".json")]))
        for name in sorted(files):
            if name.endswith(".yaml") and not yaml_matches_json(files[name], files[name[:-5] + ".json"]):
                findings.append(Finding(f"{location}/{name}", 1, 1, "E0000",
                                        "the YAML rendering differs from the JSON one"))
        validation = {"tool": "cfn-lint", "version": metadata.version("cfn-lint"),
                      "include_checks": ["I"], "findings": len(findings),
                      "status": "passed" if not findings else "failed"}
    else:
        validation = {"tool": "cfn-lint", "status": "skipped (--no-lint)"}
    warnings = [f"{name} is over CloudFormation's 51,200-byte inline limit even minified: deploy it "
                "through an S3 bucket (scripts/deploy.sh --s3-bucket)"
                for name in oversized(files)]
    files[MANIFEST] = manifest(files, validation)
    return BuildOutput(files, findings, warnings)
