"""The codec server (``web/codec``) the Temporal Web UI calls to read encrypted payloads: only signed-in
Rokin staff, only from the configured UI origin, and it decodes what the product's real workflows wrote.

It lives with the staff tests because its one user is a staff member (and their fixtures are here).
"""

from __future__ import annotations

import base64
import json

import pytest

from contract.names import lockout_workflow_id
from core.payload_codec import KeyRing, encrypt
from domain.roles import StaffRole
from tests.conftest import csrf_token

from .conftest import log_in

UI = "http://localhost:8233"  # the settings' default ROKIN_CODEC_CORS_ORIGINS (``rokin dev``'s Temporal UI)
JSON = {"Content-Type": "application/json", "X-Namespace": "default"}


def body(*payloads: dict) -> str:
    return json.dumps({"payloads": list(payloads)})


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def readable(payload: dict) -> tuple[str, str]:
    data = base64.b64decode(payload.get("data", "")).decode(errors="replace")
    return base64.b64decode(payload["metadata"]["encoding"]).decode(), data


PLAIN = {"metadata": {"encoding": b64("json/plain")}, "data": b64('"hello"')}


def lockout_history_payloads(worker_thread, staff_uuid: str) -> list[dict]:  # noqa: ANN001
    """The payloads of the staff member's own lockout workflow, as the Web UI downloads them."""
    history = worker_thread._run(worker_thread.client.get_workflow_handle(lockout_workflow_id(staff_uuid))
                                 .fetch_history()).to_json_dict()
    found: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "metadata" in node and set(node) <= {"metadata", "data"}:
                found.append(node)
            else:
                for key, value in node.items():
                    if key != "searchAttributes":  # never encoded: identifiers the UI filters by
                        walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(history)
    return found


def test_anonymous_is_401_and_the_ui_may_read_the_refusal(client):
    response = client.post("/codec/decode", data=body(PLAIN), headers={**JSON, "Origin": UI})
    assert response.status_code == 401 and response.json == {"error": "sign in as Rokin staff"}
    assert response.headers["Access-Control-Allow-Origin"] == UI
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_an_employer_is_403(employer_client):
    response = employer_client.post("/codec/decode", data=body(PLAIN), headers={**JSON, "Origin": UI})
    assert response.status_code == 403 and response.json == {"error": "Rokin staff only"}


def test_staff_with_the_one_time_password_still_is_403(app, make_staff):
    account = make_staff(StaffRole.RECEIVER)
    client = app.test_client()
    assert log_in(client, account).headers["Location"] == "/staff/password"
    assert client.post("/codec/decode", data=body(PLAIN), headers=JSON).status_code == 403


@pytest.mark.parametrize("role", [StaffRole.ADMINISTRATOR, StaffRole.APPROVER])
def test_staff_decode_what_the_real_workflow_wrote_and_encode_round_trips(staff_client, worker_thread, role):
    client, account = staff_client(role)
    payloads = lockout_history_payloads(worker_thread, account.uuid)  # written by the login just made
    assert payloads and all(readable(payload)[0] == "binary/encrypted" for payload in payloads)
    assert not any(account.uuid in json.dumps(payload) for payload in payloads)
    # No CSRF token: the UI cannot send one; the origin and the JSON body protect the endpoint.
    decoded = client.post("/codec/decode", data=body(*payloads), headers={**JSON, "Origin": UI})
    assert decoded.status_code == 200, decoded.get_data(as_text=True)
    assert decoded.headers["Access-Control-Allow-Origin"] == UI and "Origin" in decoded.headers["Vary"]
    texts = [readable(payload) for payload in decoded.json["payloads"]]
    assert {encoding for encoding, _ in texts} <= {"json/plain", "binary/null"}
    assert any(account.uuid in data for _, data in texts)  # the lockout's input names its subject

    encoded = client.post("/codec/encode", data=body(PLAIN), headers=JSON)
    assert encoded.status_code == 200 and readable(encoded.json["payloads"][0])[0] == "binary/encrypted"
    again = client.post("/codec/decode", data=body(*encoded.json["payloads"]), headers=JSON)
    assert readable(again.json["payloads"][0]) == ("json/plain", '"hello"')


def test_a_payload_under_an_unknown_key_is_400_naming_only_the_key(staff_client):
    client, _account = staff_client()
    foreign = KeyRing.of([("k-retired", bytes(32))])
    sealed = encrypt(foreign, PayloadsJson.to_payload(PLAIN))
    response = client.post("/codec/decode", data=body(PayloadsJson.to_dict(sealed)), headers=JSON)
    assert response.status_code == 400 and "'k-retired'" in response.json["error"]


def test_the_preflight_is_granted_to_the_configured_ui_origin_only(client):
    asked = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-namespace"}
    granted = client.options("/codec/decode", headers={**asked, "Origin": UI})
    assert granted.status_code == 204
    assert granted.headers["Access-Control-Allow-Origin"] == UI
    assert granted.headers["Access-Control-Allow-Credentials"] == "true"
    assert "X-Namespace" in granted.headers["Access-Control-Allow-Headers"]
    assert granted.headers["Access-Control-Allow-Methods"] == "POST"
    for foreign in ("https://evil.example", "http://localhost:9999", "null"):
        refused = client.options("/codec/decode", headers={**asked, "Origin": foreign})
        assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers


def test_a_signed_in_staff_members_cookie_is_useless_from_a_foreign_origin(staff_client):
    client, _account = staff_client()
    response = client.post("/codec/decode", data=body(PLAIN), headers={**JSON, "Origin": "https://evil.example"})
    assert response.status_code == 403 and "Access-Control-Allow-Origin" not in response.headers


def test_a_form_post_is_415_not_decoded(staff_client):
    client, _account = staff_client()
    response = client.post("/codec/decode", data={"payloads": "x"}, headers={"Origin": UI})
    assert response.status_code == 415


class PayloadsJson:
    """The protocol's JSON for one payload, both ways (protobuf JSON: bytes as base64)."""

    @staticmethod
    def to_payload(node: dict):  # noqa: ANN205
        from google.protobuf import json_format
        from temporalio.api.common.v1 import Payload

        return json_format.ParseDict(node, Payload())

    @staticmethod
    def to_dict(payload) -> dict:  # noqa: ANN001
        from google.protobuf import json_format

        return json_format.MessageToDict(payload)


def test_the_ui_reaches_the_codec_with_the_codec_cookie_alone_until_the_staff_member_logs_out(app, staff_client):
    """The UI's site differs from the web's, so only the SameSite=None cookie of /codec/ travels."""
    client, _account = staff_client()
    opened = client.get("/codec/")
    assert opened.status_code == 302 and opened.headers["Location"] == UI
    cookie = next(header for header in opened.headers.getlist("Set-Cookie") if header.startswith("rokin_codec="))
    assert {"Secure", "HttpOnly", "SameSite=None", "Path=/codec"} <= {part.strip() for part in cookie.split(";")}
    value = cookie.split(";")[0].split("=", 1)[1]

    ui_browser = app.test_client()  # no session cookie: what arrives from the UI's origin
    ui_browser.set_cookie("rokin_codec", value, path="/codec")
    assert ui_browser.post("/codec/decode", data=body(PLAIN), headers={**JSON, "Origin": UI}).status_code == 200
    forged = app.test_client()
    forged.set_cookie("rokin_codec", value[:-2] + "xx", path="/codec")
    assert forged.post("/codec/decode", data=body(PLAIN), headers={**JSON, "Origin": UI}).status_code == 401

    logout = client.post("/staff/logout", data={"csrf_token": csrf_token(client, "/staff/")})
    assert logout.status_code == 302
    assert ui_browser.post("/codec/decode", data=body(PLAIN), headers={**JSON, "Origin": UI}).status_code == 401


def test_an_employer_gets_no_codec_cookie(employer_client):
    response = employer_client.get("/codec/")
    assert response.status_code == 403 and "rokin_codec" not in response.headers.get("Set-Cookie", "")
