"""The organization's お取引店 (issue 16) for any page's template: ``my_branch()`` is the logged-in employer
user's, ``organization_branch(code)`` an organization's (the printed notices staff hand over).

Both are callables, looked up only by the templates that show a branch. Registered app-wide by the employer
blueprint (as ``web.certificates.login`` registers ``my_certificate``): the staff notices show it too, and
the ④ page when a logged-in user opens it. Someone not authenticated never gets a branch from here.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_login import current_user

from domain.banks import Branch
from store import branches

from .. import db, messages
from ..principals import EmployerPrincipal
from .views import bp


def organization_branch(code: str) -> Branch | None:
    return branches.branch_of_organization(session=db.session(), organization_code=code)


def my_branch() -> Branch | None:
    """The logged-in employer user's お取引店; None for anyone else, or while the organization has none."""
    principal = current_user._get_current_object()
    if not isinstance(principal, EmployerPrincipal) or not principal.is_authenticated:
        return None
    return organization_branch(principal.user.organization.code)


def branch_contact(branch: Branch) -> str:
    """お取引店：中央労働金庫 本店営業部（電話 03-…）, worded once (``web.messages.BRANCH_CONTACT``)."""
    return messages.branch_contact(branch, gettext)


@bp.app_context_processor
def _branches() -> dict:
    return {"my_branch": my_branch, "organization_branch": organization_branch, "branch_contact": branch_contact}
