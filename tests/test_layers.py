"""Dependencies point down only (README "Architecture"): read every module's imports with ``ast``.

core, domain ← store, pki, contract ← activities ← workflows ← usecases ← web ← rokin. A lower layer that
imports a higher one — or the use-cases a web framework — fails here, naming the module and import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# package → the top-level product packages it must never import
FORBIDDEN = {
    "core": {"store", "pki", "activities", "workflows", "usecases", "web", "rokin", "worker"},
    "domain": {"core", "store", "pki", "activities", "workflows", "usecases", "web", "rokin", "worker"},
    "store": {"activities", "workflows", "usecases", "web", "rokin", "worker"},
    "pki": {"activities", "workflows", "usecases", "web", "rokin", "worker"},
    "contract": {"core", "store", "pki", "activities", "workflows", "usecases", "web", "rokin", "worker"},
    "activities": {"usecases", "web", "rokin", "worker"},
    "workflows": {"usecases", "web", "rokin", "worker"},
    "usecases": {"web", "rokin", "worker", "flask", "flask_babel", "flask_login", "flask_wtf", "werkzeug"},
    "web": {"rokin", "worker"},
}


def imported_top_levels(path: Path) -> set[tuple[str, str]]:
    """(top-level package, the import as written) for every absolute import in ``path``."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.module))
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_no_package_imports_a_layer_above_it(package: str):
    offending = [f"{path.relative_to(REPO)}: import {written}"
                 for path in sorted((REPO / package).rglob("*.py"))
                 for top, written in imported_top_levels(path) if top in FORBIDDEN[package]]
    assert offending == []
