"""A legal or contractual duration as policy packs state it: an amount and a unit.

Units differ in kind, not just size: a calendar month is not 30 days (GDPR's
"one month"), working days skip weekends and holidays, and business hours
count only opening hours on working days. complydesk.deadlines
turns a start time plus a Duration into a due time.

In YAML a Duration is written either as a mapping `{amount: 72, unit: hours}`
or as a compact string `"72 hours"`, `"1 calendar_months"`, `"15 working_days"`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Unit(StrEnum):
    MINUTES = "minutes"
    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    CALENDAR_MONTHS = "calendar_months"
    WORKING_DAYS = "working_days"
    BUSINESS_HOURS = "business_hours"
    """Hours of opening time: the pack's opening hours on working days."""


class Duration(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: int = Field(ge=0, le=100_000)
    unit: Unit

    @model_validator(mode="before")
    @classmethod
    def _from_compact_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            parts = data.split()
            if len(parts) != 2 or not parts[0].isdigit():
                raise ValueError(
                    f"duration {data!r} must look like '72 hours' or '15 working_days'"
                )
            return {"amount": int(parts[0]), "unit": parts[1]}
        return data

    def __str__(self) -> str:
        return f"{self.amount} {self.unit.value}"
