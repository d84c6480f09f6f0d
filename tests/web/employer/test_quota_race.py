"""The quota through the web: many simultaneous create requests from the master's session (SQLite)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from domain.quotas import MAX_GENERAL_USERS
from store.errors import Refusal
from tests.conftest import csrf_token
from web import messages

from ..pages import errors, text

ATTEMPTS = 25


def test_simultaneous_creations_stop_at_the_quota(app, client, master):
    token = csrf_token(client, "/employer/")
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    start = threading.Barrier(ATTEMPTS)

    def attempt(n: int) -> str:
        browser = app.test_client()  # one "tab" per thread, all in the master's session
        browser.set_cookie(cookie.key, cookie.value)
        browser.environ_base.update(client.environ_base)  # and with the master's certificate
        start.wait()
        response = browser.post("/employer/users", data={"csrf_token": token, "user_id": f"race{n:04d}",
                                                          "display_name": "一般 太郎"})
        assert response.status_code == 200
        if 'id="initial-password"' in text(response):
            return "created"
        assert errors(response) == [messages.render(Refusal.GENERAL_USER_QUOTA)]
        return "quota"

    with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
        outcomes = list(pool.map(attempt, range(ATTEMPTS)))
    assert outcomes.count("created") == MAX_GENERAL_USERS
    assert outcomes.count("quota") == ATTEMPTS - MAX_GENERAL_USERS
    assert f"一般ユーザー {MAX_GENERAL_USERS} / {MAX_GENERAL_USERS}名" in text(client.get("/employer/"))
