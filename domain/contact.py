"""E-mail address and display-name shape checks (deliverability is SMTP's business)."""

from __future__ import annotations

import enum
import re

EMAIL_MAX_LENGTH = 254
DISPLAY_NAME_MAX_LENGTH = 50
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


class ContactProblem(enum.Enum):
    EMAIL_REQUIRED = "email_required"
    EMAIL_FORMAT = "email_format"
    EMAIL_MISMATCH = "email_mismatch"
    NAME_REQUIRED = "name_required"
    NAME_TOO_LONG = "name_too_long"


def check_email(email: str) -> ContactProblem | None:
    if not email:
        return ContactProblem.EMAIL_REQUIRED
    if len(email) > EMAIL_MAX_LENGTH or not _EMAIL.match(email):
        return ContactProblem.EMAIL_FORMAT
    return None


def check_display_name(name: str) -> ContactProblem | None:
    if not name.strip():
        return ContactProblem.NAME_REQUIRED
    if len(name) > DISPLAY_NAME_MAX_LENGTH:
        return ContactProblem.NAME_TOO_LONG
    return None
