"""Certificate issuance: the issuing request (idempotency key), the certificate PEM, first use.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.add_column(sa.Column("request_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("certificate_pem", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint("uq_certificates_request_id", ["request_id"])


def downgrade() -> None:
    with op.batch_alter_table("certificates") as batch:
        batch.drop_constraint("uq_certificates_request_id", type_="unique")
        for column in ("first_used_at", "certificate_pem", "request_id"):
            batch.drop_column(column)
