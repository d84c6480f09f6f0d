"""The template filters every blueprint shares (web.templating)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

from core.config import Settings
from tests.fixtures.payload_keys import TEST_PAYLOAD_KEYS
from web import create_app


def test_the_app_shows_moments_in_japan_time(tmp_path, sqlite_url):
    settings = replace(Settings.from_env({}), data_dir=tmp_path, database_url=sqlite_url,
                       payload_keys=TEST_PAYLOAD_KEYS)
    app = create_app({"TESTING": True}, settings=settings)
    moment = datetime(2026, 3, 31, 15, 0, 1, tzinfo=timezone.utc)
    with app.app_context():
        for name in ("jst_datetime", "jst"):
            assert app.jinja_env.filters[name](moment) == "2026-04-01 00:00:01"
        assert app.jinja_env.from_string("{{ m | jst_datetime }}").render(m=moment) == "2026-04-01 00:00:01"
