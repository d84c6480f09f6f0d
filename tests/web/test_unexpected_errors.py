"""A bug is never disguised as 「しばらくしてから再度お試しください」: an unexpected exception in a
use-case reaches the log with its traceback — through the handler's redacting filter, so no user
ID, password, e-mail address or query string — and the user gets the generic error page."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from core.logs import JsonFormatter, RedactPersonalData, TextFormatter
from usecases import authentication

from .pages import register_login, text

USER_ID, PASSWORD, EMAIL = "taro2024", "Secret2024", "taro@example.jp"


def broken_authenticate(*_args, **kwargs):  # noqa: ANN002, ANN003, ANN201
    """A use-case with a bug whose message repeats what it was given."""
    raise TypeError(f"cannot compare {kwargs['user_id']!r} with {kwargs['password']!r} for {EMAIL}")


@pytest.fixture(params=["text", "json"])
def web_log(request) -> Iterator[io.StringIO]:  # noqa: ANN001
    """The web's log lines as the product's handler writes them (``core.logs.logging_config``)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RedactPersonalData())
    handler.setFormatter(TextFormatter() if request.param == "text" else JsonFormatter())
    logger = logging.getLogger("web")
    logger.addHandler(handler)
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)


def test_a_bug_in_a_use_case_is_logged_with_its_traceback_and_no_personal_data(app, client, web_log,
                                                                              monkeypatch):
    monkeypatch.setattr(authentication, "authenticate_user", broken_authenticate)
    response = register_login(client, "master", USER_ID, PASSWORD)

    assert response.status_code == 500
    page = text(response)
    assert "システムエラーが発生しました" in page and "TypeError" not in page and "Traceback" not in page
    logged = web_log.getvalue()
    assert "unhandled TypeError" in logged
    assert "broken_authenticate" in logged and "register_login" in logged  # where it happened, frame by frame
    for personal in (USER_ID, PASSWORD, EMAIL):
        assert personal not in logged
    if logged.startswith("{"):
        entry = json.loads(logged.splitlines()[0])
        assert entry["exc_type"] == "TypeError" and "broken_authenticate" in entry["stack"]
    else:
        assert "TypeError: cannot compare '[redacted]' with '[redacted]' for [email]" in logged
