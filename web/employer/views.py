"""Top screen after login and, for the master user, the organization's user list (ユーザー一覧):
create and delete general users, and release their lock (ロック解除) or block (閉塞解除). 失効 of a
general user's certificate is in ``revocation_views``."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contract.lockout_client import ReleaseRefused
from domain.lockout import ReleaseKind
from domain.quotas import MAX_GENERAL_USERS
from store import users as user_store
from store.errors import CredentialError, Refusal, ServiceError
from store.models import User
from usecases import releases
from usecases import users as user_cases
from usecases.authentication import subject_of_user
from usecases.ports import TemporalUnavailable

from .. import db, forms, messages
from .. import lockout as web_lockout
from ..extensions import login_manager
from ..ports import temporal
from ..principals import EmployerPrincipal, current_actor
from . import labels, timeline, user_list
from .forms import CreateGeneralUserForm, DeleteGeneralUserForm, ReleaseForm

bp = Blueprint("employer", __name__)

# Refusals that mean "not yours to touch" become the matching error page, not a message.
_HTTP_STATUS = {Refusal.NOT_FOUND: 404, Refusal.FORBIDDEN: 403}


RELEASE_URL = "/users/<user_uuid>/<any(unlock, unblock):kind>"

# The gate's table: the pages any employer user may enter. Every other endpoint of this blueprint
# (the user list's actions: create, delete, release, revoke) is the master user's alone.
ANY_EMPLOYER_USER = frozenset({"employer.top"})


@bp.before_request
def _employer_gate():  # noqa: ANN202
    """Who enters the employer pages: an employer user (anonymous visitors go to the login screen,
    a staff member is refused), and outside ``ANY_EMPLOYER_USER`` only a master user (403)."""
    principal = current_user._get_current_object()
    if not principal.is_authenticated:
        return login_manager.unauthorized()
    if not isinstance(principal, EmployerPrincipal):
        abort(403)
    if request.endpoint not in ANY_EMPLOYER_USER and not principal.is_master:
        abort(403)
    return None


@bp.context_processor
def _labels() -> dict:
    return {"role_labels": labels.ROLE, "status_labels": labels.STATUS, "release_labels": web_lockout.RELEASE_LABELS,
            "certificate_labels": labels.CERTIFICATE_STATE, "display_name": labels.display_name}


@bp.get("/")
def top():  # noqa: ANN201
    return _top_page(CreateGeneralUserForm(formdata=None))


@bp.post("/users")
def create_user():  # noqa: ANN201
    """Create a general user; the result page shows its initial password this once.

    The password is rendered straight into this POST's response (not stored, not put in the
    session for a redirect): nothing else ever holds it, and the response is ``no-store``.
    A browser reload re-posts and is refused because the ID is taken.
    """
    form = CreateGeneralUserForm()
    if form.validate_on_submit():
        master = current_employer()
        try:
            user, initial_password = user_cases.create_general_user(
                db.session(), master=master, user_id=form.user_id.data, display_name=form.display_name.data,
                actor=current_actor(request.remote_addr))
        except CredentialError as error:
            forms.add_error(getattr(form, error.field), error.problem)
        except ServiceError as refusal:
            if refusal.refusal is Refusal.USER_ID_TAKEN and refusal.details.get("reserved"):
                form.user_id.errors = [*form.user_id.errors, _(messages.USER_ID_RESERVED)]
            elif refusal.refusal is Refusal.USER_ID_TAKEN:
                forms.add_error(form.user_id, refusal.refusal)
            else:
                form.form_errors.append(messages.render(refusal.refusal, _))
        else:
            return render_template("employer/user_created.html", user=user, initial_password=initial_password)
    return _top_page(form)


@bp.get("/users/<user_uuid>/delete")
def confirm_delete(user_uuid: str):  # noqa: ANN201
    """削除確認: a page of its own, because the CSP allows no inline confirm() script."""
    user = managed_user_or_abort(user_uuid)
    return render_template("employer/confirm_delete.html", user=user, form=DeleteGeneralUserForm())


@bp.post("/users/<user_uuid>/delete")
def delete_user(user_uuid: str):  # noqa: ANN201
    form = DeleteGeneralUserForm()
    if not form.validate_on_submit():
        abort(400)
    try:  # deleting a general user revokes their live certificates (SPEC §2 Revocation)
        user = user_cases.delete_general_user(db.session(), temporal(), master=current_employer(), user_uuid=user_uuid,
                                              now=datetime.now(timezone.utc), client_address=request.remote_addr)
    except ServiceError as refusal:
        abort(_HTTP_STATUS.get(refusal.refusal, 400))
    flash(_("ユーザーID %(user_id)s を削除しました。", user_id=user.user_id), "success")
    return redirect(url_for("employer.top"))


@bp.get(RELEASE_URL)
def confirm_release(user_uuid: str, kind: str):  # noqa: ANN201
    """解除確認 for one of the organization's general users (seed 001 ④)."""
    user = managed_user_or_abort(user_uuid)
    release_kind = ReleaseKind(kind)
    return render_template("employer/confirm_release.html", user=user, kind=release_kind, form=ReleaseForm(),
                           label=web_lockout.RELEASE_LABELS[release_kind],
                           status_text=web_lockout.status_text(web_lockout.view_of(user)))


@bp.post(RELEASE_URL)
def release(user_uuid: str, kind: str):  # noqa: ANN201
    """The lockout workflow decides and writes the audit entry naming this master user."""
    if not ReleaseForm().validate_on_submit():
        abort(400)
    user = managed_user_or_abort(user_uuid)
    release_kind = ReleaseKind(kind)
    try:
        releases.release(db.session(), temporal(), account=user, kind=release_kind, actor=current_employer())
    except ReleaseRefused as refusal:
        flash(web_lockout.release_refusal_text(refusal), "error")
    except TemporalUnavailable as refusal:
        flash(web_lockout.refusal_text(refusal), "error")
    else:
        flash(web_lockout.released_text(release_kind, user.user_id), "success")
    return redirect(url_for("employer.top"))


def current_employer() -> User:
    """The logged-in user, attached to this request's database session."""
    return current_user.user


def managed_user_or_abort(user_uuid: str) -> User:
    try:
        return user_store.managed_general_user(session=db.session(), master=current_employer(), user_uuid=user_uuid)
    except ServiceError as refusal:
        abort(_HTTP_STATUS.get(refusal.refusal, 400))


def _top_page(create_form: CreateGeneralUserForm):  # noqa: ANN202
    me = current_employer()
    context = {"me": me, "organization": me.organization}
    if me.is_master:
        general_count = user_store.count_general_users(session=db.session(), organization_id=me.organization_id)
        users = user_store.organization_users(session=db.session(), organization_id=me.organization_id)
        sort = user_list.Sort.of(request.args.get("sort"))
        now = datetime.now(timezone.utc)
        rows = user_list.user_rows(session=db.session(), users=users, organization_id=me.organization_id,
                                   now=now, sort=sort)
        context.update(
            user_rows=[(row.user, web_lockout.view_of(row.user), row.certificate) for row in rows],
            sort=sort,
            sorts=user_list.Sort,
            lockout_text=web_lockout.status_text,
            offered_releases=lambda user, view: web_lockout.offered_releases(
                subject_of_user(user), view),
            general_count=general_count,
            max_general=MAX_GENERAL_USERS,
            quota_full=general_count >= MAX_GENERAL_USERS,
            quota_message=messages.render(Refusal.GENERAL_USER_QUOTA, _),
            create_form=create_form,
            certificate_timeline=timeline.build(rows, now),  # issue 15: who must renew when
        )
    return render_template("employer/top.html", **context)


from . import branch, reset_views, revocation_views  # noqa: E402, F401  (registers パスワード初期化, 失効, the branch)
