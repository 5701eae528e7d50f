"""Notification drafts: to the authority, the affected people, the Attorney General.

Each draft carries what the law asks a notice to say (GDPR Arts. 33(3) and
34(2): nature, categories and approximate numbers, likely consequences,
measures, contact point; PIPL Art. 57: kinds of information, cause, harm,
remedies, what people can do, contact; California §1798.82: the title
"Notice of Data Breach" and its statutory headings), filled only from the
register's own fields, counts and categories, never from personal data.
They are drafts: a person reviews and sends them, then records the sending.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from jinja2 import Environment, FileSystemLoader, select_autoescape

from complydesk.breach.register import AG_KEY, INDIVIDUALS_KEY
from complydesk.errors import InvalidInput
from complydesk.policy import load_pack
from complydesk.settings import Settings
from complydesk.store.models import BreachIncident

RECIPIENTS: Final = ("authority", "individuals", "attorney_general")
FORMATS: Final = ("md", "html")
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
)

Text = dict[str, str]

CATEGORY_NAMES: Final[dict[str, Text]] = {
    "customer_profile": {
        "zh": "客户资料（姓名、电话、电子邮箱、证件号码、地址）",
        "en": "customer profile (name, phone, e-mail, ID number, address)",
    },
    "support_tickets": {
        "zh": "工单内容及附件",
        "en": "support tickets and attachments",
    },
    "conversations": {"zh": "客服对话内容", "en": "customer-service conversations"},
    "rights_requests": {"zh": "个人信息权利申请", "en": "personal-data requests"},
}
RISK_NAMES: Final[dict[str, Text]] = {
    "unlikely": {"zh": "不太可能造成风险", "en": "unlikely to result in a risk"},
    "risk": {"zh": "可能造成风险", "en": "likely to result in a risk"},
    "high": {"zh": "可能造成高风险", "en": "likely to result in a high risk"},
}
TITLES: Final[dict[str, Text]] = {
    "authority": {
        "zh": "个人信息安全事件报告",
        "en": "Personal data breach notification",
    },
    "individuals": {
        "zh": "关于您个人信息安全事件的告知",
        "en": "Notice about a personal data breach",
    },
    "attorney_general": {"zh": "数据泄露通知（样本）", "en": "Notice of Data Breach"},
}
HEADINGS: Final[dict[str, Text]] = {
    "what_happened": {"zh": "事件经过及原因", "en": "What happened"},
    "information": {
        "zh": "涉及的个人信息种类及数量",
        "en": "What information was involved",
    },
    "consequences": {"zh": "可能造成的危害", "en": "Likely consequences"},
    "measures": {"zh": "我们已采取的补救措施", "en": "What we are doing"},
    "you_can_do": {"zh": "您可以采取的措施", "en": "What you can do"},
    "contact": {"zh": "联系方式", "en": "For more information"},
    "delay": {"zh": "迟延报告的原因", "en": "Reasons for the delay"},
    "basis": {"zh": "依据", "en": "Legal basis"},
}
ADVICE: Final = {
    "zh": "请留意冒充我公司的电话、短信或邮件；我们不会向您索要密码或验证码。"
    "如发现异常，请及时修改相关账户密码并与我们联系。",
    "en": "Be wary of calls, texts or e-mails that claim to come from us; we never "
    "ask for passwords or verification codes. If you notice anything unusual, "
    "change the affected passwords and contact us.",
}
LABELS: Final[dict[str, Text]] = {
    "draft": {"zh": "草稿：发送前请审核", "en": "DRAFT: review before sending"},
    "meta": {
        "zh": "事件编号 {ref}；发现时间 {detected}；知悉时间 {aware}（UTC）",
        "en": "Incident {ref}; detected {detected}; became aware {aware} (UTC)",
    },
    "count": {
        "zh": "受影响的个人约 {count} 人（{jurisdiction}）。",
        "en": "About {count} people in {jurisdiction} are affected.",
    },
    "risk": {"zh": "风险评估：{risk}。", "en": "Risk assessment: {risk}."},
    "none": {"zh": "（待补充）", "en": "(to be completed)"},
    "delay_todo": {
        "zh": "（本报告已超过法定时限，请在此说明迟延原因。）",
        "en": "(This notice is late: state the reasons for the delay here.)",
    },
}


def draft(
    incident: BreachIncident,
    settings: Settings,
    *,
    recipient: str,
    jurisdiction: str,
    lang: str = "zh",
    fmt: str = "md",
    late: bool = False,
) -> str:
    """The notice text for one recipient in one affected jurisdiction."""
    if recipient not in RECIPIENTS:
        raise InvalidInput(f"recipient must be one of {', '.join(RECIPIENTS)}")
    if lang not in ("zh", "en"):
        raise InvalidInput("lang must be zh or en")
    if fmt not in FORMATS:
        raise InvalidInput("format must be md or html")
    if jurisdiction not in incident.affected:
        raise InvalidInput(
            "jurisdiction must be one with affected subjects: "
            + (", ".join(incident.affected) or "none")
        )
    pack = load_pack(jurisdiction, settings.policy_dir)
    ag = pack.breach.attorney_general
    if recipient == "attorney_general" and ag is None:
        raise InvalidInput(f"the {jurisdiction} pack has no Attorney General notice")
    title = TITLES[recipient][lang]
    if (
        recipient == "individuals"
        and ag is not None
        and ag.notice_title
        and lang == "en"
    ):
        title = ag.notice_title.value  # California: the statutory title
    none = LABELS["none"][lang]
    categories = "；" if lang == "zh" else "; "
    information = [
        categories.join(CATEGORY_NAMES[c][lang] for c in incident.categories),
        LABELS["count"][lang].format(
            count=incident.affected[jurisdiction], jurisdiction=jurisdiction
        ),
    ]
    sections: list[tuple[str, list[str]]] = [
        ("what_happened", [incident.title, incident.description]),
        ("information", information),
        (
            "consequences",
            [
                LABELS["risk"][lang].format(risk=RISK_NAMES[incident.risk][lang]),
                incident.consequences or none,
            ],
        ),
        ("measures", [incident.measures or none]),
    ]
    if recipient != "authority":
        sections.append(("you_can_do", [ADVICE[lang]]))
    sections.append(("contact", [incident.contact_point]))
    if late and recipient == "authority":
        sections.append(("delay", [LABELS["delay_todo"][lang]]))
    key = {
        "authority": "breach.authority_deadline",
        "individuals": INDIVIDUALS_KEY,
        "attorney_general": AG_KEY,
    }[recipient]
    citations = [
        e["citation"]
        for e in incident.clocks.get(jurisdiction, [])
        if e["obligation"] == key
    ]
    if citations:
        sections.append(("basis", citations))
    rendered = [(HEADINGS[k][lang], body) for k, body in sections]
    meta = LABELS["meta"][lang].format(
        ref=incident.ref,
        detected=incident.detected_at.strftime("%Y-%m-%d %H:%M"),
        aware=incident.aware_at.strftime("%Y-%m-%d %H:%M"),
    )
    if fmt == "html":
        return _ENV.get_template("draft.html").render(
            lang=lang,
            title=title,
            meta=meta,
            sections=rendered,
            draft_label=LABELS["draft"][lang],
        )
    lines = [f"> {LABELS['draft'][lang]}", "", f"# {title}", "", meta, ""]
    for heading, body in rendered:
        lines += [f"## {heading}", "", *[f"{p}\n" for p in body]]
    return "\n".join(lines).rstrip() + "\n"
