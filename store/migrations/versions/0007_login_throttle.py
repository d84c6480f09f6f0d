"""Failed password attempts per client address and per organization (issue 12, point 6).

One row per counted key (``store.login_throttle``): how many failures fell in its current window
and when that window ends. Only counts and keys (an address or an organization code), no user ID.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name="pk_login_throttle"),
    )
    op.create_index("ix_login_throttle_window_ends_at", "login_throttle", ["window_ends_at"])


def downgrade() -> None:
    op.drop_table("login_throttle")
