"""Thirteen 労働金庫 and their branches (issue 16).

``branches``: the operator's branch list (``rokin admin load-branches``). Every organization gets its
bank and branch (None for those registered before, until assigned); every staff account its bank,
existing ones the 連合会's (``2950``, which sees every bank) so that nobody loses access.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("bank_code", sa.String(4), nullable=False),
        sa.Column("code", sa.String(3), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("postal_code", sa.String(8), nullable=False),
        sa.Column("address", sa.String(120), nullable=False),
        sa.Column("phone", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bank_code", "code", name="pk_branches"),
    )
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("bank_code", sa.String(4), nullable=True))
        batch.add_column(sa.Column("branch_code", sa.String(3), nullable=True))
        batch.create_index("ix_organizations_bank_code", ["bank_code"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("bank_code", sa.String(4), nullable=False, server_default="2950"))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("bank_code")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_index("ix_organizations_bank_code")
        batch.drop_column("branch_code")
        batch.drop_column("bank_code")
    op.drop_table("branches")
