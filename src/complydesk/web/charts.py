"""Server-rendered inline SVG charts for the console: no scripts, no CDN.

People would rather look than read at a breach clock or a fairness gap, but
the machines have no internet and the console has no build step, so charts are
small SVG strings built here. Every label is escaped (group labels come from
the decision log, agent names from accounts); every chart has a text
alternative (`aria-label` plus a `<title>` per bar) and the page shows the
same numbers in a table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# Colours with at least 4.5:1 contrast on white (WCAG AA for text).
TONES = {
    "info": "#0b5cad",
    "ok": "#116329",
    "warn": "#8a5a00",
    "bad": "#a40e26",
    "muted": "#6e7781",
}
ROW = 24
LABEL_W = 170
VALUE_W = 70


@dataclass(frozen=True)
class Bar:
    """One bar: a label, a value, a tone, and optionally an interval."""

    label: str
    value: float
    tone: str = "info"
    text: str | None = None
    """What is written after the bar (default: the value)."""
    low: float | None = None
    high: float | None = None


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else f"{int(value)}"


def hbars(
    bars: Sequence[Bar],
    *,
    name: str,
    width: int = 560,
    max_value: float | None = None,
    threshold: float | None = None,
    threshold_label: str = "",
) -> Markup:
    """Horizontal bars; `threshold` draws a dashed line at that value."""
    if not bars:
        return Markup("")
    top = max_value if max_value else max((b.value for b in bars), default=0) or 1
    scale = (width - LABEL_W - VALUE_W) / top
    foot = 18 if threshold is not None else 4
    height = ROW * len(bars) + 8 + foot
    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 '
        f'{width} {height}" width="100%" style="max-width:{width}px" role="img" '
        f'aria-label="{escape(name)}">'
    ]
    for i, bar in enumerate(bars):
        y = 4 + i * ROW
        colour = TONES.get(bar.tone, TONES["info"])
        length = max(0.0, bar.value) * scale
        shown = bar.text if bar.text is not None else _fmt(bar.value)
        out.append(
            f'<text x="{LABEL_W - 8}" y="{y + 16}" text-anchor="end" '
            f'font-size="12" fill="#1b1f24">{escape(bar.label)}</text>'
            f'<rect x="{LABEL_W}" y="{y + 4}" width="{length:.1f}" height="15" '
            f'rx="2" fill="{colour}" data-tone="{escape(bar.tone)}">'
            f"<title>{escape(bar.label)}: {escape(shown)}</title></rect>"
        )
        if bar.low is not None and bar.high is not None:
            out.append(
                f'<line x1="{LABEL_W + bar.low * scale:.1f}" '
                f'x2="{LABEL_W + bar.high * scale:.1f}" y1="{y + 11.5}" '
                f'y2="{y + 11.5}" stroke="#1b1f24" stroke-width="1.5"/>'
            )
        end = max(length, (bar.high or 0.0) * scale)
        out.append(
            f'<text x="{LABEL_W + end + 6:.1f}" y="{y + 16}" font-size="12" '
            f'fill="#1b1f24">{escape(shown)}</text>'
        )
    if threshold is not None:
        x = LABEL_W + threshold * scale
        out.append(
            f'<line class="threshold" x1="{x:.1f}" x2="{x:.1f}" y1="2" '
            f'y2="{height - foot + 2}" stroke="{TONES["bad"]}" stroke-width="1.5" '
            f'stroke-dasharray="5 3"/><text x="{x:.1f}" y="{height - 4}" '
            f'font-size="11" text-anchor="middle" fill="{TONES["bad"]}">'
            f"{escape(threshold_label)}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def progress(fraction: float, tone: str, name: str, width: int = 160) -> Markup:
    """A thin bar showing how much of a window has elapsed (capped at 100%)."""
    used = min(1.0, max(0.0, fraction))
    colour = TONES.get(tone, TONES["info"])
    return Markup(
        f'<svg class="progress" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 '
        f'{width} 10" width="{width}" height="10" role="img" '
        f'aria-label="{escape(name)}"><rect width="{width}" height="10" rx="3" '
        f'fill="#e6ebf0"/><rect width="{used * width:.1f}" height="10" rx="3" '
        f'fill="{colour}"/></svg>'
    )


def duration_text(seconds: int | None, lang: str) -> str:
    """`seconds` as days, hours and minutes in the page language."""
    if seconds is None:
        return "—"
    left = abs(seconds)
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if lang == "zh":
        parts = [f"{days}天" if days else "", f"{hours}小时" if hours or days else ""]
        text = "".join(parts) + f"{minutes}分"
    else:
        text = " ".join(
            p
            for p in (f"{days}d" if days else "", f"{hours}h" if hours or days else "")
            if p
        )
        text = f"{text} {minutes}m".strip()
    return text
