"""The lockout read model: each user's and staff account's mirrored lockout state.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
TABLES = ("users", "staff")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("lockout_status", sa.String(20), nullable=False, server_default="normal"))
            batch.add_column(sa.Column("locked_until", TS, nullable=True))
            batch.add_column(sa.Column("lock_count", sa.Integer(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("failed_attempts", sa.Integer(), nullable=False, server_default="0"))
            batch.add_column(sa.Column("lockout_as_of", TS, nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for column in ("lockout_as_of", "failed_attempts", "lock_count", "locked_until", "lockout_status"):
                batch.drop_column(column)
