"""The request form's PDF through its HTTP route, read with poppler (pdffonts, pdftotext, pdfinfo) as
any viewer would: every font embedded, the user ID, the labels and the Japanese text extracted exactly,
提出先, the requester and the organization read from the database when printed, a 届出印 box, the staff's
checklist on page 2 — and a missing font file is a message and a logged error, not a traceback."""

from __future__ import annotations

import logging
import re
import subprocess
from pathlib import Path

from sqlalchemy import select, update

from store.models import Organization, User
from web.revocation_request.request_pdf import FONT_FILE

from ..pages import text
from .support import START, file_request, live_serial

ROOT = Path(__file__).resolve().parents[3]
FONT_LINE = re.compile(r"^(?P<name>\S+)\s+.*\s(?P<emb>yes|no)\s+(?:yes|no)\s+(?:yes|no)\s+\d+\s+\d+$")


def tool_output(tool: str, *args: str) -> str:
    """What a command-line tool (poppler's, dpkg's) prints; it must succeed."""
    return subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout


def fonts(pdf: Path) -> list[tuple[str, str]]:
    """(name, emb) for each font pdffonts lists."""
    lines = tool_output("pdffonts", str(pdf)).splitlines()
    assert lines[1].startswith("---"), lines
    found = [FONT_LINE.match(line) for line in lines[2:]]
    assert all(found), lines
    return [(match.group("name"), match.group("emb")) for match in found if match]


def page_text(pdf: Path, page: int) -> str:
    return tool_output("pdftotext", "-enc", "UTF-8", "-f", str(page), "-l", str(page), str(pdf), "-")


def file_one(app, master, *, reason: str = "other", detail: str = "担当者交代"):  # noqa: ANN001, ANN201
    serial = live_serial(app.extensions["rokin"].session_factory, master.user_id)
    client, response = file_request(app, master.user_id, master.password, serial, reason=reason, detail=detail)
    assert response.status_code == 302, text(response)
    number = response.location.rsplit("/", 1)[1]
    return client, number, serial


def fetch(client, number: str, tmp_path: Path) -> Path:  # noqa: ANN001
    response = client.get(f"{START}/{number}/form.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / f"{number}.pdf"
    pdf.write_bytes(response.data)
    return pdf


def test_every_font_is_embedded_and_the_text_extracts_exactly(app, master, tmp_path):
    client, number, serial = file_one(app, master)
    pdf = fetch(client, number, tmp_path)

    listed = fonts(pdf)
    assert listed, "no font at all"
    assert all(emb == "yes" for _, emb in listed), listed
    assert not [name for name, _ in listed if "Helvetica" in name or "Heisei" in name], listed
    assert re.search(r"^Pages:\s+2$", tool_output("pdfinfo", str(pdf)), re.M)

    first = page_text(pdf, 1)
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    for label in ("電子証明書失効依頼書", "提出先", "受付番号", "団体名", "団体コード", "依頼者氏名", "ユーザーID",
                  "シリアル番号", "失効理由", "書面の提出期限", "上記の電子証明書の失効を依頼します。", "届出印"):
        assert label in lines, (label, lines)
    for value in (number, master.user_id, master.organization_code, serial, "テスト労働組合", "中央労働金庫 本店営業部",
                  "〒101-0062 東京都千代田区神田駿河台2丁目", "その他（担当者交代）"):  # 提出先: TEST_BRANCH
        assert value in lines, (value, lines)
    assert "Ⅾ" not in first  # 「ユーザーID」 once came out as 「ユーザーⅮ」

    second = page_text(pdf, 2)
    for label in ("電子証明書失効依頼書（労働金庫使用欄）", "お客さまは記入しないでください。", f"受付番号：{number}",
                  "届出印照合：お届出印と相違ない", "受付日", "受付者", "承認日", "承認者", "印鑑照合"):
        assert label in second, (label, second)


def test_the_requester_and_the_organization_are_read_when_printed(app, master, tmp_path):
    factory = app.extensions["rokin"].session_factory
    client, number, _ = file_one(app, master, reason="pc_change", detail="")
    without_name = page_text(fetch(client, number, tmp_path), 1)
    assert "依頼者氏名欄には、ご依頼者（マスターユーザーのご担当者）の氏名をご記入ください。" in without_name
    assert "マスターユーザー\n" not in without_name  # the placeholder is no person's name

    with factory.begin() as session:  # after filing: the sheet says what the database says now
        session.execute(update(User).where(User.user_id == master.user_id).values(display_name="労金 花子"))
        session.execute(update(Organization).where(Organization.code == master.organization_code)
                        .values(name="ろうきん第二労働組合"))
    printed = [line.strip() for line in page_text(fetch(client, number, tmp_path), 1).splitlines()]
    assert "労金 花子" in printed and "ろうきん第二労働組合" in printed
    assert "テスト労働組合" not in printed


def test_a_missing_font_is_a_message_and_a_logged_error(app, master, tmp_path, caplog):
    client, number, _ = file_one(app, master)
    missing = tmp_path / "no-such-font.ttf"
    app.config["REQUEST_FORM_FONT"] = str(missing)
    with caplog.at_level(logging.ERROR, logger="web.revocation_request.views"):
        response = client.get(f"{START}/{number}/form.pdf")
    assert response.status_code == 302 and response.location.endswith(f"{START}/{number}/form")
    page = text(client.get(response.location))
    assert "失効依頼書（PDF）を作成できませんでした。" in page and number in page  # the printable page instead
    logged = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert any(str(missing) in message for message in logged), logged
    assert not any(master.user_id in message for message in logged)


def test_the_image_installs_the_font_the_pdf_embeds():
    package = tool_output("dpkg-query", "-S", str(FONT_FILE)).split(":", 1)[0]  # Debian's owner of the file
    assert package == "fonts-ipafont-gothic"
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    assert re.search(rf"^RUN .*apt-get install .*\b{package}\b", dockerfile, re.M), "the image lacks the PDF's font"


def test_the_paper_goes_to_the_organizations_own_branch_once_it_has_one(app, master, tmp_path):
    """Issue 16: 提出先 names the organization's 労金 and お取引店 with its postal address, on the PDF and in
    the filing e-mail's values (store.revocation_queries.paper_destination, the one place that says it)."""
    from domain.banks import parse_branch_lines
    from store import audit
    from store import branches as branch_store
    from store.revocation_queries import notice_values

    factory = app.extensions["rokin"].session_factory
    branches, problems = parse_branch_lines((ROOT / "store" / "data" / "branches.csv").read_text().splitlines())
    assert problems == []
    client, number, _ = file_one(app, master)
    with factory.begin() as session:
        branch_store.load_branches(session=session, branches=branches, actor=audit.Actor.cli())
        organization = session.scalars(select(Organization).where(Organization.code == master.organization_code)).one()
        branch_store.assign_branch(session=session, organization=organization, bank_code="2963", branch_code="101",
                                   actor=audit.Actor.cli())
    first_page = page_text(fetch(client, number, tmp_path), 1)
    assert "中央労働金庫 新宿支店" in first_page and "〒160-0023 東京都新宿区西新宿1丁目" in first_page
    with factory() as session:
        assert notice_values(session=session, number=number)["paper_destination"] == \
            "中央労働金庫 新宿支店 〒160-0023 東京都新宿区西新宿1丁目"
