"""Ticket triage: the JSONL contract via the real CLI, cues, negation, data errors."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from complydesk.cli import app
from complydesk.desk.triage import (
    PURPOSES,
    URGENCIES,
    RuleTriage,
    Triage,
    TriageClassifier,
    TriageRulesError,
    default_triage,
    load_rules,
    parse_rules,
    queue_key,
    triage_lines,
    urgency_rank,
)
from complydesk.errors import ConfigError

EVAL_SET = Path(__file__).resolve().parents[1] / "bench" / "data" / "triage_eval.jsonl"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def classify(text: str) -> Triage:
    return default_triage().classify(text)


def shipped_data() -> dict[str, Any]:
    res = resources.files("complydesk.desk") / "data" / "triage.yaml"
    data = yaml.safe_load(res.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# --- the JSONL contract, through the real command ----------------------------------
def write_jsonl(path: Path, rows: list[dict[str, Any]], tail: str = "") -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n" + tail, encoding="utf-8")


def test_jsonl_one_result_per_line_in_order(tmp_path: Path) -> None:
    source = tmp_path / "tickets.jsonl"
    write_jsonl(
        source,
        [
            {"text": "充电宝充电的时候冒烟了", "id": 7},
            {"text": "请问你们营业时间是几点？"},
            {"text": "Where is my parcel? It has not arrived."},
        ],
        tail="\n",  # a blank last line still gets its own result
    )
    code, out, err = run("desk", "triage", "--jsonl", str(source))
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 4
    assert all(set(r) == {"purpose", "urgency", "reasons"} for r in rows)
    assert [r["urgency"] for r in rows[:3]] == ["urgent", "low", "normal"]
    assert rows[2]["purpose"] == "delivery"
    assert rows[3]["purpose"] in PURPOSES and rows[3]["reasons"]
    assert "冒烟" in out  # UTF-8 as is, not \\u escapes


def test_jsonl_from_stdin() -> None:
    feed = json.dumps({"text": "我要退货"}, ensure_ascii=False) + "\n"
    code, out, err = run("desk", "triage", "--jsonl", "-", stdin=feed)
    assert code == 0, err
    assert json.loads(out)["purpose"] == "return_refund"


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ("not json at all 13812345678", "not valid JSON"),
        ('["a list"]', "expected a JSON object"),
        ('{"body": "no text key"}', "needs a string field 'text'"),
        ('{"text": 42}', "needs a string field 'text'"),
    ],
)
def test_jsonl_bad_line_is_a_one_line_error(
    tmp_path: Path, line: str, needle: str
) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text(json.dumps({"text": "退款"}) + "\n" + line + "\n", "utf-8")
    code, _, err = run("desk", "triage", "--jsonl", str(source))
    assert code == 2
    assert err.count("\n") == 1 and "line 2" in err and needle in err
    assert "13812345678" not in err  # the line's content is never echoed


def test_jsonl_missing_file_and_argument_errors(tmp_path: Path) -> None:
    code, _, err = run("desk", "triage", "--jsonl", str(tmp_path / "nope.jsonl"))
    assert code == 2 and "not a readable file" in err
    assert run("desk", "triage")[0] == 2
    code, _, err = run("desk", "triage", "退款", "--jsonl", "-")
    assert code == 2 and "either TEXT or --jsonl" in err


def test_single_text_readable_and_json() -> None:
    code, out, _ = run("desk", "triage", "热水器漏电，洗澡时被电了一下")
    assert code == 0
    assert "urgency: urgent" in out and "safety cue" in out
    code, out, _ = run("desk", "triage", "热水器漏电，洗澡时被电了一下", "--json")
    data = json.loads(out)
    assert data["urgency"] == "urgent" and data["purpose"] == "repair"
    assert set(data["scores"]) == set(PURPOSES)


def test_cli_rules_option_reports_bad_data_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "triage.yaml"
    bad.write_text("version: 1\nnot_a_key: true\n", "utf-8")
    code, _, err = run("desk", "triage", "退款", "--rules", str(bad))
    assert code == 2 and err.startswith("error: ") and str(bad) in err


# --- urgency ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("家里的插座起火了，差点烧到窗帘", "safety"),
        ("电动车电池鼓包了还在充电", "safety"),
        ("The charger caught fire on my desk", "safety"),
        ("孩子被玩具的尖角划伤，流血了", "injury or health"),
        ("吃了你们的外卖全家食物中毒", "injury or health"),
        ("再不退款我就起诉你们", "legal threat"),
        ("我已经打了12315", "legal threat"),
        ("投诉到市场监管局去", "legal threat"),
        ("I will contact my lawyer tomorrow", "legal threat"),
        ("你们等着被媒体曝光吧", "media exposure"),
        ("这事我要发到抖音上让大家评评理", "media exposure"),
        ("这是我第三次打电话了，还是没人处理", "repeated contact"),
        ("投诉了好几次都没人管", "repeated contact"),
        ("I have called five times about the same bill", "repeated contact"),
    ],
)
def test_urgent_cues(text: str, cue: str) -> None:
    result = classify(text)
    assert result.urgency == "urgent"
    assert any(r.startswith(f"urgent: {cue} cue '") for r in result.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "等了三个小时外卖，我真的气炸了",  # 炸 is anger, not an explosion
        "工商银行的卡转不进来钱",  # a bank, not the regulator
        "我在抖音上买的鞋子开胶了",  # a shop channel, not exposure
        "没有起火，就是插头有点松",  # negated
        "火锅外卖送来的时候汤洒了",
        "你们上了新闻的那款扫地机还有货吗",
    ],
)
def test_near_misses_are_not_urgent(text: str) -> None:
    assert classify(text).urgency != "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "信用卡被盗刷了，我卡一直在身上",
        "I see a charge I did not authorize on my statement",
        "我妈八十岁了，宽带断了一个星期没人来修",
        "你们就是骗子，垃圾公司",
    ],
)
def test_high_cues(text: str) -> None:
    assert classify(text).urgency == "high"


def test_large_amount_is_high_only_with_a_problem() -> None:
    result = classify("网银转账被骗了3万")
    assert result.urgency == "high"
    lost = classify("买的笔记本两万块，屏幕有坏点")
    assert lost.urgency == "high"
    assert any("large amount" in r for r in lost.reasons)
    assert "两万" not in " ".join(lost.reasons)  # the amount itself is not quoted
    assert classify("想办一张额度5万的信用卡，需要什么条件？").urgency == "low"


def test_vulnerable_customer_needs_a_problem() -> None:
    assert classify("你们有没有针对老年人的优惠套餐？").urgency == "low"


@pytest.mark.parametrize(
    "text",
    [
        "请问你们营业时间是几点？",
        "谢谢客服的耐心解答！",
        "建议你们在APP里加一个夜间模式",
        "Do you ship to Hong Kong?",
    ],
)
def test_low_for_questions_thanks_suggestions(text: str) -> None:
    assert classify(text).urgency == "low"


def test_problem_question_is_normal_not_low() -> None:
    assert classify("快递怎么还没到？").urgency == "normal"


# --- purpose ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("衣服掉色了，我要退货退款", "return_refund"),
        ("洗衣机不脱水了，能派师傅上门修一下吗", "repair"),
        ("快递三天没更新了", "delivery"),
        ("这个月话费怎么多扣了50块", "billing"),
        ("你们客服态度太差了，问两句就不耐烦", "complaint"),
        ("想了解一下5G套餐有哪些", "inquiry"),
        ("Can I get a refund for my order?", "return_refund"),
        ("The router keeps dropping connection, please fix it", "repair"),
        ("I was overcharged on my last bill", "billing"),
        ("Your agent was rude and hung up on me", "complaint"),
    ],
)
def test_purpose(text: str, purpose: str) -> None:
    result = classify(text)
    assert result.purpose == purpose
    assert any(r.startswith(f"purpose {purpose}: '") for r in result.reasons)


def test_refund_complaint_is_return_refund() -> None:
    """Precedence: a wanted after-sales action beats the anger around it."""
    text = "退款一个月了还没到账，客服态度还很差，我要求马上退款"
    assert classify(text).purpose == "return_refund"


def test_complaint_about_a_person_is_complaint() -> None:
    assert classify("我要投诉这个快递员，包裹直接扔地上").purpose == "complaint"


def test_default_purpose_says_so() -> None:
    result = classify("你好")
    assert result.purpose == "inquiry"
    assert "no purpose cue matched (default)" in result.reasons[0]


def test_escalation_without_topic_is_complaint() -> None:
    result = classify("这件事我会发微博曝光")
    assert result.purpose == "complaint" and result.urgency == "urgent"


@pytest.mark.parametrize(
    ("text", "purpose", "negated"),
    [
        ("不是要退货，是想换货", "return_refund", "退货"),
        ("不需要维修，直接给我退款", "return_refund", "维修"),
        ("我不要退款，只想把手机修好", "repair", "退款"),
        ("我不想投诉，就是想问问套餐怎么改", "inquiry", "投诉"),
        ("I don't want a refund, I just want it fixed", "repair", "refund"),
    ],
)
def test_negation(text: str, purpose: str, negated: str) -> None:
    result = classify(text)
    assert result.purpose == purpose
    assert any(r.startswith(f"ignored '{negated}'") for r in result.reasons)


def test_rhetorical_question_is_not_a_negation() -> None:
    result = classify("说好送100结果参加不了，这不是骗人吗")
    assert result.urgency == "high"


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("ＲＥＦＵＮＤ ＰＬＥＡＳＥ！", "return_refund"),  # full-width
        ("家裡網路又斷了，師傅什麼時候來", "repair"),  # traditional
        ("iPhone屏幕有问题，能不能repair?", "repair"),  # mixed zh/en
        ("我的order还没ship，tracking一直查不到", "delivery"),
        ("退款咋还没到帐啊", "return_refund"),  # typo 帐
    ],
)
def test_normalisation(text: str, purpose: str) -> None:
    assert classify(text).purpose == purpose


def test_every_result_has_reasons_without_personal_data() -> None:
    text = (
        "我叫王小明，手机13812345678，住在幸福路88号。"
        "你们卖的电暖器昨晚起火了，把地板烧黑了，我要起诉你们"
    )
    result = classify(text)
    assert result.urgency == "urgent" and result.reasons
    joined = " ".join(result.reasons)
    for personal in ("王小明", "13812345678", "幸福路"):
        assert personal not in joined
    assert all(len(r) < 80 for r in result.reasons)


def test_empty_text() -> None:
    result = classify("   ")
    assert (result.purpose, result.urgency) == ("inquiry", "normal")
    assert result.reasons


# --- queues and the classifier interface --------------------------------------------
def test_urgency_rank_and_queue_key_order_work() -> None:
    assert [urgency_rank(u) for u in URGENCIES] == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="unknown urgency"):
        urgency_rank("asap")
    tickets = [
        ("low", False, "a"),
        ("normal", True, "b"),
        ("high", False, "c"),
        ("urgent", False, "d"),
        ("normal", False, "e"),
    ]
    ordered = sorted(tickets, key=lambda t: queue_key(t[0], at_risk=t[1]))
    assert [t[2] for t in ordered] == ["d", "b", "c", "e", "a"]


def test_any_classifier_can_serve_the_contract() -> None:
    class Model:
        def classify(self, text: str) -> Triage:
            return Triage("billing", "high", [f"model: {len(text)} chars"])

    model: TriageClassifier = Model()
    out = list(triage_lines(['{"text": "abc"}', ""], model))
    assert [json.loads(x) for x in out] == [
        {"purpose": "billing", "urgency": "high", "reasons": ["model: 3 chars"]},
        {"purpose": "billing", "urgency": "high", "reasons": ["model: 0 chars"]},
    ]


# --- the data file ------------------------------------------------------------------
def test_shipped_rules_load_from_package_data() -> None:
    rules = load_rules()
    assert set(rules.purposes) == set(PURPOSES)
    assert set(rules.urgency) == set(URGENCIES)


def _broken(mutate: Any) -> TriageRulesError:
    data = copy.deepcopy(shipped_data())
    mutate(data)
    with pytest.raises(TriageRulesError) as info:
        parse_rules(data, "custom.yaml")
    return info.value


def test_bad_regex_names_the_key() -> None:
    def bad_regex(d: dict[str, Any]) -> None:
        d["purposes"]["repair"][0]["patterns"][0] = "(unclosed"

    err = _broken(bad_regex)
    assert isinstance(err, ConfigError)
    assert str(err).startswith("custom.yaml: purposes.repair[0](repair_request)")
    assert "patterns[0]" in str(err) and "invalid regex" in str(err)


@pytest.mark.parametrize(
    ("mutate", "key", "message"),
    [
        (lambda d: d.update(surprise=1), "surprise", "Extra inputs"),
        (lambda d: d["purposes"].pop("billing"), "purposes", "missing ['billing']"),
        (lambda d: d["thresholds"].pop("low"), "thresholds", "missing ['low']"),
        (
            lambda d: d["urgency"]["urgent"][0].update(weight=-1),
            "urgency.urgent[0](safety).weight",
            "greater than 0",
        ),
        (
            lambda d: d["urgency"]["high"].append(d["urgency"]["high"][0]),
            "urgency.high[",
            "duplicate name",
        ),
        (lambda d: d["char_map"].update({"ab": "c"}), "char_map.ab", "one character"),
        (
            lambda d: d.update(purpose_order=["inquiry"]),
            "purpose_order",
            "once",
        ),
        (
            lambda d: d["purposes"]["delivery"][0].update(keywords=[], patterns=[]),
            "purposes.delivery[0](shipping)",
            "needs keywords or patterns",
        ),
    ],
)
def test_validation_errors_name_the_key(mutate: Any, key: str, message: str) -> None:
    err = _broken(mutate)
    assert err.key.startswith(key), err
    assert message in str(err)


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("purposes: [unclosed\n", "utf-8")
    with pytest.raises(TriageRulesError, match=r"broken\.yaml: <yaml>"):
        load_rules(path)
    with pytest.raises(TriageRulesError, match="<file>"):
        load_rules(tmp_path / "absent.yaml")


def test_custom_rules_change_behaviour() -> None:
    data = copy.deepcopy(shipped_data())
    data["urgency"]["urgent"].append(
        {"name": "outage", "weight": 1, "keywords": ["全城断网"]}
    )
    triage = RuleTriage(parse_rules(data, "custom.yaml"))
    assert triage.classify("全城断网了").urgency == "urgent"
    assert classify("全城断网了").urgency != "urgent"


# --- the labelled set stays usable --------------------------------------------------
def test_labelled_set_shape() -> None:
    rows = [json.loads(x) for x in EVAL_SET.read_text("utf-8").splitlines() if x]
    assert len(rows) >= 240
    assert len({r["text"] for r in rows}) == len(rows)
    for r in rows:
        assert r["purpose"] in PURPOSES and r["urgency"] in URGENCIES
        assert r["split"] in ("dev", "test") and r["text"].strip()
    test_share = sum(r["split"] == "test" for r in rows) / len(rows)
    assert 0.4 <= test_share <= 0.6
    assert {r["purpose"] for r in rows} == set(PURPOSES)
