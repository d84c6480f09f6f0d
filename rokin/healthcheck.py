"""Container health checks for ``docker-compose.yml`` (exit status 0 = healthy).

    python -m rokin.healthcheck http URL   # the server answers with a status below 500

The web is checked on its ``/healthz``, the PKI listener on ``/``, and the worker on the health
server it runs itself (``ROKIN_WORKER_HEALTH``, ``rokin.worker_health``): 200 while it runs and
Temporal lists this very worker among the recent pollers of its task queue, 503 otherwise — so a
replica whose worker hangs, lost Temporal or never started is unhealthy even while others
(``--scale worker=3``) poll the same queue.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 10.0


def http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  (our own URL)
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    match arguments:
        case ["http", url]:
            return 0 if http_answers(url) else 1
        case _:
            print(__doc__, file=sys.stderr)
            return 2


if __name__ == "__main__":
    sys.exit(main())
