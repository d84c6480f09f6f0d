"""Request IDs, the access log, ``/metrics``, ``/healthz`` and ``/readyz`` of the web.

- Every request gets an ID: the ``X-Request-ID`` nginx sends, when the request comes from a
  trusted proxy (``ROKIN_TRUSTED_PROXY``) and the value looks like an ID; otherwise a new one.
  Every log line written during the request carries it (``core.logs.request_id_var``) and the
  response returns it in ``X-Request-ID``.
- One access line per request (logger ``rokin.access``): method, path, endpoint, status,
  duration. No query string, no client address, no user: the path of a route holds opaque
  identifiers only (UUIDs, serials, request numbers), and a path that matched no route is left
  out, since a client can type anything there. The probes below are counted but not logged.
- ``/metrics`` answers only peers in ``ROKIN_METRICS_ALLOW`` (default loopback) and never a
  trusted proxy, which relays the public; to everybody else it does not exist (404). nginx does
  not pass it on either (deploy/nginx.conf).
- ``/healthz``: the process answers. ``/readyz``: the database and Temporal answer (``readiness``).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid

from flask import Blueprint, Flask, Response, abort, current_app, g, jsonify, request

from core.logs import request_id_var

from . import metrics
from .readiness import OK, Readiness

log = logging.getLogger("rokin.access")

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")  # nginx's $request_id is 32 hex digits
MAX_LOGGED_PATH = 200
PROBES = frozenset({"observability.healthz", "observability.readyz", "observability.metrics"})

bp = Blueprint("observability", __name__)


def init_app(app: Flask) -> None:
    # First before every other hook (one of them may answer early: the request still gets its
    # ID and its line) and, as after-request hooks run in reverse, last after all of them.
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _finish)
    app.teardown_request(_forget)
    app.extensions["rokin_readiness"] = Readiness()
    app.register_blueprint(bp)


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = _incoming_request_id() or uuid.uuid4().hex
    g.request_id_token = request_id_var.set(g.request_id)


def _incoming_request_id() -> str | None:
    value = request.headers.get(REQUEST_ID_HEADER, "")
    trusted = request.remote_addr in current_app.extensions["rokin"].settings.trusted_proxies
    return value if trusted and SANE_REQUEST_ID.fullmatch(value) else None


def _finish(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    metrics.observe_request(request.endpoint, request.method, response.status_code, seconds)
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    if request.endpoint not in PROBES:
        path = request.path[:MAX_LOGGED_PATH] if request.url_rule is not None else None
        log.info("%s %s %d %.1fms", request.method, path or "-", response.status_code, seconds * 1000,
                 extra={"method": request.method, "path": path, "endpoint": request.endpoint,
                        "status": response.status_code, "duration_ms": round(seconds * 1000, 1)})
    return response


def _forget(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # set in another context (a server that copies contexts): clear this one
            request_id_var.set(None)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    state = current_app.extensions["rokin"]
    checks = current_app.extensions["rokin_readiness"].check(state.session_factory, state.bridge)
    ready = all(value == OK for value in checks.values())
    return jsonify(status="ready" if ready else "unavailable", checks=checks), 200 if ready else 503


@bp.get("/metrics", endpoint="metrics")
def metrics_page() -> Response:
    if not may_read_metrics(request.remote_addr):
        abort(404)
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


def may_read_metrics(peer: str | None) -> bool:
    settings = current_app.extensions["rokin"].settings
    if peer is None or peer in settings.trusted_proxies:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in settings.metrics_allow)
