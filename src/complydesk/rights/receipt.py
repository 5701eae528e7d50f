"""The erasure receipt: what was erased where, what is kept and why.

`build_receipt` writes it from the steps (systems, outcomes, confirmations,
retention exceptions with their citations; no personal values),
`send_receipt` queues it to the subject, and `render_receipt` shows it as
HTML in Chinese or English.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.errors import InvalidInput
from complydesk.notify import Outbox
from complydesk.policy import load_pack
from complydesk.rights.connectors import Connector
from complydesk.rights.erasure_state import (
    CONNECTOR_PREFIX,
    DONE,
    LOCAL,
    RETAINED,
    SKIPPED,
    steps_of,
)
from complydesk.rights.holds import exceptions
from complydesk.rights.notices import RECEIPT_EVENT, Contact, notify_contact
from complydesk.settings import Settings
from complydesk.store.models import Customer, Erasure, LegalHold, SubjectRequest

RECEIPT_FORMAT: Final = "complydesk-erasure-receipt/1"

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
)

STRINGS: Final[dict[str, dict[str, str]]] = {
    "title": {"zh": "个人信息删除回执", "en": "Erasure receipt"},
    "request": {"zh": "申请编号", "en": "Request"},
    "customer": {"zh": "客户编号", "en": "Customer reference"},
    "received": {"zh": "收到时间", "en": "Received"},
    "completed": {"zh": "完成时间", "en": "Completed"},
    "systems": {"zh": "各系统的处理结果", "en": "What happened in each system"},
    "system": {"zh": "系统", "en": "System"},
    "outcome": {"zh": "结果", "en": "Outcome"},
    "when": {"zh": "时间", "en": "When"},
    "confirmation": {"zh": "确认信息", "en": "Confirmation"},
    "retained": {"zh": "依法保留的信息", "en": "What we keep, and why"},
    "nothing_retained": {
        "zh": "没有保留任何您的个人信息。",
        "en": "We keep none of your personal data.",
    },
    "what": {"zh": "保留内容", "en": "What"},
    "why": {"zh": "原因", "en": "Why"},
    "law": {"zh": "法律依据", "en": "Legal basis"},
    "until": {"zh": "保留至", "en": "Kept until"},
    "until_released": {
        "zh": "争议解决或法定义务结束时",
        "en": "the dispute or legal duty ends",
    },
    "system_complydesk": {"zh": "客服系统", "en": "Customer-service system"},
    "system_backups": {"zh": "备份", "en": "Backups"},
    "outcome_erased": {"zh": "已删除", "en": "Erased"},
    "outcome_unreadable": {
        "zh": "已不可读（密钥已销毁）",
        "en": "Unreadable (key destroyed)",
    },
    "outcome_partly_retained": {
        "zh": "部分依法保留",
        "en": "Partly kept by law",
    },
    "outcome_retained_encrypted": {
        "zh": "随保留数据加密保存",
        "en": "Kept encrypted with the retained data",
    },
    "outcome_failed": {"zh": "失败，正在重试", "en": "Failed, being retried"},
    "outcome_not_searchable": {
        "zh": "无可用于查找的标识（无手机、邮箱或证件号码）",
        "en": "Nothing to search by (no phone, e-mail or ID number on file)",
    },
    "outcome_pending": {"zh": "处理中", "en": "In progress"},
}


def render_receipt(receipt: dict[str, Any], lang: str) -> str:
    if lang not in ("zh", "en"):
        raise InvalidInput("lang must be zh or en")
    strings = {key: texts[lang] for key, texts in STRINGS.items()}
    return _ENV.get_template("erasure_receipt.html").render(
        r=receipt, s=strings, lang=lang
    )


def build_receipt(
    session: Session,
    settings: Settings,
    erasure: Erasure,
    request: SubjectRequest,
    customer: Customer,
    connectors: list[Connector],
    now: datetime,
) -> dict[str, Any]:
    """What was erased where and when, and what is kept and why: no personal values."""
    steps = steps_of(session, erasure.id)
    systems: list[dict[str, Any]] = []
    retained: list[dict[str, Any]] = []
    shredded = False
    for step in steps:
        name = step.system.removeprefix(CONNECTOR_PREFIX)
        outcome = {
            DONE: "erased",
            RETAINED: "partly_retained",
            SKIPPED: "not_searchable",
        }.get(step.status, step.status)
        systems.append(
            {
                "system": name,
                "outcome": outcome,
                "at": step.done_at.isoformat() if step.done_at else None,
                "confirmation": step.confirmation,
            }
        )
        if step.system == LOCAL and step.status == DONE:
            shredded = True
    systems.append(
        {
            "system": "backups",
            "outcome": "unreadable" if shredded else "retained_encrypted",
            "at": None,
            "confirmation": "backups hold only ciphertext under the destroyed key"
            if shredded
            else "backups follow the data kept under the legal hold",
        }
    )
    by_connector = {c.name: c for c in connectors}
    for step in steps:
        connector = by_connector.get(step.system.removeprefix(CONNECTOR_PREFIX))
        if connector is not None and step.status == DONE:
            for table, reason in connector.kept():
                retained.append(
                    {"system": connector.name, "what": table, "reason": reason}
                )
    holds = list(
        session.scalars(
            select(LegalHold)
            .where(
                LegalHold.customer_id == customer.id, LegalHold.released_at.is_(None)
            )
            .order_by(LegalHold.id)
        )
    )
    local = next((s for s in steps if s.system == LOCAL), None)
    if local is not None and local.status == RETAINED:
        for hold in holds:
            spec = exceptions(load_pack(hold.pack, settings.policy_dir)).get(
                hold.exception
            )
            retained.append(
                {
                    "system": LOCAL,
                    "what": ", ".join(spec.retains) if spec else "all",
                    "exception": hold.exception,
                    "citation": hold.citation,
                    "until": hold.expires_at.isoformat() if hold.expires_at else None,
                    "explanation": {
                        "zh": spec.explanation_zh if spec else "",
                        "en": spec.explanation_en if spec else "",
                    },
                }
            )
    return {
        "format": RECEIPT_FORMAT,
        "request": request.ref,
        "customer": customer.ref,
        "pack": request.pack,
        "received_at": request.received_at.isoformat(),
        "completed_at": now.isoformat(),
        "systems": systems,
        "retained": retained,
    }


def send_receipt(
    session: Session,
    outbox: Outbox | None,
    lookup: dict[str, Any] | None,
    receipt: dict[str, Any],
) -> str:
    """Queue the receipt to the contact sealed at the start; how it went."""
    contact = (lookup or {}).get("contact")
    if outbox is None or not contact:
        return "no_contact" if outbox is not None else "not_sent"
    sent = notify_contact(
        session,
        outbox,
        Contact(**contact),
        RECEIPT_EVENT,
        {
            "request": receipt["request"],
            "completed_at": receipt["completed_at"],
            "systems": [
                {"system": s["system"], "outcome": s["outcome"]}
                for s in receipt["systems"]
            ],
            "retained": [
                {"system": r["system"], "exception": r.get("exception", "kept")}
                for r in receipt["retained"]
            ],
        },
    )
    return "queued" if sent else "no_endpoint"
