"""The per-column plans and caches of the streaming pass (pure: no database)."""

from __future__ import annotations

import pytest

from complydesk.transfer import cells
from complydesk.transfer.cells import Keys, Worker
from complydesk.transfer.counting import SubjectHasher

KEYS = Keys(SubjectHasher(b"k" * 32).key_material, b"p" * 32, b"e" * 32)


def test_encrypted_output_is_never_cached_but_counting_is() -> None:
    profile = {"columns": {"phone": {"action": "encrypt", "label": "PHONE"}}}
    worker = Worker(profile, KEYS, transform=True)
    result = worker.csv_batch(["phone"], [["13812345678"], ["13812345678"]])
    first, second = result.text.splitlines()
    assert first != second and "13812345678" not in result.text
    assert result.people[0] == result.people[1]  # one person, one digest
    assert result.found == {"phone": {"PHONE": 2}}


def test_columns_that_never_repeat_stop_caching_and_scanning_still_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cells, "SAMPLE", 10)
    worker = Worker({"columns": {"order_no": "keep"}}, KEYS, transform=True)
    rows = [[f"SO{i:08d}", "2026-03-01"] for i in range(20)]
    rows.append(["电话 13987654321", "2026-03-01"])  # personal data in a kept column
    result = worker.csv_batch(["order_no", "created"], rows)
    plans = worker._plans
    assert plans["order_no"].cache is None  # unique values: no cache
    assert plans["created"].cache is not None and plans["created"].hits == 20
    assert result.kept == {"order_no": {"PHONE": 1}}  # still scanned, found
    assert len(result.people) == 1 and result.skipped == 20


def test_header_and_rows_agree_on_dropped_columns() -> None:
    from complydesk.transfer.profile import Profile
    from complydesk.transfer.stream import output_header

    profile = {"columns": {"a": "drop", "b": {"action": "drop", "label": "PHONE"}}}
    worker = Worker(profile, KEYS, transform=True)
    result = worker.csv_batch(["a", "b", "c"], [["x", "13812345678", "y"]])
    header = output_header(["a", "b", "c"], Profile.model_validate(profile))
    assert header == ["c"] and result.text == "y\n"
    assert len(result.people) == 0  # the dropped phone still links, leaves nothing
