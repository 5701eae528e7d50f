"""Users and tokens as the API shows them: never a password or token hash."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from complydesk.identity import Role


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=64)
    role: Role
    password: SecretStr | None = Field(
        default=None, description="Required for people; omitted for service accounts."
    )


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    role: Role
    is_service: bool
    active: bool
    created_at: datetime


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    ttl_days: int | None = Field(default=90, ge=1, le=3650)


class TokenIssued(BaseModel):
    name: str
    token: str = Field(description="Shown once; only its hash is stored.")
    expires_at: datetime | None


class Me(BaseModel):
    username: str
    role: Role
    is_service: bool
    permissions: list[str]
