"""How roles and states read on the employer pages (and anywhere else a user row is shown)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from domain.roles import UserRole, UserStatus

ROLE = {
    UserRole.MASTER: _l("マスターユーザー"),
    UserRole.GENERAL: _l("一般ユーザー"),
}

STATUS = {
    UserStatus.PENDING: _l("初期登録待ち"),
    UserStatus.ACTIVE: _l("利用中"),
    UserStatus.DELETED: _l("削除済み"),
}
