"""Organization (団体) codes as Rokin assigns them."""

from __future__ import annotations

import enum
import string

CODE_MIN_LENGTH = 4
CODE_MAX_LENGTH = 10
NAME_MAX_LENGTH = 100


class OrganizationProblem(enum.Enum):
    CODE_REQUIRED = "code_required"
    CODE_FORMAT = "code_format"
    NAME_REQUIRED = "name_required"
    NAME_TOO_LONG = "name_too_long"


def check_organization_code(code: str) -> OrganizationProblem | None:
    """4–10 half-width digits or upper-case letters, e.g. the 団体コード on the application form."""
    if not code:
        return OrganizationProblem.CODE_REQUIRED
    allowed = set(string.digits + string.ascii_uppercase)
    if not (CODE_MIN_LENGTH <= len(code) <= CODE_MAX_LENGTH) or not set(code) <= allowed:
        return OrganizationProblem.CODE_FORMAT
    return None


def check_organization_name(name: str) -> OrganizationProblem | None:
    if not name.strip():
        return OrganizationProblem.NAME_REQUIRED
    if len(name) > NAME_MAX_LENGTH:
        return OrganizationProblem.NAME_TOO_LONG
    return None
