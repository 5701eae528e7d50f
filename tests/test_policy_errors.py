"""Bad policy packs: each problem is one PolicyError line naming file and key."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from complydesk.errors import PolicyError
from complydesk.policy import load_pack, load_pack_file

HEADER = """\
pack: {name}
version: "2026.12.0"
title: "Test pack"
jurisdiction: cn
extends: baseline
"""


def write(directory: Path, name: str, body: str, header: bool = True) -> Path:
    path = directory / f"{name}.yaml"
    text = (HEADER.format(name=name) if header else "") + textwrap.dedent(body)
    path.write_text(text, encoding="utf-8")
    return path


def policy_error(path: Path) -> str:
    with pytest.raises(PolicyError) as info:
        load_pack_file(path)
    message = info.value.detail
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("body", "fragments"),
    [
        pytest.param(
            """\
            breach:
              authority_deadlin:
                value: 72 hours
                citation: x
                confidence: ok
            """,
            ["breach.authority_deadlin", "Extra inputs are not permitted"],
            id="unknown-key",
        ),
        pytest.param(
            "colour: blue\n", ["colour", "Extra inputs"], id="unknown-top-key"
        ),
        pytest.param(
            """\
            breach:
              authority_deadline:
                value: {amount: 3, unit: fortnights}
                citation: "GDPR Art. 33(1)"
                confidence: ok
            """,
            ["breach.authority_deadline.value.unit", "Input should be 'minutes'"],
            id="bad-unit",
        ),
        pytest.param(
            """\
            breach:
              authority_deadline:
                value: 3 fortnights
                citation: "GDPR Art. 33(1)"
                confidence: ok
            """,
            ["breach.authority_deadline.value.unit"],
            id="bad-compact-unit",
        ),
        pytest.param(
            """\
            breach:
              authority_deadline:
                value: 72 hours
                citation: "GDPR Art. 33(1)"
                confidence: certain
            """,
            ["breach.authority_deadline.confidence", "'ok'"],
            id="bad-confidence",
        ),
        pytest.param(
            """\
            breach:
              authority_deadline:
                value: 72 hours
                confidence: ok
            """,
            ["breach.authority_deadline.citation", "Field required"],
            id="missing-citation",
        ),
        pytest.param(
            """\
            breach:
              authority_deadline:
                value: 72 hours
                citation: "   "
                confidence: ok
            """,
            ["breach.authority_deadline", "citation must not be blank"],
            id="blank-citation",
        ),
        pytest.param(
            """\
            breach:
              authority_deadline:
                note: "only the note"
            """,
            ["breach.authority_deadline", "Field required"],
            id="partial-leaf-is-not-merged",
        ),
        pytest.param(
            """\
            breach:
              authority_deadline:
                value: null
                citation: "PIPL Art. 57"
                confidence: ok
            """,
            ["breach.authority_deadline", "null value needs a note"],
            id="null-without-note",
        ),
        pytest.param(
            """\
            after_sales:
              electronics_solution_within:
                value: 12 hours
                citation: "ACME"
                confidence: unconfirmed
            """,
            [
                "after_sales.electronics_solution_within",
                "unconfirmed value needs a note",
            ],
            id="unconfirmed-without-note",
        ),
        pytest.param(
            """\
            ai_disclosure:
              wording:
                value: "您好，我是AI助手。"
                citation: "GB 45438-2025 §6"
                confidence: secondary
              required_label_elements:
                value: ["AI|人工智能", "生成|合成"]
                citation: "GB 45438-2025 §6"
                confidence: secondary
            """,
            ["ai_disclosure", "生成|合成"],
            id="cn-wording-lacks-element",
        ),
        pytest.param(
            """\
            ai_disclosure:
              wording:
                value: "  "
                citation: "EU AI Act Art. 50(1)"
                confidence: secondary
            """,
            ["ai_disclosure", "wording must not be blank"],
            id="blank-wording",
        ),
        pytest.param(
            """\
            data_subject_requests:
              extension_allowed:
                value: true
                citation: "ACME"
                confidence: ok
            """,
            ["data_subject_requests", "max_extension is null"],
            id="extension-without-maximum",
        ),
        pytest.param(
            """\
            fairness:
              flag_ratio_below:
                value: 1.5
                citation: "29 CFR §1607.4(D)"
                confidence: ok
            """,
            ["fairness.flag_ratio_below", "(0, 1]"],
            id="ratio-out-of-range",
        ),
        pytest.param(
            "timezone: Mars/Olympus_Mons\n",
            ["timezone", "Mars/Olympus_Mons"],
            id="bad-timezone",
        ),
        pytest.param(
            "breach:\n  authority_deadline: [1\n",
            ["invalid YAML", "line "],
            id="bad-yaml",
        ),
        pytest.param(
            "title: again\n",
            ["line 6", "duplicate key 'title'"],
            id="duplicate-key",
        ),
        pytest.param(
            "extends: nowhere\n",
            ["duplicate key 'extends'"],
            id="duplicate-extends",
        ),
    ],
)
def test_when_pack_is_bad_then_error_names_file_and_key(
    tmp_path: Path, body: str, fragments: list[str]
) -> None:
    message = policy_error(write(tmp_path, "acme", body))
    assert message.startswith(f"{tmp_path / 'acme.yaml'}: ")
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param(
            'pack: other\nversion: "1.0.0"\ntitle: t\njurisdiction: cn\n',
            ["pack: 'other' must equal the file name 'acme'"],
            id="pack-name-vs-file-name",
        ),
        pytest.param(
            'pack: acme\nversion: "1.0.0"\ntitle: t\njurisdiction: cn\n'
            "extends: nowhere\n",
            ["extends: unknown pack 'nowhere'", "valid packs: acme, baseline, cn"],
            id="unknown-extends",
        ),
        pytest.param(
            "pack: acme\ntitle: t\njurisdiction: cn\nextends: baseline\n",
            ["version: must be set in every pack file"],
            id="missing-version",
        ),
        pytest.param("- just\n- a list\n", ["(top level)"], id="not-a-mapping"),
        pytest.param("", ["(top level)"], id="empty-file"),
        pytest.param(
            'pack: acme\nversion: "1.0.0"\ntitle: t\njurisdiction: cn\nextends: [cn]\n',
            ["extends: must be a pack name"],
            id="extends-not-a-name",
        ),
    ],
)
def test_when_header_is_bad_then_error_names_file_and_key(
    tmp_path: Path, text: str, fragments: list[str]
) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(text, encoding="utf-8")
    message = policy_error(path)
    assert message.startswith(f"{path}: ")
    for fragment in fragments:
        assert fragment in message


def test_when_extends_forms_a_cycle_then_error_shows_the_cycle(tmp_path: Path) -> None:
    for name, parent in [("a", "b"), ("b", "c"), ("c", "a")]:
        write(tmp_path, name, "", header=False).write_text(
            HEADER.format(name=name).replace("baseline", parent), encoding="utf-8"
        )
    with pytest.raises(PolicyError) as info:
        load_pack("a", tmp_path)
    assert (
        info.value.detail == f"{tmp_path / 'c.yaml'}: extends: cycle a -> b -> c -> a"
    )


def test_when_error_is_in_the_parent_then_parent_file_is_named(tmp_path: Path) -> None:
    write(tmp_path, "acme-base", "breach:\n  colour: blue\n")
    (tmp_path / "acme.yaml").write_text(
        HEADER.format(name="acme").replace("baseline", "acme-base"), encoding="utf-8"
    )
    with pytest.raises(PolicyError) as info:
        load_pack("acme", tmp_path)
    assert info.value.detail.startswith(
        f"{tmp_path / 'acme-base.yaml'}: breach.colour:"
    )


def test_when_required_section_missing_without_extends_then_error_lists_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "solo.yaml"
    path.write_text(
        'pack: solo\nversion: "1.0.0"\ntitle: t\njurisdiction: solo\n'
        "timezone: UTC\nworking_calendar: weekends\n",
        encoding="utf-8",
    )
    message = policy_error(path)
    assert "data_subject_requests: Field required" in message
    assert "more)" in message


def test_when_override_value_is_bad_then_override_file_is_named(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "cn",
        """\
        breach:
          authority_deadline:
            value: 5 fortnights
            citation: x
            confidence: ok
        """,
    )
    path.write_text(
        path.read_text(encoding="utf-8").replace("extends: baseline", "extends: cn"),
        encoding="utf-8",
    )
    with pytest.raises(PolicyError) as info:
        load_pack("cn", tmp_path)
    assert info.value.detail.startswith(
        f"{path}: breach.authority_deadline.value.unit:"
    )


def test_when_pack_name_is_unknown_then_error_lists_valid_names() -> None:
    with pytest.raises(PolicyError) as info:
        load_pack("mars")
    assert info.value.detail == (
        "unknown policy pack 'mars'; valid packs: baseline, cn, eu, us-ca"
    )


def test_when_file_is_missing_then_error_names_it(tmp_path: Path) -> None:
    message = policy_error(tmp_path / "absent.yaml")
    assert message == f"{tmp_path / 'absent.yaml'}: no such pack file"
