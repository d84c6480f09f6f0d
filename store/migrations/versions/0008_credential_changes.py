"""Password and e-mail changes after 初期登録 (issue 13).

メールアドレス変更 keeps the new address apart until the user enters the one-time code mailed to it:
``pending_email``, the code's argon2 hash, its expiry and the count of wrong entries. The address
it replaced stays in ``previous_email`` so the change can be told there too.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("pending_email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("email_code_hash", sa.String(200), nullable=True))
        batch.add_column(sa.Column("email_code_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("email_code_failures", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("previous_email", sa.String(254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        for column in ("previous_email", "email_code_failures", "email_code_expires_at", "email_code_hash",
                       "pending_email"):
            batch.drop_column(column)
