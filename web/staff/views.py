"""Rokin staff pages (helpers fill this in)."""

from flask import Blueprint

bp = Blueprint("staff", __name__)


@bp.get("/login")
def login():  # noqa: ANN201
    return "staff login"
