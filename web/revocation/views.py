"""Registers every revocation view on ``bp`` (import this module, then register ``bp``)."""

from __future__ import annotations

from . import master, my_requests, requests, staff_filing, staff_requests  # noqa: F401
from .blueprint import bp

__all__ = ["bp"]
