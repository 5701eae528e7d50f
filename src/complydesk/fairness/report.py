"""The fairness report as one self-contained HTML page with inline SVG bar charts.

No scripts, no external assets: it can be attached to an audit file as is.
Every label is escaped (group labels come from the decision log).
"""

from __future__ import annotations

from html import escape

from complydesk.fairness.audit import FairnessReport, Section

BAR_H = 22
WIDTH = 640
LEFT = 190


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _chart(section: Section, threshold: float) -> str:
    """Horizontal bars of the favourable rate with the Wilson interval."""
    groups = section.groups
    height = BAR_H * len(groups) + 30
    scale = WIDTH - LEFT - 60
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="favourable rate by {escape(section.attribute)}">'
    ]
    reference = next((g for g in groups if g.group == section.reference_group), None)
    for i, g in enumerate(groups):
        y = 10 + i * BAR_H
        colour = "#c0392b" if g.flagged else ("#aab2bd" if g.small else "#2e86c1")
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{escape(g.group)} (n={g.n:,})</text>"
        )
        parts.append(
            f'<rect x="{LEFT}" y="{y + 3}" width="{g.rate * scale:.1f}" height="14" '
            f'fill="{colour}"><title>{escape(g.group)}: {g.rate:.1%}</title></rect>'
        )
        parts.append(
            f'<line x1="{LEFT + g.ci_low * scale:.1f}" '
            f'x2="{LEFT + g.ci_high * scale:.1f}" y1="{y + 10}" y2="{y + 10}" '
            'stroke="#1b2631" stroke-width="1.5"/>'
        )
        parts.append(
            f'<text x="{LEFT + g.rate * scale + 6:.1f}" y="{y + 14}" font-size="11">'
            f"{g.rate:.1%}</text>"
        )
    if reference is not None:
        x = LEFT + reference.rate * threshold * scale
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="5" y2="{height - 18}" '
            'stroke="#c0392b" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x:.1f}" y="{height - 5}" font-size="11" text-anchor="middle" '
            f'fill="#c0392b">{threshold:g} × {escape(reference.group)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(report: FairnessReport) -> str:
    rows = []
    for section in report.sections:
        table = [
            "<table><tr><th>group</th><th>n</th><th>favourable</th><th>rate</th>"
            f"<th>{report.confidence_level:.0%} CI</th><th>ratio</th><th>TPR</th>"
            "<th>FPR</th><th>flag</th></tr>"
        ]
        for g in section.groups:
            flag = "flag" if g.flagged else ("small group" if g.small else "")
            table.append(
                f"<tr><td>{escape(g.group)}</td><td>{g.n:,}</td><td>{g.favourable:,}"
                f"</td><td>{_pct(g.rate)}</td><td>{_pct(g.ci_low)}–{_pct(g.ci_high)}"
                f"</td><td>{_num(g.ratio_to_reference)}</td><td>{_pct(g.tpr)}</td>"
                f"<td>{_pct(g.fpr)}</td><td>{flag}</td></tr>"
            )
        table.append("</table>")
        rows.append(
            f"<h2>{escape(section.attribute)}</h2>"
            f"<p>demographic parity difference {_num(section.dp_difference)}, "
            f"ratio {_num(section.dp_ratio)}; equalised odds difference "
            f"{_num(section.eo_difference)} (decisions with a human-review "
            f"ground truth only)</p>"
            + _chart(section, report.flag_ratio_below)
            + "".join(table)
        )
    alerts = "".join(f"<li>{escape(a.message())}</li>" for a in report.alerts)
    note = (
        "Flags are screening signals, not legal findings: no law checked sets a "
        "numeric bias threshold."
        if report.screening_only
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>complydesk fairness audit</title><style>"
        "body{font-family:sans-serif;margin:2em;max-width:60em}"
        "table{border-collapse:collapse;margin:1em 0}"
        "td,th{border:1px solid #ccd;padding:.2em .6em;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style></head><body>"
        "<h1>Fairness audit of automated decisions</h1>"
        f"<p>{report.decisions:,} decisions"
        f"{' of policy ' + escape(report.policy) if report.policy else ''}; "
        f"pack {escape(report.pack)} {escape(report.pack_version)}; flag below "
        f"{report.flag_ratio_below:g} × the highest rate "
        f"({escape(report.flag_citation)}); groups under {report.min_group_size} "
        "decisions are never flagged.</p>"
        f"<p>{note}</p>"
        f"<h2>Alerts ({len(report.alerts)})</h2><ul>{alerts or '<li>none</li>'}</ul>"
        + "".join(rows)
        + "</body></html>"
    )
