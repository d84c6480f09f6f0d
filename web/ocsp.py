"""The OCSP responder over HTTP (RFC 6960 appendix A): POST ``application/ocsp-request`` to
``/ocsp``, or GET ``/ocsp/<base64 of the DER request>``. Served by the plain-HTTP PKI listener
(``web.pki_http``); the URL is in every new certificate's AIA.

Answers come from the database (``pki.ocsp.respond``), signed by the delegated responder
certificate the worker keeps in the PKI directory — the web never holds the CA key. Until the
worker has made that certificate, the answer is an unsigned tryLater. Every OCSP-level problem
(garbage, too large, unknown issuer) is an OCSP response with HTTP 200, as clients expect.
"""

from __future__ import annotations

import base64
import binascii
import logging
from urllib.parse import unquote

from flask import Blueprint, Response, abort, current_app, request

from pki.files import load_certificate
from pki.ocsp import CONTENT_TYPE_REQUEST, CONTENT_TYPE_RESPONSE, MAX_REQUEST_BYTES, respond, try_later
from pki.ocsp_responder import load_signer

from . import db

log = logging.getLogger(__name__)

bp = Blueprint("ocsp", __name__)

MAX_AGE_SECONDS = 60  # short: a revocation must show at once (the answer itself is valid 15 minutes)


@bp.post("/ocsp")
def ocsp_post() -> Response:
    if request.mimetype != CONTENT_TYPE_REQUEST:
        abort(415)
    return _answer(request.get_data(cache=False))  # the app's MAX_CONTENT_LENGTH refuses more (413)


@bp.get("/ocsp/<path:encoded>")
def ocsp_get(encoded: str) -> Response:
    """RFC 6960 A.1: the URL-encoded base64 of the DER request (it may contain '/', '+', '=')."""
    if len(encoded) > MAX_REQUEST_BYTES * 2:
        abort(414)
    try:
        der = base64.b64decode(unquote(encoded), validate=True)
    except (binascii.Error, ValueError):
        der = b""  # respond() answers malformedRequest
    return _answer(der)


def _answer(der: bytes) -> Response:
    settings = current_app.extensions["rokin"].settings
    try:
        signer = load_signer(settings.pki_dir, load_certificate(settings.ca_certificate_path))
    except (OSError, ValueError) as error:  # no CA certificate yet, or a pair being replaced
        log.warning("OCSP signer unavailable (%s)", type(error).__name__)
        signer = None
    answer = try_later() if signer is None else respond(der, session=db.session(), signer=signer)
    response = Response(answer, mimetype=CONTENT_TYPE_RESPONSE)
    response.headers["Cache-Control"] = f"max-age={MAX_AGE_SECONDS}, public, no-transform, must-revalidate"
    return response
