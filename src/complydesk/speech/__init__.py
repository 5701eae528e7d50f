"""Speech compliance: check agent and bot replies for risky promises and phrasing."""

from complydesk.speech.finding import Finding, Verdict

__all__ = ["Finding", "Verdict"]
