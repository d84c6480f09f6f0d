"""Logs cannot be forged (issue 12, point 4): control characters from a request — CR/LF, NUL, ANSI
escapes, C1 controls, Unicode line separators, bidi controls — reach neither format raw. Through
the real app: the access line of a path that carries them; a view's line with a form field and a
header as argument and context; and the traceback of an unexpected error whose message repeats
them (JSON keeps no exception message, so there only the first two can carry them)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask import request

from core.logs import DropWerkzeugAccessLines, JsonFormatter, RedactPersonalData, TextFormatter
from web.extensions import csrf

# Each kind of string that could forge a line or change how it reads, and how the log must write it.
FORGERIES = {
    "crlf": ("\r\nSet-Cookie: x=1", "\\r\\nSet-Cookie: x=1"),
    "lf": ("\nFORGED INFO web.audit: all fine", "\\nFORGED INFO web.audit: all fine"),
    "nul": ("a\x00b", "a\\x00b"),
    "ansi": ("\x1b[2J\x1b[0m", "\\x1b[2J\\x1b[0m"),
    "c1": ("\x85next\x9b", "\\x85next\\x9b"),
    "separators": ("\u2028line\u2029para", "\\u2028line\\u2029para"),
    "bidi": ("\u202egnp.exe\u202c\u2066\u2069\u200e\u200f\u061c",
             "\\u202egnp.exe\\u202c\\u2066\\u2069\\u200e\\u200f\\u061c"),
}
RAW_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(params=["text", "json"])
def product_log(request) -> Iterator[io.StringIO]:  # noqa: ANN001
    """The web's log as the product's handler writes it (``core.logs.logging_config``'s filters)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(DropWerkzeugAccessLines())
    handler.addFilter(RedactPersonalData())
    handler.setFormatter(TextFormatter() if request.param == "text" else JsonFormatter())
    loggers = [logging.getLogger(name) for name in ("rokin.access", "web")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def entries(buffer: io.StringIO) -> list[str]:
    """The log's lines; a JSON line is read back, as a log viewer would show its values."""
    written = buffer.getvalue()
    assert not RAW_CONTROL.search(written.replace("\n", "")), "a raw control character was written"
    if not written.startswith("{"):
        return written.splitlines()
    return ["\t".join(str(value) for value in json.loads(line).values()) for line in written.splitlines()]


@pytest.mark.parametrize("kind", FORGERIES)
def test_a_path_cannot_forge_an_access_line(client, product_log, kind):
    raw, escaped = FORGERIES[kind]
    response = client.get(f"/employer/users/a{quote(raw)}/delete")
    assert response.status_code == 302  # to the login: the route matched, so its path is logged

    lines = entries(product_log)
    assert len(lines) == 1 and not RAW_CONTROL.search(lines[0].replace("\t", ""))
    assert f"GET /employer/users/a{escaped}/delete 302" in lines[0]


@pytest.fixture
def broken_view(app):  # noqa: ANN001, ANN201
    """A view that logs a form field and a header (as an argument and as context), then fails with
    a bug whose message repeats them as they came."""

    @csrf.exempt
    def broken() -> str:
        logging.getLogger("web.test").warning("note %s", request.form["note"],
                                              extra={"agent": request.headers["User-Agent"]})
        raise TypeError(f"cannot handle field={request.form['note']} agent={request.headers['User-Agent']}")

    app.add_url_rule("/test/broken", view_func=broken, methods=["POST"])
    return "/test/broken"


@pytest.mark.parametrize("kind", FORGERIES)
def test_an_exception_message_with_request_values_cannot_forge_traceback_lines(client, broken_view, product_log, kind):
    raw, escaped = FORGERIES[kind]
    response = client.post(broken_view, data={"note": f"field{raw}"},
                           environ_overrides={"HTTP_USER_AGENT": f"agent{raw}"})  # past the test client's own check
    assert response.status_code == 500

    lines = [line for line in entries(product_log) if "rokin.access" not in line]
    assert f"note field{escaped}" in lines[0] and f"agent{escaped}" in lines[0]
    if product_log.getvalue().startswith("{"):  # JSON: the type and the stack, escaped; never the message
        assert len(lines) == 2 and "TypeError" in lines[1] and "in broken" in lines[1]
        return
    assert "ERROR web.errors: unhandled TypeError [request_id=" in lines[1]
    assert lines[2] == "Traceback (most recent call last):"
    assert any("in broken" in line for line in lines)  # the traceback's own lines stay lines
    assert lines[-1] == f"TypeError: cannot handle field=field{escaped} agent=agent{escaped}"
