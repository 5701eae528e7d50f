"""IP_ADDRESS: v4 with octet ranges, v6 via ipaddress; versions are not IPs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.pii_structured_helpers import found

VECTORS = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "vectors"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("接入IP我明盘给你124.79.121.167", ["124.79.121.167"]),
        ("DNS换为114.114.114.114就没有了", ["114.114.114.114"]),
        ("IP: 192.168.1.1.", ["192.168.1.1"]),
        ("ip：１９２．１６８．１．１", ["１９２．１６８．１．１"]),
        ("接口信息都是0.0.0.0 ,", ["0.0.0.0"]),
        ("fe80::1%eth0", ["fe80::1%eth0"]),
        ("[2001:db8::1]:8080", ["2001:db8::1"]),
        ("::ffff:192.0.2.1", ["::ffff:192.0.2.1"]),
        ("服务器2400:c401::5054:ff:fe1b:b031。", ["2400:c401::5054:ff:fe1b:b031"]),
    ],
)
def test_when_ip_then_found(text: str, expected: list[str]) -> None:
    assert found(text, "IP_ADDRESS") == expected


@pytest.mark.parametrize(
    "text",
    [
        "itunes 10.6.3.25版软件",
        "百度输入法的版本号:2.4.2.132",
        "更新完1.4.8.5后",
        "Version 1.2.3",
        "2024.01.15.",
        "256.1.1.1",
        "1.2.3.4.5",
        "Time 12:34:56",
        "MAC aa:bb:cc:dd:ee:ff",
        "std::cout",
        "2001::db8::1",
    ],
)
def test_when_version_time_or_invalid_then_no_ip(text: str) -> None:
    assert found(text, "IP_ADDRESS") == []


@pytest.mark.skipif(not VECTORS.exists(), reason="shared eval vectors not present")
def test_presidio_ip_vectors() -> None:
    ok = total = 0
    for line in (VECTORS / "presidio_ip.jsonl").read_text().splitlines():
        case = json.loads(line)
        got = found(case["text"], "IP_ADDRESS")
        if case["spans_complete"]:
            ok += got == [case["text"][s:e] for s, e in case["expected_spans"]]
        else:
            ok += len(got) == case["expected_count"]
        total += 1
    assert ok >= total - 1  # "192.168.1.1.1": we treat dotted runs as non-IPs
