"""Where the time of one request goes (issue 14): TLS, the web (Flask, templates), the database,
Temporal, and the cryptography, for the report's "where the time goes".

The product's own Flask app runs in this process (``web.create_app`` with the stack's settings: the
same database — SQLite or PostgreSQL — the same Temporal server and worker), and one request is
timed with every slow call it makes wrapped by a stopwatch:

- Temporal: ``usecases.bridge.TemporalBridge.call`` (every workflow start, update or signal waits there);
- database: SQLAlchemy's cursor executions (``Engine`` events, every engine of the process; a commit's own
  fsync is not a cursor execution and counts with the web);
- argon2id: ``store.passwords.verify_password`` and ``hash_password``;
- cryptography: the key pair and CSR, the .p12 (``usecases.issuance``'s ``new_key_and_csr``, ``build_p12``);
- the web: what is left of the request inside the app (Flask, forms, sessions, templates).

What the app in this process cannot show — the TLS handshake, the HTTP server (werkzeug or
gunicorn) and nginx — is the rest: the bench's own median over the real server minus the app's
median here; a full TLS handshake with the server is timed on its own beside it (``tls_handshake``).
Several requests are profiled and the one with the median total is reported.
"""

from __future__ import annotations

import contextlib
import re
import socket
import ssl
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from .tables import ms, table

CATEGORIES = ("web (Flask, forms, templates)", "database", "Temporal", "argon2id", "cryptography (key, CSR, .p12)")
WEB, DATABASE, TEMPORAL, ARGON2, CRYPTO = CATEGORIES
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
HTTPS = "https://localhost"


class Stopwatches:
    """Milliseconds per category while ``active``; wrapped calls add to their category."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.active = False

    def timed(self, category: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not self.active:
                return function(*args, **kwargs)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.spent[category] += (time.perf_counter() - started) * 1000

        return wrapper


@contextlib.contextmanager
def instrumented() -> Iterator[Stopwatches]:
    """Every slow call of the web's request path wrapped, for as long as inside."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from store import passwords
    from usecases import bridge, issuance

    watches = Stopwatches()
    patches = [(bridge.TemporalBridge, "call", TEMPORAL), (passwords, "verify_password", ARGON2),
               (passwords, "hash_password", ARGON2), (issuance, "new_key_and_csr", CRYPTO),
               (issuance, "build_p12", CRYPTO)]
    originals = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
    for owner, name, category in patches:
        setattr(owner, name, watches.timed(category, getattr(owner, name)))
    from store import users  # imported verify_password by name: wrap its copy too
    user_verify = users.verify_password
    users.verify_password = passwords.verify_password

    started: dict[int, float] = {}

    def before(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001, PLR0913
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001, ARG001, PLR0913
        begun = started.pop(id(cursor), None)
        if watches.active and begun is not None:
            watches.spent[DATABASE] += (time.perf_counter() - begun) * 1000

    event.listen(Engine, "before_cursor_execute", before)
    event.listen(Engine, "after_cursor_execute", after)
    try:
        yield watches
    finally:
        event.remove(Engine, "before_cursor_execute", before)
        event.remove(Engine, "after_cursor_execute", after)
        for owner, name, original in originals:
            setattr(owner, name, original)
        users.verify_password = user_verify


def profile_requests(request: Callable[[Stopwatches], None], count: int) -> dict[str, float]:
    """``request(watches)`` ``count`` times; the categories (ms) of the one with the median total.
    ``request`` sets ``watches.active`` around the part it times (``timing``)."""
    profiles = []
    with instrumented() as watches:
        for _ in range(count):
            watches.spent.clear()
            total = request(watches)
            spent = dict(watches.spent)
            inside = sum(spent.values())
            profiles.append({WEB: max(0.0, total - inside), **{key: spent.get(key, 0.0) for key in CATEGORIES[1:]},
                             "total": total})
    profiles.sort(key=lambda profile: profile["total"])
    return {key: round(value, 2) for key, value in profiles[len(profiles) // 2].items()}


@contextlib.contextmanager
def timing(watches: Stopwatches, elapsed: list[float]) -> Iterator[None]:
    watches.active = True
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed.append((time.perf_counter() - started) * 1000)
        watches.active = False


def tls_handshake_ms(url: str, context: ssl.SSLContext, count: int = 5) -> float:
    """The median of ``count`` full TLS handshakes (new connections) with the server at ``url``."""
    parts = urlsplit(url)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        with socket.create_connection((parts.hostname, parts.port or 443)) as raw, \
                context.wrap_socket(raw, server_hostname=parts.hostname):
            samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def in_process_app(settings: Any) -> Any:  # noqa: ANN401  (flask.Flask; web imported late)
    """The product's web app in this process, on ``settings``' database and Temporal."""
    from web import create_app

    return create_app(settings=settings)


def get(client: Any, path: str, **options: Any) -> Any:  # noqa: ANN401
    """GET ``path`` from the in-process app as a browser on HTTPS does."""
    return client.get(path, base_url=HTTPS, **options)


def post(client: Any, path: str, data: dict[str, str], *, referer: str, **options: Any) -> Any:  # noqa: ANN401
    """POST a form as a browser on HTTPS does: the page it came from as Referer (CSRF checks it)."""
    return client.post(path, base_url=HTTPS, data=data, headers={"Referer": f"{HTTPS}{referer}"}, **options)


def form_token(response: Any) -> str:  # noqa: ANN401
    found = CSRF.search(response.get_data(as_text=True))
    if found is None:
        raise AssertionError(f"no CSRF token in {response.request.path} ({response.status_code})")
    return found.group(1)


def profile_summary(profile: dict[str, float], *, measured_p50: float, tls_ms: float | None) -> dict[str, Any]:
    """The profile with what the app here cannot see: the real server's median minus the app's."""
    return {"in_app": profile, "measured_p50": round(measured_p50, 2),
            "outside_app": round(max(0.0, measured_p50 - profile["total"]), 2), "tls_handshake": tls_ms}


def profile_markdown(summary: dict[str, Any], what: str) -> str:
    """The "where the time goes" paragraph and table of one bench."""
    profile = summary["in_app"]
    rows = [[category, ms(profile[category])] for category in CATEGORIES]
    rows.append(["the app in all (one request, median of those profiled)", ms(profile["total"])])
    outside = "TLS, HTTP server" + (" and nginx" if summary.get("topology") == "production" else "")
    rows.append([f"{outside}: measured p50 {ms(summary['measured_p50'])} − the app", ms(summary["outside_app"])])
    if summary.get("tls_handshake") is not None:
        rows.append(["of which one full TLS handshake, timed alone", ms(summary["tls_handshake"])])
    heaviest = max(CATEGORIES, key=lambda category: profile[category])
    return "\n\n".join([
        f"Where the time goes: {what}, profiled in the product's app run inside the bench process on the same "
        f"database and Temporal (bench/profile.py). The largest part is {heaviest.split(' (')[0]}.",
        table(["part", "ms"], rows),
    ])
