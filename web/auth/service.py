"""The one place where the web checks an employer's password.

Every page that asks for a user ID and password (login, 初期登録, issuance authentication)
goes through ``authenticate``, so the lockout arbiter has a single place to plug in.
"""

from __future__ import annotations

from store import users as user_store
from store.errors import Refusal, ServiceError
from store.models import User

from .. import db


def authenticate(user_id: str, password: str) -> User:
    """The live user whose password this is, or ``ServiceError(INVALID_CREDENTIALS)``."""
    user = user_store.get_by_user_id(session=db.session(), user_id=user_id)
    if not user_store.password_matches(user, password):
        raise ServiceError(Refusal.INVALID_CREDENTIALS)
    return user
