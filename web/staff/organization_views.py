"""団体登録, 団体一覧, お取引店登録 and the printable ご利用開始のお知らせ: administrators only, each within
the administrator's 労金 (``domain.staff_scope``; the 連合会's: every one). Another 労金's organization
is 404, like one that does not exist.

団体登録 places the organization at its 労金 and お取引店 (one choice among the branches the member may
use: their 労金's, or any for the 連合会); お取引店登録 does the same for an organization registered before
banks and branches existed, which only the 連合会 sees until then. The list warns about those: from
``domain.banks.BRANCH_REQUIRED_FROM`` they cannot be issued certificates.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from domain.banks import BRANCH_REQUIRED_FROM, bank_name
from domain.credentials import MAX_LENGTH, MIN_LENGTH
from domain.organizations import CODE_MAX_LENGTH, CODE_MIN_LENGTH
from domain.staff_scope import BankScope, PlacementProblem
from store import branches as branch_store
from store import organization_queries
from store.errors import CredentialError, Refusal, ServiceError
from usecases import branches as branch_cases
from usecases import organizations as organization_cases

from .. import db, forms, messages
from ..principals import current_actor, current_scope
from . import one_time
from .forms import AssignBranchForm, OrganizationForm, add_placement_error, branch_value, split_branch_value
from .views import ADMINISTRATOR, ROLES, bp

JST = ZoneInfo("Asia/Tokyo")

ROLES.update({"staff.assign_branch": ADMINISTRATOR})  # the staff gate's table (views.ROLES)


def branch_choices(scope: BankScope) -> dict[str, list[tuple[str, str]]]:
    """The branches a member of ``scope`` may choose, by 労金 name (the select's groups), in code order."""
    choices: dict[str, list[tuple[str, str]]] = {}
    for bank_code in scope.banks_to_place_in():
        for branch in branch_store.branches_of(session=db.session(), bank_code=bank_code):
            choices.setdefault(bank_name(bank_code), []).append(
                (branch_value(bank_code, branch.code), f"{branch.name}（{branch.code}）"))
    return choices


def _with_choices(form, scope: BankScope):  # noqa: ANN001, ANN202
    form.branch.choices = branch_choices(scope)
    return form


@bp.route("/organizations/new", methods=["GET", "POST"])
def register_organization():  # noqa: ANN201
    """Same service as ``rokin admin create-org``; the audit log names this staff member."""
    scope = current_scope()
    form = _with_choices(OrganizationForm(), scope)
    if form.validate_on_submit():
        bank_code, branch_code = split_branch_value(form.branch.data)
        try:
            created = organization_cases.register_organization(
                db.session(), code=form.code.data, name=form.name.data, email=form.email.data,
                actor=current_actor(request.remote_addr), bank_code=bank_code, branch_code=branch_code, scope=scope)
        except organization_cases.PlacementRefused as refused:
            add_placement_error(form.branch, refused.problem)
        except CredentialError as error:
            forms.add_error(getattr(form, error.field), error.problem)
        except ServiceError as refusal:
            if refusal.refusal is Refusal.ORGANIZATION_CODE_TAKEN:
                forms.add_error(form.code, refusal.refusal)
            else:
                form.form_errors.append(messages.render(refusal.refusal, _))
        else:
            code = created.organization.code
            one_time.hold(code, created.initial_password)
            flash(_("団体を登録しました。ご利用開始のお知らせを印刷し、団体へお渡しください。"), "success")
            return redirect(url_for("staff.notice", code=code))
    return render_template("staff/organization_new.html", form=form, fixed_bank=_fixed_bank(scope),
                           code_min=CODE_MIN_LENGTH, code_max=CODE_MAX_LENGTH)


@bp.get("/organizations")
def organizations():  # noqa: ANN201
    rows = organization_queries.organization_rows(session=db.session(), scope=current_scope())
    return render_template("staff/organizations.html", rows=rows, jst_date=_jst_date, bank_name=bank_name,
                           without_branch=[row for row in rows if not row.has_branch],
                           branch_required_from=format_date(BRANCH_REQUIRED_FROM, "long"))


@bp.route("/organizations/<code>/branch", methods=["GET", "POST"])
def assign_branch(code: str):  # noqa: ANN201
    """お取引店登録 (the migration path of organizations registered before issue 16; same rules as 団体登録)."""
    scope = current_scope()
    organization = organization_queries.organization_row(session=db.session(), scope=scope, code=code)
    if organization is None:
        abort(404)
    form = _with_choices(AssignBranchForm(), scope)
    if request.method == "GET" and organization.bank_code and organization.branch_code:
        form.branch.data = branch_value(organization.bank_code, organization.branch_code)
    if form.validate_on_submit():
        bank_code, branch_code = split_branch_value(form.branch.data)
        try:
            branch = branch_cases.assign_branch(db.session(), organization_code=code, bank_code=bank_code,
                                                branch_code=branch_code, actor=current_actor(request.remote_addr),
                                                scope=scope)
        except organization_cases.PlacementRefused as refused:
            add_placement_error(form.branch, refused.problem)
        except ServiceError:  # the organization went meanwhile, or the branch is not in the table
            add_placement_error(form.branch, PlacementProblem.UNKNOWN_BRANCH)
        else:
            flash(_("団体 %(code)s のお取引店を %(branch)s に登録しました。", code=code,
                    branch=f"{bank_name(bank_code)} {branch.name}"), "success")
            return redirect(url_for("staff.organizations"))
    return render_template("staff/assign_branch.html", form=form, organization=organization, bank_name=bank_name,
                           fixed_bank=_fixed_bank(scope))


@bp.get("/organizations/<code>/notice")
def notice(code: str):  # noqa: ANN201
    """ご利用開始のお知らせ, printable. The initial password appears only right after 団体登録."""
    organization = organization_queries.organization_row(session=db.session(), scope=current_scope(), code=code)
    if organization is None:
        abort(404)
    return render_template(
        "staff/notice.html",
        organization=organization,
        initial_password=one_time.take(code),
        system_url=current_app.extensions["rokin"].settings.public_url,
        issued_on=_jst_date(datetime.now(JST)),
        min_length=MIN_LENGTH, max_length=MAX_LENGTH,
    )


def _fixed_bank(scope: BankScope) -> str:
    """A 労金's staff register only into their 労金: its name, shown fixed; '' for the 連合会 (it chooses)."""
    return "" if scope.bank_code is None else bank_name(scope.bank_code)


def _jst_date(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands stored UTC times back without their zone
        moment = moment.replace(tzinfo=timezone.utc)
    return format_date(moment.astimezone(JST).date(), "long")
