"""Fairness audits over the automated-decision log (fairlearn MetricFrame).

`audit_frame` computes outcome rates per group with confidence intervals,
differences and ratios (four-fifths screening), and equalised odds where human
reviews supplied ground truth; `load_decisions` reads the log (`groups`
keeps the coded, erasable labels); `render_html` writes a report with an
inline SVG bar chart. Thresholds come from the policy
pack (`fairness`); a flag is a screening signal, never a legal finding.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from complydesk.fairness.audit import (
        Alert,
        FairnessReport,
        GroupRow,
        Section,
        audit_frame,
        load_decisions,
    )
    from complydesk.fairness.report import render_html

__all__ = [
    "Alert",
    "FairnessReport",
    "GroupRow",
    "Section",
    "audit_frame",
    "load_decisions",
    "render_html",
]


def __getattr__(name: str) -> Any:
    """Lazy: recording a decision needs `groups`, not pandas and fairlearn."""
    if name == "render_html":
        from complydesk.fairness import report

        return report.render_html
    if name in __all__:
        from complydesk.fairness import audit

        return getattr(audit, name)
    raise AttributeError(name)
