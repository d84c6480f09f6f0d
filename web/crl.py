"""GET /crl: the CA's CRL in DER (``application/pkix-crl``), the URL in every certificate's CRL
distribution point. The worker writes ``<data_dir>/pki/crl.der`` (the web never holds the CA
key); if there is none yet, the web asks for one (``contract.crl_client.refresh``) and waits
a few seconds. Served by the main app and by the plain-HTTP PKI listener (``web.pki_http``).
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app

from contract import crl_client
from contract.crl_client import CrlRefreshFailed
from pki.crl import CRL_DER
from usecases.ports import TemporalUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("crl", __name__)

MEDIA_TYPE = "application/pkix-crl"  # RFC 5280 §4.2.1.13
MAX_AGE_SECONDS = 60 * 60  # caches may keep it an hour; a revocation is checked in the database anyway
REFRESH_WAIT_SECONDS = 10.0


@bp.get("/crl")
def crl() -> Response:
    rokin = current_app.extensions["rokin"]
    path = rokin.settings.pki_dir / CRL_DER
    if not path.exists():
        bridge = rokin.bridge
        try:
            bridge.call(lambda client: crl_client.refresh(client, bridge.task_queue), timeout=REFRESH_WAIT_SECONDS + 2)
        except (TemporalUnavailable, CrlRefreshFailed) as error:  # no worker, no CA yet...: a plain 503
            log.warning("no CRL to serve and none could be made: %s", error)
            abort(503)
    response = Response(path.read_bytes(), mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = f"public, max-age={MAX_AGE_SECONDS}"
    return response
