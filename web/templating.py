"""Template filters, registered once on the app by ``create_app``."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from domain.validity import TOKYO


def jst_datetime(moment: datetime) -> str:
    """A moment as the pages show it: Japan time, to the second (certificate dates, the inbox, mail)."""
    return f"{moment.astimezone(TOKYO):%Y-%m-%d %H:%M:%S}"


FILTERS = {
    "jst_datetime": jst_datetime,
    "jst": jst_datetime,  # the development mailbox's name for the same
}


def init_app(app: Flask) -> None:
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)
