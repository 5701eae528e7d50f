"""vault: sealed, masked and blind-indexed personal fields; attachments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Messages lose their plaintext `body`: rows written before the vault held only
non-personal demo text by design, so it moves to `body_masked` as it is.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sealed(name: str, masked: sa.types.TypeEngine[Any]) -> list[sa.Column[Any]]:
    return [
        sa.Column(f"{name}_sealed", sa.LargeBinary(), nullable=True),
        sa.Column(f"{name}_masked", masked, nullable=True),
    ]


def _key_ref(batch_op: BatchOperations, table: str) -> None:
    batch_op.add_column(sa.Column("key_ref", sa.String(length=32), nullable=True))
    batch_op.create_index(batch_op.f(f"ix_{table}_key_ref"), ["key_ref"], unique=False)


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        _key_ref(batch_op, "customers")
        batch_op.add_column(
            sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True)
        )
        columns: list[sa.Column[Any]] = [
            *_sealed("name", sa.String(length=200)),
            *_sealed("phone", sa.String(length=40)),
            sa.Column("phone_bidx", sa.String(length=16), nullable=True),
            *_sealed("email", sa.String(length=254)),
            sa.Column("email_bidx", sa.String(length=16), nullable=True),
            *_sealed("id_number", sa.String(length=32)),
            sa.Column("id_number_bidx", sa.String(length=16), nullable=True),
            *_sealed("address", sa.String(length=500)),
        ]
        for column in columns:
            batch_op.add_column(column)
        for name in ("phone_bidx", "email_bidx", "id_number_bidx"):
            batch_op.create_index(
                batch_op.f(f"ix_customers_{name}"), [name], unique=False
            )

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        _key_ref(batch_op, "tickets")
        for column in [
            *_sealed("description", sa.Text()),
            *_sealed("contact_phone", sa.String(length=40)),
        ]:
            batch_op.add_column(column)

    with op.batch_alter_table("messages", schema=None) as batch_op:
        _key_ref(batch_op, "messages")
        for column in _sealed("body", sa.Text()):
            batch_op.add_column(column)
    op.execute("UPDATE messages SET body_masked = body")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("body")

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_ref", sa.String(length=32), nullable=True),
        *_sealed("filename", sa.String(length=255)),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_attachments_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachments_ticket_id"), ["ticket_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attachments_key_ref"), ["key_ref"], unique=False
        )


def downgrade() -> None:
    op.drop_table("attachments")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
    op.execute("UPDATE messages SET body = COALESCE(body_masked, '')")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_messages_key_ref"))
        for name in ("body_sealed", "body_masked", "key_ref"):
            batch_op.drop_column(name)
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tickets_key_ref"))
        for name in (
            "description_sealed",
            "description_masked",
            "contact_phone_sealed",
            "contact_phone_masked",
            "key_ref",
        ):
            batch_op.drop_column(name)
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for index in ("key_ref", "phone_bidx", "email_bidx", "id_number_bidx"):
            batch_op.drop_index(batch_op.f(f"ix_customers_{index}"))
        for name in (
            "key_ref",
            "erased_at",
            "name_sealed",
            "name_masked",
            "phone_sealed",
            "phone_masked",
            "phone_bidx",
            "email_sealed",
            "email_masked",
            "email_bidx",
            "id_number_sealed",
            "id_number_masked",
            "id_number_bidx",
            "address_sealed",
            "address_masked",
        ):
            batch_op.drop_column(name)
