"""ログイン (SPEC.md §3, seed 003 Q6): the client certificate identifies the user, then the password.

- ``GET/POST /login``: the certificate of the request (``client_certificate``) must be one of
  ours and live; then the owner's password, arbitrated by the lockout workflow
  (``usecases.certificate_login``). The first login with a renewed certificate supersedes the
  older one (committed at once; the lifecycles hear of it afterwards).
- Every later request of an employer session must come with the same certificate, still live:
  a revocation, a supersession or another certificate ends the session at the next request,
  whatever the CRL says. The server-side session record (``store.sessions``) remembers which
  certificate it was opened with; a revocation ends it there at once (``store.certificates``).
- The top screen reads the session's certificate (``my_certificate``): serial, validity, days
  left and, from 40 days before expiry, the renewal banner (seed 003 Q7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from domain.certificate_login import CertificateLoginProblem
from domain.validity import CertificateCalendar, calendar_for
from store import certificates as certificate_store
from store.sessions import EndReason
from usecases import certificate_login

from .. import db, messages, metrics
from ..auth.service import REFUSALS, attempt_origin, counted, show_refusal
from ..ports import temporal
from ..principals import EmployerPrincipal, current_login_session, ended_session_reason, log_in, log_out
from .client_certificate import Identified, identify, presented_pem
from .forms import CertificateLoginForm

bp = Blueprint("certificate_login", __name__)

UNCHECKED_ENDPOINTS = frozenset({"static", "auth.logout"})


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _identify_request() -> Identified | CertificateLoginProblem:
    settings = current_app.extensions["rokin"].settings
    return identify(presented_pem(request, settings), session=db.session(), settings=settings, now=_now())


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    found = _identify_request()
    if isinstance(found, CertificateLoginProblem):
        metrics.count_login(found.value)  # the certificate refused: no password is asked
        status = 200 if found is CertificateLoginProblem.NO_CERTIFICATE else 403
        return render_template("certificates/login_refused.html", problem=found,
                               message=messages.render(found, _)), status
    form = CertificateLoginForm()
    if form.validate_on_submit():
        try:
            counted(lambda: certificate_login.log_in_with_certificate(
                db.session(), temporal(), owner=found.user, certificate=found.certificate,
                password=form.password.data, origin=attempt_origin(), now=_now()))
        except REFUSALS as refusal:
            show_refusal(form, refusal)
        else:
            start_certificate_session(found.user, found.certificate.serial)
            return redirect(url_for("employer.top"))
    return render_template("certificates/login.html", form=form, certificate=found.certificate,
                           user=found.user)


def start_certificate_session(user, serial: str) -> None:  # noqa: ANN001
    """A new server-side session (no fixation) bound to the certificate it logged in with."""
    log_in(user, certificate_serial=serial)


@bp.before_app_request
def _same_live_certificate():  # noqa: ANN202
    """An employer session lives only as long as its certificate is presented and live."""
    if request.endpoint in UNCHECKED_ENDPOINTS or request.blueprint == "certificate_login":
        return None
    principal = current_user._get_current_object()
    if not isinstance(principal, EmployerPrincipal):
        # The revocation or renewal already ended the session on the server: say why, once.
        return _logged_out(_identify_request()) if ended_session_reason() is EndReason.CERTIFICATE_ENDED else None
    found = _identify_request()
    if (isinstance(found, Identified) and found.certificate.serial == principal.login_session.certificate_serial
            and found.user.uuid == principal.user.uuid):
        return None
    return _logged_out(found)


def _logged_out(found: Identified | CertificateLoginProblem):  # noqa: ANN202
    """End the session (on the server too: a cookie that came without its certificate may be a copy)
    and tell the login screen what is wrong with the certificate presented."""
    problem = found if isinstance(found, CertificateLoginProblem) and found is not \
        CertificateLoginProblem.NO_CERTIFICATE else CertificateLoginProblem.CHANGED
    log_out(EndReason.CERTIFICATE_CHANGED)
    flash(messages.render(problem, _), "error")
    return redirect(url_for("auth.login_screen"))


@dataclass(frozen=True)
class MyCertificate:
    """The session's certificate as the top screen shows it."""

    serial: str
    calendar: CertificateCalendar
    now: datetime

    @property
    def days_left(self) -> int:
        return self.calendar.days_left(self.now)

    @property
    def shows_renewal_banner(self) -> bool:
        return self.calendar.shows_renewal_banner(self.now)

    @property
    def renewal_open(self) -> bool:
        return self.calendar.in_renewal_window(self.now)


@bp.app_context_processor
def _my_certificate() -> dict:
    def my_certificate() -> MyCertificate | None:
        login_session = current_login_session()
        serial = login_session.certificate_serial if login_session is not None else None
        row = certificate_store.get_by_serial(session=db.session(), serial=serial) if serial else None
        if row is None:
            return None
        return MyCertificate(row.serial, calendar_for(row.not_before), _now())

    return {"my_certificate": my_certificate}
