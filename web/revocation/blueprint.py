"""The ``revocation`` blueprint; its views live in ``master``, ``requests`` and ``staff``."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("revocation", __name__)
