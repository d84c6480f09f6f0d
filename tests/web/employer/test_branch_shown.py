"""Employers see their own 労金 and お取引店 (issue 16): the top screen's box, the ④ page's "ask your 労金"
note for a logged-in user, and the printed notices staff hand over. None of them breaks, or shows
anything, for an organization that has no branch yet; nobody unauthenticated is told a branch."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flask import render_template

from tests.fixtures.users import give_branch, without_branch

from ..pages import text

KYOTO = ("2978", "030")  # 近畿労働金庫 京都支店 in the shipped list
KYOTO_SHOWN = ("近畿労働金庫", "京都支店", "〒604-8152 京都府京都市中京区烏丸通錦小路上ル", "075-211-0030")


@pytest.fixture
def assign(app):  # noqa: ANN001, ANN201
    """Give the organization of a master user a branch of the shipped list (as ``rokin admin assign-branch``)."""
    factory = app.extensions["rokin"].session_factory
    return lambda master_user_id, bank_code, branch_code: give_branch(factory, master_user_id, bank_code, branch_code)


def test_the_top_screen_shows_the_organizations_branch(client, master, assign):
    assign(master.user_id, *KYOTO)
    page = text(client.get("/employer/"))
    bank, name, address, phone = KYOTO_SHOWN
    assert '<section class="panel" id="my-branch"' in page
    assert f'<dd id="branch-bank">{bank}</dd>' in page and f'<dd id="branch-name">{name}</dd>' in page
    assert f'<dd id="branch-address">{address}</dd>' in page
    assert f'<a href="tel:{phone}">{phone}</a>' in page


def test_a_general_user_sees_the_branch_too(general, master, assign):
    assign(master.user_id, *KYOTO)
    assert '<dd id="branch-name">京都支店</dd>' in text(general.client.get("/employer/"))


def test_without_a_branch_the_top_screen_shows_no_box(app, client, master):
    without_branch(app.extensions["rokin"].session_factory, master.organization_code)
    response = client.get("/employer/")
    assert response.status_code == 200
    assert 'id="my-branch"' not in text(response) and "<h2>ユーザー一覧</h2>" in text(response)


def test_the_issuance_page_names_the_branch_only_to_a_logged_in_user(app, client, master, assign):
    assign(master.user_id, *KYOTO)
    contact = "お取引店：近畿労働金庫 京都支店（電話 075-211-0030）"
    logged_in = text(client.get("/certificate/issue"))
    assert f'<span id="my-branch-contact">{contact}</span>' in logged_in
    anonymous = text(app.test_client().get("/certificate/issue"))
    assert "my-branch-contact" not in anonymous and "京都支店" not in anonymous
    assert "マスターユーザーが閉塞の状態になった場合は、労金へお問い合わせください。" in anonymous


def test_the_issuance_page_of_a_logged_in_user_without_a_branch_keeps_the_generic_note(app, client, master):
    without_branch(app.extensions["rokin"].session_factory, master.organization_code)
    page = text(client.get("/certificate/issue"))
    assert "my-branch-contact" not in page and "労金へお問い合わせください。" in page


@pytest.mark.parametrize("template", ["staff/notice.html", "staff/master_reset_notice.html"])
def test_the_printed_notices_come_from_the_branch_and_name_its_phone(app, master, assign, template: str):
    """The routes (web/staff) pass the organization; the templates look its branch up themselves."""
    assign(master.user_id, *KYOTO)
    page = _render(app, template, master.organization_code)
    assert ('<p class="notice-sender" id="notice-sender">近畿労働金庫 京都支店<br>'
            '〒604-8152 京都府京都市中京区烏丸通錦小路上ル</p>') in page
    assert '<span id="notice-branch-contact">お取引店：近畿労働金庫 京都支店（電話 075-211-0030）</span>' in page


@pytest.mark.parametrize("template", ["staff/notice.html", "staff/master_reset_notice.html"])
def test_a_notice_for_an_organization_without_a_branch_reads_as_before(app, master, template: str):
    without_branch(app.extensions["rokin"].session_factory, master.organization_code)
    page = _render(app, template, master.organization_code)
    assert '<p class="notice-sender" id="notice-sender">労働金庫</p>' in page
    assert "notice-branch-contact" not in page and "お取引の労働金庫までお問い合わせください。" in page


def _render(app, template: str, organization_code: str) -> str:  # noqa: ANN001
    organization = SimpleNamespace(code=organization_code, name="テスト労働組合", master_user_id="m",
                                   master_registered=False)
    row = SimpleNamespace(login_id="m")
    with app.test_request_context("/staff/"):
        return render_template(template, organization=organization, row=row, initial_password=None,
                               system_url="https://rokin.example.jp/", issued_on="2027年4月1日", blocked=False,
                               min_length=8, max_length=12, rules={"min": 8, "max": 12})
