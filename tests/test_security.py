"""The security gate: checkov over every stack, and the rules a scanner cannot know.

Every test iterates the STACKS registry, so a stack added later meets the same gate.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from troposphere import Ref, Template, ec2

from ecs_templates.artifacts import render_templates
from ecs_templates.builders.iam import STAR_ONLY_ACTIONS
from ecs_templates.builders.network import add_public_security_group
from ecs_templates.builders.registry import add_repository
from ecs_templates.builders.suppressions import MIN_REASON_LENGTH, suppress
from ecs_templates.config.model import RegistrySettings
from ecs_templates.security import inspection, plaintext
from ecs_templates.security.checkov import find_checkov, parse_report
from ecs_templates.security.gate import TagTolerantLoader, scan
from ecs_templates.stacks import STACKS, build_all, services
from ecs_templates.stacks.common import public_ports as intended_public_ports
from helpers import ROOT, config_with, run_cli

STACK_NAMES = [spec.name for spec in STACKS]

# Configurations the own-rule tests run over: the default, more public ports, no secrets at all.
VARIANTS: dict[str, dict[str, Any]] = {
    "default": {},
    "https-and-private-admin": {"application": {"containers": {"wordpress": {"ports": [
        {"container": 80, "host": 80, "public": True},
        {"container": 443, "host": 443, "public": True},
        {"container": 9000},
    ]}}}},
    "one-container": {"application": {"extends": "none", "name": "web", "containers": {
        "web": {"image": "nginx:1.27", "ports": [{"container": 80, "host": 80, "public": True}]}}}},
}


@pytest.fixture(scope="module")
def variant_templates() -> dict[str, tuple[Any, dict[str, dict[str, Any]]]]:
    built = {}
    for name, overrides in VARIANTS.items():
        config = config_with(overrides)
        built[name] = (config, {stack: json.loads(t.to_json()) for stack, t in build_all(config).items()})
    return built


# Each variant with the stacks its configuration asks for (ecs-services-* only where the application fits).
CASES = [(variant, spec.name) for variant, overrides in VARIANTS.items() for spec in STACKS
         if spec.enabled(config_with(overrides))]


# --- checkov ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def checkov() -> Path:
    """The checkov that `make test` installs into .venv-checkov (or $CHECKOV)."""
    candidate = os.environ.get("CHECKOV") or ROOT / ".venv-checkov" / "bin" / "checkov"
    if not Path(candidate).is_file():
        pytest.fail(f"checkov not found at {candidate}: run the suite with `make test`, which installs it")
    return find_checkov(candidate)


@pytest.fixture(scope="module")
def gate(checkov, default_config, tmp_path_factory):
    """checkov and the own rules over freshly generated templates of every stack (JSON and YAML)."""
    directory = tmp_path_factory.mktemp("templates")
    files = render_templates(build_all(default_config))
    for name, content in files.items():
        (directory / name).write_bytes(content)
    return scan([directory], checkov=checkov), directory, sorted(files)


def test_every_template_passes_checkov_and_the_own_rules(gate):
    result, _, _ = gate
    report = result.report
    assert report.failed == (), "new failed checks (fix them, or suppress with a reason in the builder):\n" + \
        "\n".join(map(str, report.failed))
    assert report.parsing_errors == ()
    assert report.unreasoned == (), "suppressions without a reason:\n" + "\n".join(map(str, report.unreasoned))
    assert result.problems == ()
    assert result.ok and report.passed > 0


def test_checkov_scanned_every_stack_in_both_formats(gate):
    result, directory, names = gate
    scanned = {Path(path).name for path in result.report.files}
    assert scanned == set(names), f"checkov reported nothing for {sorted(set(names) - scanned)}"
    assert {f"{stack}.{ext}" for stack in STACK_NAMES for ext in ("json", "yaml")} <= scanned


def test_each_suppression_is_reported_by_checkov_with_its_reason(gate, default_templates):
    """No stale suppression (for a check that does not apply) and nothing skipped any other way."""
    result, _, _ = gate
    skipped = {(Path(item.file).name, item.resource.split(".")[-1], item.check_id, item.comment)
               for item in result.report.skipped}
    declared = {(f"{stack}.{ext}", item.resource, item.check_id, item.reason)
                for stack, template in default_templates.items() for ext in ("json", "yaml")
                for item in inspection.suppressions(template)}
    assert skipped == declared


def _bad_template() -> dict[str, Any]:
    """SSH open to the world (a new failure) and port 80 suppressed without a reason."""
    template = Template()
    template.add_resource(ec2.SecurityGroup(
        "Open", GroupDescription="bad", VpcId="vpc-12345678",
        SecurityGroupIngress=[
            ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=port, ToPort=port, CidrIp="0.0.0.0/0",
                                  Description=f"port {port}")
            for port in (22, 80)],
        Metadata={"checkov": {"skip": [{"id": "CKV_AWS_260"}]}},
    ))
    return template.to_dict()


def test_scan_command_fails_on_a_new_failure_and_on_a_suppression_without_reason(tmp_path, checkov):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_bad_template()))
    result = run_cli("scan", str(path), "--checkov", str(checkov))
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"^FAILED .*Open: CKV_AWS_24 ", result.stdout, re.M), result.stdout
    assert re.search(r"^NO REASON .*Open: CKV_AWS_260 ", result.stdout, re.M), result.stdout
    assert re.search(r"^PROBLEM .*Open suppresses CKV_AWS_260 without a reason", result.stdout, re.M)
    assert "security gate FAILED" in result.stderr and "Traceback" not in result.stderr


def test_scan_command_without_checkov_is_one_clear_error(tmp_path):
    result = run_cli("scan", "--checkov", str(tmp_path / "no-checkov"))
    assert result.returncode == 1
    assert "checkov not found" in result.stderr and "make security" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def _check(check_id: str, file: str, result: str, comment: str = "") -> dict[str, Any]:
    return {"check_id": check_id, "check_name": "a check", "file_abs_path": file, "resource": "AWS::X::Y.R",
            "check_result": {"result": result, **({"suppress_comment": comment} if comment else {})}}


def test_report_with_an_unparsable_file_fails_even_when_checkov_exits_0():
    report = parse_report({"check_type": "cloudformation", "results": {
        "passed_checks": [_check("CKV_AWS_1", "/t/a.json", "PASSED")], "failed_checks": [],
        "skipped_checks": [], "parsing_errors": ["/t/bad.yaml"]},
        "summary": {"passed": 1, "failed": 0, "skipped": 0, "parsing_errors": 1, "resource_count": 1,
                    "checkov_version": "3.3.30"}})
    assert report.parsing_errors == ("/t/bad.yaml",) and not report.ok
    assert report.files == frozenset({"/t/a.json"})


def test_report_of_several_frameworks_and_unreasoned_skips():
    summary = {"passed": 0, "failed": 0, "skipped": 1, "parsing_errors": 0, "resource_count": 1,
               "checkov_version": "3.3.30"}
    report = parse_report([
        {"results": {"skipped_checks": [_check("CKV_AWS_88", "/t/a.json", "SKIPPED", "No comment provided")]},
         "summary": summary},
        {"results": {"failed_checks": [_check("CKV_AWS_24", "/t/b.json", "FAILED")]}, "summary": summary},
        {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0},
    ])
    assert [r.check_id for r in report.unreasoned] == ["CKV_AWS_88"]
    assert [r.check_id for r in report.failed] == ["CKV_AWS_24"]
    assert report.resource_count == 2 and not report.ok


# --- suppressions: in the builders, with reasons, listed in docs/security.md --------------

def test_suppress_requires_a_reason():
    group = ec2.SecurityGroup("Group", GroupDescription="x")
    with pytest.raises(ValueError, match="needs a reason a reviewer can judge"):
        suppress(group, "CKV_AWS_260", "n/a")


def test_suppress_replaces_and_sorts():
    group = ec2.SecurityGroup("Group", GroupDescription="x", Metadata={"Owner": "me"})
    suppress(group, "CKV_AWS_88", "x" * MIN_REASON_LENGTH)
    suppress(group, "CKV_AWS_260", "first reason " + "y" * MIN_REASON_LENGTH)
    suppress(group, "CKV_AWS_260", "second reason " + "z" * MIN_REASON_LENGTH)
    metadata = group.to_dict()["Metadata"]
    assert metadata["Owner"] == "me"
    assert [skip["id"] for skip in metadata["checkov"]["skip"]] == ["CKV_AWS_260", "CKV_AWS_88"]
    assert metadata["checkov"]["skip"][0]["comment"].startswith("second reason")


def test_port_80_suppression_only_where_port_80_is_open():
    template = Template()
    group = add_public_security_group(template, "Group", vpc=Ref("Vpc"), ports=[443], source_cidr=Ref("Cidr"),
                                      description="https only").to_dict()
    assert "Metadata" not in group
    group = add_public_security_group(template, "Web", vpc=Ref("Vpc"), ports=[80, 443], source_cidr=Ref("Cidr"),
                                      description="web").to_dict()
    assert [skip["id"] for skip in group["Metadata"]["checkov"]["skip"]] == ["CKV_AWS_260"]


def test_immutable_repository_needs_no_suppression():
    repository = add_repository(Template(), "web", RegistrySettings(), tag_mutability="IMMUTABLE").to_dict()
    assert "Metadata" not in repository


def documented_suppressions() -> set[tuple[str, str, str, str]]:
    """The rows of docs/security.md's suppression table: (stack, resource, check, reason)."""
    text = (ROOT / "docs" / "security.md").read_text("utf-8")
    section = text.split("\n## Suppressed checks\n", 1)[1].split("\n#", 1)[0]
    rows = set()
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[2].startswith("CKV"):
            rows.add((cells[0].strip("`"), cells[1].strip("`"), cells[2], cells[3]))
    return rows


def test_security_page_lists_every_suppression_and_its_reason(default_templates):
    in_templates = {(stack, item.resource, item.check_id, item.reason)
                    for stack, template in default_templates.items()
                    for item in inspection.suppressions(template)}
    assert in_templates, "expected the documented suppressions"
    assert documented_suppressions() == in_templates, (
        "docs/security.md's 'Suppressed checks' table must list exactly the templates' suppressions")


# --- rules a scanner cannot know ------------------------------------------------------------

@pytest.mark.parametrize("variant, stack", CASES)
def test_no_plaintext_secret_in_any_template(variant, stack, variant_templates):
    _, templates = variant_templates[variant]
    assert plaintext.in_structure(templates[stack], stack) == []


@pytest.mark.parametrize("variant, stack", CASES)
def test_password_parameters_are_noecho(variant, stack, variant_templates):
    _, templates = variant_templates[variant]
    assert inspection.echoing_password_parameters(templates[stack]) == []


@pytest.mark.parametrize("variant, stack", CASES)
def test_iam_is_least_privilege(variant, stack, variant_templates):
    _, templates = variant_templates[variant]
    assert inspection.iam_violations(templates[stack], STAR_ONLY_ACTIONS) == []


@pytest.mark.parametrize("variant, stack", CASES)
def test_public_ports_are_exactly_the_intended_ones(variant, stack, variant_templates):
    config, templates = variant_templates[variant]
    template = templates[stack]
    mode = inspection.network_mode(template)
    intended = intended_public_ports(config, mode) if mode else []
    if stack.startswith(services.NAME):
        # Only the load balancers: the listener ports of the public services, and HTTPS with a certificate.
        intended = sorted(set(intended_public_ports(config, "awsvpc")) - {80} | {80, 443})
    assert inspection.public_ports(template) == intended


def test_database_port_is_never_public(variant_templates):
    for _, templates in variant_templates.values():
        for template in templates.values():
            assert 3306 not in inspection.public_ports(template)
            assert inspection.ALL_PORTS not in inspection.public_ports(template)


def test_star_only_actions_each_have_a_reason():
    for action, reason in STAR_ONLY_ACTIONS.items():
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z]+", action), action
        assert len(reason) >= 30, action


IAM_CASES = [
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "wildcard action *"),
    ({"Effect": "Allow", "Action": ["ecr:*"], "Resource": ["arn:aws:ecr:::repository/x"]}, "wildcard action ecr:*"),
    ({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"}, "s3:PutObject on Resource '*'"),
    ({"Effect": "Allow", "Action": ["ec2:DescribeInstances"], "Resource": ["*"]}, "ec2:DescribeInstances on"),
    ({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": ["*"]}, "NotAction allows everything"),
]


@pytest.mark.parametrize("statement, problem", IAM_CASES)
def test_iam_check_finds_broad_statements(statement, problem):
    policy = {"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}
    template = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [
        {"Fn::If": ["Cond", policy, {"Ref": "AWS::NoValue"}]}]}}}}
    assert any(problem in found for found in inspection.iam_violations(template, STAR_ONLY_ACTIONS))


def test_iam_check_allows_star_only_actions():
    statement = {"Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": ["*"]}
    template = {"Resources": {"Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
        "PolicyDocument": {"Statement": [statement]}}}}}
    assert inspection.iam_violations(template, STAR_ONLY_ACTIONS) == []


def test_noecho_check_finds_an_echoing_password_parameter():
    template = {"Parameters": {"DbPassword": {"Type": "String"},
                               "AdminPassword": {"Type": "String", "NoEcho": True, "Default": "changeme"},
                               "RootPassword": {"Type": "String", "NoEcho": "true"},
                               "PasswordLength": {"Type": "Number", "Default": 32}}}
    assert inspection.echoing_password_parameters(template) == ["AdminPassword", "DbPassword"]


def test_public_ports_of_rules_and_sources():
    template = {
        "Parameters": {"Cidr": {"Type": "String", "Default": "0.0.0.0/0"},
                       "Office": {"Type": "String", "Default": "203.0.113.0/24"}},
        "Resources": {
            "Group": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": {"Ref": "Cidr"}},
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": {"Ref": "Office"}},
                {"IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "SourceSecurityGroupId": "sg-1"},
            ]}},
            "Extra": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8081, "CidrIpv6": "::/0"}},
            "All": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
                "IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}},
        }}
    assert inspection.public_ports(template) == [inspection.ALL_PORTS, 80, 8080, 8081]


# --- optional customer-managed KMS keys -------------------------------------------------------

def _task_stacks(templates):
    return {name: t for name, t in templates.items() if inspection.network_mode(t)}


def test_secrets_and_logs_take_an_optional_kms_key(variant_templates):
    _, templates = variant_templates["default"]
    assert _task_stacks(templates), "expected at least one stack running a task"
    for name, template in _task_stacks(templates).items():
        parameters, resources = template["Parameters"], template["Resources"]
        for key in ("SecretsKmsKeyArn", "LogsKmsKeyArn"):
            assert parameters[key]["Default"] == "", name
            assert re.fullmatch(parameters[key]["AllowedPattern"],
                                "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
            assert not re.fullmatch(parameters[key]["AllowedPattern"], "alias/aws/secretsmanager")
        for logical, resource in resources.items():
            if resource["Type"] == "AWS::SecretsManager::Secret":
                assert resource["Properties"]["KmsKeyId"] == {
                    "Fn::If": ["HasSecretsKmsKeyArn", {"Ref": "SecretsKmsKeyArn"}, {"Ref": "AWS::NoValue"}]}, logical
            if resource["Type"] == "AWS::Logs::LogGroup":
                assert resource["Properties"]["KmsKeyId"] == {
                    "Fn::If": ["HasLogsKmsKeyArn", {"Ref": "LogsKmsKeyArn"}, {"Ref": "AWS::NoValue"}]}, logical


def test_execution_role_may_decrypt_with_the_secrets_key_only_when_given(variant_templates):
    _, templates = variant_templates["default"]
    for name, template in _task_stacks(templates).items():
        roles = [logical for logical in template["Resources"] if logical.endswith("TaskExecutionRole")]
        assert roles, name
        for role in roles:  # one per task definition
            policies = template["Resources"][role]["Properties"]["Policies"]
            conditional = [p["Fn::If"] for p in policies if "Fn::If" in p]
            assert len(conditional) == 1, (name, role)
            condition, policy, otherwise = conditional[0]
            assert condition == "HasSecretsKmsKeyArn" and otherwise == {"Ref": "AWS::NoValue"}
            assert policy["PolicyDocument"]["Statement"] == [
                {"Action": ["kms:Decrypt"], "Effect": "Allow", "Resource": [{"Ref": "SecretsKmsKeyArn"}]}]


def test_no_secrets_key_parameter_without_secrets(variant_templates):
    _, templates = variant_templates["one-container"]
    for name, template in _task_stacks(templates).items():
        assert "SecretsKmsKeyArn" not in template["Parameters"], name
        assert "LogsKmsKeyArn" in template["Parameters"], name


@pytest.mark.parametrize("variant", sorted(set(VARIANTS) - {"default"}))
def test_variants_are_cfn_lint_clean(variant, variant_templates, validator):
    """The optional-key parameters and conditions stay valid when the application changes."""
    _, templates = variant_templates[variant]
    for name, template in templates.items():
        assert validator.lint_text(json.dumps(template), f"{variant}/{name}.json") == []


# --- plaintext secrets in every file of the project -----------------------------------------

SEED_COMPOSE = """
services:
  db:
    image: mariadb:11.0.2
    environment:
      MYSQL_ROOT_PASSWORD: root
      MYSQL_DATABASE: wordpress
  wordpress:
    environment:
      - WORDPRESS_DB_PASSWORD=wordpress
"""


@pytest.mark.parametrize("kind, text, names", [
    ("yaml", SEED_COMPOSE, {"MYSQL_ROOT_PASSWORD", "WORDPRESS_DB_PASSWORD"}),
    ("json", json.dumps({"containerDefinitions": [{"environment": [
        {"name": "MYSQL_PASSWORD", "value": "wordpress"}]}]}), {"MYSQL_PASSWORD"}),
    ("json", json.dumps({"Parameters": {"DbPassword": {"Type": "String", "Default": "root"}}}), {"DbPassword"}),
    ("text", "export MYSQL_ROOT_PASSWORD=root\nmysql --password='wordpress'\n", {"MYSQL_ROOT_PASSWORD", "--password"}),
    ("text", "AUTH_KEY=\"abc123\"\n", {"AUTH_KEY"}),
    ("python", "db_password = 'hunter2'\n", {"db_password"}),
])
def test_plaintext_detector_finds_the_seeds_defects(kind, text, names):
    assert {finding.name for finding in _findings(kind, text)} == names


@pytest.mark.parametrize("kind, text", [
    ("yaml", "application:\n  containers:\n    db:\n      secrets:\n        MYSQL_PASSWORD: db-password\n"),
    ("yaml", "services:\n  db:\n    environment:\n      MYSQL_PASSWORD: ${DB_PASSWORD}\n"),
    ("json", json.dumps({"Properties": {"GenerateSecretString": {"PasswordLength": 32},
                                        "KmsKeyId": {"Ref": "SecretsKmsKeyArn"}}})),
    ("text", 'DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id "$ARN")"\n'),
    ("text", "mysql --password=\"$DB_PASSWORD\"\nTOKEN=<your token>\n"),
    ("python", "secret = secrets[name]\n"),
])
def test_plaintext_detector_accepts_references(kind, text):
    assert _findings(kind, text) == []


def _findings(kind: str, text: str) -> list[plaintext.Finding]:
    import yaml

    if kind == "yaml":
        return plaintext.in_structure(yaml.safe_load(text), "file")
    if kind == "json":
        return plaintext.in_structure(json.loads(text), "file")
    return plaintext.in_text(text, "file", quoted_only=kind == "python")


SKIPPED_DIRECTORIES = {".git", "build", "dist", "__pycache__", ".pytest_cache", ".bench",
                       # npm's install of Mermaid's parser (package.json and its lock are checked)
                       "node_modules",
                       # Test fixtures may reproduce the seed's defective files on purpose (and this
                       # module holds such examples); golden templates are checked as templates above.
                       "tests"}
STRUCTURED = {".json", ".yaml", ".yml"}
TEXT = {".sh", ".bash", ".env", ".md", ".txt", ".cfg", ".toml", ".ini", ".conf"}
TEXT_NAMES = {"Makefile", "Dockerfile", "run"}
LOCAL_ONLY = {".env"}  # a user's own values for docker compose, ignored by git (.env.example is checked)


def project_files() -> list[Path]:
    found = []
    for path in sorted(ROOT.rglob("*")):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if not path.is_file() or path.name in LOCAL_ONLY or parts & SKIPPED_DIRECTORIES or any(p.startswith(".venv") for p in parts) \
                or any(p.endswith(".egg-info") for p in parts):
            continue
        if path.suffix in STRUCTURED | TEXT | {".py", ".example"} or path.name in TEXT_NAMES \
                or path.name.startswith(".env"):
            found.append(path)
    return found


def test_no_plaintext_secret_in_any_project_file():
    """Templates, scripts, compose files, examples, configuration, documentation and code."""
    import yaml  # noqa: F401  (TagTolerantLoader is a yaml loader)

    files = project_files()
    names = {path.relative_to(ROOT).as_posix() for path in files}
    assert "ecs_templates/config/default.yaml" in names and "README.md" in names
    assert any(name.startswith("templates/v") for name in names)
    assert {"docker-compose.yml", ".env.example"} <= names or not (ROOT / "docker-compose.yml").exists()
    findings: list[str] = []
    for path in files:
        text = path.read_text("utf-8")
        where = path.relative_to(ROOT).as_posix()
        if path.suffix in STRUCTURED:
            documents = list(yaml.load_all(text, Loader=TagTolerantLoader)) if path.suffix != ".json" \
                else [json.loads(text)]
            for document in documents:
                findings += map(str, plaintext.in_structure(document, where))
        else:
            findings += map(str, plaintext.in_text(text, where, quoted_only=path.suffix == ".py"))
    assert findings == []
