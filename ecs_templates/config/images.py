"""What is known about particular images, as data in one table: ports, users, data paths, databases.

The stacks and the importer know nothing about WordPress, MariaDB or any other image; they
ask this table. An image that is not here still runs: its ports come from the config, its
volumes get the default ownership (`DEFAULT_DATA`), and it is not taken for a database.

Sources: each image's page on Docker Hub (the official images' documentation), for the
port it listens on, the user its server runs as and the directory it keeps data in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

HTTP = "http"
GRPC = "grpc"


@dataclass(frozen=True)
class DataPath:
    """A directory an image keeps data in, and who owns it there."""

    path: str
    uid: int
    gid: int
    permissions: str = "0755"
    # Several tasks may write it at once (a web root); otherwise the service keeps one task.
    shared_by_replicas: bool = False


# A volume of an image this table does not know: an access point rooted at a directory owned by root,
# with no POSIX user enforced, and the task role allowed root access; an entrypoint that starts as
# root (most official images do) can then chown it to the user its server runs as.
DEFAULT_DATA = DataPath(path="", uid=0, gid=0, permissions="0755")


@dataclass(frozen=True)
class DatabaseEngine:
    """A database image that Amazon RDS can stand in for, and the environment the image reads."""

    rds_engine: str                 # RDS Engine: mariadb | mysql | postgres
    engine_version: str             # the RDS major version offered by default
    name_env: tuple[str, ...]       # the application's database ...
    user_env: tuple[str, ...]       # ... its user ...
    password_env: tuple[str, ...]   # ... and that user's password (a secret)
    client: str                     # the command-line client inside the image (the user-setup container)
    dialect: str                    # which setup script: mysql | postgres
    master_username: str            # the RDS master user, never the application's
    client_tls: str = ""            # the client's options for TLS without verifying RDS's certificate
    log_export: str = "error"       # the log RDS exports to CloudWatch Logs for this engine
    # RDS turns TLS-only on by default from this version (major, minor); None: never by default.
    tls_only_from: tuple[int, int] | None = None


MYSQL_FAMILY = dict(client="mysql", dialect="mysql", master_username="admin", client_tls="--ssl-mode=REQUIRED")


@dataclass(frozen=True)
class KnownImage:
    """One row: the repositories it matches, the ports it listens on, its data, its database engine."""

    repositories: tuple[str, ...]
    ports: tuple[tuple[int, str], ...] = ()          # (port, app protocol: http | grpc | tcp | udp)
    data: tuple[DataPath, ...] = ()
    database: DatabaseEngine | None = None
    # Environment variables that must hold a long random value per installation (keys, salts):
    # the services stacks generate one secret each; (variable, secret name).
    generated_secrets: tuple[tuple[str, str], ...] = ()
    health_check_path: str = "/"


def _wordpress_secrets() -> tuple[tuple[str, str], ...]:
    names = [f"WORDPRESS_{kind}_{what}" for what in ("KEY", "SALT")
             for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")]
    return tuple(sorted((name, name.lower().replace("wordpress_", "").replace("_", "-")) for name in names))


_MYSQL_DATA = DataPath("/var/lib/mysql", 999, 999, "0700")

IMAGES: tuple[KnownImage, ...] = (
    # MariaDB 11.8 turns require_secure_transport ON in RDS, and clients such as WordPress connect
    # without TLS: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mariadb-ssl-connections.require-ssl.html
    KnownImage(("mariadb",), ((3306, "tcp"),), (_MYSQL_DATA,), DatabaseEngine(
        "mariadb", "11.4", ("MARIADB_DATABASE", "MYSQL_DATABASE"), ("MARIADB_USER", "MYSQL_USER"),
        ("MARIADB_PASSWORD", "MYSQL_PASSWORD"), client="mariadb", dialect="mysql", master_username="admin",
        # The MariaDB 11.4 client verifies the server certificate by default; the RDS CA is not in the image.
        client_tls="--ssl --skip-ssl-verify-server-cert", tls_only_from=(11, 8))),
    KnownImage(("mysql", "percona", "percona/percona-server"), ((3306, "tcp"), (33060, "tcp")), (_MYSQL_DATA,),
               DatabaseEngine("mysql", "8.4", ("MYSQL_DATABASE",), ("MYSQL_USER",), ("MYSQL_PASSWORD",),
                              **MYSQL_FAMILY)),
    KnownImage(("postgres", "postgis/postgis"), ((5432, "tcp"),),
               (DataPath("/var/lib/postgresql/data", 999, 999, "0700"),),
               DatabaseEngine("postgres", "16", ("POSTGRES_DB",), ("POSTGRES_USER",), ("POSTGRES_PASSWORD",),
                              client="psql", dialect="postgres", master_username="dbadmin",
                              log_export="postgresql")),
    KnownImage(("redis", "valkey/valkey"), ((6379, "tcp"),), (DataPath("/data", 999, 999),)),
    KnownImage(("mongo",), ((27017, "tcp"),), (DataPath("/data/db", 999, 999),)),
    KnownImage(("memcached",), ((11211, "tcp"),)),
    KnownImage(("zookeeper",), ((2181, "tcp"), (2888, "tcp"), (3888, "tcp")),
               (DataPath("/data", 1000, 1000), DataPath("/datalog", 1000, 1000))),
    KnownImage(("elasticsearch", "elasticsearch/elasticsearch", "opensearchproject/opensearch"),
               ((9200, HTTP), (9300, "tcp")), (DataPath("/usr/share/elasticsearch/data", 1000, 0),)),
    KnownImage(("kibana", "kibana/kibana", "opensearchproject/opensearch-dashboards"), ((5601, HTTP),),
               health_check_path="/api/status"),
    KnownImage(("rabbitmq",), ((5672, "tcp"), (15672, HTTP)), (DataPath("/var/lib/rabbitmq", 999, 999),)),
    KnownImage(("wordpress",), ((80, HTTP),), (DataPath("/var/www/html", 33, 33, shared_by_replicas=True),),
               generated_secrets=_wordpress_secrets()),
    KnownImage(("nginx", "httpd", "phpmyadmin", "phpmyadmin/phpmyadmin", "dpage/pgadmin4"), ((80, HTTP),)),
    KnownImage(("adminer",), ((8080, HTTP),)),
    KnownImage(("grafana/grafana", "grafana/grafana-oss"), ((3000, HTTP),), (DataPath("/var/lib/grafana", 472, 0),),
               health_check_path="/api/health"),
    KnownImage(("prom/prometheus",), ((9090, HTTP),), (DataPath("/prometheus", 65534, 65534),),
               health_check_path="/-/healthy"),
)

# Ports that speak HTTP when the config and the table say nothing else (well-known web ports; 443 and
# 8443 carry TLS, which the network load balancer passes through as TCP).
HTTP_PORTS = frozenset((80, 3000, 4000, 5000, 5601, 8000, 8008, 8080, 8081, 8888, 9000, 9090))

# Labels that tell a reverse proxy which port of a container to send traffic to; the import reads
# them as the port a service listens on when its compose entry lists none. Traefik's Docker provider:
# https://doc.traefik.io/traefik/routing/providers/docker/ ("Specify a Custom Port for the Container").
PORT_LABELS = (
    re.compile(r"traefik\.(?:http|tcp)\.services\.[^.]+\.loadbalancer\.server\.port"),
)

_BY_REPOSITORY = {repository: image for image in IMAGES for repository in image.repositories}
_REGISTRY_HOST = re.compile(r"^[^/]+[.:][^/]*/|^localhost/")


def repository_of(image: str) -> str:
    """`docker.io/library/mariadb:11.4@sha256:...` -> `mariadb`: the repository path, no registry or tag."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)
    if ":" in last[-1]:
        name = name[: len(name) - len(last[-1]) + last[-1].index(":")]
    name = _REGISTRY_HOST.sub("", name)
    return name[len("library/"):] if name.startswith("library/") else name


def known_image(image: str) -> KnownImage | None:
    return _BY_REPOSITORY.get(repository_of(image))


def data_path(image: str, path: str) -> DataPath:
    """Ownership of `path` in `image`: the table's, or the default for a volume the table does not know."""
    known = known_image(image)
    for entry in known.data if known else ():
        if entry.path == path.rstrip("/"):
            return entry
    return DataPath(path=path, uid=DEFAULT_DATA.uid, gid=DEFAULT_DATA.gid, permissions=DEFAULT_DATA.permissions)


def database_engine(image: str) -> DatabaseEngine | None:
    known = known_image(image)
    return known.database if known else None


def app_protocol(image: str, port: int, transport: str = "tcp") -> str:
    """http, grpc, tcp or udp: the table's word for this image's port, else HTTP on well-known web ports."""
    if transport == "udp":
        return "udp"
    known = known_image(image)
    for known_port, protocol in known.ports if known else ():
        if known_port == port:
            return protocol
    return HTTP if port in HTTP_PORTS else "tcp"


def known_ports(image: str) -> tuple[tuple[int, str], ...]:
    """(port, app protocol) the image listens on, the main one first."""
    known = known_image(image)
    return known.ports if known else ()


def well_known_ports(image: str) -> tuple[int, ...]:
    """The ports the image listens on, first the main one (for a service others reach by name only)."""
    return tuple(port for port, _ in known_ports(image))
