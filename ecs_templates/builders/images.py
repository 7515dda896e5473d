"""Container images: from this account's ECR repositories by default, or any URI given at deploy time."""
from __future__ import annotations

from typing import Any, Sequence

from troposphere import Equals, If, Ref, Template

from ecs_templates.builders.registry import add_name_prefix_parameter, registry_image_uri
from ecs_templates.builders.template import add_condition, add_parameter, stack_metadata
from ecs_templates.config.application import Application
from ecs_templates.config.container import Container
from ecs_templates.naming import logical_id

IMAGES_GROUP = "Container images"


def add_image_parameters(template: Template, app: Application,
                         containers: Sequence[Container] | None = None) -> dict[str, Any]:
    """One tag for every repository and an optional full image URI per container (all, or `containers`).

    Adding the images of more containers to the same template later adds only their parameters.

    Returns container name -> image expression. The source images (what push-images.sh
    pulls before pushing to ECR) are recorded in the template metadata.
    """
    tag = add_parameter(
        template, "ImageTag", group=IMAGES_GROUP, label="Image tag in ECR",
        Type="String", Default="latest", AllowedPattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        ConstraintDescription="a Docker tag: letters, digits, _ . - (at most 128)",
        Description="Tag of the images pushed to this account's ECR repositories (the ecr stack).")
    name_prefix = add_name_prefix_parameter(template, group=IMAGES_GROUP)
    images: dict[str, Any] = {}
    chosen = list(containers if containers is not None else app.containers)
    for container in chosen:
        name = logical_id(container.name, "image")
        override = add_parameter(
            template, name, group=IMAGES_GROUP, label=f"{container.name} image URI (optional)",
            Type="String", Default="",
            Description=f"Full image URI for {container.name}. Empty: "
                        f"<account>.dkr.ecr.<region>.amazonaws.com/<RepositoryNamePrefix>{container.repository}"
                        ":<ImageTag>.")
        from_registry = add_condition(template, logical_id(container.name, "image", "from", "registry"),
                                      Equals(Ref(override), ""))
        images[container.name] = If(from_registry, registry_image_uri(container.repository, Ref(tag), name_prefix),
                                    Ref(override))
    stack_metadata(template).setdefault("SourceImages", {}).update(source_images(chosen))
    return images


def source_image(container: Container) -> str | dict[str, Any]:
    """How push-images.sh fills the container's repository.

    A name: pull that image. Otherwise {"Pull": image} or {"Build": {Context, Dockerfile (in the
    context), Args, Target}}, plus "Copy": [{Source, Path}] for the files a derived image adds
    (FROM the pulled or built image, one COPY each) and "StopSignal" for its STOPSIGNAL. Paths
    are relative to the project.
    """
    copies = [{"Source": copy.source, "Path": copy.path} for copy in container.copies]
    derived = {**({"Copy": copies} if copies else {}),
               **({"StopSignal": container.stop_signal} if container.stop_signal else {})}
    if container.build is None and not derived:
        return container.image
    build = container.build
    source: dict[str, Any] = {"Pull": container.image} if build is None else {"Build": {
        "Context": build.context, "Dockerfile": build.dockerfile, "Args": dict(build.args),
        **({"Target": build.target} if build.target else {})}}
    return {**source, **derived}


def source_images(containers: Sequence[Container]) -> dict[str, Any]:
    """Repository -> its source (`source_image`), for the template metadata."""
    return {container.repository: source_image(container) for container in containers}
