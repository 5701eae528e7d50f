"""Tickets and conversations as the API shows them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class TicketPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    tracking_code: str
    customer_ref: str
    purpose: str
    category: str
    status: str
    subject: str
    created_at: datetime
    updated_at: datetime


class MessagePublic(BaseModel):
    """A message as staff see it: `body` is the vault's masked copy."""

    id: int
    sender: str
    ai_generated: bool
    body: str
    created_at: datetime


class ConversationPublic(BaseModel):
    id: int
    customer_ref: str
    channel: str
    started_at: datetime
    messages: list[MessagePublic]
