"""``deploy/nginx.conf`` run by Debian's nginx with real TLS handshakes: the web gets the client
certificate only when nginx verified it, never a header a client forged, and the plain-HTTP port
serves the CRL and OCSP and nothing else. Skipped where nginx is not installed (scripts/test installs it).

The configuration is the committed file with only what differs outside Docker replaced: ports,
file paths, and the upstreams' host names (Docker's DNS) — ``bench.production``, which the production
topology's processes use too.
"""

from __future__ import annotations

import http.client
import http.server
import json
import re
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from bench.production import NginxFiles, nginx_binary, prepare_nginx
from pki.devca import DevPki
from tests.fixtures.mail import free_port
from web.certificates.client_certificate import PROXY_HEADER

NGINX = nginx_binary()
pytestmark = pytest.mark.skipif(NGINX is None, reason="nginx is not installed")


class _Echo(http.server.BaseHTTPRequestHandler):
    """The upstream: answers with the path and the headers it received, as JSON."""

    def _answer(self) -> None:
        body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer  # noqa: N815  http.server's handler names

    def log_message(self, *args) -> None:  # noqa: ANN002
        pass


@dataclass
class Proxy:
    tls_port: int
    http_port: int
    pki: DevPki
    access_log: Path

    def get(self, path: str, *, client_cert: tuple[Path, Path] | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict]:
        context = ssl.create_default_context(cafile=str(self.pki.ca_certificate))
        context.check_hostname = False
        if client_cert:
            context.load_cert_chain(*map(str, client_cert))
        connection = http.client.HTTPSConnection("127.0.0.1", self.tls_port, context=context, timeout=10)
        return _request(connection, path, headers)

    def get_plain(self, path: str) -> tuple[int, dict | str]:
        return _request(http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=10), path, None)


def _request(connection: http.client.HTTPConnection, path: str, headers: dict[str, str] | None):  # noqa: ANN202
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode()
        return response.status, (json.loads(body) if response.getheader("Content-Type") == "application/json"
                                  else body)
    finally:
        connection.close()


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {process.stderr.read().decode()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nginx is not listening on {port}")


@pytest.fixture(scope="module")
def proxy(tmp_path_factory, session_dev_pki: DevPki) -> Iterator[Proxy]:  # noqa: ANN001
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    prefix = tmp_path_factory.mktemp("nginx")
    ports = Proxy(free_port(), free_port(), session_dev_pki, prefix / "access.log")
    echo = upstream.server_address[1]  # the web and the PKI listener both
    conf = prepare_nginx(prefix, tls_port=ports.tls_port, http_port=ports.http_port, web_upstream=echo,
                         pki_upstream=echo, files=NginxFiles(certificate=session_dev_pki.server_certificate,
                                                             key=session_dev_pki.directory / "server.key",
                                                             client_ca=session_dev_pki.ca_certificate, prefix=prefix))
    tested = subprocess.run([NGINX, "-t", "-p", str(prefix), "-c", str(conf), "-e", "stderr"],
                            capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf), "-e", "stderr", "-g", "daemon off;"],
                               stderr=subprocess.PIPE)
    try:
        _wait_for_port(ports.tls_port, process)
        _wait_for_port(ports.http_port, process)
        yield ports
    finally:
        process.terminate()
        process.wait(timeout=10)
        upstream.shutdown()


def foreign_client(directory: Path) -> tuple[Path, Path]:
    """A self-signed client certificate: not from our CA."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "foreign")])
    now = datetime.now(timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=1))
                   .not_valid_after(now + timedelta(hours=1)).sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "foreign.pem", directory / "foreign.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def dev_client(pki: DevPki) -> tuple[Path, Path]:
    return pki.directory / "dev-client.pem", pki.directory / "dev-client.key"


def test_a_verified_client_certificate_reaches_the_web_url_encoded(proxy: Proxy):
    status, echoed = proxy.get("/login?x=1", client_cert=dev_client(proxy.pki))
    assert status == 200 and echoed["path"] == "/login?x=1"
    headers = echoed["headers"]
    sent = x509.load_pem_x509_certificate(dev_client(proxy.pki)[0].read_bytes())
    received = x509.load_pem_x509_certificate(unquote(headers[PROXY_HEADER.lower()]).encode())
    assert received == sent
    assert headers["x-ssl-client-verify"] == "SUCCESS"
    assert headers["x-forwarded-proto"] == "https"


def test_a_forged_header_never_reaches_the_web(proxy: Proxy):
    forged = {PROXY_HEADER: "-----BEGIN%20CERTIFICATE-----forged"}
    status, echoed = proxy.get("/", headers=forged)
    assert status == 200
    assert PROXY_HEADER.lower() not in echoed["headers"]
    assert echoed["headers"]["x-ssl-client-verify"] == "NONE"


def test_a_certificate_nginx_cannot_verify_is_not_passed_and_the_web_answers(proxy: Proxy, tmp_path: Path):
    status, echoed = proxy.get("/certificate/login", client_cert=foreign_client(tmp_path),
                               headers={PROXY_HEADER: "forged"})
    assert status == 200  # the web's page, not nginx's "400 SSL certificate error"
    assert PROXY_HEADER.lower() not in echoed["headers"]
    assert echoed["headers"]["x-ssl-client-verify"].startswith("FAILED")


def test_plain_http_serves_the_crl_and_ocsp_and_sends_the_rest_to_https(proxy: Proxy):
    for path in ("/crl", "/ocsp", "/ocsp/MEow"):
        status, echoed = proxy.get_plain(path)
        assert status == 200 and echoed["path"] == path
        assert PROXY_HEADER.lower() not in echoed["headers"]
    status, _ = proxy.get_plain("/login")
    assert status == 301
    assert proxy.get_plain("/nginx-health") == (200, "ok\n")


def test_the_web_gets_nginxs_request_id_never_one_a_client_chose(proxy: Proxy):
    _, first = proxy.get("/", headers={"X-Request-ID": "chosen-by-the-client"})
    _, second = proxy.get("/")
    ids = [first["headers"]["x-request-id"], second["headers"]["x-request-id"]]
    assert all(re.fullmatch(r"[0-9a-f]{32}", value) for value in ids) and ids[0] != ids[1]


@pytest.mark.parametrize("path", ["/metrics", "/metrics/", "/healthz", "/readyz", "/%6Detrics", "//metrics",
                                  "/metrics?format=text"])
def test_the_webs_metrics_and_probes_are_not_served_through_nginx(proxy: Proxy, path: str):
    status, body = proxy.get(path)
    assert status == 404 and not isinstance(body, dict)  # nginx's own page: the web never saw it


def test_the_access_log_is_json_with_the_request_id_and_neither_path_nor_query(proxy: Proxy):
    _, echoed = proxy.get("/login?user_id=Secret01x", client_cert=dev_client(proxy.pki))
    request_id = echoed["headers"]["x-request-id"]
    deadline = time.monotonic() + 10
    while request_id not in proxy.access_log.read_text():  # written as the request ends, after the answer
        assert time.monotonic() < deadline, proxy.access_log.read_text()
        time.sleep(0.02)
    entries = [json.loads(line) for line in proxy.access_log.read_text().splitlines()]  # every line is JSON
    [entry] = [entry for entry in entries if entry["request_id"] == request_id]
    assert entry == {**entry, "logger": "nginx.access", "method": "GET", "status": 200, "client": "127.0.0.1",
                     "client_verify": "SUCCESS", "upstream_status": "200"}
    assert "Secret01x" not in proxy.access_log.read_text() and "/login" not in json.dumps(entry)
