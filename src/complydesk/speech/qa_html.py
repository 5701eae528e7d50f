"""The speech-QA report as one self-contained HTML page.

Inline CSS and SVG bar charts, no scripts and no external assets, every piece
of text escaped: the page is safe to mail or archive as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from complydesk.speech.finding import Finding
from complydesk.speech.qa import QAReport

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","PingFang SC",
"Microsoft YaHei",sans-serif;margin:2rem;color:#1f2328;max-width:72rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;
vertical-align:top}
th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.block{color:#b42318;font-weight:600}.warn{color:#9a6700;font-weight:600}
.summary span{display:inline-block;margin-right:1.5rem}
svg text{font:12px system-ui,sans-serif;fill:#1f2328}
mark{background:#ffe8a3}
""".strip()


def _pct(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def _bar_chart(title: str, bars: Sequence[tuple[str, int]]) -> str:
    """A horizontal bar chart as inline SVG (labels escaped)."""
    if not bars:
        return f"<p>{escape(title)}: nothing flagged.</p>"
    label_w, bar_w, row_h = 220, 360, 22
    top = max(n for _, n in bars) or 1
    height = row_h * len(bars) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" '
        f'width="{label_w + bar_w + 60}" height="{height}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, n) in enumerate(bars):
        y = 4 + i * row_h
        w = max(1, round(bar_w * n / top)) if n else 0
        shown = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(shown)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="{row_h - 6}" '
            f'fill="#cf4a3c"><title>{escape(label)}: {n}</title></rect>'
            f'<text x="{label_w + w + 6}" y="{y + 15}">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _highlight(text: str, findings: Sequence[Finding]) -> str:
    """Escape `text`, wrapping finding spans in <mark> (overlaps merged)."""
    spans = sorted(
        (max(0, f.start), min(len(text), f.end))
        for f in findings
        if 0 <= f.start < f.end
    )
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out: list[str] = []
    pos = 0
    for s, e in merged:
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:e])}</mark>")
        pos = e
    out.append(escape(text[pos:]))
    return "".join(out)


def render_html(report: QAReport, *, max_flags: int = 500) -> str:
    """One self-contained HTML page for `report` (no scripts, no external assets)."""
    t = report.total
    title = f"Speech QA: {report.source}" if report.source else "Speech QA"
    h: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="zh"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        '<p class="summary">'
        f"<span>rows {report.rows}</span><span>checked {t.checked}</span>"
        f"<span>skipped {report.skipped}</span><span>flagged {t.flagged} "
        f"({_pct(t.rate)})</span><span>block {t.blocked}</span>"
        f"<span>warn {t.warned}</span><span>findings {t.findings}</span></p>",
        "<h2>Flagged utterances per category</h2>",
        _bar_chart(
            "Flagged utterances per category",
            [(c.name, c.flagged) for c in report.categories],
        ),
        "<h2>Flagged utterances per agent</h2>",
        _bar_chart(
            "Flagged utterances per agent",
            sorted(
                ((a, x.flagged) for a, x in report.agents.items() if x.flagged),
                key=lambda p: (-p[1], p[0]),
            ),
        ),
        "<h2>Agents</h2>",
        "<table><tr><th>agent</th><th>checked</th><th>flagged</th><th>rate</th>"
        "<th>block</th><th>warn</th><th>categories</th></tr>",
    ]
    for agent, x in report.agents.items():
        cats = ", ".join(f"{c} {n}" for c, n in sorted(x.categories.items()))
        h.append(
            f"<tr><td>{escape(agent)}</td><td class=n>{x.checked}</td>"
            f"<td class=n>{x.flagged}</td><td class=n>{_pct(x.rate)}</td>"
            f"<td class=n>{x.blocked}</td><td class=n>{x.warned}</td>"
            f"<td>{escape(cats)}</td></tr>"
        )
    h.append("</table><h2>Categories</h2>")
    h.append(
        "<table><tr><th>category</th><th>flagged</th><th>findings</th>"
        "<th>rate</th></tr>"
    )
    for c in report.categories:
        h.append(
            f"<tr><td>{escape(c.name)}</td><td class=n>{c.flagged}</td>"
            f"<td class=n>{c.findings}</td><td class=n>{_pct(c.rate)}</td></tr>"
        )
    h.append("</table><h2>Rules</h2>")
    h.append(
        "<table><tr><th>rule</th><th>category</th><th>flagged</th>"
        "<th>findings</th><th>rate</th></tr>"
    )
    for c in report.rules:
        h.append(
            f"<tr><td>{escape(c.name)}</td><td>{escape(c.category or '')}</td>"
            f"<td class=n>{c.flagged}</td><td class=n>{c.findings}</td>"
            f"<td class=n>{_pct(c.rate)}</td></tr>"
        )
    h.append("</table>")
    shown = report.flags[:max_flags]
    h.append(f"<h2>Flagged utterances ({len(shown)} of {len(report.flags)})</h2>")
    h.append(
        "<table><tr><th>line</th><th>agent</th><th>conversation</th><th>time</th>"
        "<th>verdict</th><th>text</th><th>rules</th></tr>"
    )
    for flag in shown:
        u = flag.utterance
        rules = "; ".join(f"{f.rule} ({f.category}): {f.reason}" for f in flag.findings)
        h.append(
            f"<tr><td class=n>{u.line}</td><td>{escape(u.agent_id)}</td>"
            f"<td>{escape(u.conversation_id or '')}</td>"
            f"<td>{escape(u.timestamp or '')}</td>"
            f'<td class="{escape(flag.verdict)}">{escape(flag.verdict)}</td>'
            f"<td>{_highlight(u.text, flag.findings)}</td>"
            f"<td>{escape(rules)}</td></tr>"
        )
    h.append("</table></body></html>")
    return "\n".join(h) + "\n"
