"""職員登録 (issue 16): an administrator creates a staff account on the web, as ``rokin admin create-staff``
does (the same use-case), within their 労金: a 労金's administrator creates only its staff, the 連合会's
any 労金's or the 連合会's own. The one-time initial password is shown once, on the page after the
creation (``one_time.hold_staff`` / ``take_staff``), and the new member changes it at first login.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from domain.banks import bank_name
from domain.credentials import MAX_LENGTH, MIN_LENGTH
from domain.roles import StaffRole
from store.errors import CredentialError, ServiceError
from usecases import organizations as organization_cases
from usecases import sessions as session_cases

from .. import db
from ..principals import current_actor, current_scope
from . import one_time
from .forms import StaffAccountForm, add_placement_error, add_staff_error
from .views import ROLE_LABELS, bp


@bp.route("/staff-accounts/new", methods=["GET", "POST"])
def new_staff_account():  # noqa: ANN201
    scope = current_scope()
    form = StaffAccountForm()
    form.role.choices = [(role.value, str(ROLE_LABELS[role])) for role in StaffRole]
    form.bank.choices = [(code, bank_name(code)) for code in scope.staff_banks()]
    if request.method == "GET" and scope.bank_code is not None:
        form.bank.data = scope.bank_code
    if form.validate_on_submit():
        try:
            staff, initial_password = organization_cases.create_staff(
                db.session(), login=form.login.data, role=_role(form.role.data), bank_code=form.bank.data or "",
                actor=current_actor(request.remote_addr), scope=scope)
        except organization_cases.PlacementRefused as refused:
            add_placement_error(form.bank, refused.problem)
        except CredentialError as error:
            add_staff_error(form.login, error.problem)
        except ServiceError as refusal:  # the login ID is taken
            add_staff_error(form.login, refusal.refusal)
        else:
            one_time.hold_staff(str(staff.uuid), initial_password)
            flash(_("職員 %(login)s を登録しました。初期パスワードをご本人へお伝えください。", login=staff.login),
                  "success")
            return redirect(url_for("staff.staff_account_created", account_uuid=str(staff.uuid)))
    return render_template("staff/staff_account_new.html", form=form, min_length=MIN_LENGTH, max_length=MAX_LENGTH)


@bp.get("/staff-accounts/<account_uuid>/created")
def staff_account_created(account_uuid: str):  # noqa: ANN201
    """The new account, and its initial password right after 職員登録 only (within the 労金, else 404)."""
    try:
        staff = session_cases.staff_member(db.session(), staff_uuid=account_uuid, scope=current_scope())
    except ServiceError:
        abort(404)
    return render_template("staff/staff_account_created.html", member=staff, member_role=ROLE_LABELS[staff.role],
                           member_bank=bank_name(staff.bank_code), initial_password=one_time.take_staff(account_uuid))


def _role(value: str | None) -> StaffRole:
    try:
        return StaffRole(value)
    except ValueError:
        abort(400)  # not one of the form's choices: a hand-made request
