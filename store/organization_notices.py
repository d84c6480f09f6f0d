"""ご利用開始のお知らせ: the audit entry that marks an organization's initial password as shown.

The master user's initial password is shown once, on the notice right after 団体登録; the web
holds it meanwhile (``web.staff.one_time``). This entry, written before the page shows it, makes a
replayed old session cookie find the password already shown.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit
from .models import AuditEntry

SHOWN_ACTION = "organization.initial_password_shown"
TARGET_KIND = "organization"


def record_initial_password_shown(*, session: Session, organization_code: str, actor: audit.Actor) -> bool:
    """Record that the notice shows the initial password now; False (and nothing recorded) if it was
    shown before. The caller commits before showing it."""
    already_shown = session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == SHOWN_ACTION,
        AuditEntry.target_kind == TARGET_KIND,
        AuditEntry.target_id == organization_code,
    ).limit(1))
    if already_shown is not None:
        return False
    audit.record(session=session, actor=actor, action=SHOWN_ACTION, target_kind=TARGET_KIND,
                 target_id=organization_code)
    return True
