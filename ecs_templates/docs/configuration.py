"""docs/configuration.md: every setting from its one declaration (config/settings.py metadata, CONTAINER_KEYS).

`python -m ecs_templates.docs.configuration > docs/configuration.md` writes it; a test keeps the committed
page equal to it.
"""
from __future__ import annotations

from ecs_templates.config.application_loader import CONTAINER_KEYS
from ecs_templates.config.model import (
    DEFAULT_STACKS,
    STACK_NAMES,
    Ec2Deployment,
    FargateDeployment,
    LogSettings,
    RegistrySettings,
)
from ecs_templates.config.services import ServicesDeployment, ServiceSettings
from ecs_templates.config.settings import reference_rows

SECTIONS = (
    ("registry", RegistrySettings, "Stack `ecr`: the repositories' lifecycle."),
    ("logs", LogSettings, "Every ECS stack: CloudWatch Logs."),
    ("ec2", Ec2Deployment, "Stack `ecs-ec2`: one task on EC2 instances (bridge network)."),
    ("fargate", FargateDeployment, "Stack `ecs-fargate`: one task on Fargate (awsvpc)."),
    ("services", ServicesDeployment, "Stacks `ecs-services` and `ecs-services-rds`: one ECS service per "
                                     "application service."),
)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    lines = ["# Configuration reference", "",
             "Generated from the settings' own declarations (`python -m ecs_templates.docs.configuration`); a test keeps",
             "this page current. A `--config` file overrides any part of the embedded default",
             "(`ecs_templates/config/default.yaml`, the WordPress + MariaDB application); mappings merge key by",
             "key, a key set to null goes back to its default, `application: {extends: none}` starts from",
             "nothing.", "",
             "## stacks", "",
             f"The stacks to build, a list of: {', '.join(f'`{name}`' for name in STACK_NAMES)}. Without it: "
             f"{', '.join(f'`{name}`' for name in DEFAULT_STACKS)} (the embedded default lists all five). A stack "
             "the application cannot run is an error that says why.", "",
             "## application", "",
             "`name` (required; lower-case letters, digits, hyphens), `tags` (mapping), `secrets` "
             "(name -> {description, length}: generated in Secrets Manager at deploy time), and `containers`: "
             "name -> the keys below. In the services stacks every container that is not a `sidecar_of` another "
             "and is essential is one service.", "",
             "| key | what it is |", "| --- | --- |"]
    lines += [f"| `{key}` | {_cell(text)} |" for key, text in CONTAINER_KEYS.items()]
    for name, cls, summary in SECTIONS:
        lines += ["", f"## {name}", "", summary, "", "| setting | type | default | bounds | description |",
                  "| --- | --- | --- | --- | --- |"]
        for row in reference_rows(cls, name):
            key = row.key.replace("services.tasks", "services.tasks.<service>")
            lines.append(f"| `{key}` | {row.kind} | `{_cell(row.default)}` | {_cell(row.bounds)} | "
                         f"{_cell(row.description)} |" if row.kind != "mapping" else
                         f"| `{key}` | {row.kind} | | | {_cell(row.description)} |")
        if cls is ServicesDeployment:
            lines += ["", "`services.tasks.<service>` takes any setting of `services.defaults`:", ""]
            lines += [f"- `{row.key.split('.', 1)[1]}`" for row in reference_rows(ServiceSettings, "tasks")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render(), end="")
