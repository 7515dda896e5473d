"""Stack ecs-services-rds: the application's own database user, made by a container at each task start.

RDS manages the master user's password in Secrets Manager and rotates it every seven days
by default, while ECS injects a secret only when a container starts: an application that
connected as the master user would fail on new connections after each rotation until its
tasks were replaced. So the application never connects as the master user. A non-essential
container of each client's task, from the database container's image (it has the
database's client, named in config/images.py), starts first, connects with the master secret, and creates or updates the
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

from ecs_templates.config.container import Connection, Container, Dependency
from ecs_templates.config.images import DatabaseEngine



def master_secret_entry(database: str) -> str:
    """Name under which the stack passes the RDS-managed master password (a SecretSource) to the container."""
    return f"{database}-rds-master-password"

ATTEMPTS = 6          # the instance is available before the task starts; retries cover DNS and a reboot
RETRY_SECONDS = 10

# Identifiers (DB_NAME, DB_APP_USER) are checked by the config (letters, digits, _), and the
# application's password is generated without punctuation, so the SQL needs no escaping.
# MySQL family: TLS on, without verifying the server certificate (the RDS CA bundle is not in the
# image's trust store); the endpoint is this stack's own instance, reached inside the VPC.
MYSQL_SCRIPT = """set -eu
export MYSQL_PWD="$DB_MASTER_PASSWORD"
client() {{ {client} --host="$DB_HOST" --port="$DB_PORT" --user="$DB_MASTER_USER" {tls} "$@"; }}
attempt=1
until client --execute='SELECT 1' >/dev/null; do
  [ "$attempt" -lt {attempts} ] || {{ echo "cannot reach the database at $DB_HOST:$DB_PORT" >&2; exit 1; }}
  attempt=$((attempt + 1)); sleep {retry}
done
client <<SQL
CREATE USER IF NOT EXISTS '$DB_APP_USER'@'%' IDENTIFIED BY '$DB_APP_PASSWORD';
ALTER USER '$DB_APP_USER'@'%' IDENTIFIED BY '$DB_APP_PASSWORD';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_APP_USER'@'%';
SQL
echo "database user $DB_APP_USER ready on $DB_NAME"
"""
# PostgreSQL: RDS for PostgreSQL 15 and later require TLS (rds.force_ssl); sslmode=require encrypts
# without verifying. PGPASSWORD keeps the master password off the command line.
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html
POSTGRES_SCRIPT = """set -eu
export PGPASSWORD="$DB_MASTER_PASSWORD"
client() {{ {client} "host=$DB_HOST port=$DB_PORT user=$DB_MASTER_USER dbname=$DB_NAME sslmode=require" \\
  --set=ON_ERROR_STOP=1 --quiet "$@"; }}
attempt=1
until client --command='SELECT 1' >/dev/null; do
  [ "$attempt" -lt {attempts} ] || {{ echo "cannot reach the database at $DB_HOST:$DB_PORT" >&2; exit 1; }}
  attempt=$((attempt + 1)); sleep {retry}
done
client <<SQL
DO \\$\\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_APP_USER') THEN CREATE ROLE "$DB_APP_USER" LOGIN; END IF;
END \\$\\$;
ALTER ROLE "$DB_APP_USER" WITH LOGIN PASSWORD '$DB_APP_PASSWORD';
GRANT ALL PRIVILEGES ON DATABASE "$DB_NAME" TO "$DB_APP_USER";
ALTER DATABASE "$DB_NAME" OWNER TO "$DB_APP_USER";
ALTER SCHEMA public OWNER TO "$DB_APP_USER";
SQL
echo "database user $DB_APP_USER ready on $DB_NAME"
"""


def script(engine: DatabaseEngine) -> str:
    """The setup script for the engine's dialect, with the image's own client."""
    if engine.dialect == "postgres":
        return POSTGRES_SCRIPT.format(client=engine.client, attempts=ATTEMPTS, retry=RETRY_SECONDS)
    return MYSQL_SCRIPT.format(client=engine.client, tls=engine.client_tls, attempts=ATTEMPTS, retry=RETRY_SECONDS)


def setup_container(database: Container, engine: DatabaseEngine, *, database_name: str, user: str,
                    password_secret: str, port: int) -> Container:
    """The container that creates the application's user; `database` is the container RDS replaces."""
    return Container(
        name=f"{database.name}-app-user",
        image=database.image,
        repository=database.repository,
        essential=False,  # it exits when done; the client container waits for its SUCCESS
        command=("sh", "-c", script(engine)),
        environment=(("DB_APP_USER", user), ("DB_MASTER_USER", engine.master_username), ("DB_NAME", database_name),
                     ("DB_PORT", str(port))),
        secrets=(("DB_APP_PASSWORD", password_secret), ("DB_MASTER_PASSWORD", master_secret_entry(database.name))),
        uses=(Connection(container=database.name, port=port, env="DB_HOST", format="{host}"),),
    )


def after_setup(client: Container, setup: Container) -> Container:
    """The client container, started only once `setup` has exited successfully."""
    return replace(client, depends_on=tuple(dep for dep in client.depends_on if dep.container != setup.name)
                   + (Dependency(setup.name, "SUCCESS"),))
