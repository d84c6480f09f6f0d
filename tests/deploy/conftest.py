"""The deployment files, parsed: ``docker-compose.yml``, ``deploy/nginx.conf``, the Dockerfile."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
DOCKERFILE = ROOT / "Dockerfile"
PYPROJECT = ROOT / "pyproject.toml"
ENV_EXAMPLE = ROOT / "deploy" / "env.example"


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="session")
def services(compose) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    return compose["services"]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment as a mapping (compose allows a list of KEY=VALUE too)."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def settings_environment(service: dict[str, Any]) -> dict[str, str]:
    """``environment`` as the container sees it with an empty .env: ``${VAR:-default}`` is its default,
    ``${VAR:?message}`` a placeholder (compose refuses to start without it)."""
    def value(match: re.Match) -> str:
        return match.group(2) if match.group(1) == "-" else "set-in-env"

    return {key: re.sub(r"\$\{[A-Z_]+:([-?])([^}]*)\}", value, text) for key, text in environment(service).items()}


def command(service: dict[str, Any]) -> list[str]:
    value = service.get("command") or []
    return value.split() if isinstance(value, str) else [str(part) for part in value]
