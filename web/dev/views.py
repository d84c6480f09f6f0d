"""開発用メールボックス: the mail the development stack sent, read from the SMTP sink's Maildir.

Registered by ``create_app`` only when ``settings.dev_mailbox`` is set, which ``rokin dev`` does.
The pages show each message's time with the ``jst`` filter (``web.templating``).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from core.maildir import MailMessage, read_messages

bp = Blueprint("dev", __name__)


def _messages() -> list[MailMessage]:
    return read_messages(current_app.extensions["rokin"].settings.dev_mailbox)


@bp.get("/mailbox")
def mailbox():  # noqa: ANN201
    return render_template("dev/mailbox.html", messages=_messages())


@bp.get("/mailbox/<key>")
def message(key: str):  # noqa: ANN201
    found = next((candidate for candidate in _messages() if candidate.key == key), None)
    if found is None:
        abort(404)
    return render_template("dev/message.html", message=found)
