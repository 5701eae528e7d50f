"""transfer: cross-border recipients, agreements, assessments and counters

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "transfer_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("exemption", sa.String(length=40), nullable=True),
        sa.Column("data_categories", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("separate_consent", sa.Boolean(), nullable=False),
        sa.Column("pia_completed_on", sa.Date(), nullable=True),
        _when("created_at"),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_recipients")),
        sa.UniqueConstraint("ref", name=op.f("uq_transfer_recipients_ref")),
    )
    op.create_index(
        op.f("ix_transfer_recipients_status"),
        "transfer_recipients",
        ["status"],
        unique=False,
    )
    op.create_table(
        "transfer_mechanisms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=True),
        _when("recorded_at"),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["transfer_recipients.id"],
            name=op.f("fk_transfer_mechanisms_recipient_id_transfer_recipients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_mechanisms")),
    )
    op.create_index(
        op.f("ix_transfer_mechanisms_recipient_id"),
        "transfer_mechanisms",
        ["recipient_id"],
        unique=False,
    )
    op.create_table(
        "transfer_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("retention", sa.String(length=40), nullable=False),
        sa.Column("security_measures", sa.JSON(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=True),
        _when("recorded_at"),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["transfer_recipients.id"],
            name=op.f("fk_transfer_agreements_recipient_id_transfer_recipients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_agreements")),
    )
    op.create_index(
        op.f("ix_transfer_agreements_recipient_id"),
        "transfer_agreements",
        ["recipient_id"],
        unique=False,
    )
    op.create_table(
        "transfer_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("pack_version", sa.String(length=32), nullable=False),
        sa.Column("pack_hash", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        _when("decided_at"),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("exported", sa.Boolean(), nullable=False),
        sa.Column("route", sa.String(length=40), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("mechanism_id", sa.Integer(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("input_sha256", sa.String(length=64), nullable=False),
        sa.Column("input_bytes", sa.BigInteger(), nullable=False),
        sa.Column("output_sha256", sa.String(length=64), nullable=True),
        sa.Column("output_bytes", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["transfer_agreements.id"],
            name=op.f("fk_transfer_assessments_agreement_id_transfer_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["mechanism_id"],
            ["transfer_mechanisms.id"],
            name=op.f("fk_transfer_assessments_mechanism_id_transfer_mechanisms"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["transfer_recipients.id"],
            name=op.f("fk_transfer_assessments_recipient_id_transfer_recipients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_assessments")),
        sa.UniqueConstraint("ref", name=op.f("uq_transfer_assessments_ref")),
    )
    op.create_index(
        op.f("ix_transfer_assessments_decided_at"),
        "transfer_assessments",
        ["decided_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_transfer_assessments_recipient_id"),
        "transfer_assessments",
        ["recipient_id"],
        unique=False,
    )
    op.create_table(
        "transfer_counters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("individuals", sa.Integer(), nullable=False),
        sa.Column("sensitive_individuals", sa.Integer(), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_counters")),
        sa.UniqueConstraint(
            "jurisdiction", "year", name=op.f("uq_transfer_counters_jurisdiction")
        ),
    )
    op.create_table(
        "transfer_subjects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["transfer_assessments.id"],
            name=op.f("fk_transfer_subjects_assessment_id_transfer_assessments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_subjects")),
        sa.UniqueConstraint(
            "jurisdiction",
            "year",
            "key",
            name=op.f("uq_transfer_subjects_jurisdiction"),
        ),
    )
    op.create_table(
        "transfer_subject_digests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=16), nullable=False),
        sa.Column("subject_key", sa.String(length=48), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_subject_digests")),
        sa.UniqueConstraint(
            "jurisdiction",
            "year",
            "digest",
            name=op.f("uq_transfer_subject_digests_jurisdiction"),
        ),
    )


def downgrade() -> None:
    op.drop_table("transfer_subject_digests")
    op.drop_table("transfer_subjects")
    op.drop_table("transfer_counters")
    op.drop_table("transfer_assessments")
    op.drop_table("transfer_agreements")
    op.drop_table("transfer_mechanisms")
    op.drop_table("transfer_recipients")
