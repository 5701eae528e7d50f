"""assistant: AI conversations, AI labels, hand-offs, decisions, reviews, fairness runs

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ai_fairness_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_by", sa.String(length=120), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=True),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("pack_version", sa.String(length=32), nullable=False),
        sa.Column("alerts", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_fairness_runs")),
    )
    op.create_index(
        op.f("ix_ai_fairness_runs_run_at"), "ai_fairness_runs", ["run_at"], unique=False
    )
    op.create_table(
        "ai_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("pack_version", sa.String(length=32), nullable=False),
        sa.Column("pack_hash", sa.String(length=64), nullable=False),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_activity_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nlu_failures", sa.Integer(), nullable=False),
        sa.Column("bot_turns", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_ai_conversations_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_ai_conversations_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_conversations")),
        sa.UniqueConstraint(
            "conversation_id", name=op.f("uq_ai_conversations_conversation_id")
        ),
    )
    op.create_index(
        op.f("ix_ai_conversations_customer_id"),
        "ai_conversations",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ai_conversations_state"), "ai_conversations", ["state"], unique=False
    )
    op.create_table(
        "ai_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("policy_version", sa.String(length=32), nullable=False),
        sa.Column("policy_hash", sa.String(length=64), nullable=False),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("pack_version", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("favourable", sa.Boolean(), nullable=False),
        sa.Column("trace", sa.JSON(), nullable=False),
        sa.Column("audit_groups", sa.JSON(), nullable=False),
        sa.Column("ground_truth", sa.Boolean(), nullable=True),
        sa.Column("review_state", sa.String(length=16), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        sa.Column("inputs_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("inputs_masked", sa.Text(), nullable=True),
        sa.Column("explanation_zh_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("explanation_zh_masked", sa.Text(), nullable=True),
        sa.Column("explanation_en_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("explanation_en_masked", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_ai_decisions_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_ai_decisions_customer_id_customers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_decisions")),
        sa.UniqueConstraint("ref", name=op.f("uq_ai_decisions_ref")),
    )
    op.create_index(
        op.f("ix_ai_decisions_customer_id"),
        "ai_decisions",
        ["customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ai_decisions_decided_at"), "ai_decisions", ["decided_at"], unique=False
    )
    op.create_index(
        op.f("ix_ai_decisions_key_ref"), "ai_decisions", ["key_ref"], unique=False
    )
    op.create_index(
        op.f("ix_ai_decisions_policy"), "ai_decisions", ["policy"], unique=False
    )
    op.create_table(
        "ai_decision_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewer", sa.String(length=120), nullable=True),
        sa.Column("new_outcome", sa.String(length=32), nullable=True),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        sa.Column("statement_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("statement_masked", sa.Text(), nullable=True),
        sa.Column("reviewer_note_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("reviewer_note_masked", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["ai_decisions.id"],
            name=op.f("fk_ai_decision_reviews_decision_id_ai_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_decision_reviews")),
    )
    op.create_index(
        op.f("ix_ai_decision_reviews_decision_id"),
        "ai_decision_reviews",
        ["decision_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ai_decision_reviews_key_ref"),
        "ai_decision_reviews",
        ["key_ref"],
        unique=False,
    )
    op.create_index(
        op.f("ix_ai_decision_reviews_state"),
        "ai_decision_reviews",
        ["state"],
        unique=False,
    )
    op.create_table(
        "ai_handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ai_conversation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("queue", sa.String(length=64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_wait_seconds", sa.Integer(), nullable=False),
        sa.Column("human_replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("agent", sa.String(length=120), nullable=True),
        sa.Column("time_to_human_seconds", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ai_conversation_id"],
            ["ai_conversations.id"],
            name=op.f("fk_ai_handoffs_ai_conversation_id_ai_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_handoffs")),
    )
    op.create_index(
        op.f("ix_ai_handoffs_ai_conversation_id"),
        "ai_handoffs",
        ["ai_conversation_id"],
        unique=False,
    )
    op.create_table(
        "ai_message_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("backend", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("pack", sa.String(length=32), nullable=False),
        sa.Column("pack_version", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_ai_message_labels_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_message_labels")),
        sa.UniqueConstraint("message_id", name=op.f("uq_ai_message_labels_message_id")),
    )


def downgrade() -> None:
    op.drop_table("ai_message_labels")
    op.drop_index(op.f("ix_ai_handoffs_ai_conversation_id"), table_name="ai_handoffs")
    op.drop_table("ai_handoffs")
    op.drop_index(
        op.f("ix_ai_decision_reviews_state"), table_name="ai_decision_reviews"
    )
    op.drop_index(
        op.f("ix_ai_decision_reviews_key_ref"), table_name="ai_decision_reviews"
    )
    op.drop_index(
        op.f("ix_ai_decision_reviews_decision_id"), table_name="ai_decision_reviews"
    )
    op.drop_table("ai_decision_reviews")
    op.drop_index(op.f("ix_ai_decisions_policy"), table_name="ai_decisions")
    op.drop_index(op.f("ix_ai_decisions_key_ref"), table_name="ai_decisions")
    op.drop_index(op.f("ix_ai_decisions_decided_at"), table_name="ai_decisions")
    op.drop_index(op.f("ix_ai_decisions_customer_id"), table_name="ai_decisions")
    op.drop_table("ai_decisions")
    op.drop_index(op.f("ix_ai_conversations_state"), table_name="ai_conversations")
    op.drop_index(
        op.f("ix_ai_conversations_customer_id"), table_name="ai_conversations"
    )
    op.drop_table("ai_conversations")
    op.drop_index(op.f("ix_ai_fairness_runs_run_at"), table_name="ai_fairness_runs")
    op.drop_table("ai_fairness_runs")
