"""After a direct revocation is committed: tell the workflows (lifecycles end, the CRL is
regenerated, e-mails go out). The revocation itself is already in force — the database is what
every login and the OCSP responder check — so a Temporal failure here is logged, not shown."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from flask import current_app

from domain.revocation import Revocation
from workflows import revocation_client

log = logging.getLogger(__name__)


def announce_revoked(revoked: Iterable[Revocation]) -> None:
    revoked = list(revoked)
    if not revoked:
        return
    bridge = current_app.extensions["rokin"].temporal
    try:
        bridge.call(lambda client: revocation_client.announce_revoked(client, revoked, task_queue=bridge.task_queue))
    except Exception as error:  # noqa: BLE001  the database change stands
        log.warning("revocation of %d certificate(s) committed but not announced (%s)",
                    len(revoked), type(error).__name__)
