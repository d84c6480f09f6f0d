"""The plain-HTTP PKI listener (``rokin pki-http``): what relying parties fetch without TLS.

Only the CRL (``web.crl``) and the OCSP responder (``web.ocsp``) are served here; every other
path is a 404, so nothing of the employer or staff pages is ever reachable over plain HTTP.
CRLs and OCSP responses are signed, so they need no transport security (RFC 5280 §4.2.1.13).
"""

from __future__ import annotations

from flask import Flask, Response

from core.config import Settings
from store.db import make_engine, make_session_factory
from usecases.bridge import TemporalBridge
from usecases.gateway import TemporalGateway

from . import RokinState, crl, db, ocsp


def create_pki_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__, static_folder=None)
    bridge = TemporalBridge.for_settings(settings)  # payloads encrypted (core.payload_keys)
    app.extensions["rokin"] = RokinState(
        settings=settings,
        session_factory=make_session_factory(make_engine(settings.database_url)),
        bridge=bridge,
        temporal=TemporalGateway(bridge),
    )
    app.config["MAX_CONTENT_LENGTH"] = ocsp.MAX_REQUEST_BYTES  # nothing else is ever posted here
    db.init_app(app)  # the OCSP answers read the database
    app.register_blueprint(crl.bp)
    app.register_blueprint(ocsp.bp)

    @app.errorhandler(404)
    @app.errorhandler(405)
    @app.errorhandler(413)
    @app.errorhandler(414)
    @app.errorhandler(415)
    @app.errorhandler(500)
    @app.errorhandler(503)
    def _plain(error) -> tuple[Response, int]:  # noqa: ANN001  no HTML, no details
        code = getattr(error, "code", 500) or 500
        return Response(f"{code}\n", mimetype="text/plain"), code

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    return app
