"""Notifications: a transactional outbox delivered to signed webhooks.

Domain code calls `Outbox.enqueue(session, event, payload)` inside the
transaction that changes state; the worker's `notify.deliver` job POSTs each
row to the endpoints subscribed to the event (SMS and app-push gateways are
webhooks too), retrying with backoff and dead-lettering what keeps failing.
Payloads are sealed at rest; see docs/notifications.md.
"""

from __future__ import annotations

from complydesk.notify.deliver import (
    DEFAULT_POLICY,
    DeliveryReport,
    Outcome,
    RetryPolicy,
    classify,
    deliver_due,
    deliver_round,
)
from complydesk.notify.outbox import (
    DEAD,
    DELIVERED,
    PENDING,
    SENDING,
    STATUSES,
    Outbox,
    encode_payload,
    enqueue,
    list_messages,
    retry_dead,
)
from complydesk.notify.sealed import SealError, load_outbox_key, outbox_key_path
from complydesk.notify.webhooks import (
    ATTEMPT_HEADER,
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    Endpoint,
    SignatureError,
    WebhookConfig,
    load_webhooks,
    signature_header,
    verify_signature,
)

__all__ = [
    "ATTEMPT_HEADER",
    "DEAD",
    "DEFAULT_POLICY",
    "DELIVERED",
    "DELIVERY_HEADER",
    "EVENT_HEADER",
    "PENDING",
    "SENDING",
    "SIGNATURE_HEADER",
    "STATUSES",
    "DeliveryReport",
    "Endpoint",
    "Outbox",
    "Outcome",
    "RetryPolicy",
    "SealError",
    "SignatureError",
    "WebhookConfig",
    "classify",
    "deliver_due",
    "deliver_round",
    "encode_payload",
    "enqueue",
    "list_messages",
    "load_outbox_key",
    "load_webhooks",
    "outbox_key_path",
    "retry_dead",
    "signature_header",
    "verify_signature",
]
