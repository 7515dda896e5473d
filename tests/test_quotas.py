"""CloudFormation's per-template quotas: a build over any of them is refused, naming it, and writes nothing."""
from __future__ import annotations

from pathlib import Path

import pytest
from troposphere import Output, Parameter, Template
from troposphere.cloudformation import WaitConditionHandle

from ecs_templates.builders.template import new_template

from ecs_templates import build as build_module
from ecs_templates import cli
from ecs_templates.artifacts import render_templates
from ecs_templates.build import build_files
from ecs_templates.docs.template import templates_from_files
from ecs_templates.errors import QuotaError
from ecs_templates.quotas import BODY, OUTPUTS, PARAMETERS, QUOTAS_URL, RESOURCES, check_quotas, over_quota


def _template(resources: int = 1, parameters: int = 0, outputs: int = 0, padding: int = 0) -> Template:
    """A template of the stacks' own kind (new_template), past troposphere's own stop at the quotas."""
    template = new_template("big", "x" * padding or "quota test")
    for index in range(resources):
        template.add_resource(WaitConditionHandle(f"Handle{index}"))
    for index in range(parameters):
        template.add_parameter(Parameter(f"Param{index}", Type="String", Default=""))
    for index in range(outputs):
        template.add_output(Output(f"Out{index}", Value="v"))
    return template


def _problems(**sizes: int) -> list[str]:
    files = render_templates({"big": _template(**sizes)})
    return over_quota(files, templates_from_files(files))


def test_at_each_quota_is_accepted():
    assert _problems(resources=RESOURCES.limit, parameters=PARAMETERS.limit, outputs=OUTPUTS.limit) == []


@pytest.mark.parametrize("sizes, quota, count", [
    ({"resources": RESOURCES.limit + 1}, RESOURCES, RESOURCES.limit + 1),
    ({"parameters": PARAMETERS.limit + 1}, PARAMETERS, PARAMETERS.limit + 1),
    ({"outputs": OUTPUTS.limit + 1}, OUTPUTS, OUTPUTS.limit + 1),
])
def test_one_over_a_counted_quota_names_it_the_count_and_the_fix(sizes, quota, count):
    problems = _problems(**sizes)
    assert problems == [f"big declares {count:,} {quota.unit}, over CloudFormation's quota of {quota.limit:,} "
                        f"{quota.unit} per template: {quota.remedy}"]


def test_a_body_over_1_mb_is_refused_in_either_rendering():
    files = render_templates({"big": _template()})
    files["big.yaml"] = b"#" * (BODY.limit + 1)
    problems = over_quota(files, templates_from_files(files))
    assert problems == [f"big.yaml is {BODY.limit + 1:,} bytes, over CloudFormation's quota of 1,000,000 bytes "
                        f"for a template body in Amazon S3: {BODY.remedy}"]
    files = render_templates({"big": _template(padding=BODY.limit)})
    assert [problem.split(" is ")[0] for problem in over_quota(files, templates_from_files(files))] == \
        ["big.json", "big.yaml"]


def test_every_quota_exceeded_is_in_one_message():
    files = render_templates({"big": _template(resources=501, parameters=201, outputs=201)})
    with pytest.raises(QuotaError) as raised:
        check_quotas(files, templates_from_files(files))
    message = str(raised.value)
    assert message.count("over CloudFormation's quota") == 3 and QUOTAS_URL in message
    assert message.endswith("nothing written") and "\n" not in message


def test_the_default_build_is_within_every_quota(default_config):
    files = build_files(default_config, validate=False).files
    assert over_quota(files, templates_from_files(files)) == []


def test_build_refuses_a_stack_over_a_quota_and_writes_nothing(monkeypatch, tmp_path: Path, capsys):
    monkeypatch.setattr(build_module, "build_all", lambda config: {"huge": _template(resources=501)})
    with pytest.raises(QuotaError, match="huge declares 501 resources"):
        build_files(None, validate=False)  # type: ignore[arg-type]
    out = tmp_path / "out"
    assert cli.main(["build", "--output", str(out), "--no-lint"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("ecs-templates: error: huge declares 501 resources, over CloudFormation's quota of "
                            "500 resources per template: build fewer services")
    assert len(error.strip().splitlines()) == 1 and "Traceback" not in error
    assert not out.exists()


def test_plain_troposphere_stops_at_the_quota_with_a_bare_error_the_stacks_do_not():
    plain = Template()
    with pytest.raises(ValueError, match="Maximum number of resources 500"):
        for index in range(RESOURCES.limit + 1):
            plain.add_resource(WaitConditionHandle(f"Handle{index}"))
    assert len(_template(resources=RESOURCES.limit + 1).resources) == RESOURCES.limit + 1
