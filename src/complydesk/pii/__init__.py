"""PII engine: detect, classify, mask, pseudonymise and encrypt personal data.

>>> from complydesk.pii import detect
>>> [e.label for e in detect("我的手机是13812345678")]
['PHONE']
"""

from complydesk.pii.detect import Detector, default_detector, detect, detect_many
from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label
from complydesk.pii.recognizer import Context, PatternRecognizer, Recognizer
from complydesk.pii.registry import Registry
from complydesk.pii.text import Doc, fold

__all__ = [
    "Context",
    "Detector",
    "Doc",
    "Entity",
    "Label",
    "PatternRecognizer",
    "Recognizer",
    "Registry",
    "default_detector",
    "detect",
    "detect_many",
    "fold",
]
