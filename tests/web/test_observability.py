"""The web's request IDs, access lines, /metrics, /healthz and /readyz, with the real lockout and
issuance workflows on the dev server (tests/web/conftest.py) and real databases."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import replace

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.logs import JsonFormatter
from domain.roles import StaffRole
from store import audit
from store import staff as staff_store
from tests.conftest import post_form
from tests.fixtures.mail import free_port
from web import create_app, metrics

from .certificates.issuing import authenticate, issue_form, press_issue, result
from .client_certificates import present
from .pages import login
from .staff.conftest import StaffAccount, make_staff, shipped_branches  # noqa: F401  (fixtures)
from .staff.conftest import log_in as staff_log_in

PROXY = "10.0.0.5"


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture
def access_lines() -> Iterator[io.StringIO]:
    """What the ``rokin.access`` logger writes, as the JSON lines production gets."""
    logger, buffer = logging.getLogger("rokin.access"), io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def scrape(app) -> dict[tuple[str, tuple], float]:  # noqa: ANN001
    """``/metrics`` as Prometheus reads it: (sample name, sorted labels) → value."""
    response = app.test_client().get("/metrics")
    assert response.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.get_data(as_text=True))
            for sample in family.samples}


def count(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def deltas(before: dict, after: dict, name: str, label: str) -> dict[str, float]:
    """How much the samples of ``name`` moved, added up by the value of ``label``."""
    moved: dict[str, float] = {}
    for (sample, labels), value in after.items():
        if sample == name and value != before.get((sample, labels), 0.0):
            key = dict(labels)[label]
            moved[key] = moved.get(key, 0.0) + value - before.get((sample, labels), 0.0)
    return moved


# --- request IDs and access lines ----------------------------------------------------------


def test_every_response_carries_a_new_request_id_and_one_access_line(client, access_lines):
    first = client.get("/?lang=en&user_id=secret01")
    second = client.get("/")
    ids = [first.headers["X-Request-ID"], second.headers["X-Request-ID"]]
    assert ids[0] != ids[1] and all(len(value) == 32 for value in ids)
    [one, two] = lines(access_lines)
    assert one == {**one, "logger": "rokin.access", "level": "INFO", "request_id": ids[0], "method": "GET",
                   "path": "/", "endpoint": "auth.login_screen", "status": 200}
    assert isinstance(one["duration_ms"], float) and two["request_id"] == ids[1]
    assert "secret01" not in access_lines.getvalue() and "lang" not in access_lines.getvalue()


def test_the_request_id_of_the_trusted_proxy_is_kept_and_anybody_elses_replaced(app, access_lines):
    app.extensions["rokin"].settings = replace(app.extensions["rokin"].settings, trusted_proxies=(PROXY,))
    nginx_id = "0123456789abcdef0123456789abcdef"

    def request_id(peer: str, sent: str) -> str:
        return app.test_client().get("/", headers={"X-Request-ID": sent},
                                     environ_base={"REMOTE_ADDR": peer}).headers["X-Request-ID"]

    assert request_id(PROXY, nginx_id) == nginx_id
    assert request_id("203.0.113.9", nginx_id) != nginx_id  # a client cannot choose its ID
    for insane in ("short", "x" * 65, "taro@example.jp", "id with spaces", "\u3042" * 10):
        assert request_id(PROXY, insane) != insane
    assert next(line["request_id"] for line in lines(access_lines)) == nginx_id


def test_a_path_that_matched_no_route_is_not_logged(client, access_lines):
    assert client.get("/taro.rokin@example.jp/secret").status_code == 404
    [line] = lines(access_lines)
    assert line["path"] is None and line["endpoint"] is None and line["status"] == 404
    assert "taro" not in access_lines.getvalue()


def test_a_views_own_log_lines_carry_the_request_id(settings, make_staff_in):
    """Temporal is down: the lockout arbiter's warning is written during the request, with its ID."""
    app = create_app({"TESTING": True, "LOCKOUT_DEADLINE_SECONDS": 0.5},
                     settings=replace(settings, temporal_address=f"127.0.0.1:{free_port()}"))
    account = make_staff_in(app)
    buffer, handler = io.StringIO(), logging.StreamHandler()
    handler.setStream(buffer)
    handler.setFormatter(JsonFormatter())
    logging.getLogger("web").addHandler(handler)
    try:
        response = staff_log_in(app.test_client(), account)
    finally:
        logging.getLogger("web").removeHandler(handler)
    [warning] = lines(buffer)
    assert warning["message"].startswith("lockout arbiter did not answer")
    assert warning["level"] == "WARNING" and warning["request_id"] == response.headers["X-Request-ID"]
    assert account.login not in buffer.getvalue()


# --- health -------------------------------------------------------------------------------


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_ready_with_the_database_and_temporal(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "temporal": "ok"}}


@pytest.mark.parametrize("database_url", [
    "postgresql+psycopg://rokin:Pa55word99@127.0.0.1:{port}/rokin",  # nobody listens there
    "sqlite:////nonexistent-{port}/rokin.db",  # a directory that does not exist
])
def test_readyz_is_503_when_the_database_cannot_be_reached(settings, database_url):
    app = create_app({"TESTING": True}, settings=replace(settings, database_url=database_url.format(port=free_port())))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "checks": {"database": "unavailable", "temporal": "ok"}}
    assert "Pa55word99" not in response.get_data(as_text=True)


def test_readyz_is_503_when_temporal_is_down(settings):
    app = create_app({"TESTING": True}, settings=replace(settings, temporal_address=f"127.0.0.1:{free_port()}"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "temporal": "unavailable"}


# --- /metrics -------------------------------------------------------------------------------


def test_metrics_are_served_to_the_allowed_networks_only_and_never_to_a_trusted_proxy(app):
    rokin = app.extensions["rokin"]

    def status(peer: str) -> int:
        return app.test_client().get("/metrics", environ_base={"REMOTE_ADDR": peer}).status_code

    assert status("127.0.0.1") == 200 and status("::1") == 200  # the default: loopback
    assert status("10.0.0.7") == 404 and status("203.0.113.9") == 404
    rokin.settings = replace(rokin.settings, metrics_allow=("10.0.0.0/24",), trusted_proxies=(PROXY,))
    assert status("10.0.0.7") == 200 and status("127.0.0.1") == 404
    assert status(PROXY) == 404  # inside the allowed network, but it relays the public


def test_requests_are_counted_by_endpoint_method_and_status_with_their_latency(app, client):
    before = scrape(app)
    client.get("/")
    client.get("/")
    client.post("/", data={})
    after = scrape(app)
    name = "rokin_http_requests_total"
    assert count(after, name, endpoint="auth.login_screen", method="GET", status="200") - \
        count(before, name, endpoint="auth.login_screen", method="GET", status="200") == 2
    # A method the route does not take never reaches a view: no endpoint.
    assert count(after, name, endpoint="unmatched", method="POST", status="405") - \
        count(before, name, endpoint="unmatched", method="POST", status="405") == 1
    latency = "rokin_http_request_duration_seconds_count"
    endpoint = "auth.login_screen"
    assert count(after, latency, endpoint=endpoint) - count(before, latency, endpoint=endpoint) == 2


def test_every_page_that_checks_a_password_has_its_login_kind(app):
    assert set(metrics.LOGIN_KINDS) <= set(app.view_functions)


def test_certificate_logins_are_counted_by_outcome(app, master, add_general_users):
    """``master`` logged in once already (its fixture); then a wrong password, a right one, and
    a visit without a certificate."""
    before = scrape(app)
    client = app.test_client()
    assert login(client, master.user_id, "Wrong2024x").status_code == 200
    assert login(client, master.user_id, master.password).status_code == 302
    bare = app.test_client()
    present(bare, None)
    assert bare.get("/login").status_code == 200
    after = scrape(app)
    assert deltas(before, after, "rokin_logins_total", "outcome") == {
        "wrong_password": 1, "success": 1, "no_certificate": 1}
    assert deltas(before, after, "rokin_logins_total", "kind") == {"certificate": 3}


def test_staff_logins_are_counted_by_outcome_up_to_the_lock(app, make_staff):  # noqa: F811  (the fixture)
    account = make_staff(StaffRole.RECEIVER)
    before = scrape(app)
    client = app.test_client()
    assert staff_log_in(client, account).status_code == 302
    for _ in range(6):
        staff_log_in(client, account, "Wrong2024x")
    staff_log_in(client, account)  # right password, but locked
    post_form(client, "/staff/login", {"login": "nobody01", "password": "Wrong2024x"})
    after = scrape(app)
    moved = {outcome: count(after, "rokin_logins_total", kind="staff", outcome=outcome)
             - count(before, "rokin_logins_total", kind="staff", outcome=outcome)
             for outcome in ("success", "wrong_password", "locked_now", "locked", "unknown_id")}
    assert moved == {"success": 1, "wrong_password": 5, "locked_now": 1, "locked": 1, "unknown_id": 1}


def test_issuances_are_counted_by_outcome(app, client, registered):
    """Nothing personal ends up in the scrape either."""
    before = scrape(app)
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    result(press_issue(client, form))
    assert press_issue(client, form).status_code == 409  # a ticket is good for one 発行 only
    after = scrape(app)
    assert deltas(before, after, "rokin_certificate_issuances_total", "outcome") == {
        "issued": 1, "ticket_expired": 1}
    assert count(after, "rokin_logins_total", kind="issuance", outcome="success") - \
        count(before, "rokin_logins_total", kind="issuance", outcome="success") == 1
    scraped = app.test_client().get("/metrics").get_data(as_text=True)
    assert registered.user_id not in scraped and registered.password not in scraped


@pytest.fixture
def make_staff_in():  # noqa: ANN201
    """A staff account in the database of ``app``, with its initial password."""

    def make(app) -> StaffAccount:  # noqa: ANN001
        with app.extensions["rokin"].session_factory.begin() as session:
            staff, password = staff_store.create_staff(session=session, login="recept01", role=StaffRole.RECEIVER,
                                                       actor=audit.Actor.cli())
            return StaffAccount(staff.login, password, str(staff.uuid), staff.role)

    return make
