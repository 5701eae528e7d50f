"""SQLAlchemy tables, one module per domain; importing this registers them all."""

from complydesk.store.models.audit import AuditEntry, AuditHead
from complydesk.store.models.base import Base
from complydesk.store.models.desk import Conversation, Customer, Message, Ticket
from complydesk.store.models.identity import ApiToken, ConsoleSession, User
from complydesk.store.models.outbox import OutboxMessage

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "ConsoleSession",
    "Conversation",
    "Customer",
    "Message",
    "OutboxMessage",
    "Ticket",
    "User",
]
