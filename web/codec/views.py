"""The codec server (Temporal's "remote codec" protocol): ``POST /codec/decode`` and ``/codec/encode``.

Workflow payloads are encrypted (``core.payload_codec``), so the Temporal Web UI shows ciphertext
until it is pointed here (``temporal server start-dev --ui-codec-endpoint https://<web>/codec``,
which ``rokin dev`` passes). A staff member opens ``/codec/`` on the web (it hands out the codec
cookie, ``access.py``, and forwards to the UI) and turns on "include cross-origin credentials" in the
UI's codec settings. The browser then posts ``{"payloads": [{"metadata": {...}, "data": "<base64>"}]}``
(``Payloads`` in protobuf JSON) with that cookie, and gets the same shape back, decrypted or encrypted.

Who may: a signed-in Rokin staff member of any role who has replaced the one-time initial password
(the payloads hold user IDs and certificates, which staff see in their own pages anyway). Anonymous:
401; an employer, or staff before the first password change: 403. Which browser origins may call it
is ``cors.py``. Flask-WTF's CSRF check is off for this blueprint: the UI cannot send a token, the
endpoints change nothing, a foreign origin is refused, and a JSON body forces a CORS preflight.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from flask_login import current_user
from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads
from werkzeug.wrappers import Response as WerkzeugResponse

from core.payload_codec import KeyRing, PayloadKeyError, decrypt, encrypt
from core.payload_keys import load_key_ring

from ..extensions import csrf
from ..principals import StaffPrincipal
from . import access, cors

bp = Blueprint("codec", __name__)
csrf.exempt(bp)


def _settings_origins() -> tuple[str, ...]:
    origins: tuple[str, ...] = current_app.extensions["rokin"].settings.codec_cors_origins
    return origins


def _ring() -> KeyRing:
    """Read once per app: the same keys as the worker's (ROKIN_PAYLOAD_KEYS / _FILE)."""
    state = current_app.extensions.setdefault("rokin_codec", {})
    if "ring" not in state:
        state["ring"] = load_key_ring(current_app.extensions["rokin"].settings)
    ring: KeyRing = state["ring"]
    return ring


def _refusal(status: int, error: str) -> Response:
    response = jsonify(error=error)
    response.status_code = status
    return response


@bp.before_request
def _codec_gate() -> Response | None:
    allowed = _settings_origins()
    if cors.is_preflight(request):  # carries no cookie: only the origin is judged
        return cors.preflight(request, allowed)
    if not cors.origin_allowed(request, allowed):
        return _refusal(403, "origin not allowed")
    principal = current_user._get_current_object()
    if not isinstance(principal, StaffPrincipal) and request.method == "POST":
        principal = access.principal_from_cookie(request) or principal  # the UI's cross-site requests
    if not principal.is_authenticated:
        return _refusal(401, "sign in as Rokin staff")
    if not isinstance(principal, StaffPrincipal) or principal.staff.initial_password:
        return _refusal(403, "Rokin staff only")
    if request.method == "POST" and not request.is_json:
        return _refusal(415, "application/json expected")
    return None


@bp.after_request
def _cors_headers(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if origin is not None and origin in _settings_origins() and not cors.is_preflight(request):
        cors.grant(response, origin)  # the UI may read refusals too, not only answers
    return response


def _convert(each: Callable[[KeyRing, Payload], Payload]) -> Response:
    try:
        payloads = json_format.Parse(request.get_data(), Payloads())
    except json_format.ParseError:
        return _refusal(400, "a Payloads object in protobuf JSON expected")
    ring = _ring()
    try:
        converted = Payloads(payloads=[each(ring, payload) for payload in payloads.payloads])
    except PayloadKeyError as error:  # names the key ID, never the data
        return _refusal(400, str(error))
    return Response(json_format.MessageToJson(converted), mimetype="application/json")


@bp.post("/decode")
def decode() -> Response:
    return _convert(decrypt)


@bp.post("/encode")
def encode() -> Response:
    return _convert(encrypt)


@bp.get("/")
def open_ui() -> WerkzeugResponse:
    """「Temporal UI を開く」: the codec cookie for this session (``access.py``), then the UI itself."""
    response = redirect(_settings_origins()[0])
    access.hand_out(response, current_user.get_id())
    return response
