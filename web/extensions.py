"""Flask extensions, created once and initialised in ``create_app``."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
# Authentication comes only from the server-side session record (web.principals): Flask-Login's
# session protection would only keep a hash of the client's address in the cookie, and its
# remember-me cookie is never set (login_user is never asked to remember; REMEMBER_COOKIE_DURATION
# is 0) — and even a forged one would be just another ID the user loader looks up.
login_manager.session_protection = None
