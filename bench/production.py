"""The production topology without Docker (issue 14): what ``docker-compose.yml`` deploys, as processes.

    python -m bench.<name> --topology production

Debian's nginx runs the committed ``deploy/nginx.conf`` with only ports, file paths and the upstream
names replaced (``nginx_conf_outside_docker``); the web and the PKI listener run under gunicorn with the
compose file's own command line (worker and thread counts, config module; only the bind address and the
trusted proxy's address differ: ``gunicorn_command``); two ``rokin worker`` processes; the application on
a PostgreSQL database of its own (``fresh_postgres_database``, created and dropped around the run); the
Temporal dev server and the SMTP sink as in the development topology. ``bench.stack.running_stack``
starts them; this module only says how each is configured, so a test and a bench use the same.
"""

from __future__ import annotations

import os
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import ROOT

COMPOSE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
GUNICORN = Path(sys.prefix) / "bin" / "gunicorn"
# The server a database is created on for each run: the tests' (trust auth, as in CI), or ROKIN_TEST_POSTGRES's.
POSTGRES_ADMIN_URL = os.environ.get("ROKIN_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WORKER_REPLICAS = 2
PROXY_ADDRESS = "127.0.0.1"  # nginx, as the web sees it: its only trusted proxy


def compose_services() -> dict[str, Any]:
    import yaml  # the [tools] extra

    services: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return services


def gunicorn_command(service: str, *, bind: str) -> list[str]:
    """The compose service's gunicorn command line, bound to ``bind`` and trusting nginx on loopback."""
    command = list(compose_services()[service]["command"])
    if command[0] != "gunicorn":
        raise ValueError(f"docker-compose.yml: {service} does not run gunicorn: {command}")
    arguments = command[1:]
    for option, value in (("--bind", bind), ("--forwarded-allow-ips", PROXY_ADDRESS)):
        if option in arguments:
            arguments[arguments.index(option) + 1] = value
    return [str(GUNICORN), *arguments]


def compose_environment(service: str) -> dict[str, str]:
    """The service's settings that do not name a Docker host, file or secret (those differ here)."""
    environment = compose_services()[service].get("environment") or {}
    kept = {}
    for key, value in environment.items():
        text = str(value)
        if "${" in text or "/run/" in text or key in ("DATABASE_URL", "TEMPORAL_ADDRESS", "SMTP_HOST",
                                                       "SMTP_PORT", "ROKIN_DATA_DIR", "ROKIN_TRUSTED_PROXY",
                                                       "ROKIN_METRICS_ALLOW", "PROMETHEUS_MULTIPROC_DIR",
                                                       "ROKIN_WORKER_METRICS", "ROKIN_WORKER_HEALTH"):
            continue
        kept[key] = text
    return kept


@dataclass(frozen=True)
class NginxFiles:
    certificate: Path  # the server certificate (chain)
    key: Path
    client_ca: Path
    prefix: Path  # nginx's prefix directory: pid file, temp directories, access log


def nginx_conf_outside_docker(conf: str, *, tls_port: int, http_port: int, web_upstream: int, pki_upstream: int,
                              files: NginxFiles) -> str:
    """``deploy/nginx.conf`` with what differs outside Docker replaced; every replaced text must exist."""
    replacements = {
        "listen 443 ssl;": f"listen 127.0.0.1:{tls_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "/run/secrets/tls_certificate": str(files.certificate),
        "/run/secrets/tls_key": str(files.key),
        "/run/configs/client_ca.pem": str(files.client_ca),
        "http://web:8000": f"http://127.0.0.1:{web_upstream}",
        "http://pki:8080": f"http://127.0.0.1:{pki_upstream}",
        "access_log /dev/stdout json;": f"access_log {files.prefix / 'access.log'} json;",
    }
    for old, new in replacements.items():
        if old not in conf:
            raise ValueError(f"deploy/nginx.conf no longer holds {old!r}: update bench/production.py")
        conf = conf.replace(old, new)
    return f"pid {files.prefix / 'nginx.pid'};\n{conf}"


def prepare_nginx(prefix: Path, **ports_and_files: Any) -> Path:
    """Write the configuration and nginx's directories under ``prefix``; returns the configuration file."""
    for directory in ("logs", "client_body_temp", "proxy_temp", "fastcgi_temp", "uwsgi_temp", "scgi_temp"):
        (prefix / directory).mkdir(parents=True, exist_ok=True)
    conf = prefix / "nginx.conf"
    conf.write_text(nginx_conf_outside_docker(NGINX_CONF.read_text(), **ports_and_files))
    return conf


def nginx_binary() -> str | None:
    import shutil

    return shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@contextmanager
def fresh_postgres_database(admin_url: str = POSTGRES_ADMIN_URL) -> Iterator[str]:
    """A new, empty database on the server of ``admin_url`` while inside; dropped afterwards."""
    from sqlalchemy import text

    from store.db import make_engine

    name = f"rokin_bench_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield re.sub(r"/[^/]*$", f"/{name}", admin_url)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
