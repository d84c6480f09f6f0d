"""Friendly error pages. No traceback or exception text ever reaches the user."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

MESSAGES = {
    400: _l("リクエストの内容が正しくありません。"),
    403: _l("この操作を行う権限がありません。"),
    404: _l("お探しのページは見つかりませんでした。"),
    405: _l("この操作は受け付けられません。"),
    413: _l("送信された内容が大きすぎます。"),
    503: _l("ただいま処理を受け付けられません。しばらくしてから再度お試しください。"),  # as web.messages says it
    500: _l("システムエラーが発生しました。しばらくしてから再度お試しください。"),
}


def _page(code: int, message=None):  # noqa: ANN001, ANN202
    return render_template("errors/error.html", code=code, message=message or MESSAGES.get(code, MESSAGES[500])), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError):  # noqa: ANN202
        return _page(400, _l("画面の有効期限が切れました。もう一度最初から操作してください。"))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # noqa: ANN202
        return _page(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # noqa: ANN202
        # A bug: its traceback goes to the log, through the handler's redacting filter
        # (``core.logs.RedactPersonalData``); the user sees the generic page only.
        log.error("unhandled %s", type(error).__name__, exc_info=error)
        return _page(500)
