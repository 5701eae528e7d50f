"""Fairness audits over the automated-decision log (fairlearn MetricFrame).

`audit_frame` computes outcome rates per group with confidence intervals,
differences and ratios (four-fifths screening), and equalised odds where human
reviews supplied ground truth; `load_decisions` reads the log; `render_html`
writes a report with an inline SVG bar chart. Thresholds come from the policy
pack (`fairness`); a flag is a screening signal, never a legal finding.
"""

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
