"""The web's Prometheus metrics, served on ``/metrics`` (``web.observability``).

Counted where the outcome is decided: requests and latency for every request
(``web.observability``), password checks in ``web.auth.service`` (the one place every password
goes through), certificate refusals at ログイン (``web.certificates.login``), and 発行 outcomes
in ``web.certificates.views``. Labels are bounded sets (endpoint names, outcome codes): never an
ID, an address or a path with identifiers in it.

Under gunicorn every worker process counts on its own: with ``PROMETHEUS_MULTIPROC_DIR`` set
(``rokin.gunicorn_conf``, docker-compose.yml) the values live in files there and ``/metrics``
adds up every process's; without it ``/metrics`` shows the process that answered.
"""

from __future__ import annotations

import os

from flask import has_request_context, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("rokin_http_requests", "HTTP requests answered, by endpoint, method and status",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("rokin_http_request_duration_seconds", "Time to answer an HTTP request, by endpoint",
                    ["endpoint"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
LOGINS = Counter("rokin_logins", "Password checks and certificate logins, by the page that asked (kind) and outcome",
                 ["kind", "outcome"])
ISSUANCES = Counter("rokin_certificate_issuances", "発行 presses, by outcome", ["outcome"])

# The pages that check a password, by what the user is doing there.
LOGIN_KINDS = {
    "certificate_login.login": "certificate",
    "staff.login": "staff",
    "auth.register_login": "initial_registration",
    "certificates.authenticate_user": "issuance",
    "revocation_request.authenticate_requester": "revocation_request",
    "account.change_password": "password_change",  # the current password, judged as at ログイン
}
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # no route: a 404 (or 405) before any view ran


def count_login(outcome: str) -> None:
    """One password check or certificate refusal on the current page (``LOGIN_KINDS``)."""
    endpoint = request.endpoint if has_request_context() else None
    LOGINS.labels(kind=LOGIN_KINDS.get(endpoint or "", "other"), outcome=outcome).inc()


def count_issuance(outcome: str) -> None:
    ISSUANCES.labels(outcome=outcome).inc()


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    endpoint = endpoint or UNMATCHED
    REQUESTS.labels(endpoint=endpoint, method=method if method in METHODS else "other", status=str(status)).inc()
    LATENCY.labels(endpoint=endpoint).observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The text a Prometheus scrape reads, and its content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
