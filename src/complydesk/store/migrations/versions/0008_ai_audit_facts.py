"""assistant: fairness labels coded in ai_audit_facts, apart from the decision

Group labels move out of `ai_decisions.audit_groups` (JSON next to the
customer id) into `ai_audit_facts` (codes, keyed to the decision) with the
code book in `ai_audit_attributes` and `ai_audit_labels`; existing labels are
carried over, so nothing stored is lost.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SLOTS = 8


def upgrade() -> None:
    op.create_table(
        "ai_audit_attributes",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ai_audit_attributes")),
        sa.UniqueConstraint("slot", name=op.f("uq_ai_audit_attributes_slot")),
    )
    op.create_table(
        "ai_audit_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attribute", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["attribute"],
            ["ai_audit_attributes.name"],
            name=op.f("fk_ai_audit_labels_attribute_ai_audit_attributes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_audit_labels")),
        sa.UniqueConstraint(
            "attribute", "label", name=op.f("uq_ai_audit_labels_attribute")
        ),
    )
    facts = _carry_over()
    # A plain ALTER TABLE … DROP COLUMN (SQLite >= 3.35), never a batch
    # rebuild: with foreign keys on, dropping the old ai_decisions table would
    # cascade to ai_decision_reviews.
    op.drop_column("ai_decisions", "audit_groups")
    op.create_table(
        "ai_audit_facts",
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=64), nullable=False),
        sa.Column("favourable", sa.Boolean(), nullable=False),
        sa.Column("ground_truth", sa.Boolean(), nullable=True),
        *[sa.Column(f"g{i}", sa.Integer(), nullable=True) for i in range(1, 9)],
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["ai_decisions.id"],
            name=op.f("fk_ai_audit_facts_decision_id_ai_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_ai_audit_facts")),
    )
    facts_t = sa.table(
        "ai_audit_facts",
        sa.column("decision_id"),
        sa.column("policy"),
        sa.column("favourable"),
        sa.column("ground_truth"),
        *[sa.column(f"g{i}") for i in range(1, SLOTS + 1)],
    )
    for start in range(0, len(facts), 5000):
        op.get_bind().execute(facts_t.insert(), facts[start : start + 5000])


def _carry_over() -> list[dict[str, Any]]:
    """Existing JSON labels become codes (decisions of erased customers drop out);
    the code book is written, the facts rows returned."""
    bind = op.get_bind()
    decisions = sa.table(
        "ai_decisions",
        sa.column("id", sa.Integer),
        sa.column("customer_id", sa.Integer),
        sa.column("policy", sa.String),
        sa.column("favourable", sa.Boolean),
        sa.column("ground_truth", sa.Boolean),
        sa.column("audit_groups", sa.JSON),
    )
    customers = sa.table(
        "customers", sa.column("id", sa.Integer), sa.column("erased_at", sa.DateTime)
    )
    slots: dict[str, int] = {}
    codes: dict[tuple[str, str], int] = {}
    facts: list[dict[str, Any]] = []
    erased = sa.select(customers.c.id).where(customers.c.erased_at.is_not(None))
    rows = bind.execute(
        sa.select(decisions).where(decisions.c.customer_id.not_in(erased))
    )
    for row in rows:
        groups = row.audit_groups
        if isinstance(groups, str):
            groups = json.loads(groups)
        values: dict[str, Any] = {f"g{i}": None for i in range(1, SLOTS + 1)}
        for attribute, label in sorted((groups or {}).items()):
            if attribute not in slots and len(slots) < SLOTS:
                slots[attribute] = len(slots) + 1
            if attribute not in slots:
                continue
            codes.setdefault((attribute, str(label)[:32]), len(codes) + 1)
            values[f"g{slots[attribute]}"] = codes[(attribute, str(label)[:32])]
        facts.append(
            {
                "decision_id": row.id,
                "policy": row.policy,
                "favourable": row.favourable,
                "ground_truth": row.ground_truth,
                **values,
            }
        )
    attributes_t = sa.table(
        "ai_audit_attributes", sa.column("name", sa.String), sa.column("slot")
    )
    labels_t = sa.table(
        "ai_audit_labels",
        sa.column("id", sa.Integer),
        sa.column("attribute", sa.String),
        sa.column("label", sa.String),
    )
    if slots:
        bind.execute(
            attributes_t.insert(), [{"name": n, "slot": s} for n, s in slots.items()]
        )
    if codes:
        bind.execute(
            labels_t.insert(),
            [{"id": c, "attribute": a, "label": lb} for (a, lb), c in codes.items()],
        )
        if bind.dialect.name == "postgresql":
            bind.execute(
                sa.text(
                    "SELECT setval(pg_get_serial_sequence('ai_audit_labels', 'id'), "
                    "(SELECT max(id) FROM ai_audit_labels))"
                )
            )
    return facts


def downgrade() -> None:
    # Native ADD COLUMN (no table rebuild, see upgrade).
    op.add_column(
        "ai_decisions",
        sa.Column("audit_groups", sa.JSON(), nullable=False, server_default="{}"),
    )
    bind = op.get_bind()
    slots: dict[int, str] = {
        int(r[0]): str(r[1])
        for r in bind.execute(sa.text("SELECT slot, name FROM ai_audit_attributes"))
    }
    labels: dict[int, str] = {
        int(r[0]): str(r[1])
        for r in bind.execute(sa.text("SELECT id, label FROM ai_audit_labels"))
    }
    columns = ", ".join(f"g{i}" for i in range(1, SLOTS + 1))
    decisions = sa.table(
        "ai_decisions", sa.column("id", sa.Integer), sa.column("audit_groups", sa.JSON)
    )
    for row in bind.execute(
        sa.text(f"SELECT decision_id, {columns} FROM ai_audit_facts")
    ):
        groups = {
            slots[i]: labels[row[i]]
            for i in range(1, SLOTS + 1)
            if row[i] is not None and i in slots and row[i] in labels
        }
        bind.execute(
            decisions.update()
            .where(decisions.c.id == row[0])
            .values(audit_groups=groups)
        )
    if bind.dialect.name != "sqlite":
        op.alter_column("ai_decisions", "audit_groups", server_default=None)
    op.drop_table("ai_audit_facts")
    op.drop_table("ai_audit_labels")
    op.drop_table("ai_audit_attributes")
