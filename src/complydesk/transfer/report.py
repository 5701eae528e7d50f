"""Assessment reports in Markdown or HTML, Chinese or English, with citations.

A report is rendered from a stored assessment row (counts, findings, summary),
so it can be produced again later, by the CLI or the API, exactly as decided.
Rows hold ids, labels, counts, dates and hashes only; the report adds words.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any, Literal

from complydesk.errors import InvalidInput
from complydesk.pii.classify import display_name
from complydesk.store.models.transfer import TransferAssessment

Lang = Literal["zh", "en"]
Fmt = Literal["md", "html"]

MESSAGES: dict[str, dict[str, str]] = {
    "route.no_rules": {
        "en": "Pack {pack} states no cross-border transfer rules.",
        "zh": "政策包 {pack} 未规定数据出境规则。",
    },
    "route.not_a_transfer": {
        "en": (
            "The recipient is in {country}, inside the "
            "jurisdiction: not a cross-border transfer."
        ),
        "zh": "接收方位于 {country}，在本法域内，不构成数据出境。",
    },
    "exempt.no_personal_data": {
        "en": (
            "No personal information or important data leaves: no mechanism is needed."
        ),
        "zh": "出境数据不含个人信息或重要数据，无需出境机制。",
    },
    "route.mechanism": {
        "en": "A transfer mechanism is needed: one of {mechanisms}.",
        "zh": "需要具备以下出境机制之一：{mechanisms}。",
    },
    "exempt.not_in_pack": {
        "en": (
            "The registered exemption {exemption} is not one "
            "this pack knows; it is ignored."
        ),
        "zh": "登记的豁免情形 {exemption} 不属于本政策包，已忽略。",
    },
    "recipient.inactive": {
        "en": "The recipient's status is {status}: transfers are stopped.",
        "zh": "接收方状态为 {status}，已停止出境。",
    },
    "agreement.expired": {
        "en": "The agreement with the recipient expired on {expired_on}.",
        "zh": "与接收方的协议已于 {expired_on} 到期。",
    },
    "category.undeclared": {
        "en": "Categories not declared for this recipient would leave: {categories}.",
        "zh": "将出境未向该接收方登记的数据类别：{categories}。",
    },
    "localisation.category": {
        "en": (
            "Categories this deployment keeps in the country would leave: {categories}."
        ),
        "zh": "将出境本部署要求境内存储的数据类别：{categories}。",
    },
    "localisation.sector": {
        "en": "Sector rule ({sector}): {categories} stays in the country.",
        "zh": "行业规则（{sector}）：{categories} 须境内存储。",
    },
    "route.important_data": {
        "en": "Important data ({categories}) always needs a security assessment.",
        "zh": "重要数据（{categories}）出境必须通过安全评估。",
    },
    "exempt.not_for_important_data": {
        "en": "The exemption {exemption} does not cover important data.",
        "zh": "豁免情形 {exemption} 不适用于重要数据。",
    },
    "exempt.purpose": {
        "en": (
            "Exempt: {exemption}; these individuals do not "
            "count towards the thresholds."
        ),
        "zh": "豁免：{exemption}；相关个人不计入累计人数。",
    },
    "exempt.purpose_ciio": {
        "en": (
            "The purpose exemptions apply to critical "
            "information infrastructure operators too."
        ),
        "zh": "上述目的性豁免同样适用于关键信息基础设施运营者。",
    },
    "route.ciio": {
        "en": (
            "A critical information infrastructure operator "
            "needs a security assessment."
        ),
        "zh": "关键信息基础设施运营者向境外提供个人信息须通过安全评估。",
    },
    "route.sensitive_assessment": {
        "en": (
            "Sensitive personal information of {projected} individuals this "
            "year (from {threshold}): security assessment."
        ),
        "zh": (
            "本年度累计敏感个人信息 {projected} 人（达到 {threshold} 人）：须安全评估。"
        ),
    },
    "route.volume_assessment": {
        "en": (
            "Personal information of {projected} individuals this year "
            "(from {threshold}): security assessment."
        ),
        "zh": "本年度累计个人信息 {projected} 人（达到 {threshold} 人）：须安全评估。",
    },
    "route.sensitive_contract": {
        "en": (
            "Sensitive personal information of {projected} individuals this year (no "
            "free allowance): standard contract or certification."
        ),
        "zh": "本年度累计敏感个人信息 {projected} 人（无豁免额度）：须标准合同或认证。",
    },
    "route.volume_contract": {
        "en": (
            "Personal information of {projected} individuals this year (from "
            "{threshold}): standard contract or certification."
        ),
        "zh": (
            "本年度累计个人信息 {projected} 人"
            "（达到 {threshold} 人）：须标准合同或认证。"
        ),
    },
    "exempt.below_threshold": {
        "en": (
            "Exempt: {projected} individuals this year, below "
            "{threshold}, no sensitive personal information."
        ),
        "zh": (
            "豁免：本年度累计 {projected} 人，不满 {threshold} 人，且不含敏感个人信息。"
        ),
    },
    "agreement.missing": {
        "en": "No agreement with the recipient is on file.",
        "zh": "未登记与接收方的协议。",
    },
    "agreement.no_profile": {
        "en": (
            "The agreement sets no de-identification profile: "
            "nothing is exported without one."
        ),
        "zh": "协议未规定去标识化方案，不得导出。",
    },
    "mechanism.missing": {
        "en": "No {mechanisms} is on file for this recipient.",
        "zh": "未登记该接收方的 {mechanisms}。",
    },
    "mechanism.not_yet_effective": {
        "en": "The {mechanism} takes effect only on {effective_on}.",
        "zh": "{mechanism} 自 {effective_on} 起才生效。",
    },
    "mechanism.expired": {
        "en": "The {mechanism} expired on {expired_on}.",
        "zh": "{mechanism} 已于 {expired_on} 失效。",
    },
    "mechanism.not_filed": {
        "en": "The standard contract was not filed by {due_on}.",
        "zh": "标准合同未在 {due_on} 前备案。",
    },
    "mechanism.filing_due": {
        "en": "File the standard contract by {due_on}.",
        "zh": "请于 {due_on} 前完成标准合同备案。",
    },
    "mechanism.filed_late": {
        "en": "The standard contract was filed on {filed_on}, after {due_on}.",
        "zh": "标准合同于 {filed_on} 备案，晚于 {due_on}。",
    },
    "mechanism.renewal_due": {
        "en": (
            "The {mechanism} is valid until {valid_until} "
            "({left} days left): apply to renew."
        ),
        "zh": "{mechanism} 有效期至 {valid_until}（剩余 {left} 天），请申请延续。",
    },
    "mechanism.derogation": {
        "en": "Art. 49 derogations cover occasional transfers only.",
        "zh": "第49条的例外仅适用于偶发性传输。",
    },
    "pia.missing": {
        "en": (
            "No personal-information impact assessment is recorded for this transfer."
        ),
        "zh": "未记录该出境活动的个人信息保护影响评估。",
    },
    "consent.inform_only": {
        "en": (
            "No consent is needed for this purpose, but "
            "individuals must be told of the transfer."
        ),
        "zh": "该目的无需取得同意，但应告知个人出境事项。",
    },
    "consent.missing": {
        "en": "Separate consent of the individuals is not confirmed.",
        "zh": "未确认已取得个人的单独同意。",
    },
    "profile.kept_personal": {
        "en": "Column {column} is kept as is but holds {labels}.",
        "zh": "字段 {column} 原样保留，但含有 {labels}。",
    },
    "profile.default": {
        "en": "No profile in the agreement: assessed as if every finding were masked.",
        "zh": "协议未规定去标识化方案：按全部掩码评估。",
    },
}

TEXT: dict[str, dict[str, str]] = {
    "title": {"en": "Cross-border transfer assessment", "zh": "数据出境评估报告"},
    "decision": {"en": "Decision", "zh": "结论"},
    "allowed": {"en": "allowed", "zh": "允许"},
    "refused": {"en": "refused", "zh": "拒绝"},
    "exported": {"en": "exported", "zh": "已导出"},
    "recipient": {"en": "Recipient", "zh": "境外接收方"},
    "country": {"en": "Country", "zh": "国家/地区"},
    "purpose": {"en": "Purpose", "zh": "目的"},
    "categories": {"en": "Declared categories", "zh": "登记的数据类别"},
    "pack": {"en": "Policy pack", "zh": "政策包"},
    "date": {"en": "Date", "zh": "日期"},
    "route": {"en": "Required route", "zh": "所需出境路径"},
    "accepted": {"en": "Accepted mechanisms", "zh": "可接受的机制"},
    "satisfied": {"en": "Mechanism on file", "zh": "已具备的机制"},
    "none": {"en": "none", "zh": "无"},
    "counts": {"en": "Counts", "zh": "人数"},
    "findings": {"en": "Findings", "zh": "评估发现"},
    "missing": {"en": "Missing prerequisites", "zh": "缺少的前提条件"},
    "severity": {"en": "Severity", "zh": "级别"},
    "finding": {"en": "Finding", "zh": "内容"},
    "citation": {"en": "Rule", "zh": "依据"},
    "data": {"en": "Data", "zh": "数据"},
    "column": {"en": "Column", "zh": "字段"},
    "found": {"en": "Personal data found", "zh": "发现的个人信息"},
    "profile": {"en": "De-identification profile", "zh": "去标识化方案"},
    "input": {"en": "Input", "zh": "输入"},
    "output": {"en": "Output", "zh": "输出"},
    "counted": {
        "en": "Counts towards the year's thresholds",
        "zh": "计入本年度累计人数",
    },
    "yes": {"en": "yes", "zh": "是"},
    "no": {"en": "no", "zh": "否"},
    "disclaimer": {
        "en": "Generated by complydesk from the policy pack cited above; research, "
        "not legal advice.",
        "zh": "由 complydesk 依据上述政策包生成，仅供参考，不构成法律意见。",
    },
}

COUNT_NAMES: dict[str, dict[str, str]] = {
    "records": {"en": "Records with personal data", "zh": "含个人信息的记录"},
    "individuals": {"en": "Individuals in the dataset", "zh": "数据集中的个人"},
    "sensitive": {
        "en": "… with sensitive personal information",
        "zh": "其中含敏感个人信息",
    },
    "new_individuals": {"en": "New this year", "zh": "本年度新增个人"},
    "new_sensitive": {
        "en": "New this year, sensitive",
        "zh": "本年度新增敏感个人信息主体",
    },
    "prior_individuals": {"en": "Counted this year before", "zh": "本年度此前累计"},
    "prior_sensitive": {"en": "… sensitive, before", "zh": "其中敏感，此前累计"},
    "projected_individuals": {"en": "Total this year", "zh": "本年度累计（含本次）"},
    "projected_sensitive": {
        "en": "Total this year, sensitive",
        "zh": "本年度累计敏感（含本次）",
    },
}

NAMES: dict[str, dict[str, str]] = {
    "security_assessment": {"en": "CAC security assessment", "zh": "数据出境安全评估"},
    "standard_contract": {"en": "standard contract", "zh": "个人信息出境标准合同"},
    "certification": {"en": "certification", "zh": "个人信息保护认证"},
    "standard_contract_or_certification": {
        "en": "standard contract or certification",
        "zh": "标准合同或认证",
    },
    "adequacy_decision": {"en": "adequacy decision", "zh": "充分性认定"},
    "standard_contractual_clauses": {
        "en": "standard contractual clauses",
        "zh": "标准合同条款（SCC）",
    },
    "binding_corporate_rules": {
        "en": "binding corporate rules",
        "zh": "有约束力的公司规则",
    },
    "art49_derogations": {"en": "Art. 49 derogation", "zh": "第49条例外情形"},
    "transfer_mechanism": {"en": "a transfer mechanism", "zh": "出境机制"},
    "exempt": {"en": "exempt", "zh": "豁免"},
    "not_a_transfer": {"en": "not a transfer", "zh": "不构成出境"},
    "no_rules": {"en": "no rules in the pack", "zh": "政策包无规定"},
    "contract_with_individual": {
        "en": "necessary to perform a contract with the individual",
        "zh": "订立、履行个人作为一方当事人的合同所必需",
    },
    "hr_management": {"en": "cross-border HR management", "zh": "跨境人力资源管理"},
    "emergency": {"en": "emergency", "zh": "紧急情况"},
    "block": {"en": "missing", "zh": "缺失"},
    "warn": {"en": "action", "zh": "需处理"},
    "info": {"en": "basis", "zh": "依据"},
}


def _name(value: str, lang: Lang) -> str:
    return NAMES.get(value, {}).get(lang, value)


def _param(key: str, value: Any, lang: Lang) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    text = str(value)
    if key in ("mechanism", "mechanisms", "exemption"):
        return ", ".join(_name(part.strip(), lang) for part in text.split(","))
    if key == "labels":
        return ", ".join(display_name(part.strip(), lang) for part in text.split(","))
    return text


def message(finding: Mapping[str, Any], lang: Lang) -> str:
    """The sentence for a stored finding; unknown codes show the code itself."""
    template = MESSAGES.get(str(finding.get("code")), {}).get(lang)
    params = finding.get("params") or {}
    if template is None:
        return str(finding.get("code"))
    shown = {k: _param(k, v, lang) for k, v in params.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError):
        return str(finding.get("code"))


def _check(lang: str, fmt: str) -> tuple[Lang, Fmt]:
    if lang not in ("zh", "en"):
        raise InvalidInput("lang must be zh or en")
    if fmt not in ("md", "html"):
        raise InvalidInput("format must be md or html")
    return lang, fmt  # type: ignore[return-value]


def _facts(row: TransferAssessment, lang: Lang) -> list[tuple[str, str]]:
    t = TEXT
    s = row.summary
    recipient = s.get("recipient", {})
    pack = s.get("pack", {})
    satisfied = s.get("satisfied_by")
    status = t["allowed" if row.allowed else "refused"][lang]
    if row.exported:
        status += f" ({t['exported'][lang]})"
    held = t["none"][lang]
    if satisfied:
        ref = f" {satisfied['reference']}" if satisfied.get("reference") else ""
        held = f"{_name(satisfied['kind'], lang)}{ref} ({satisfied['effective_on']})"
    accepted = (
        ", ".join(_name(k, lang) for k in s.get("accepted", [])) or t["none"][lang]
    )
    return [
        (t["decision"][lang], status),
        (
            t["recipient"][lang],
            f"{recipient.get('name', '')} ({recipient.get('ref', '')})",
        ),
        (t["country"][lang], str(recipient.get("country", ""))),
        (t["purpose"][lang], str(recipient.get("purpose", ""))),
        (t["categories"][lang], ", ".join(recipient.get("categories", []))),
        (
            t["pack"][lang],
            f"{pack.get('name', '')} {pack.get('version', '')} "
            f"(sha256 {str(pack.get('hash', ''))[:12]}…)",
        ),
        (t["date"][lang], f"{s.get('date', '')} ({row.ref})"),
        (t["route"][lang], _name(row.route, lang)),
        (t["accepted"][lang], accepted),
        (t["satisfied"][lang], held),
        (t["counted"][lang], t["yes" if row.counted else "no"][lang]),
    ]


def _rows_of_findings(
    row: TransferAssessment, lang: Lang, only: str | None = None
) -> list[tuple[str, str, str]]:
    return [
        (_name(f["severity"], lang), message(f, lang), str(f.get("citation", "")))
        for f in row.findings
        if only is None or f.get("severity") == only
    ]


def _data_rows(row: TransferAssessment, lang: Lang) -> list[tuple[str, str]]:
    columns: dict[str, dict[str, int]] = row.summary.get("columns", {})
    return [
        (
            column,
            ", ".join(
                f"{display_name(label, lang)} ×{n:,}" for label, n in labels.items()
            ),
        )
        for column, labels in columns.items()
    ]


def render(row: TransferAssessment, lang: str = "zh", fmt: str = "md") -> str:
    """The report of one stored assessment."""
    lang_, fmt_ = _check(lang, fmt)
    if fmt_ == "html":
        return _html(row, lang_)
    return _markdown(row, lang_)


def _md(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _markdown(row: TransferAssessment, lang: Lang) -> str:
    t = TEXT
    lines = [f"# {t['title'][lang]}", ""]
    lines += ["| | |", "|---|---|"]
    lines += [f"| {_md(k)} | {_md(v)} |" for k, v in _facts(row, lang)]
    lines += ["", f"## {t['missing'][lang]}", ""]
    missing = _rows_of_findings(row, lang, "block")
    lines += [f"- {_md(m)} ({_md(c)})" for _, m, c in missing] or [
        f"- {t['none'][lang]}"
    ]
    lines += ["", f"## {t['counts'][lang]}", "", "| | |", "|---|---:|"]
    for key, value in row.counts.items():
        label = COUNT_NAMES.get(key, {}).get(lang, key)
        lines.append(f"| {_md(label)} | {value:,} |")
    lines += ["", f"## {t['findings'][lang]}", ""]
    lines += [
        f"| {t['severity'][lang]} | {t['finding'][lang]} | {t['citation'][lang]} |",
        "|---|---|---|",
    ]
    lines += [
        f"| {_md(a)} | {_md(b)} | {_md(c)} |"
        for a, b, c in _rows_of_findings(row, lang)
    ]
    lines += _md_data(row, lang)
    lines += ["", f"_{t['disclaimer'][lang]}_", ""]
    return "\n".join(lines)


def _md_data(row: TransferAssessment, lang: Lang) -> list[str]:
    t = TEXT
    s = row.summary
    lines = ["", f"## {t['data'][lang]}", ""]
    source = s.get("input")
    if source:
        lines.append(
            f"- {t['input'][lang]}: {source['kind']}, {source['bytes']:,} B, "
            f"sha256 `{source['sha256']}`"
        )
    output = s.get("output")
    if output and row.exported:
        lines.append(
            f"- {t['output'][lang]}: {output['bytes']:,} B, sha256 `{output['sha256']}`"
        )
    data = _data_rows(row, lang)
    if data:
        lines += ["", f"| {t['column'][lang]} | {t['found'][lang]} |", "|---|---|"]
        lines += [f"| {_md(c)} | {_md(f)} |" for c, f in data]
    profile: dict[str, str] = s.get("profile", {})
    if profile:
        lines += ["", f"### {t['profile'][lang]}", ""]
        lines += [f"- {_md(k)}: {_md(v)}" for k, v in profile.items()]
    return lines


_CSS = (
    "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;"
    "max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}"
    "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}"
    ".refused{color:#a40000;font-weight:bold}.allowed{color:#1a6b1a;font-weight:bold}"
    ".block{color:#a40000}.warn{color:#8a5a00}"
    "code{font-size:.85em;word-break:break-all}"
)


def _html(row: TransferAssessment, lang: Lang) -> str:
    t = TEXT
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        '<head><meta charset="utf-8">',
        f"<title>{e(t['title'][lang])} {e(row.ref)}</title><style>{_CSS}</style>",
        "</head><body>",
        f"<h1>{e(t['title'][lang])}</h1><table>",
    ]
    for i, (key, value) in enumerate(_facts(row, lang)):
        css = f' class="{"allowed" if row.allowed else "refused"}"' if i == 0 else ""
        parts.append(f"<tr><th>{e(key)}</th><td{css}>{e(value)}</td></tr>")
    parts.append(f"</table><h2>{e(t['missing'][lang])}</h2><ul>")
    missing = _rows_of_findings(row, lang, "block")
    for _, text, citation in missing:
        parts.append(f'<li class="block">{e(text)} <small>({e(citation)})</small></li>')
    if not missing:
        parts.append(f"<li>{e(t['none'][lang])}</li>")
    parts.append(f"</ul><h2>{e(t['counts'][lang])}</h2><table>")
    for name, count in row.counts.items():
        label = COUNT_NAMES.get(name, {}).get(lang, name)
        parts.append(
            f'<tr><th>{e(label)}</th><td style="text-align:right">{count:,}</td></tr>'
        )
    parts.append(f"</table><h2>{e(t['findings'][lang])}</h2><table>")
    parts.append(
        f"<tr><th>{e(t['severity'][lang])}</th><th>{e(t['finding'][lang])}</th>"
        f"<th>{e(t['citation'][lang])}</th></tr>"
    )
    for finding in row.findings:
        severity = str(finding.get("severity", ""))
        parts.append(
            f'<tr class="{e(severity)}"><td>{e(_name(severity, lang))}</td>'
            f"<td>{e(message(finding, lang))}</td>"
            f"<td>{e(str(finding.get('citation', '')))}</td></tr>"
        )
    parts.append("</table>")
    parts.append(_html_data(row, lang))
    parts.append(f"<p><small>{e(t['disclaimer'][lang])}</small></p></body></html>")
    return "\n".join(parts) + "\n"


def _html_data(row: TransferAssessment, lang: Lang) -> str:
    t = TEXT
    e = html.escape
    s = row.summary
    parts = [f"<h2>{e(t['data'][lang])}</h2><ul>"]
    source = s.get("input")
    if source:
        parts.append(
            f"<li>{e(t['input'][lang])}: {e(source['kind'])}, {source['bytes']:,} B, "
            f"sha256 <code>{e(source['sha256'])}</code></li>"
        )
    output = s.get("output")
    if output and row.exported:
        parts.append(
            f"<li>{e(t['output'][lang])}: {output['bytes']:,} B, "
            f"sha256 <code>{e(output['sha256'])}</code></li>"
        )
    parts.append("</ul>")
    data = _data_rows(row, lang)
    if data:
        parts.append(
            f"<table><tr><th>{e(t['column'][lang])}</th><th>{e(t['found'][lang])}</th></tr>"
        )
        parts += [f"<tr><td>{e(c)}</td><td>{e(f)}</td></tr>" for c, f in data]
        parts.append("</table>")
    profile: dict[str, str] = s.get("profile", {})
    if profile:
        parts.append(f"<h3>{e(t['profile'][lang])}</h3><ul>")
        parts += [f"<li>{e(k)}: {e(v)}</li>" for k, v in profile.items()]
        parts.append("</ul>")
    return "\n".join(parts)


__all__ = ["MESSAGES", "message", "render"]
