"""SQLAlchemy tables, one module per domain; importing this registers them all."""

from complydesk.store.models.assistant import (
    AiAuditAttribute,
    AiAuditFact,
    AiAuditLabel,
    AiConversation,
    AiDecision,
    AiDecisionReview,
    AiFairnessRun,
    AiHandoff,
    AiMessageLabel,
)
from complydesk.store.models.audit import AuditEntry, AuditHead
from complydesk.store.models.base import Base
from complydesk.store.models.desk import Conversation, Customer, Message, Ticket
from complydesk.store.models.identity import ApiToken, ConsoleSession, User
from complydesk.store.models.outbox import OutboxMessage
from complydesk.store.models.privacy import (
    BreachIncident,
    BreachNotification,
    CustomerRestriction,
    Erasure,
    ErasureStep,
    LegalHold,
    SubjectRequest,
    Verification,
)
from complydesk.store.models.tickets import Queue, TicketEvent, TicketMessage
from complydesk.store.models.transfer import (
    TransferAgreement,
    TransferAssessment,
    TransferCounter,
    TransferMechanism,
    TransferRecipient,
    TransferSubject,
    TransferSubjectDigest,
)

__all__ = [
    "AiAuditAttribute",
    "AiAuditFact",
    "AiAuditLabel",
    "AiConversation",
    "AiDecision",
    "AiDecisionReview",
    "AiFairnessRun",
    "AiHandoff",
    "AiMessageLabel",
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "Base",
    "BreachIncident",
    "BreachNotification",
    "ConsoleSession",
    "Conversation",
    "Customer",
    "CustomerRestriction",
    "Erasure",
    "ErasureStep",
    "LegalHold",
    "Message",
    "OutboxMessage",
    "Queue",
    "SubjectRequest",
    "Ticket",
    "TicketEvent",
    "TicketMessage",
    "TransferAgreement",
    "TransferAssessment",
    "TransferCounter",
    "TransferMechanism",
    "TransferRecipient",
    "TransferSubject",
    "TransferSubjectDigest",
    "User",
    "Verification",
]
