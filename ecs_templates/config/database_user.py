"""Stack ecs-services-rds: the application's own database user, made by a container at each task start.

RDS manages the master user's password in Secrets Manager and rotates it every seven days
by default, while ECS injects a secret only when a container starts: an application that
connected as the master user would fail on new connections after each rotation until its
tasks were replaced. So the application never connects as the master user. A non-essential
container of the web task, from the database container's image (it has the `mariadb`
client), starts first, connects with the master secret, and creates or updates the
application's user (the container's MYSQL_USER) with the application's generated, never
rotated secret, and its grants on the application's database; the web container starts
only when it has exited with SUCCESS. It runs at every task start, so it is idempotent.

No password is on a command line or in the template: both come through the container's
`secrets`; the client reads the master password from MYSQL_PWD (its environment), the SQL
with the application's password goes to the client's standard input.

https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html ("RDS
manages the secret's settings and rotates the secret every seven days by default")
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
("Sensitive data is injected into your container when the container is initially started")
https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_managed.html (use "a
database user created with the minimal privileges required for your application")
https://mariadb.com/docs/server/server-management/install-and-upgrade-mariadb/configuring-mariadb/mariadb-environment-variables
(MYSQL_PWD)
"""
from __future__ import annotations

from dataclasses import replace

from ecs_templates.config.model import Connection, Container, Dependency

# The RDS master user: the MariaDB container's root, never the application's user.
MASTER_USERNAME = "admin"
# Name under which the stack passes the RDS-managed master password (a SecretSource) to the container.
MASTER_SECRET_ENTRY = "rds-master-password"
ATTEMPTS = 6          # the instance is available before the task starts; retries cover DNS and a reboot
RETRY_SECONDS = 10

# Identifiers (DB_NAME, DB_APP_USER) are checked by the config (letters, digits, _), and the
# application's password is generated without punctuation, so the SQL needs no escaping.
# TLS on, without verifying the server certificate: the RDS CA bundle is not in the image's
# trust store, and the MariaDB 11.4 client verifies by default; the endpoint is this stack's
# own instance, reached inside the VPC.
SCRIPT = f"""set -eu
export MYSQL_PWD="$DB_MASTER_PASSWORD"
client() {{ mariadb --host="$DB_HOST" --port="$DB_PORT" --user="$DB_MASTER_USER" --ssl --skip-ssl-verify-server-cert "$@"; }}
attempt=1
until client --execute='SELECT 1' >/dev/null; do
  [ "$attempt" -lt {ATTEMPTS} ] || {{ echo "cannot reach the database at $DB_HOST:$DB_PORT" >&2; exit 1; }}
  attempt=$((attempt + 1)); sleep {RETRY_SECONDS}
done
client <<SQL
CREATE USER IF NOT EXISTS '$DB_APP_USER'@'%' IDENTIFIED BY '$DB_APP_PASSWORD';
ALTER USER '$DB_APP_USER'@'%' IDENTIFIED BY '$DB_APP_PASSWORD';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_APP_USER'@'%';
SQL
echo "database user $DB_APP_USER ready on $DB_NAME"
"""


def setup_container(database: Container, *, database_name: str, user: str, password_secret: str,
                    port: int) -> Container:
    """The container that creates the application's user; `database` is the container RDS replaces."""
    return Container(
        name=f"{database.name}-app-user",
        image=database.image,
        repository=database.repository,
        essential=False,  # it exits when done; the web container waits for its SUCCESS
        command=("sh", "-c", SCRIPT),
        environment=(("DB_APP_USER", user), ("DB_MASTER_USER", MASTER_USERNAME), ("DB_NAME", database_name),
                     ("DB_PORT", str(port))),
        secrets=(("DB_APP_PASSWORD", password_secret), ("DB_MASTER_PASSWORD", MASTER_SECRET_ENTRY)),
        uses=(Connection(container=database.name, port=port, env="DB_HOST", format="{host}"),),
    )


def after_setup(web: Container, setup: Container) -> Container:
    """The web container, started only once `setup` has exited successfully."""
    return replace(web, depends_on=tuple(dep for dep in web.depends_on if dep.container != setup.name)
                   + (Dependency(setup.name, "SUCCESS"),))
