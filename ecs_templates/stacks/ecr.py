"""Stack `ecr`: the private registry of the application's images (seed 3.2)."""
from __future__ import annotations

from troposphere import Ref, Template

from ecs_templates.builders.images import source_images
from ecs_templates.builders.registry import add_name_prefix_parameter, add_repository, repository_uri
from ecs_templates.builders.template import add_output, add_parameter, new_template, stack_metadata
from ecs_templates.config.model import Config
from ecs_templates.naming import logical_id

NAME = "ecr"
SUMMARY = "private ECR repositories for the application's images (scan on push, KMS, lifecycle)"


def build(config: Config) -> Template:
    template = new_template(NAME, SUMMARY)
    mutability = add_parameter(
        template, "ImageTagMutability", group="Registry", label="Tag mutability",
        Type="String", Default="MUTABLE", AllowedValues=["MUTABLE", "IMMUTABLE"],
        Description="MUTABLE lets a push overwrite a tag such as `latest` (the default workflow); "
                    "IMMUTABLE forbids it, so a tag always names the same image.")
    name_prefix = add_name_prefix_parameter(template, group="Registry")
    for repository_name in config.application.repositories:
        repository = add_repository(template, repository_name, config.registry,
                                    tag_mutability=Ref(mutability), name_prefix=name_prefix)
        add_output(template, logical_id(repository_name, "repository", "uri"), repository_uri(repository),
                   f"URI of the {repository_name} repository (docker tag/push target)", export=True)
    stack_metadata(template)["SourceImages"] = source_images(config.application.containers)
    return template
