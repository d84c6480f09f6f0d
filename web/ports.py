"""The use-cases' Temporal port of this app (``usecases.gateway.TemporalGateway``; a fake in some tests)."""

from __future__ import annotations

from flask import current_app

from usecases.ports import TemporalPort


def temporal() -> TemporalPort:
    return current_app.extensions["rokin"].temporal
