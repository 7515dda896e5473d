"""CloudFormation's per-template quotas, checked on the rendered files before anything is written.

A template over one of them is refused by CloudFormation at deploy time; the build refuses
it first, naming the quota, the count and what to do. Quotas, from "Understand
CloudFormation quotas":
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
  resources 500, parameters 200, outputs 200 per template; a template body passed
  through an Amazon S3 object (which a template over the 51,200-byte inline limit needs)
  at most 1 MB, the size the API reference also gives for TemplateURL:
https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ValidateTemplate.html
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ecs_templates.errors import QuotaError

QUOTAS_URL = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html"


@dataclass(frozen=True)
class Quota:
    section: str  # the template section counted, or "" for the body size
    limit: int
    unit: str
    remedy: str


RESOURCES = Quota("Resources", 500, "resources",
                  "build fewer services in one application (each adds its own roles, logs, secrets and "
                  "scaling) and put the rest in a second config built as its own stacks")
PARAMETERS = Quota("Parameters", 200, "parameters",
                   "build fewer services or volumes in one application, or fix more values at build time "
                   "in the config instead of as parameters")
OUTPUTS = Quota("Outputs", 200, "outputs", "build fewer public services in one application")
BODY = Quota("", 1_000_000, "bytes",
             "build fewer services in one application, or shorten long environment values and descriptions")
COUNTED = (RESOURCES, PARAMETERS, OUTPUTS)


def over_quota(files: Mapping[str, bytes], templates: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One sentence per quota exceeded: each template's sections (stack name -> the parsed JSON)
    and each rendered body, JSON and YAML."""
    problems: list[str] = []
    for stack, template in templates.items():
        for quota in COUNTED:
            count = len(template.get(quota.section) or {})
            if count > quota.limit:
                problems.append(f"{stack} declares {count:,} {quota.unit}, over CloudFormation's quota of "
                                f"{quota.limit:,} {quota.unit} per template: {quota.remedy}")
    for name in sorted(files):
        if name.endswith((".json", ".yaml")) and name != "manifest.json" and len(files[name]) > BODY.limit:
            problems.append(f"{name} is {len(files[name]):,} bytes, over CloudFormation's quota of "
                            f"{BODY.limit:,} bytes for a template body in Amazon S3: {BODY.remedy}")
    return problems


def check_quotas(files: Mapping[str, bytes], templates: Mapping[str, Mapping[str, Any]]) -> None:
    """Raise QuotaError naming every quota exceeded, so that nothing is written."""
    problems = over_quota(files, templates)
    if problems:
        raise QuotaError("; ".join(problems) + f" (quotas: {QUOTAS_URL}); nothing written")
