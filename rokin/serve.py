"""``rokin web``: the Flask app over HTTPS with optional client certificates (werkzeug, threaded).

The TLS handshake runs in the request's thread, not in the accept loop: a browser that holds the
handshake open while its user picks a certificate must not stall everybody else.
"""

from __future__ import annotations

import signal
import socket
import ssl
import sys
from pathlib import Path
from types import FrameType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from core.serving import CLIENT_CERT_KEY
from pki.devca import DevPki
from pki.tls import peer_certificate_pem, server_context

HANDSHAKE_TIMEOUT_SECONDS = 120  # the browser waits for its user in the certificate prompt


PEER_ALERTS = ("SSLV3_ALERT_", "TLSV1_ALERT_", "TLSV13_ALERT_")  # OpenSSL's reasons for an alert the client sent


class ClientCertRequestHandler(WSGIRequestHandler):
    """Handshakes in its own thread and puts the verified client certificate into the environ."""

    handshake_error: Exception | None = None

    def setup(self) -> None:
        raw = self.request
        raw.settimeout(HANDSHAKE_TIMEOUT_SECONDS)
        try:
            self.request = self.server.ssl_context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as error:  # a foreign client certificate, a plain-HTTP client...
            self.handshake_error = error
            return
        self.request.settimeout(None)
        super().setup()

    def handle(self) -> None:
        if self.handshake_error is None:
            super().handle()
        elif isinstance(self.handshake_error, ssl.SSLError) and not isinstance(self.handshake_error, ssl.SSLEOFError):
            # Worth a line: why we refused a client certificate. Not worth one: the browser's own alert
            # (it does not trust the dev CA yet, or dropped a speculative connection), port probes, resets.
            reason = self.handshake_error.reason or ""
            level = "debug" if reason.startswith(PEER_ALERTS) else "info"
            self.log(level, "TLS handshake failed: %s", self.handshake_error)

    def finish(self) -> None:
        if self.handshake_error is not None:
            return
        super().finish()
        try:  # the server closes the raw socket it accepted; the TLS socket that took it over is ours
            self.request.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.request.close()

    def make_environ(self) -> dict:
        environ = super().make_environ()
        environ.pop(CLIENT_CERT_KEY, None)  # only our own handshake decides
        pem = peer_certificate_pem(self.connection)
        if pem is not None:
            environ[CLIENT_CERT_KEY] = pem
        return environ


def make_https_server(app: Flask, host: str, port: int, context: ssl.SSLContext) -> BaseWSGIServer:
    """A threaded werkzeug server that speaks TLS with ``context``; port 0 picks a free port."""
    server = make_server(host, port, app, threaded=True, request_handler=ClientCertRequestHandler)
    server.ssl_context = context  # set after binding: werkzeug would otherwise handshake in accept()
    return server


def context_for(pki: DevPki, client_ca: Path | None = None) -> ssl.SSLContext:
    """Server certificate and key, and the client CA's certificate — never the CA's private key.

    ``client_ca``: the product CA when configured elsewhere (``ROKIN_CA_CERT``); default the dev CA.
    """
    client_ca = client_ca or pki.client_ca_certificate
    missing = [path for path in (pki.server_certificate, pki.server_key, client_ca) if not path.exists()]
    if missing:
        raise FileNotFoundError(f"{missing[0]} is missing; `rokin dev` creates the development PKI")
    return server_context(certificate=pki.server_certificate, key=pki.server_key, client_ca=client_ca)


def serve(app: Flask, host: str, port: int, context: ssl.SSLContext) -> None:
    """Serve until SIGTERM or SIGINT."""
    server = make_https_server(app, host, port, context)
    _serve_until_signalled(server, f"rokin web: serving https://{host}:{server.port}")


def serve_http(app: Flask, host: str, port: int) -> None:
    """Plain HTTP until SIGTERM or SIGINT: the PKI listener (``web.pki_http``) only."""
    server = make_server(host, port, app, threaded=True)
    _serve_until_signalled(server, f"rokin pki-http: serving http://{host}:{server.port}")


def _serve_until_signalled(server: BaseWSGIServer, banner: str) -> None:
    def _stop(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    print(banner, file=sys.stderr, flush=True)
    try:
        server.serve_forever()  # returns on KeyboardInterrupt, closing the socket
    finally:
        server.server_close()
