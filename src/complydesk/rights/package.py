"""The access / portability ZIP: machine-readable files and a readable HTML report.

Built in memory for one verified request and handed to the caller; nothing
of it is stored. For access (GDPR Art. 15, PIPL Art. 45(1)) `data.json` holds
every row complydesk keeps about the subject (complydesk.rights.access) and
what each registered external system returned (complydesk.rights.connectors).
For portability (GDPR Art. 20, PIPL Art. 45(3)) only the data the subject
provided, as JSON and CSV per table with `manifest.json`
(complydesk.rights.portability). `report.html` shows the content in Chinese
or English and opens in any browser (inline CSS, no scripts).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from complydesk.errors import ComplydeskError, InvalidInput
from complydesk.rights.access import collect, counts
from complydesk.rights.connectors import Connector, subject_keys
from complydesk.rights.portability import collect_provided, portable_files
from complydesk.store.models import Customer, SubjectRequest
from complydesk.vault import Vault

FORMAT: Final = "complydesk-access/1"
_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
)

STRINGS: Final[dict[str, dict[str, str]]] = {
    "title": {"zh": "您的个人信息副本", "en": "A copy of your personal data"},
    "request": {"zh": "申请编号", "en": "Request"},
    "customer": {"zh": "客户编号", "en": "Customer reference"},
    "generated": {"zh": "生成时间 (UTC)", "en": "Generated (UTC)"},
    "machine": {"zh": "机器可读文件", "en": "Machine-readable file"},
    "intro": {
        "zh": "本报告列出我们在客服系统及已登记的外部系统中保存的关于您的全部个人"
        "信息。同一内容以机器可读格式保存在 data.json 中。",
        "en": "This report lists all personal data we hold about you in our "
        "customer-service system and in the external systems registered with it. "
        "The same content is in data.json, in a machine-readable format.",
    },
    "ours": {"zh": "客服系统中的信息", "en": "In our customer-service system"},
    "external": {"zh": "外部系统中的信息", "en": "In other systems"},
    "no_external": {
        "zh": "未登记外部系统。",
        "en": "No external systems are registered.",
    },
    "failed": {
        "zh": "该系统暂时无法查询，我们会补充提供",
        "en": "This system could not be searched; we will send its data separately",
    },
    "rights": {"zh": "您的权利", "en": "Your rights"},
    "rights_text": {
        "zh": "您可以要求更正或删除上述信息，或限制、拒绝对其的处理（包括仅由自动化"
        "决策作出的决定），也可以向个人信息保护监管部门投诉。",
        "en": "You may ask us to correct or delete this data, to restrict or object "
        "to its use (including decisions made solely by automated means), and you "
        "may complain to a data-protection authority.",
    },
    "access": {"zh": "查阅与复制", "en": "access"},
    "portability": {"zh": "可携带", "en": "portability"},
    "table_customers": {"zh": "客户资料", "en": "Your profile"},
    "table_tickets": {"zh": "工单", "en": "Tickets"},
    "table_attachments": {"zh": "附件", "en": "Attachments"},
    "table_conversations": {"zh": "会话", "en": "Conversations"},
    "table_messages": {"zh": "消息", "en": "Messages"},
    "table_rights_requests": {"zh": "个人信息权利申请", "en": "Your data requests"},
    "table_customer_restrictions": {
        "zh": "处理限制与拒绝",
        "en": "Restrictions and objections",
    },
    "table_rights_legal_holds": {"zh": "法定保留", "en": "Legal holds"},
    "title_portability": {
        "zh": "您提供的个人信息（可携带副本）",
        "en": "The personal data you provided (portable copy)",
    },
    "intro_portability": {
        "zh": "本副本包含您向我们提供的个人信息（资料、您写下的工单内容、您发送的消息"
        "和您提出的申请），每张表均有 JSON 和 CSV 两种格式，说明见 manifest.json，"
        "便于转移给其他服务方。我们据此推断或生成的信息（例如自动化决策、服务时限"
        "状态）不在其中；如需这些信息，请申请查阅复制。",
        "en": "This copy holds the personal data you provided to us (your details, "
        "what you wrote in tickets, the messages you sent and your requests), each "
        "table as JSON and as CSV, described in manifest.json, so you can take it to "
        "another provider. What we derived from it (such as automated decisions or "
        "service-level states) is not included; ask for access to receive that too.",
    },
    "table_profile": {"zh": "您的资料", "en": "Your details"},
    "table_requests": {"zh": "您的申请", "en": "Your requests"},
}


def strings(lang: str) -> dict[str, str]:
    if lang not in ("zh", "en"):
        raise InvalidInput("lang must be zh or en")
    return {key: texts[lang] for key, texts in STRINGS.items()}


@dataclass
class AccessPackage:
    content: bytes
    filename: str
    counts: dict[str, int]
    external_ok: list[str] = field(default_factory=list)
    external_failed: dict[str, str] = field(default_factory=dict)


def build_package(
    session: Session,
    vault: Vault,
    connectors: list[Connector],
    request: SubjectRequest,
    customer: Customer,
    now: datetime,
    lang: str = "zh",
) -> AccessPackage:
    """The ZIP for a verified access or portability request (checked by callers)."""
    s = strings(lang)
    portable = request.type == "portability"
    local = (
        collect_provided(session, vault, customer)
        if portable
        else collect(session, vault, customer)
    )
    keys = subject_keys(vault, customer)
    external: dict[str, dict[str, Any]] = {}
    package = AccessPackage(b"", f"{request.ref}.zip", counts(local))
    for connector in connectors:
        try:
            records = connector.export(keys, request.ref)
            external[connector.name] = {"status": "ok", "records": records}
            package.external_ok.append(connector.name)
        except ComplydeskError as exc:
            external[connector.name] = {"status": "failed", "error": exc.detail}
            package.external_failed[connector.name] = exc.detail
    generated = now.isoformat(timespec="seconds")
    header = {
        "request": {"ref": request.ref, "type": request.type},
        "customer": customer.ref,
        "generated_at": generated,
    }
    if portable:
        files = portable_files(local, external, header)
        s = {**s, "title": s["title_portability"], "intro": s["intro_portability"]}
    else:
        document = {"format": FORMAT, **header, "complydesk": local}
        files = {
            "data.json": json.dumps(
                {**document, "external": external}, ensure_ascii=False, indent=2
            ).encode("utf-8")
        }
    html = _ENV.get_template("access_report.html").render(
        machine_file="manifest.json" if portable else "data.json",
        s=s,
        lang=lang,
        request_ref=request.ref,
        request_type=request.type,
        customer_ref=customer.ref,
        generated_at=generated,
        local=local,
        external=external,
    )
    buffer = io.BytesIO()
    stamp = now.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in {**files, "report.html": html.encode("utf-8")}.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    package.content = buffer.getvalue()
    return package
