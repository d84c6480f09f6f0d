"""Written revocation requests and staff notes about revocations (issue 5).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
OPEN = sa.text("state IN ('awaiting_paper', 'paper_received')")  # domain.revocation.OPEN_STATES


def upgrade() -> None:
    op.create_table(
        "revocation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("owner_uuid", sa.Uuid(), nullable=False),
        sa.Column("requested_by_user_uuid", sa.Uuid(), nullable=True),
        sa.Column("requested_by_staff_uuid", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("reason_detail", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("filed_at", TS, nullable=False),
        sa.Column("paper_deadline_at", TS, nullable=False),
        sa.Column("received_at", TS, nullable=True),
        sa.Column("received_by_staff_uuid", sa.Uuid(), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("decided_by_staff_uuid", sa.Uuid(), nullable=True),
        sa.Column("decision_comment", sa.Text(), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificates.id"],
                                name="fk_revocation_requests_certificate_id_certificates"),
        sa.ForeignKeyConstraint(["organization_id"], ["organizations.id"],
                                name="fk_revocation_requests_organization_id_organizations"),
        sa.ForeignKeyConstraint(["owner_uuid"], ["users.uuid"], name="fk_revocation_requests_owner_uuid_users"),
        sa.ForeignKeyConstraint(["requested_by_user_uuid"], ["users.uuid"],
                                name="fk_revocation_requests_requested_by_user_uuid_users"),
        sa.ForeignKeyConstraint(["requested_by_staff_uuid"], ["staff.uuid"],
                                name="fk_revocation_requests_requested_by_staff_uuid_staff"),
        sa.ForeignKeyConstraint(["received_by_staff_uuid"], ["staff.uuid"],
                                name="fk_revocation_requests_received_by_staff_uuid_staff"),
        sa.ForeignKeyConstraint(["decided_by_staff_uuid"], ["staff.uuid"],
                                name="fk_revocation_requests_decided_by_staff_uuid_staff"),
        sa.PrimaryKeyConstraint("id", name="pk_revocation_requests"),
        sa.UniqueConstraint("number", name="uq_revocation_requests_number"),
    )
    op.create_index("ix_revocation_requests_certificate_id", "revocation_requests", ["certificate_id"])
    op.create_index("ix_revocation_requests_organization_id", "revocation_requests", ["organization_id"])
    op.create_index("ix_revocation_requests_state_filed", "revocation_requests", ["state", "filed_at"])
    op.create_index("uq_revocation_requests_open_certificate", "revocation_requests", ["certificate_id"],
                    unique=True, sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_table(
        "revocation_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("certificate_id", sa.Integer(), nullable=False),
        sa.Column("author_staff_uuid", sa.Uuid(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["revocation_requests.id"],
                                name="fk_revocation_notes_request_id_revocation_requests"),
        sa.ForeignKeyConstraint(["certificate_id"], ["certificates.id"],
                                name="fk_revocation_notes_certificate_id_certificates"),
        sa.ForeignKeyConstraint(["author_staff_uuid"], ["staff.uuid"],
                                name="fk_revocation_notes_author_staff_uuid_staff"),
        sa.PrimaryKeyConstraint("id", name="pk_revocation_notes"),
    )
    op.create_index("ix_revocation_notes_request_id", "revocation_notes", ["request_id"])
    op.create_index("ix_revocation_notes_certificate_id", "revocation_notes", ["certificate_id"])


def downgrade() -> None:
    op.drop_table("revocation_notes")
    op.drop_table("revocation_requests")
