"""団体登録, 団体一覧 and the printable ご利用開始のお知らせ: administrators only."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from domain.credentials import MAX_LENGTH, MIN_LENGTH
from domain.organizations import CODE_MAX_LENGTH, CODE_MIN_LENGTH
from store import organization_queries
from store.errors import CredentialError, Refusal, ServiceError
from usecases import organizations as organization_cases

from .. import db, forms, messages
from ..principals import current_actor
from . import one_time
from .forms import OrganizationForm
from .views import bp

JST = ZoneInfo("Asia/Tokyo")


@bp.route("/organizations/new", methods=["GET", "POST"])
def register_organization():  # noqa: ANN201
    """Same service as ``rokin admin create-org``; the audit log names this staff member."""
    form = OrganizationForm()
    if form.validate_on_submit():
        try:
            created = organization_cases.register_organization(
                db.session(), code=form.code.data, name=form.name.data, email=form.email.data,
                actor=current_actor(request.remote_addr))
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
    return render_template("staff/organization_new.html", form=form,
                           code_min=CODE_MIN_LENGTH, code_max=CODE_MAX_LENGTH)


@bp.get("/organizations")
def organizations():  # noqa: ANN201
    rows = organization_queries.organization_rows(session=db.session())
    return render_template("staff/organizations.html", rows=rows, jst_date=_jst_date)


@bp.get("/organizations/<code>/notice")
def notice(code: str):  # noqa: ANN201
    """ご利用開始のお知らせ, printable. The initial password appears only right after 団体登録."""
    organization = organization_queries.organization_row(session=db.session(), code=code)
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


def _jst_date(moment: datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands stored UTC times back without their zone
        moment = moment.replace(tzinfo=timezone.utc)
    return format_date(moment.astimezone(JST).date(), "long")
