"""Explained automated decisions: policies as data, a rule trace, human review.

A decision policy is a YAML file a reviewer can read: its declared inputs,
ordered rules (a return window such as 七日无理由退货, category exclusions,
item condition, amount limits) and the outcomes with customer-facing
explanations in Chinese and English. Every evaluation runs every rule, so the
trace shows all that passed and failed; the first failing rule decides the
outcome. The explanation names the rule and the facts it used ("该商品已超过7天
无理由退货期限（签收于2024-03-01）…") and, where the outcome is unfavourable,
offers human review (GDPR Art. 22(3), PIPL Art. 24(3)).

Protected attributes (the pack's `automated_decisions.protected_attributes`:
gender, age, ethnicity, …) may never be inputs: a policy that declares or reads
one is refused at load time. Such attributes can be recorded with a decision
as `audit_groups`, which the evaluator never sees; they exist for fairness
audits only, coded and kept apart from the customer, and are erased with the
subject (complydesk.fairness.groups).

Stored per evaluation (`ai_decisions`): the inputs and both explanations
sealed through the vault (masked copies for display), the rule trace with the
policy's parameters (no personal values), the outcome, and the policy's name,
version and content hash with the pack's.

Policy file:

    policy: refund_eligibility
    version: "2026.12.0"
    title: 七日无理由退货 eligibility
    inputs:
      delivered_on: {type: date}
      category: {type: text, values: [electronics, apparel, custom_made, ...]}
      amount_cny: {type: number, min: 0}
    rules:
      - id: return_window
        check: within_days    # within_days | in | not_in | at_most | at_least | is_true
        field: delivered_on
        days_from: after_sales.no_reason_return_period   # or days: 7
        on_fail: refused
        explain_fail: {zh: "…{days}…{delivered_on}…", en: "…"}
    pass_outcome: eligible
    outcomes:
      eligible: {favourable: true, explain: {zh: "…", en: "…"}}
      refused: {favourable: false}
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from complydesk.audit import AuditEvent, AuditLog
from complydesk.duration import Duration
from complydesk.errors import Conflict, InvalidInput, NotFound, PolicyError
from complydesk.fairness.groups import (
    check_groups,
    record_facts,
    set_ground_truth,
)
from complydesk.policy.pack import PolicyPack
from complydesk.rights.restrictions import NO_AUTOMATED_DECISIONS, has_flag
from complydesk.store.models import (
    AiDecision,
    AiDecisionReview,
    Conversation,
    Customer,
)
from complydesk.vault import Vault

ID = r"^[a-z][a-z0-9_]{0,63}$"
REVIEW_OFFER = {
    "zh": "您可以申请人工复核。",
    "en": "You can ask for a human review.",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text2(_Strict):
    zh: str = Field(min_length=1, max_length=500)
    en: str = Field(min_length=1, max_length=500)


class InputSpec(_Strict):
    type: Literal["date", "text", "number", "bool"]
    required: bool = True
    values: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None


class Rule(_Strict):
    id: str = Field(pattern=ID)
    check: Literal["within_days", "in", "not_in", "at_most", "at_least", "is_true"]
    field: str = Field(pattern=ID)
    until: str | None = Field(default=None, pattern=ID)
    days: int | None = Field(default=None, ge=0, le=3650)
    days_from: str | None = Field(default=None, pattern=r"^[a-z_]+\.[a-z_]+$")
    values: tuple[str, ...] | None = None
    limit: float | None = None
    on_fail: str = Field(pattern=ID)
    explain_fail: Text2
    explain_pass: Text2 | None = None


class Outcome(_Strict):
    favourable: bool
    explain: Text2 | None = None


class DecisionPolicy(_Strict):
    policy: str = Field(pattern=ID)
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    title: str = Field(min_length=1, max_length=200)
    inputs: dict[str, InputSpec]
    rules: tuple[Rule, ...] = Field(min_length=1)
    pass_outcome: str = Field(pattern=ID)
    outcomes: dict[str, Outcome]

    @model_validator(mode="after")
    def _consistent(self) -> DecisionPolicy:
        for name in self.inputs:
            if not _is_id(name):
                raise ValueError(f"input {name!r} is not an id")
        if self.pass_outcome not in self.outcomes:
            raise ValueError(f"pass_outcome {self.pass_outcome} is not an outcome")
        if not self.outcomes[self.pass_outcome].favourable:
            raise ValueError("pass_outcome must be favourable")
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule {rule.id} is defined twice")
            seen.add(rule.id)
            _check_rule(self, rule)
        return self

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _is_id(name: str) -> bool:
    import re

    return re.fullmatch(ID, name) is not None


_NEEDS = {
    "within_days": ("date",),
    "in": ("text",),
    "not_in": ("text",),
    "at_most": ("number",),
    "at_least": ("number",),
    "is_true": ("bool",),
}
_PARAMS = {"days", "limit", "values", "rule", "days_elapsed"}


def _check_rule(policy: DecisionPolicy, rule: Rule) -> None:
    spec = policy.inputs.get(rule.field)
    if spec is None:
        raise ValueError(f"rule {rule.id} reads undeclared input {rule.field}")
    if spec.type not in _NEEDS[rule.check]:
        raise ValueError(
            f"rule {rule.id}: {rule.check} needs a {_NEEDS[rule.check][0]}"
        )
    if rule.on_fail not in policy.outcomes:
        raise ValueError(f"rule {rule.id}: on_fail {rule.on_fail} is not an outcome")
    if rule.on_fail == policy.pass_outcome:
        raise ValueError(f"rule {rule.id}: on_fail must differ from pass_outcome")
    if rule.check == "within_days":
        if rule.days is None and rule.days_from is None:
            raise ValueError(f"rule {rule.id}: give days_from, days, or both")
        if rule.until is not None and policy.inputs.get(rule.until, None) is None:
            raise ValueError(f"rule {rule.id}: until names undeclared {rule.until}")
    if rule.check in ("in", "not_in") and not rule.values:
        raise ValueError(f"rule {rule.id}: {rule.check} needs values")
    if rule.check in ("at_most", "at_least") and rule.limit is None:
        raise ValueError(f"rule {rule.id}: {rule.check} needs a limit")
    allowed = set(policy.inputs) | _PARAMS
    texts = [rule.explain_fail, *([rule.explain_pass] if rule.explain_pass else [])]
    for text in texts:
        for template in (text.zh, text.en):
            for _, name, _, _ in string.Formatter().parse(template):
                if name is not None and name not in allowed:
                    raise ValueError(f"rule {rule.id}: explanation uses unknown {name}")


# --- loading ------------------------------------------------------------------------
def _protected(pack: PolicyPack) -> set[str]:
    cited = pack.automated_decisions.protected_attributes
    return {a.casefold() for a in cited.value} if cited is not None else set()


def check_protected(policy: DecisionPolicy, pack: PolicyPack) -> None:
    """Refuse a policy that declares or reads a protected attribute."""
    protected = _protected(pack)
    names = set(policy.inputs) | {r.field for r in policy.rules}
    names |= {r.until for r in policy.rules if r.until}
    for name in sorted(names):
        parts = {name.casefold(), *name.casefold().split("_")}
        hit = sorted(parts & protected)
        if hit:
            raise PolicyError(
                f"decision policy {policy.policy}: input {name} is the protected "
                f"attribute {hit[0]} (pack {pack.pack}); protected attributes serve "
                "fairness audits only"
            )


def parse_policy(raw: Any, source: str, pack: PolicyPack) -> DecisionPolicy:
    try:
        policy = DecisionPolicy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise PolicyError(f"{source}: {where}: {first['msg']}") from None
    check_protected(policy, pack)
    for rule in policy.rules:
        if rule.days_from is not None:
            _days_from(pack, rule)
    return policy


def load_policy(
    name_or_path: str | Path, pack: PolicyPack, policy_dir: Path | None = None
) -> DecisionPolicy:
    """A policy by file path, by name in `policy_dir`, or shipped by name."""
    path = Path(name_or_path)
    if path.suffix in (".yaml", ".yml"):
        source, text = path.name, _read(path)
    else:
        name = str(name_or_path)
        if not _is_id(name):
            raise InvalidInput(
                "policy must be a policy name such as refund_eligibility"
            )
        candidate = policy_dir / f"{name}.yaml" if policy_dir else None
        if candidate is not None and candidate.is_file():
            source, text = candidate.name, _read(candidate)
        else:
            shipped = resources.files("complydesk.assistant").joinpath(
                f"data/policies/{name}.yaml"
            )
            if not shipped.is_file():
                raise NotFound(f"decision policy {name} does not exist")
            source, text = f"{name}.yaml", shipped.read_text(encoding="utf-8")
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        raise PolicyError(f"{source}: not valid YAML") from None
    return parse_policy(raw, source, pack)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise PolicyError(f"decision policy {path} cannot be read") from None
    except UnicodeDecodeError:
        raise PolicyError(f"decision policy {path.name}: not UTF-8 text") from None


def _days_from(pack: PolicyPack, rule: Rule) -> tuple[int | None, str]:
    assert rule.days_from is not None
    try:
        cited = pack.cited_duration(rule.days_from, f"rule {rule.id}")
    except ValueError as exc:
        raise PolicyError(str(exc)) from None
    value: Duration | None = cited.value
    if value is None:
        return None, cited.citation
    if value.unit != "calendar_days":
        raise PolicyError(f"rule {rule.id}: {rule.days_from} is not in calendar days")
    return int(value.amount), cited.citation


# --- evaluation ---------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    rule: str
    check: str
    result: Literal["pass", "fail", "skip"]
    parameter: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "check": self.check,
            "result": self.result,
            "parameter": self.parameter,
        }


@dataclass
class Evaluation:
    outcome: str
    favourable: bool
    trace: list[Step] = field(default_factory=list)
    explanation_zh: str = ""
    explanation_en: str = ""


def coerce_inputs(policy: DecisionPolicy, raw: Any) -> dict[str, Any]:
    """Checked, typed inputs; unknown names (protected attributes too) are refused."""
    if not isinstance(raw, dict):
        raise InvalidInput("inputs must be an object")
    unknown = sorted(set(raw) - set(policy.inputs))
    if unknown:
        raise InvalidInput(
            f"inputs {', '.join(unknown)[:200]} are not declared by policy "
            f"{policy.policy}"
        )
    out: dict[str, Any] = {}
    for name, spec in policy.inputs.items():
        value = raw.get(name)
        if value is None:
            if spec.required:
                raise InvalidInput(f"input {name} is required")
            continue
        out[name] = _coerce(name, spec, value)
    return out


def _coerce(name: str, spec: InputSpec, value: Any) -> Any:
    if spec.type == "date":
        if not isinstance(value, str):
            raise InvalidInput(f"input {name} must be a date YYYY-MM-DD")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"input {name} must be a date YYYY-MM-DD") from None
    if spec.type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"input {name} must be a number")
        if spec.min is not None and value < spec.min:
            raise InvalidInput(f"input {name} must be at least {spec.min:g}")
        if spec.max is not None and value > spec.max:
            raise InvalidInput(f"input {name} must be at most {spec.max:g}")
        return value
    if spec.type == "bool":
        if not isinstance(value, bool):
            raise InvalidInput(f"input {name} must be true or false")
        return value
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise InvalidInput(f"input {name} must be text of at most 200 characters")
    if spec.values is not None and value not in spec.values:
        raise InvalidInput(f"input {name} must be one of {', '.join(spec.values)}")
    return value


def evaluate(
    policy: DecisionPolicy, pack: PolicyPack, inputs: dict[str, Any], today: date
) -> Evaluation:
    """Run every rule; the first failure decides. Inputs must be coerced already."""
    trace: list[Step] = []
    failed: list[tuple[Rule, dict[str, Any]]] = []
    for rule in policy.rules:
        value = inputs.get(rule.field)
        params: dict[str, Any] = {}
        if value is None:
            trace.append(Step(rule.id, rule.check, "skip", {"reason": "no input"}))
            continue
        ok: bool
        if rule.check == "within_days":
            # The pack's cited figure wins; `days` is the policy's own period
            # where the pack sets none.
            days = rule.days
            if rule.days_from is not None:
                from_pack, citation = _days_from(pack, rule)
                if from_pack is not None:
                    days = from_pack
                    params["citation"] = citation
            if days is None:
                trace.append(
                    Step(
                        rule.id,
                        rule.check,
                        "skip",
                        {"reason": "no period in the pack or the policy"},
                    )
                )
                continue
            end = inputs.get(rule.until, today) if rule.until else today
            elapsed = (end - value).days
            if elapsed < 0:
                raise InvalidInput(
                    f"input {rule.field} lies after {rule.until or 'today'}"
                )
            params.update(days=days, days_elapsed=elapsed)
            ok = elapsed <= days
        elif rule.check in ("in", "not_in"):
            assert rule.values is not None
            params["values"] = list(rule.values)
            ok = (value in rule.values) == (rule.check == "in")
        elif rule.check in ("at_most", "at_least"):
            assert rule.limit is not None
            params["limit"] = rule.limit
            ok = value <= rule.limit if rule.check == "at_most" else value >= rule.limit
        else:
            ok = value is True
        trace.append(Step(rule.id, rule.check, "pass" if ok else "fail", params))
        if not ok:
            failed.append((rule, params))
    if failed:
        outcome_id = failed[0][0].on_fail
        texts = [(r.explain_fail, p) for r, p in failed]
    else:
        outcome_id = policy.pass_outcome
        texts = []
    outcome = policy.outcomes[outcome_id]
    if outcome.explain is not None:
        texts.append((outcome.explain, {}))
    zh = "".join(_fill(t.zh, inputs, p) for t, p in texts)
    en = " ".join(_fill(t.en, inputs, p) for t, p in texts)
    if (
        not outcome.favourable
        and pack.automated_decisions.human_intervention_available.value
    ):
        zh += REVIEW_OFFER["zh"]
        en = f"{en} {REVIEW_OFFER['en']}".strip()
    return Evaluation(outcome_id, outcome.favourable, trace, zh, en)


def _fill(template: str, inputs: dict[str, Any], params: dict[str, Any]) -> str:
    values = {k: _show(v) for k, v in {**inputs, **params}.items()}
    return string.Formatter().vformat(template, (), _Missing(values))


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "-"


def _show(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


# --- storage and review -------------------------------------------------------------
def record_decision(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    *,
    policy: DecisionPolicy,
    pack: PolicyPack,
    customer_id: int,
    raw_inputs: Any,
    audit_groups: Any,
    actor: str,
    now: datetime,
    conversation_id: int | None = None,
) -> tuple[AiDecision, Evaluation]:
    """Evaluate and store one decision, sealed, with its audit entry."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer {customer_id} does not exist")
    if customer.erased_at is not None or not customer.key_ref:
        raise Conflict(f"customer {customer_id} has been erased")
    if has_flag(session, customer.id, NO_AUTOMATED_DECISIONS):
        # An objection to automated decisions (GDPR Art. 21-22, PIPL Art. 24,
        # CCPA opt-out): no automated outcome at all; a person decides.
        raise Conflict(
            f"customer {customer_id} objected to automated decisions; "
            "route the case to a person"
        )
    if conversation_id is not None:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            raise NotFound(f"conversation {conversation_id} does not exist")
        if conversation.customer_id != customer.id:
            raise InvalidInput(
                f"conversation {conversation_id} is not customer {customer_id}'s"
            )
    inputs = coerce_inputs(policy, raw_inputs)
    groups = check_groups(audit_groups)
    today = now.astimezone(ZoneInfo(pack.timezone)).date()
    result = evaluate(policy, pack, inputs, today)
    row = AiDecision(
        ref=f"D-{secrets.token_hex(8).upper()}",
        customer_id=customer.id,
        conversation_id=conversation_id,
        policy=policy.policy,
        policy_version=policy.version,
        policy_hash=policy.content_hash,
        pack=pack.pack,
        pack_version=pack.version,
        outcome=result.outcome,
        favourable=result.favourable,
        trace=[s.to_dict() for s in result.trace],
        decided_at=now,
        decided_by=actor[:120],
        key_ref=customer.key_ref,
    )
    shown = {
        k: _show(v) if not isinstance(v, bool | int | float) else v
        for k, v in inputs.items()
    }
    vault.put(
        session,
        row,
        {
            "inputs": json.dumps(shown, ensure_ascii=False, sort_keys=True),
            "explanation_zh": result.explanation_zh,
            "explanation_en": result.explanation_en,
        },
    )
    session.add(row)
    session.flush()
    record_facts(session, row, groups)
    audit.record(
        session,
        AuditEvent(
            actor=actor,
            action="ai.decision",
            object_type="ai_decision",
            object_id=str(row.id),
            outcome="ok",
            details={
                "policy": policy.policy,
                "version": policy.version,
                "result": result.outcome,
                "pack": pack.pack,
            },
        ),
    )
    return row, result


def get_decision(session: Session, decision_id: int) -> AiDecision:
    row = session.get(AiDecision, decision_id)
    if row is None:
        raise NotFound(f"decision {decision_id} does not exist")
    return row


def request_review(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    decision_id: int,
    *,
    statement: str | None,
    actor: str,
    now: datetime,
) -> tuple[AiDecisionReview, bool]:
    """Open a human review (the person's view sealed); idempotent while open."""
    decision = get_decision(session, decision_id)
    open_review = session.scalar(
        select(AiDecisionReview).where(
            AiDecisionReview.decision_id == decision.id,
            AiDecisionReview.state == "open",
        )
    )
    if open_review is not None:
        return open_review, False
    if not decision.key_ref:
        raise Conflict(f"decision {decision_id} belongs to an erased customer")
    if statement is not None and len(statement) > 2000:
        raise InvalidInput("statement is longer than 2000 characters")
    review = AiDecisionReview(
        decision_id=decision.id,
        state="open",
        requested_at=now,
        requested_by=actor[:120],
        key_ref=decision.key_ref,
    )
    if statement and statement.strip():
        vault.put(session, review, {"statement": statement})
    session.add(review)
    decision.review_state = "open"
    session.flush()
    audit.record(
        session,
        AuditEvent(
            actor=actor,
            action="ai.decision.review_requested",
            object_type="ai_decision",
            object_id=str(decision.id),
            outcome="ok",
            details={"review": review.id},
        ),
    )
    return review, True


def decide_review(
    session: Session,
    vault: Vault,
    audit: AuditLog,
    review_id: int,
    *,
    result: Literal["upheld", "overturned"],
    note: str,
    reviewer: str,
    now: datetime,
) -> AiDecisionReview:
    """Record the human outcome; it becomes the decision's ground truth.

    Deciding again with the same result is a no-op (retries are safe); a
    different result is refused: a new review must be requested instead.
    """
    if result not in ("upheld", "overturned"):
        raise InvalidInput("result must be upheld or overturned")
    note = " ".join((note or "").split())
    if len(note) < 8 or len(note) > 2000:
        raise InvalidInput("note must give the reason in 8 to 2000 characters")
    review = session.get(AiDecisionReview, review_id)
    if review is None:
        raise NotFound(f"review {review_id} does not exist")
    if review.state != "open":
        if review.state == result:
            return review
        raise Conflict(f"review {review_id} was already decided as {review.state}")
    decision = get_decision(session, review.decision_id)
    review.state = result
    review.reviewed_at = now
    review.reviewer = reviewer[:120]
    review.new_outcome = (
        decision.outcome if result == "upheld" else f"not_{decision.outcome}"[:32]
    )
    if review.key_ref:
        vault.put(session, review, {"reviewer_note": note})
    decision.review_state = result
    decision.ground_truth = (
        decision.favourable if result == "upheld" else not decision.favourable
    )
    session.flush()
    set_ground_truth(session, decision.id, decision.ground_truth)
    audit.record(
        session,
        AuditEvent(
            actor=reviewer,
            action="ai.decision.reviewed",
            object_type="ai_decision",
            object_id=str(decision.id),
            outcome="ok",
            details={"review": review.id, "result": result},
        ),
    )
    return review


def list_reviews(
    session: Session, state: str | None = "open"
) -> list[AiDecisionReview]:
    query = select(AiDecisionReview).order_by(AiDecisionReview.requested_at)
    if state is not None:
        query = query.where(AiDecisionReview.state == state)
    return list(session.scalars(query.limit(500)))
