"""Identity and access: roles, the permission matrix, users, tokens, sessions."""

from complydesk.identity.admin import grant_token, register_user
from complydesk.identity.permissions import (
    ROLE_PERMISSIONS,
    Permission,
    Role,
    permissions_for,
)
from complydesk.identity.users import (
    Principal,
    authenticate,
    close_session,
    create_user,
    get_user,
    issue_token,
    open_session,
    parse_role,
    principal_from_session,
    principal_from_token,
    purge_expired_sessions,
)

__all__ = [
    "ROLE_PERMISSIONS",
    "Permission",
    "Principal",
    "Role",
    "authenticate",
    "close_session",
    "create_user",
    "get_user",
    "grant_token",
    "issue_token",
    "open_session",
    "parse_role",
    "permissions_for",
    "principal_from_session",
    "principal_from_token",
    "purge_expired_sessions",
    "register_user",
]
