"""Japanese first, English on request (``?lang=en``), remembered in the session."""

from __future__ import annotations

from flask import Flask, request, session

from . import messages

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"


def select_locale() -> str:
    return session.get("lang", DEFAULT_LANGUAGE)


def init_app(app: Flask) -> None:
    @app.before_request
    def _remember_choice() -> None:
        lang = request.args.get("lang")
        if lang in LANGUAGES:
            session["lang"] = lang

    @app.context_processor
    def _languages() -> dict:
        # ``rules``: the numbers of ``domain`` for texts like _("…%(min)d〜%(max)d桁…", **rules)
        return {"languages": LANGUAGES, "current_language": select_locale(), "rules": messages.PARAMETERS}
