"""ブラウザの設定 (seed 001 別紙1, as this product needs it) and the preflight check (動作確認), both
reachable from the login screen without logging in (issue 13).

The check tests in the user's own browser what it can:
- cookies: ``/guide/check`` sets a short-lived probe cookie and redirects to itself with ``?probe=1``;
  the second request says whether the cookie came back (no JavaScript needed);
- JavaScript: static/js/guide.js marks it on; with JavaScript off the page's <noscript> says so;
- the TLS client certificate: whether the browser offered one in the handshake, and whether it is one
  of this system's that can log in, until when (``preflight``).
Nothing is stored, and the page shows no personal data beyond what the certificate's holder sees.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from domain.validity import RENEWAL_WINDOW_DAYS

from .. import db, messages
from .preflight import PresentedCertificate, Verdict, presented_certificate

bp = Blueprint("guide", __name__)

PROBE_COOKIE = "rokin_cookie_check"
PROBE_SECONDS = 300

VERDICT_LABELS = {
    Verdict.NONE: _l("電子証明書が提示されていません"),
    Verdict.FOREIGN: _l("本システムの電子証明書ではありません"),
    Verdict.USABLE: _l("ログインに使用できます"),
    Verdict.RENEWAL_WINDOW: _l("ログインに使用できます（更新期間中）"),
    Verdict.UNKNOWN: _l("本システムに登録されていない電子証明書です"),
    Verdict.NOT_YET_VALID: _l("まだ有効になっていない電子証明書です"),
    Verdict.EXPIRED: _l("有効期限が切れた電子証明書です"),
    Verdict.REVOKED: _l("失効した電子証明書です"),
    Verdict.SUPERSEDED: _l("更新済みの古い電子証明書です"),
    Verdict.USER_INACTIVE: _l("現在ご利用いただけないユーザーIDの電子証明書です"),
}


@bp.get("/")
def browser_settings():  # noqa: ANN201
    """ブラウザの設定: cookies, JavaScript, importing the .p12, choosing and removing certificates."""
    return render_template("guide/browser_settings.html")


@bp.get("/check")
def check():  # noqa: ANN201
    if request.args.get("probe") is None:
        response = redirect(url_for("guide.check", probe=1))
        response.set_cookie(PROBE_COOKIE, "1", max_age=PROBE_SECONDS, path=url_for("guide.check"),
                            secure=True, httponly=True, samesite="Lax")
        return response
    settings = current_app.extensions["rokin"].settings
    certificate = presented_certificate(request, session=db.session(), settings=settings,
                                        now=datetime.now(timezone.utc))
    response = current_app.make_response(render_template(
        "guide/check.html", cookies_on=request.cookies.get(PROBE_COOKIE) == "1", certificate=certificate,
        certificate_advice=certificate_advice(certificate), verdict_label=VERDICT_LABELS[certificate.verdict]))
    response.delete_cookie(PROBE_COOKIE, path=url_for("guide.check"), secure=True, httponly=True, samesite="Lax")
    return response


def certificate_advice(certificate: PresentedCertificate) -> str:
    """What the check says to do about the presented certificate, in plain Japanese."""
    verdict = certificate.verdict
    if verdict is Verdict.NONE:
        return _("ブラウザから電子証明書が提示されませんでした。電子証明書をインポートしていない場合は、"
                 "ログイン画面の[電子証明書発行]から発行し、インポートしてください。インポート済みの場合は、"
                 "開いているブラウザの画面をすべて閉じてから再度起動し、この画面を開いて、電子証明書の選択画面で"
                 "ご利用の電子証明書を選択してください（ブラウザは、電子証明書を選択しなかったことも、"
                 "ブラウザを閉じるまで記憶しています）。")
    if verdict is Verdict.USABLE:
        return _("この電子証明書でログインできます。")
    if verdict is Verdict.RENEWAL_WINDOW:
        return _("この電子証明書でログインできます。有効期限が近づいているため、電子証明書を更新できます"
                 "（有効期限が切れる%(days)d日前から更新できます）。ログイン画面の[電子証明書発行]から更新してください。",
                 days=RENEWAL_WINDOW_DAYS)
    assert certificate.problem is not None
    return messages.render(certificate.problem, _)
