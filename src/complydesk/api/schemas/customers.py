"""Customers as the API takes and shows them: masked unless unmasked with a reason."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

PersonalName = Literal["name", "phone", "email", "id_number", "address"]


class CustomerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    id_number: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=500)


class CustomerCreate(CustomerFields):
    jurisdiction: str | None = Field(
        default=None, description="Policy pack of the customer: cn, eu, us-ca, ..."
    )


class CustomerUpdate(CustomerFields):
    """Only the fields sent change; send null to clear a field."""


class CustomerPublic(BaseModel):
    """What every role with customers.read sees: masked copies only."""

    id: int
    ref: str
    jurisdiction: str | None
    created_at: datetime
    erased: bool
    masked: dict[str, str | None]


class CustomerSearch(BaseModel):
    """Exactly one identifier; matched on blind indexes, never decrypted."""

    model_config = ConfigDict(extra="forbid")

    phone: str | None = Field(default=None, max_length=40)
    email: str | None = Field(default=None, max_length=254)
    id_number: str | None = Field(default=None, max_length=32)

    @model_validator(mode="after")
    def _exactly_one(self) -> CustomerSearch:
        given = [v for v in (self.phone, self.email, self.id_number) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of phone, email, id_number")
        return self


class UnmaskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: list[PersonalName] = Field(min_length=1, max_length=5)
    reason: str = Field(min_length=8, max_length=500)


class UnmaskResponse(BaseModel):
    id: int
    fields: dict[str, str | None]


class EraseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=8, max_length=500)


class EraseReceipt(BaseModel):
    id: int
    erased_at: datetime
    key_destroyed: bool = Field(
        description="The data key is gone: every copy of the fields, backups "
        "included, is unreadable."
    )
