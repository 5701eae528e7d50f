"""Outcome rates per group, their gaps and ratios, and equalised odds (fairlearn).

The metrics come from fairlearn's MetricFrame: `selection_rate` (the share of
favourable outcomes) and `count` per group for every attribute asked for and,
with several, their intersection; `true_positive_rate` and
`false_positive_rate` on the decisions a human review gave a ground truth to,
whose largest gaps make the equalised-odds difference. MetricFrame's
`difference()` and `ratio()` give the demographic-parity difference and
ratio.

Small groups must not raise false alarms: a group is flagged only when it has
at least `min_group_size` decisions and its rate is below `flag_ratio_below`
(0.8, the four-fifths rule) times the highest rate among groups that are large
enough. Each rate carries a Wilson interval at `confidence_level`; a flag is
`significant` when the group's upper bound is below the reference group's
lower bound. Fairlearn's own intervals are bootstrap ones, far too slow for a
million decisions; the Wilson interval is the standard closed form for a
proportion.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from statistics import NormalDist
from typing import Any, NamedTuple

import pandas as pd
from sqlalchemy.orm import Session

from complydesk.errors import InvalidInput
from complydesk.fairness.groups import UNKNOWN  # noqa: F401 (re-exported)
from complydesk.policy.pack import PolicyPack

MAX_ATTRIBUTES = 4


class _Raw(NamedTuple):
    label: str
    n: int
    k: int
    rate: float
    low: float
    high: float
    tpr: float | None
    fpr: float | None
    n_truth: int


@dataclass(frozen=True)
class GroupRow:
    group: str
    n: int
    favourable: int
    rate: float
    ci_low: float
    ci_high: float
    ratio_to_reference: float | None
    tpr: float | None
    fpr: float | None
    n_ground_truth: int
    small: bool
    flagged: bool


@dataclass(frozen=True)
class Alert:
    attribute: str
    group: str
    rate: float
    reference_group: str
    reference_rate: float
    ratio: float
    n: int
    significant: bool
    screening_only: bool

    def message(self) -> str:
        return (
            f"{self.attribute}={self.group}: favourable rate {self.rate:.1%} is "
            f"{self.ratio:.2f} of {self.reference_group} ({self.reference_rate:.1%}), "
            f"n={self.n}" + ("; significant" if self.significant else "")
        )


@dataclass
class Section:
    attribute: str
    groups: list[GroupRow]
    reference_group: str | None
    dp_difference: float | None
    dp_ratio: float | None
    eo_difference: float | None


@dataclass
class FairnessReport:
    decisions: int
    by: list[str]
    policy: str | None
    pack: str
    pack_version: str
    flag_ratio_below: float
    flag_citation: str
    min_group_size: int
    confidence_level: float
    screening_only: bool
    sections: list[Section] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _wilson(k: int, n: int, z: float) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def _none_if_nan(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _weighted_count(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """Decisions in a group: the sum of the compressed rows' weights."""
    return float(sample_weight.sum()) if sample_weight is not None else len(y_true)


def audit_frame(
    frame: pd.DataFrame,
    by: list[str],
    pack: PolicyPack,
    *,
    policy: str | None = None,
) -> FairnessReport:
    """The audit of `frame` (columns favourable, ground_truth and the attributes)."""
    from fairlearn.metrics import (
        MetricFrame,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )

    if not by or len(by) > MAX_ATTRIBUTES:
        raise InvalidInput(f"give 1 to {MAX_ATTRIBUTES} attributes to group by")
    fairness = pack.fairness
    min_size = fairness.min_group_size.value if fairness.min_group_size else 30
    level = fairness.confidence_level.value if fairness.confidence_level else 0.95
    z = NormalDist().inv_cdf(0.5 + level / 2)
    report = FairnessReport(
        decisions=int(frame["w"].sum()) if "w" in frame else len(frame),
        by=list(by),
        policy=policy,
        pack=pack.pack,
        pack_version=pack.version,
        flag_ratio_below=fairness.flag_ratio_below.value,
        flag_citation=fairness.flag_ratio_below.citation,
        min_group_size=min_size,
        confidence_level=level,
        screening_only=fairness.flag_is_screening_only.value,
    )
    if frame.empty:
        return report
    # fairlearn evaluates each metric row by row in Python, which takes over a
    # minute on a million decisions. The metrics used here depend only on
    # counts, so the log is first compressed to one row per (group, outcome,
    # ground truth) with its count as the sample weight: same numbers, a few
    # dozen rows.
    work = pd.DataFrame({a: frame[a] for a in by})
    work["y_pred"] = frame["favourable"].astype("int8")
    work["y_true"] = frame["ground_truth"].fillna(-1).astype("int8")
    # Rows may already be counts (load_decisions aggregates in the database).
    work["w"] = frame["w"].to_numpy() if "w" in frame else 1
    # One pass over the decisions at the finest grouping; every coarser
    # grouping is summed from that small table.
    finest = (
        work.groupby([*by, "y_pred", "y_true"], observed=True)["w"].sum().reset_index()
    )
    scopes = [[a] for a in by] + ([list(by)] if len(by) > 1 else [])
    for scope in scopes:
        name = " × ".join(scope)
        compact = (
            finest.groupby([*scope, "y_pred", "y_true"], observed=True)["w"]
            .sum()
            .reset_index()
        )
        features = compact[scope] if len(scope) > 1 else compact[scope[0]]
        weights = {"sample_weight": compact["w"].to_numpy()}
        mf = MetricFrame(
            metrics={"rate": selection_rate, "n": _weighted_count},
            y_true=compact["y_pred"].to_numpy(),
            y_pred=compact["y_pred"].to_numpy(),
            sensitive_features=features,
            sample_params={"rate": weights, "n": weights},
        )
        by_group = mf.by_group
        eo: pd.DataFrame | None = None
        eo_difference = None
        known = (compact["y_true"] >= 0).to_numpy()
        if known.any():
            sub = compact[known]
            sub_weights = {"sample_weight": sub["w"].to_numpy()}
            eo_mf = MetricFrame(
                metrics={
                    "tpr": true_positive_rate,
                    "fpr": false_positive_rate,
                    "n": _weighted_count,
                },
                y_true=sub["y_true"].to_numpy(),
                y_pred=sub["y_pred"].to_numpy(),
                sensitive_features=sub[scope] if len(scope) > 1 else sub[scope[0]],
                sample_params={
                    "tpr": sub_weights,
                    "fpr": sub_weights,
                    "n": sub_weights,
                },
            )
            eo = eo_mf.by_group
            gaps = eo_mf.difference()
            eo_difference = max(
                _none_if_nan(gaps["tpr"]) or 0.0, _none_if_nan(gaps["fpr"]) or 0.0
            )
        rows = []
        for key, values in by_group.iterrows():
            size = _none_if_nan(values["n"])
            if not size:  # a combination of groups with no decisions
                continue
            n = int(size)
            label = " / ".join(key) if isinstance(key, tuple) else str(key)
            rate = float(values["rate"])
            k = int(round(rate * n))
            low, high = _wilson(k, n, z)
            tpr = fpr = None
            n_truth = 0
            if eo is not None and key in eo.index:
                tpr = _none_if_nan(eo.loc[key, "tpr"])
                fpr = _none_if_nan(eo.loc[key, "fpr"])
                n_truth = int(_none_if_nan(eo.loc[key, "n"]) or 0)
            rows.append(_Raw(label, n, k, rate, low, high, tpr, fpr, n_truth))
        large = [r for r in rows if r.n >= min_size]
        reference = max(large, key=lambda r: r.rate) if large else None
        groups = []
        for label, n, k, rate, low, high, tpr, fpr, n_truth in rows:
            ratio = rate / reference.rate if reference and reference.rate > 0 else None
            small = n < min_size
            flagged = (
                not small and ratio is not None and ratio < report.flag_ratio_below
            )
            groups.append(
                GroupRow(
                    label,
                    n,
                    k,
                    rate,
                    low,
                    high,
                    ratio,
                    tpr,
                    fpr,
                    n_truth,
                    small,
                    flagged,
                )
            )
            if flagged and reference is not None and ratio is not None:
                report.alerts.append(
                    Alert(
                        attribute=name,
                        group=label,
                        rate=rate,
                        reference_group=reference.label,
                        reference_rate=reference.rate,
                        ratio=ratio,
                        n=n,
                        significant=high < reference.low,
                        screening_only=report.screening_only,
                    )
                )
        report.sections.append(
            Section(
                attribute=name,
                groups=groups,
                reference_group=reference.label if reference else None,
                dp_difference=_none_if_nan(mf.difference()["rate"]),
                dp_ratio=_none_if_nan(mf.ratio()["rate"]),
                eo_difference=eo_difference,
            )
        )
    return report


def load_decisions(
    session: Session, by: list[str], policy: str | None = None
) -> pd.DataFrame:
    """The decision log, counted per (groups, outcome, ground truth).

    Reads the coded audit rows (complydesk.fairness.groups): a million
    decisions come back as a few dozen rows with their count in `w`, which
    `audit_frame` takes as weights.
    """
    from complydesk.fairness.groups import load_counts

    if not by or len(by) > MAX_ATTRIBUTES:
        raise InvalidInput(f"give 1 to {MAX_ATTRIBUTES} attributes to group by")
    return load_counts(session, by, policy)
