"""Rule packs: the shipped packs load, and broken packs fail naming file and key."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from complydesk.speech.rules import (
    CORE_CATEGORIES,
    RulePackError,
    default_packs,
    load_pack,
    parse_pack,
)

RULES_DIR = Path(__file__).resolve().parents[1] / "src/complydesk/speech/rules"


def _zh() -> dict[str, Any]:
    data = yaml.safe_load((RULES_DIR / "zh.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_when_default_packs_loaded_then_zh_and_en_cover_core_categories() -> None:
    packs = default_packs()
    assert [p.language for p in packs] == ["zh", "en"]
    for pack in packs:
        assert set(CORE_CATEGORIES) <= {r.category for r in pack.rules}


def test_when_rule_has_suggestion_then_it_is_in_pack_language() -> None:
    cjk = re.compile(r"[\u4e00-\u9fff]")
    zh, en = default_packs()
    assert all(cjk.search(r.explanation) and cjk.search(r.suggestion) for r in zh.rules)
    assert not any(cjk.search(r.explanation + r.suggestion) for r in en.rules)


def test_when_bot_rule_then_roles_is_bot_only() -> None:
    for pack in default_packs():
        bot = [r for r in pack.rules if r.category == "bot_claims_human"]
        assert bot and all(r.roles == ("bot",) for r in bot)


def test_when_pack_file_loaded_from_path_then_same_rules() -> None:
    pack = load_pack(RULES_DIR / "zh.yaml")
    assert [r.id for r in pack.rules] == [r.id for r in default_packs()[0].rules]


def _broken(mutate: Any) -> RulePackError:
    data = copy.deepcopy(_zh())
    mutate(data)
    with pytest.raises(RulePackError) as info:
        parse_pack(data, "zh.yaml")
    return info.value


@pytest.mark.parametrize(
    ("mutate", "key_part"),
    [
        (lambda d: d["rules"][0].update(patterns=["ok", "(unclosed"]), "patterns[1]"),
        (lambda d: d["rules"][0].update(patterns=["ok", "(capture)"]), "patterns[1]"),
        (lambda d: d["rules"][1].update(severity="fatal"), "severity"),
        (lambda d: d["rules"][1].update(colour="red"), "colour"),
        (lambda d: d["rules"][1].pop("suggestion"), "suggestion"),
        (lambda d: d["rules"][2].update(roles=["customer"]), "roles"),
        (lambda d: d["guards"]["hedge"].insert(0, "[bad"), "guards.hedge[0]"),
        (lambda d: d["rules"][3].update(id=d["rules"][2]["id"]), ".id"),
        (lambda d: d["rules"][3].update(id="en.wrong.lang"), ".id"),
    ],
)
def test_when_pack_broken_then_error_names_file_and_key(
    mutate: Any, key_part: str
) -> None:
    err = _broken(mutate)
    assert str(err).startswith("zh.yaml: ")
    assert key_part in err.key


def test_when_rule_error_then_key_names_rule_id() -> None:
    err = _broken(lambda d: d["rules"][0].update(severity="x"))
    assert err.key == f"rules[0]({_zh()['rules'][0]['id']}).severity"


def test_when_core_category_missing_then_error() -> None:
    def drop(d: dict[str, Any]) -> None:
        d["rules"] = [r for r in d["rules"] if r["category"] != "threat_insult"]

    assert "threat_insult" in str(_broken(drop))


def test_when_yaml_syntax_error_then_error_names_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RulePackError, match="bad.yaml"):
        load_pack(bad)
