"""Issuance saga (issue 11): when a certificate was delivered.

A certificate is PENDING_DELIVERY (a new value of the status string, no schema change) until the
web confirms it built the .p12; ``delivered_at`` records that moment, and stays NULL on one that
was revoked because it never was. Every existing row was delivered the old way, at its issue.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE certificates SET delivered_at = issued_at")


def downgrade() -> None:
    # A pending certificate cannot be expressed before this revision: it was never delivered.
    op.execute("UPDATE certificates SET status = 'revoked', revoked_at = issued_at, "
               "revocation_reason = 'cessationOfOperation' WHERE status = 'pending_delivery'")
    with op.batch_alter_table("certificates") as batch:
        batch.drop_column("delivered_at")
