"""PII engine: detect, classify, mask, pseudonymise and encrypt personal data.

>>> from complydesk.pii import detect
>>> [e.label for e in detect("我的手机是13812345678")]
['PHONE']
"""

from complydesk.pii.classify import classify_column, classify_entities, classify_record
from complydesk.pii.crypto import restore
from complydesk.pii.detect import Detector, default_detector, detect, detect_many
from complydesk.pii.entity import Entity
from complydesk.pii.labels import Label
from complydesk.pii.operators import Operator, apply, apply_to_record, apply_to_text
from complydesk.pii.recognizer import Context, PatternRecognizer, Recognizer
from complydesk.pii.registry import Registry
from complydesk.pii.scan import scan_paths
from complydesk.pii.stream import StreamDetector
from complydesk.pii.text import Doc, fold

__all__ = [
    "apply",
    "apply_to_record",
    "apply_to_text",
    "classify_column",
    "classify_entities",
    "classify_record",
    "Context",
    "default_detector",
    "detect",
    "detect_many",
    "Detector",
    "Doc",
    "Entity",
    "fold",
    "Label",
    "Operator",
    "PatternRecognizer",
    "Recognizer",
    "Registry",
    "restore",
    "scan_paths",
    "StreamDetector",
]
