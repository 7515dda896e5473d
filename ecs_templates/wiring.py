"""How one container reaches another, rendered per network mode from one description.

The application config says "wordpress uses mariadb on 3306". Under `bridge` Docker links
make the container name resolvable, so the address is `mariadb:3306` plus a link. Under
`awsvpc` the containers of a task share one network namespace: the address is
`127.0.0.1:3306`. Never `localhost`: PHP's MySQL client reads that name as "use the Unix
socket", which lives in the other container (the seed's Fargate failure).
"""
from __future__ import annotations

from typing import Any, Mapping

from troposphere import Sub

from ecs_templates.config.container import Connection, Container
from ecs_templates.errors import ConfigError

LOOPBACK = "127.0.0.1"


def host_for(connection: Connection, network_mode: str, service_hosts: Mapping[str, Any] | None = None) -> Any:
    """The host name or address under which `connection.container` answers.

    `service_hosts` maps containers that run as separate services (or are replaced by a
    managed database) to their DNS names: a string, or a CloudFormation expression such
    as an RDS endpoint address, known only at deploy time.
    """
    if service_hosts and connection.container in service_hosts:
        return service_hosts[connection.container]
    if network_mode == "bridge":
        return connection.container
    if network_mode in ("awsvpc", "host"):  # one network namespace: the task's, or the instance's
        return LOOPBACK
    raise ValueError(f"unknown network mode {network_mode!r}")


def render(connection: Connection, host: Any) -> Any:
    """`connection.format` with the host filled in; an expression host gives an Fn::Sub."""
    if isinstance(host, str):
        return connection.format.format(host=host, port=connection.port)
    # ${! keeps a literal ${ in the format from being read as a variable by Fn::Sub.
    pieces = [piece.format(port=connection.port).replace("${", "${!")
              for piece in connection.format.split("{host}")]
    return Sub("${Host}".join(pieces), Host=host)


def connection_environment(container: Container, network_mode: str,
                           service_hosts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The environment variables that `uses` produces for one container (those without a password)."""
    return {
        connection.env: render(connection, host_for(connection, network_mode, service_hosts))
        for connection in container.uses if connection.password is None
    }


def secret_value(connection: Connection, host: Any, password_reference: str, password: Any) -> Sub:
    """The SecretString of a value with a password in it: an Fn::Sub whose password is a dynamic reference.

    `password_reference` is the `{{resolve:secretsmanager:${Password}...}}` text (builders/secrets.py),
    `password` the value of its ${Password} (the ARN of the password's secret);
    CloudFormation resolves it while it creates the secret, and never stores or logs the value:
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references-secretsmanager.html
    """
    marks = {"host": "\x00host\x00", "password": "\x00password\x00"}
    text = connection.format.format(port=connection.port, **marks).replace("${", "${!")
    text = text.replace(marks["host"], "${Host}").replace(marks["password"], password_reference)
    return Sub(text, Host=host, Password=password) if "${Host}" in text else Sub(text, Password=password)


def links_for(container: Container, network_mode: str, in_task: set[str]) -> list[str]:
    """Docker links: the explicit ones plus one per `uses` target in the same task (bridge only)."""
    if network_mode != "bridge":
        if container.links:
            raise ConfigError(f"{container.path}.links",
                              f"links work only in bridge mode, not {network_mode}; containers of an "
                              "awsvpc task reach each other on 127.0.0.1: use `uses` instead")
        return []
    links = list(container.links)
    named = {link.split(":")[0] for link in links}
    for connection in container.uses:
        if connection.container in in_task and connection.container not in named:
            links.append(f"{connection.container}:{connection.container}")
            named.add(connection.container)
    return sorted(links)
