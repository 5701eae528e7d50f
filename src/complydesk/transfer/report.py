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
from complydesk.transfer.report_text import COUNT_NAMES, MESSAGES, NAMES, TEXT

Lang = Literal["zh", "en"]
Fmt = Literal["md", "html"]


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
