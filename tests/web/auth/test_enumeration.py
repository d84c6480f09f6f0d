"""Which IDs exist is not visible, and spraying is slowed (issue 12, point 6), through the real pages
with the real lockout workflow: an unknown ID and a wrong password give the same page at every entry
that takes a typed ID, ログイン's wrong password says nothing about attempts left, and failed attempts
across IDs from one address are refused once the limit is reached — before the password and the
arbiter, so no user's lockout counts them — in every app instance on the database, not elsewhere.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import textwrap
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.config import Settings
from domain.roles import StaffRole
from store import audit
from store import staff as staff_store
from store import users as user_store
from store.errors import Refusal
from tests.conftest import post_form
from web import create_app, messages

from ..conftest import MASTER_PASSWORD
from ..lockout_support import WRONG, lockout_of
from ..pages import errors, login

REPO = Path(__file__).resolve().parents[3]
ADDRESS_LIMIT = 3
ELSEWHERE = "203.0.113.9"
THROTTLED = re.compile(re.escape(messages.THROTTLED).replace(re.escape("%(until)s"), r"\d\d:\d\d"))


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small address limit, so that a spray is a few requests; the organization limit out of the way."""
    return replace(settings, throttle_address_failures=ADDRESS_LIMIT, throttle_organization_failures=1000)


class _Text(HTMLParser):
    """The page's text as a reader sees it (no markup, no attribute such as the echoed ID)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:  # noqa: ANN001
        self._hidden += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def body_text(response) -> str:  # noqa: ANN001
    parser = _Text()
    parser.feed(response.get_data(as_text=True))
    return "\n".join(parser.parts)


def registered_user(app, make_organization) -> str:  # noqa: ANN001
    """A master user past 初期登録 (password ``MASTER_PASSWORD``) of a new organization."""
    _, user_id, _ = make_organization()
    with app.extensions["rokin"].session_factory.begin() as session:
        user = user_store.get_by_user_id(session=session, user_id=user_id)
        user_store.complete_initial_registration(session=session, user=user, new_password=MASTER_PASSWORD,
                                                 email="master@example.jp", actor=audit.Actor.cli())
    return user_id


def staff_login(app) -> str:  # noqa: ANN001
    with app.extensions["rokin"].session_factory.begin() as session:
        staff, _ = staff_store.create_staff(session=session, login="shokuin01", role=StaffRole.RECEIVER,
                                            actor=audit.Actor.cli())
        return staff.login


def issue(client, user_id: str, password: str):  # noqa: ANN001, ANN201
    return post_form(client, "/certificate/issue", {"user_id": user_id, "password": password})


# --- the same page for an unknown ID and a wrong password ----------------------------------------


@pytest.mark.parametrize(("path", "id_field", "known"), [
    ("/register/master", "user_id", "pending"),  # 初期登録 (the initial password is the right one)
    ("/certificate/issue", "user_id", "registered"),  # 電子証明書発行 ④
    ("/revocation-request", "user_id", "registered"),  # 電子証明書の失効依頼
    ("/staff/login", "login", "staff"),  # 職員ログイン
])
def test_an_unknown_id_and_a_wrong_password_give_the_same_page(app, make_organization, path, id_field, known):
    if known == "pending":
        _, known_id, _ = make_organization()
    elif known == "registered":
        known_id = registered_user(app, make_organization)
    else:
        known_id = staff_login(app)
    wrong = post_form(app.test_client(), path, {id_field: known_id, "password": WRONG})
    unknown = post_form(app.test_client(), path, {id_field: "nobody123", "password": WRONG})

    assert wrong.status_code == unknown.status_code == 200
    assert body_text(wrong) == body_text(unknown)
    generic = Refusal.INVALID_CREDENTIALS
    expected = messages.STAFF[generic] if id_field == "login" else messages.render(generic)
    assert errors(wrong) == [expected]


def test_a_wrong_password_at_login_says_nothing_about_attempts_left(app, master):
    response = login(app.test_client(), master.user_id, WRONG)
    assert errors(response) == [messages.render(Refusal.INVALID_CREDENTIALS)]
    assert "あと" not in html.unescape(body_text(response))


# --- the spraying throttle ------------------------------------------------------------------------


def test_spraying_ids_from_one_address_is_throttled_and_counts_on_no_lockout(app, make_organization):
    sprayed = [registered_user(app, make_organization) for _ in range(ADDRESS_LIMIT + 1)]
    sprayer = app.test_client()
    for user_id in sprayed[:ADDRESS_LIMIT]:  # one guess each, and an unknown ID among them
        assert errors(issue(sprayer, user_id, WRONG)) == [messages.render(Refusal.INVALID_CREDENTIALS)]
    [message] = errors(issue(sprayer, "nobody123", WRONG))
    assert THROTTLED.fullmatch(message), message

    target = sprayed[-1]
    for _ in range(6):  # as many as would lock the ID, had they reached its arbiter
        [message] = errors(issue(sprayer, target, WRONG))
        assert THROTTLED.fullmatch(message), message
    [message] = errors(issue(sprayer, target, MASTER_PASSWORD))  # even the right password waits
    assert THROTTLED.fullmatch(message), message
    assert lockout_of(app, target).failures == 0

    # From another address the same ID is neither throttled nor locked: the right password goes on to ⑤.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = ELSEWHERE
    response = issue(elsewhere, target, MASTER_PASSWORD)
    assert response.status_code == 200 and errors(response) == [], errors(response)
    assert 'name="ticket"' in response.get_data(as_text=True)


def test_the_throttle_holds_across_processes_on_one_database(app, settings, make_organization):
    """Failures made through another process's app (as another gunicorn worker) throttle this one: the
    count is in the database, not in any process's memory."""
    other_worker = textwrap.dedent(f"""
        from dataclasses import replace
        from pathlib import Path
        from core.config import Settings
        from tests.conftest import post_form
        from web import create_app
        settings = replace(Settings.from_env({{}}), data_dir=Path({str(settings.data_dir)!r}),
                           database_url={settings.database_url!r}, temporal_address="127.0.0.1:1",
                           throttle_address_failures={ADDRESS_LIMIT}, payload_keys={settings.payload_keys!r})
        client = create_app({{"TESTING": True}}, settings=settings).test_client()
        for number in range({ADDRESS_LIMIT}):  # unknown IDs: refused without the lockout arbiter
            page = post_form(client, "/certificate/issue",
                             {{"user_id": f"nobody{{number:03d}}", "password": {WRONG!r}}})
            assert page.status_code == 200
    """)
    done = subprocess.run([sys.executable, "-c", other_worker], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr

    user_id = registered_user(app, make_organization)
    [message] = errors(issue(app.test_client(), user_id, MASTER_PASSWORD))
    assert THROTTLED.fullmatch(message), message


def test_staff_login_is_throttled_per_address(app):
    login_id = staff_login(app)
    sprayer = app.test_client()
    for number in range(ADDRESS_LIMIT):
        assert errors(post_form(sprayer, "/staff/login", {"login": f"nobody{number:03d}", "password": WRONG})) == [
            messages.STAFF[Refusal.INVALID_CREDENTIALS]]
    [message] = errors(post_form(sprayer, "/staff/login", {"login": login_id, "password": WRONG}))
    assert THROTTLED.fullmatch(message), message
    assert lockout_of(app, login_id, staff=True).failures == 0


def test_behind_a_trusted_proxy_the_address_it_saw_is_counted(app, settings, make_organization):
    """nginx appends the peer to X-Forwarded-For; what a client wrote before it is not believed."""
    proxied = create_app({"TESTING": True}, settings=replace(settings, trusted_proxies=("127.0.0.1",)))
    sprayer = proxied.test_client()
    for number in range(ADDRESS_LIMIT):  # a new spoofed first hop each time: still one client
        sprayer.environ_base["HTTP_X_FORWARDED_FOR"] = f"10.9.9.{number}, 198.51.100.7"
        issue(sprayer, f"nobody{number:03d}", WRONG)
    user_id = registered_user(app, make_organization)
    [message] = errors(issue(sprayer, user_id, MASTER_PASSWORD))
    assert THROTTLED.fullmatch(message), message

    neighbour = proxied.test_client()  # another client behind the same proxy
    neighbour.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.8"
    assert errors(issue(neighbour, user_id, MASTER_PASSWORD)) == []
