"""How roles and states read on the employer pages (and anywhere else a user row is shown)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.roles import UserRole, UserStatus
from store.models import User
from store.organizations import MASTER_DISPLAY_NAME

from .user_list import CertificateState

ROLE = {
    UserRole.MASTER: _l("マスターユーザー"),
    UserRole.GENERAL: _l("一般ユーザー"),
}

STATUS = {
    UserStatus.PENDING: _l("初期登録待ち"),
    UserStatus.ACTIVE: _l("利用中"),
    UserStatus.DELETED: _l("削除済み"),
}

# The certificate column of the user list (issue 13).
CERTIFICATE_STATE = {
    CertificateState.NONE: _l("電子証明書なし"),
    CertificateState.ACTIVE: _l("有効"),
    CertificateState.RENEWAL_WINDOW: _l("更新期間中"),
    CertificateState.EXPIRED: _l("有効期限切れ"),
    CertificateState.REVOKED: _l("失効"),
    CertificateState.SUPERSEDED: _l("更新済み"),
}


def display_name(user: User) -> str:
    """The user's name as shown: a master user registered by Rokin carries the stored placeholder
    「マスターユーザー」 (``store.organizations.MASTER_DISPLAY_NAME``), which is a label, so it is
    translated like one; a name the master typed for a general user is shown as typed."""
    if user.role is UserRole.MASTER and user.display_name == MASTER_DISPLAY_NAME:
        return gettext("マスターユーザー")
    return user.display_name
