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
    CONVERSATIONS_READ = "conversations.read"
    PII_UNMASK = "pii.unmask"
    POLICY_READ = "policy.read"
    AUDIT_READ = "audit.read"
    AUDIT_VERIFY = "audit.verify"
    USERS_READ = "users.read"
    USERS_MANAGE = "users.manage"
    CONFIG_READ = "config.read"
    SPEECH_CHECK = "speech.check"


_P = Permission
_DESK = {
    _P.CUSTOMERS_READ,
    _P.CUSTOMERS_WRITE,
    _P.TICKETS_READ,
    _P.CONVERSATIONS_READ,
    _P.POLICY_READ,
    _P.SPEECH_CHECK,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset(_DESK),
    Role.SUPERVISOR: frozenset(_DESK),
    Role.COMPLIANCE_OFFICER: frozenset(
        _DESK | {_P.PII_UNMASK, _P.CUSTOMERS_ERASE, _P.AUDIT_READ, _P.AUDIT_VERIFY}
    ),
    Role.AUDITOR: frozenset({_P.POLICY_READ, _P.AUDIT_READ, _P.AUDIT_VERIFY}),
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
    Role.SERVICE: frozenset(_DESK),
}


def permissions_for(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]
