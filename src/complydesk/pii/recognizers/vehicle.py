"""Built-in recognizers: Chinese licence plates (GA 36), incl. new-energy plates.

省 + issuing-office letter (+ optional '·' or space) + five characters without
I/O, new-energy D/F + 5 or 5 + D/F (8 characters in all), and the 挂/学/警/
港/澳 suffix plates. Province characters are common words (新, 云, 青), so at
least two of the five serial characters must be digits.
"""

from __future__ import annotations

import re

from complydesk.pii.labels import Label
from complydesk.pii.recognizer import (
    Context,
    Gated,
    PatternRecognizer,
    Recognizer,
    has_latin,
)
from complydesk.pii.text import Doc

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_A = "A-HJ-NP-Z"  # plate letters exclude I and O
_SERIAL = (
    rf"(?:[DF][{_A}0-9]\d{{4}}"  # new-energy small: D/F + 5
    rf"|\d{{5}}[DF]"  # new-energy large: 5 + D/F
    rf"|(?=(?:[{_A}]*\d){{2}})[{_A}0-9]{{4}}[{_A}0-9挂学警港澳]"  # regular
    r")"
)

LICENSE_PLATE = PatternRecognizer(
    name="cn_license_plate",
    label=Label.LICENSE_PLATE,
    pattern=re.compile(rf"[{_PROVINCES}][{_A}](?:[·•・ ]?){_SERIAL}(?![0-9A-Za-z])"),
    score=0.8,
    context=Context(
        boost=("车牌", "车辆", "牌照", "车号", "plate"), window=10, boost_by=0.15
    ),
)


# The office letter, maybe a space, then a serial with two digits at least:
# all ASCII, so a plate leaves this in `doc.ascii`.
_HINT = re.compile(rf"[{_A}] ?[{_A}0-9]*[0-9][{_A}0-9]*[0-9]")


def _may_have_plate(doc: Doc) -> bool:
    return _HINT.search(doc.ascii) is not None


RECOGNIZERS: list[Recognizer] = [Gated(LICENSE_PLATE, _may_have_plate, has_latin)]
