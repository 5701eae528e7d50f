"""privacy operations: data-subject requests, erasure runs, legal holds, breaches

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "breach_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("aware_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("systems", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("risk", sa.String(length=16), nullable=False),
        sa.Column("consequences", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("contact_point", sa.String(length=300), nullable=False),
        sa.Column("operator_kind", sa.String(length=24), nullable=False),
        sa.Column("public_interest", sa.Boolean(), nullable=False),
        sa.Column("affected", sa.JSON(), nullable=False),
        sa.Column("clocks", sa.JSON(), nullable=False),
        sa.Column("alerts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_incidents")),
        sa.UniqueConstraint("ref", name=op.f("uq_breach_incidents_ref")),
    )
    op.create_index(
        op.f("ix_breach_incidents_status"), "breach_incidents", ["status"], unique=False
    )
    op.create_table(
        "breach_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("obligation", sa.String(length=80), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("late_reason", sa.String(length=500), nullable=True),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["breach_incidents.id"],
            name=op.f("fk_breach_notifications_incident_id_breach_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breach_notifications")),
    )
    op.create_index(
        op.f("ix_breach_notifications_incident_id"),
        "breach_notifications",
        ["incident_id"],
        unique=False,
    )
    op.create_table(
        "rights_legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("exception", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("citation", sa.String(length=300), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_by", sa.String(length=120), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_by", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_rights_legal_holds_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_legal_holds")),
    )
    op.create_index(
        op.f("ix_rights_legal_holds_customer_id"),
        "rights_legal_holds",
        ["customer_id"],
        unique=False,
    )
    op.create_table(
        "rights_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("pack_version", sa.String(length=32), nullable=False),
        sa.Column("pack_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verification_method", sa.String(length=16), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extended", sa.Boolean(), nullable=False),
        sa.Column("clocks", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("outcome_reason", sa.String(length=500), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        sa.Column("details_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("details_masked", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_rights_requests_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_requests")),
        sa.UniqueConstraint("ref", name=op.f("uq_rights_requests_ref")),
    )
    op.create_index(
        op.f("ix_rights_requests_customer_id"),
        "rights_requests",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_rights_requests_due_at"), "rights_requests", ["due_at"], unique=False
    )
    op.create_index(
        op.f("ix_rights_requests_key_ref"), "rights_requests", ["key_ref"], unique=False
    )
    op.create_index(
        op.f("ix_rights_requests_status"), "rights_requests", ["status"], unique=False
    )
    op.create_table(
        "customer_restrictions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("flag", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("set_by", sa.String(length=120), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_restrictions_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_customer_restrictions_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_restrictions")),
    )
    op.create_index(
        op.f("ix_customer_restrictions_customer_id"),
        "customer_restrictions",
        ["customer_id"],
        unique=False,
    )
    op.create_table(
        "rights_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=True),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        sa.Column("lookup_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("lookup_masked", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_rights_erasures_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_erasures_request_id_rights_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_erasures")),
        sa.UniqueConstraint("request_id", name=op.f("uq_rights_erasures_request_id")),
    )
    op.create_index(
        op.f("ix_rights_erasures_customer_id"),
        "rights_erasures",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_rights_erasures_key_ref"), "rights_erasures", ["key_ref"], unique=False
    )
    op.create_table(
        "rights_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["rights_requests.id"],
            name=op.f("fk_rights_verifications_request_id_rights_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_verifications")),
    )
    op.create_index(
        op.f("ix_rights_verifications_request_id"),
        "rights_verifications",
        ["request_id"],
        unique=False,
    )
    op.create_table(
        "rights_erasure_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erasure_id", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("confirmation", sa.String(length=200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["erasure_id"],
            ["rights_erasures.id"],
            name=op.f("fk_rights_erasure_steps_erasure_id_rights_erasures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_erasure_steps")),
        sa.UniqueConstraint(
            "erasure_id", "system", name=op.f("uq_rights_erasure_steps_erasure_id")
        ),
    )
    op.create_index(
        op.f("ix_rights_erasure_steps_erasure_id"),
        "rights_erasure_steps",
        ["erasure_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("rights_erasure_steps")
    op.drop_table("rights_verifications")
    op.drop_table("rights_erasures")
    op.drop_table("customer_restrictions")
    op.drop_table("rights_requests")
    op.drop_table("rights_legal_holds")
    op.drop_table("breach_notifications")
    op.drop_table("breach_incidents")
