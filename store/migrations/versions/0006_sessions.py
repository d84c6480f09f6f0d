"""Server-side login sessions (issue 12, point 1).

One row per login. The browser's cookie carries only an opaque random ID; this table keeps its
SHA-256, never the ID itself, so a copy of the table cannot be replayed. Authentication comes from
this row alone: logout, a password change, deletion, a block or the revocation of the certificate
the session was opened with end it (``ended_at`` and ``end_reason``), and an ended row is anonymous.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("user_uuid", sa.Uuid(), nullable=True),
        sa.Column("staff_uuid", sa.Uuid(), nullable=True),
        sa.Column("certificate_serial", sa.String(40), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("last_seen_at", TS, nullable=False),
        sa.Column("ended_at", TS, nullable=True),
        sa.Column("end_reason", sa.String(20), nullable=True),
        sa.Column("user_agent", sa.String(120), nullable=False),
        sa.Column("client_address", sa.String(45), nullable=True),
        sa.CheckConstraint("(user_uuid IS NULL) <> (staff_uuid IS NULL)", name="ck_login_sessions_one_principal"),
        sa.ForeignKeyConstraint(["user_uuid"], ["users.uuid"], name="fk_login_sessions_user_uuid_users"),
        sa.ForeignKeyConstraint(["staff_uuid"], ["staff.uuid"], name="fk_login_sessions_staff_uuid_staff"),
        sa.PrimaryKeyConstraint("id", name="pk_login_sessions"),
        sa.UniqueConstraint("token_sha256", name="uq_login_sessions_token_sha256"),
    )
    op.create_index("ix_login_sessions_user_uuid", "login_sessions", ["user_uuid"])
    op.create_index("ix_login_sessions_staff_uuid", "login_sessions", ["staff_uuid"])
    op.create_index("ix_login_sessions_certificate_serial", "login_sessions", ["certificate_serial"])


def downgrade() -> None:
    op.drop_table("login_sessions")
