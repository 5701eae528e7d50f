"""The erasure receipt as the subject reads it: HTML in Chinese or English."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape

from complydesk.errors import InvalidInput

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
