"""The one permission matrix: which role may do what.

Routes declare the single permission they need (complydesk.api.deps.require);
nothing else decides access. Roles are separated on purpose: an admin manages
users but cannot unmask personal data; an auditor reads the audit trail but no
customer records.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    COMPLIANCE_OFFICER = "compliance_officer"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SERVICE = "service"


class Permission(StrEnum):
    CUSTOMERS_READ = "customers.read"
    CUSTOMERS_WRITE = "customers.write"
    CUSTOMERS_ERASE = "customers.erase"
    TICKETS_READ = "tickets.read"
    TICKETS_WRITE = "tickets.write"
    TICKETS_ASSIGN = "tickets.assign"
    REPLIES_OVERRIDE = "replies.override"
    CONVERSATIONS_READ = "conversations.read"
    PII_UNMASK = "pii.unmask"
    POLICY_READ = "policy.read"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    USERS_READ = "users.read"
    USERS_MANAGE = "users.manage"
    CONFIG_READ = "config.read"
    SPEECH_CHECK = "speech.check"
    RIGHTS_READ = "rights.read"
    RIGHTS_MANAGE = "rights.manage"
    BREACH_READ = "breach.read"
    BREACH_MANAGE = "breach.manage"
    TRANSFER_READ = "transfer.read"
    TRANSFER_MANAGE = "transfer.manage"
    # The AI assistant (complydesk.assistant): the chat channel, the human
    # hand-off queue, automated decisions, their human review, fairness audits.
    AI_CONVERSE = "ai.converse"
    AI_HANDOFF = "ai.handoff"
    AI_DECIDE = "ai.decide"
    AI_REVIEW = "ai.review"
    AI_FAIRNESS = "ai.fairness"
    # The console's compliance dashboard (aggregates, clocks, registers).
    COMPLIANCE_DASHBOARD = "compliance.dashboard"


_P = Permission
_DESK = {
    _P.CUSTOMERS_READ,
    _P.CUSTOMERS_WRITE,
    _P.TICKETS_READ,
    _P.TICKETS_WRITE,
    _P.CONVERSATIONS_READ,
    _P.POLICY_READ,
    _P.SPEECH_CHECK,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Agents and supervisors see masked copies; a reveal needs a reason and is
    # audited (calling a customer back needs the real number now and then).
    Role.AGENT: frozenset(_DESK | {_P.PII_UNMASK, _P.AI_HANDOFF, _P.AI_DECIDE}),
    # Supervisors route work and may send a reply the speech check blocked
    # (with a reason, audited).
    Role.SUPERVISOR: frozenset(
        _DESK
        | {_P.PII_UNMASK, _P.RIGHTS_READ, _P.TICKETS_ASSIGN, _P.REPLIES_OVERRIDE}
        # ... and take AI hand-offs and decide reviews of AI decisions.
        | {_P.AI_HANDOFF, _P.AI_DECIDE, _P.AI_REVIEW}
    ),
    Role.COMPLIANCE_OFFICER: frozenset(
        _DESK
        | {_P.PII_UNMASK, _P.CUSTOMERS_ERASE, _P.AUDIT_READ, _P.AUDIT_VERIFY}
        | {_P.RIGHTS_READ, _P.RIGHTS_MANAGE, _P.BREACH_READ, _P.BREACH_MANAGE}
        | {_P.TRANSFER_READ, _P.TRANSFER_MANAGE}
        | {_P.AI_HANDOFF, _P.AI_DECIDE, _P.AI_REVIEW, _P.AI_FAIRNESS}
        | {_P.COMPLIANCE_DASHBOARD}
    ),
    # Registers of requests and breaches are accountability records (no
    # personal values), so auditors may read them.
    # The transfer register holds organisations, dates and counts only.
    Role.AUDITOR: frozenset(
        {_P.POLICY_READ, _P.AUDIT_READ, _P.AUDIT_VERIFY, _P.RIGHTS_READ, _P.BREACH_READ}
        | {_P.TRANSFER_READ}
        # Fairness reports are aggregates over groups, no customer records.
        | {_P.AI_FAIRNESS}
        # The dashboard shows each auditor only the sections it may read.
        | {_P.COMPLIANCE_DASHBOARD}
    ),
    Role.ADMIN: frozenset(
        {
            _P.POLICY_READ,
            _P.AUDIT_READ,
            _P.AUDIT_VERIFY,
            _P.USERS_READ,
            _P.USERS_MANAGE,
            _P.CONFIG_READ,
        }
    ),
    # The chat channel (web widget, WeChat gateway) holds a service token:
    # customers reach the assistant and ask for reviews only through it.
    Role.SERVICE: frozenset(_DESK | {_P.AI_CONVERSE, _P.AI_DECIDE}),
}


def permissions_for(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]
