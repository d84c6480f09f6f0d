"""What the request form (失効依頼書) says, in the page's language: the same words for the PDF
(``request_pdf``) and the printable page (``form.html``), from ``store.revocation_queries.sheet_facts``.

Page 1 is the employer's: 提出先, the request's facts, the requester, the 届出印 box. Page 2 is
労働金庫使用欄, what the Rokin's back office checks and signs, in the order the work is done:

- 書面受付 (the receiver): the paper matches the request in the system (number, organization code,
  user ID, serial), 届出印照合 — the seal against the one registered with the 労金 (the check that
  makes paper worth more than the online request) — the paper came in time, and 受付 was recorded in
  the system; 受付日 and 受付者.
- 承認 (an approver who is neither the receiver nor whoever filed it: maker-checker, as the system
  enforces): the receiver's checks reviewed, the reason understood (その他: its words), the
  decision recorded in the system (a rejection with its comment); 承認日, 承認者, 結果.
- Stamp boxes 承認者 / 印鑑照合 / 受付者, as bank forms carry them, so the paper alone shows who did what.
"""

from __future__ import annotations

from flask_babel import gettext as _

from domain.revocation import paper_last_day
from domain.validity import tokyo_date
from store.revocation_queries import SheetFacts

from ..revocation_labels import REASON
from .request_pdf import OfficeSection, OfficeUse, Sheet


def destination_lines(facts: SheetFacts) -> list[str]:
    """提出先: the branch and its address, or お取引店（労働金庫） while the branch is not known."""
    destination = facts.destination
    name = destination.branch_name or _("お取引店（労働金庫）")
    return [name, destination.postal_address] if destination.postal_address else [name]


def reason_text(facts: SheetFacts) -> str:
    label = str(REASON[facts.reason])
    return f"{label}（{facts.reason_detail}）" if facts.reason_detail else label


def last_day(facts: SheetFacts) -> str:
    return paper_last_day(facts.paper_deadline_at).isoformat()


def rows(facts: SheetFacts) -> list[tuple[str, str]]:
    """The table of page 1: (label, value); an empty value is a line for the requester to write on."""
    return [
        (_("受付番号"), facts.number), (_("団体名"), facts.organization_name),
        (_("団体コード"), facts.organization_code), (_("依頼者氏名"), facts.requester_name),
        (_("ユーザーID"), facts.user_id), (_("シリアル番号"), facts.serial), (_("失効理由"), reason_text(facts)),
        (_("書面の提出期限"), last_day(facts)),
    ]


def instructions(facts: SheetFacts) -> list[str]:
    said = [_("届出印（労働金庫にお届けの印章）を押印のうえ、書面の提出期限（%(date)s）までに提出先へ郵送またはご持参ください。"  # noqa: E501  one msgid
              "期限までに届かない場合、失効依頼は無効になります。", date=last_day(facts)),
            _("2ページ目（労働金庫使用欄）も印刷し、一緒に提出してください（両面印刷も可）。")]
    if not facts.requester_name:
        said.insert(1, _("依頼者氏名欄には、ご依頼者（マスターユーザーのご担当者）の氏名をご記入ください。"))
    return said


def office_use(facts: SheetFacts) -> OfficeUse:
    return OfficeUse(
        title=_("電子証明書失効依頼書（労働金庫使用欄）"), note=_("お客さまは記入しないでください。"),
        reference=_("受付番号：%(number)s", number=facts.number),
        sections=[
            OfficeSection(
                heading=_("書面受付（受付担当者）"),
                checks=[_("受付番号・団体コード・ユーザーID・シリアル番号がシステムの失効依頼と一致している"),
                        _("届出印照合：お届出印と相違ない"),
                        _("書面の提出期限内に到着している"),
                        _("システムに書面受付を登録した")],
                entries=[_("受付日"), _("受付者")]),
            OfficeSection(
                heading=_("承認（受付者・依頼登録者以外の承認者）"),
                checks=[_("受付者の照合内容（届出印照合を含む）を確認した"),
                        _("失効理由を確認した（「その他」の場合は記載内容）"),
                        _("承認・否認をシステムに登録した（否認の場合は理由のコメントを入力）")],
                entries=[_("承認日"), _("承認者"), _("結果（承認・否認）")]),
        ],
        stamps=[_("承認者"), _("印鑑照合"), _("受付者")])


def sheet(facts: SheetFacts) -> Sheet:
    return Sheet(
        title=_("電子証明書失効依頼書"), filed_on=f"{_('依頼日')}：{tokyo_date(facts.filed_at).isoformat()}",
        destination_label=_("提出先"), destination=destination_lines(facts), rows=rows(facts),
        statement=_("上記の電子証明書の失効を依頼します。"), seal_label=_("届出印"),
        instructions=instructions(facts), office=office_use(facts))
