"""The Flask application: employer pages, Rokin staff pages and, in development, the mailbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings, secret_key
from store.db import make_engine, make_session_factory
from usecases.bridge import TemporalBridge
from usecases.gateway import LOCKOUT_DEADLINE_SECONDS, TemporalGateway
from usecases.ports import TemporalPort

from . import db, errors, i18n, observability, security, templating
from .extensions import babel, csrf, login_manager


@dataclass
class RokinState:
    """Per-app state, kept in ``app.extensions["rokin"]``."""

    settings: Settings
    session_factory: sessionmaker[Session]
    bridge: TemporalBridge  # the process's one Temporal client (readiness, the CRL's on-demand refresh)
    temporal: TemporalPort  # what the use-cases call; page tests may put a fake here


def create_app(config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Defaults from the environment, overrides from ``config`` (Flask keys) and ``settings``."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key(settings),
        BABEL_DEFAULT_LOCALE=i18n.DEFAULT_LANGUAGE,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).with_name("translations")),
        WTF_CSRF_TIME_LIMIT=None,  # the session's idle timeout bounds the token's life
        MAX_CONTENT_LENGTH=64 * 1024,
    )
    app.config.update(config or {})
    bridge = TemporalBridge.for_settings(settings)  # payloads encrypted (core.payload_keys)
    app.extensions["rokin"] = RokinState(
        settings=settings,
        session_factory=make_session_factory(make_engine(settings.database_url)),
        bridge=bridge,
        temporal=TemporalGateway(bridge, lockout_deadline=app.config.get("LOCKOUT_DEADLINE_SECONDS",
                                                                          LOCKOUT_DEADLINE_SECONDS)),
    )

    observability.init_app(app)  # request IDs, access log, /metrics, /healthz, /readyz
    security.init_app(app, idle=timedelta(seconds=settings.session_idle_seconds))
    i18n.init_app(app)
    db.init_app(app)
    errors.init_app(app)
    templating.init_app(app)  # the template filters, once for every blueprint
    babel.init_app(app, locale_selector=i18n.select_locale)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login_screen"
    login_manager.login_message = None  # the login screen explains itself

    from . import principals  # noqa: F401  (registers the user loader)
    from .account.views import bp as account_bp
    from .auth.views import bp as auth_bp
    from .certificates.login import bp as certificate_login_bp
    from .certificates.views import bp as certificates_bp
    from .codec.views import bp as codec_bp
    from .crl import bp as crl_bp
    from .employer.views import bp as employer_bp
    from .guide.views import bp as guide_bp
    from .revocation_request.views import bp as revocation_request_bp
    from .staff.views import bp as staff_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(certificates_bp, url_prefix="/certificate")
    app.register_blueprint(certificate_login_bp)  # /login: certificate, then password
    app.register_blueprint(crl_bp)
    app.register_blueprint(employer_bp, url_prefix="/employer")
    app.register_blueprint(account_bp, url_prefix="/account")  # an employer user's own password and e-mail
    app.register_blueprint(guide_bp, url_prefix="/guide")  # ブラウザの設定 and 動作確認, from the login screen
    app.register_blueprint(revocation_request_bp, url_prefix="/revocation-request")  # from the login screen
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(codec_bp, url_prefix="/codec")  # the Temporal UI's codec server
    if settings.dev_mailbox is not None:
        from .dev.views import bp as dev_bp

        app.register_blueprint(dev_bp, url_prefix="/dev")
    return app
