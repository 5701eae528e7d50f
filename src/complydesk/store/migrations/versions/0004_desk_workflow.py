"""desk workflow: intake by purpose, lifecycle timeline, replies, SLA clocks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Tickets gain triage, routing, intake fields, policy provenance and SLA
columns (existing rows keep urgency `normal` and escalation level 0), plus
three tables: queues, ticket_messages (replies and notes, sealed) and
ticket_events (the timeline).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = (
    "first_response_due_at",
    "resolution_due_at",
    "first_responded_at",
    "resolved_at",
    "closed_at",
)
_INDEXED = ("order_number", "queue_id", "assignee", "sla_alert_at", "sla_state")


def _sealed(name: str, masked: sa.types.TypeEngine[Any]) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{name}_sealed", sa.LargeBinary(), nullable=True),
        sa.Column(f"{name}_masked", masked, nullable=True),
    ]


def _ticket_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column(
            "urgency", sa.String(length=16), server_default="normal", nullable=False
        ),
        sa.Column("escalation_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("triage_purpose", sa.String(length=32), nullable=True),
        sa.Column("triage_urgency", sa.String(length=16), nullable=True),
        sa.Column("triage_reasons", sa.JSON(), nullable=True),
        sa.Column("pii_flags", sa.JSON(), nullable=True),
        sa.Column("order_number", sa.String(length=64), nullable=True),
        sa.Column("product_model", sa.String(length=100), nullable=True),
        sa.Column("waybill_number", sa.String(length=64), nullable=True),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("assignee", sa.String(length=64), nullable=True),
        sa.Column("policy_pack", sa.String(length=32), nullable=True),
        sa.Column("policy_version", sa.String(length=32), nullable=True),
        sa.Column("policy_hash", sa.String(length=64), nullable=True),
        sa.Column("sla", sa.JSON(), nullable=True),
        sa.Column("sla_alert_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sla_state", sa.String(length=16), nullable=True),
        *(sa.Column(name, sa.DateTime(timezone=True), nullable=True) for name in _WHEN),
        *_sealed("reason", sa.Text()),
        *_sealed("contact_email", sa.String(length=254)),
        *_sealed("delivery_address", sa.String(length=500)),
    ]


def upgrade() -> None:
    op.create_table(
        "queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
        sa.UniqueConstraint("name", name=op.f("uq_queues_name")),
    )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        for column in _ticket_columns():
            batch_op.add_column(column)
        for name in _INDEXED:
            batch_op.create_index(batch_op.f(f"ix_tickets_{name}"), [name])
        batch_op.create_foreign_key(
            batch_op.f("fk_tickets_queue_id_queues"), "queues", ["queue_id"], ["id"]
        )

    op.create_table(
        "ticket_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=True),
        sa.Column("rules", sa.String(length=200), nullable=True),
        sa.Column("overridden_by", sa.String(length=64), nullable=True),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        *_sealed("body", sa.Text()),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_messages_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_messages")),
    )
    with op.batch_alter_table("ticket_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_messages_ticket_id"), ["ticket_id"])
        batch_op.create_index(batch_op.f("ix_ticket_messages_key_ref"), ["key_ref"])

    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["ticket_messages.id"],
            name=op.f("fk_ticket_events_message_id_ticket_messages"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_events_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    with op.batch_alter_table("ticket_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_events_ticket_id"), ["ticket_id"])


def downgrade() -> None:
    op.drop_table("ticket_events")
    op.drop_table("ticket_messages")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_tickets_queue_id_queues"), type_="foreignkey"
        )
        for name in _INDEXED:
            batch_op.drop_index(batch_op.f(f"ix_tickets_{name}"))
        for column in _ticket_columns():
            batch_op.drop_column(column.name)
    op.drop_table("queues")
