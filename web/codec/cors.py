"""Cross-origin rules of the codec server: only the Temporal Web UI's origins (``ROKIN_CODEC_CORS_ORIGINS``)
may call it from a browser, with the staff member's cookie.

The UI runs on another origin (``rokin dev``: http://localhost:8233) and sends ``Content-Type:
application/json`` and ``X-Namespace`` (and ``Authorization`` with "pass access token"), so the browser
asks first (a preflight OPTIONS, without cookies). We answer it for a configured origin only, and
allow credentials so that "include cross-origin credentials" sends the session cookie. A request
that names any other origin is refused before it is read, which is also what keeps the endpoint safe
without a CSRF token (the UI cannot send one).
"""

from __future__ import annotations

from flask import Request, Response

ALLOWED_METHODS = "POST"
ALLOWED_HEADERS = "Content-Type, X-Namespace, Authorization"
PREFLIGHT_MAX_AGE_SECONDS = 600


def own_origin(request: Request) -> str:
    return request.host_url.rstrip("/")


def origin_allowed(request: Request, allowed: tuple[str, ...]) -> bool:
    """No Origin (not a browser, e.g. ``curl``): allowed, the session cookie still decides. The
    Rokin site itself: allowed. Anything else: only a configured Temporal UI origin."""
    origin = request.headers.get("Origin")
    return origin is None or origin in allowed or origin == own_origin(request)


def is_preflight(request: Request) -> bool:
    return request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers


def preflight(request: Request, allowed: tuple[str, ...]) -> Response:
    """204 with the CORS grant for a configured origin asking to POST; 403 without one for the rest."""
    origin = request.headers.get("Origin")
    if origin not in allowed or request.headers.get("Access-Control-Request-Method") != ALLOWED_METHODS:
        return Response(status=403)
    response = Response(status=204)
    grant(response, origin)
    response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
    response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
    response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE_SECONDS)
    return response


def grant(response: Response, origin: str) -> None:
    response.headers["Access-Control-Allow-Origin"] = origin  # never "*": credentials are allowed
    response.headers["Access-Control-Allow-Credentials"] = "true"
    response.vary.add("Origin")
