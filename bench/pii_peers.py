"""Adapters that run complydesk and its peers and map their findings to our labels.

Peers are optional and never runtime dependencies of complydesk: install them in
a separate venv (`.venv-bench`, `pip install -e '.[bench]'`).  A missing peer is
reported by `load_systems`, not raised.

Each adapter returns `[(label, start, end), ...]` with our labels; findings whose
peer type has no counterpart among our labels are dropped (listed below as
"unmapped").

Label mapping per peer
----------------------
* complydesk: identity.
* presidio (presidio-analyzer, stock predefined recognizers, language "en"; the
  spaCy model is a *blank* `spacy.blank("en")` pipeline saved to
  `bench/out/spacy_blank_en` and loaded through `NlpEngineProvider`, since no
  spaCy model can be downloaded here, so its spaCy NER finds nothing):
  PERSON->PERSON, LOCATION->ADDRESS, PHONE_NUMBER->PHONE, EMAIL_ADDRESS->EMAIL,
  CREDIT_CARD->BANK_CARD, IP_ADDRESS->IP_ADDRESS, US_PASSPORT->PASSPORT;
  unmapped: URL, DATE_TIME, NRP, US_*/UK_*/IBAN/crypto/medical etc.
  `score_threshold` is Presidio's default (0).
* jionlp (JioNLP rule extractors, each called with `detail=True`; an exception
  in one extractor on one text is counted as a crash and yields nothing):
  extract_phone_number (cell + landline)->PHONE, extract_id_card->CN_ID_CARD,
  extract_email->EMAIL, extract_ip_address->IP_ADDRESS, extract_qq->QQ,
  extract_wechat_id->WECHAT, extract_motor_vehicle_licence_plate->LICENSE_PLATE;
  unmapped: extract_url.  JioNLP has no name, address or bank-card extractor.
* helan (rules only, `build_recognizers(jieba=False)`, `min_score` default 0.5)
  and helan+jieba (`build_recognizers(jieba=True)`):
  PERSON_NAME->PERSON, ADDRESS->ADDRESS, PHONE->PHONE, LANDLINE->PHONE,
  EMAIL->EMAIL, ID_CARD->CN_ID_CARD, BANK_CARD->BANK_CARD, IP_ADDRESS->IP_ADDRESS,
  PASSPORT->PASSPORT, LICENSE_PLATE->LICENSE_PLATE, USCC->CN_USCC, QQ_NUMBER->QQ,
  WECHAT_ID->WECHAT; unmapped: URL, POSTAL_CODE, TW_ID_CARD, OFFICER_ID.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

Span = tuple[str, int, int]

ALL_LABELS = (
    "PERSON",
    "ADDRESS",
    "PHONE",
    "EMAIL",
    "CN_ID_CARD",
    "BANK_CARD",
    "IP_ADDRESS",
    "PASSPORT",
    "LICENSE_PLATE",
    "CN_USCC",
    "QQ",
    "WECHAT",
    "HK_MACAU_PERMIT",
    "TAIWAN_PERMIT",
)
PEER_NAMES = ("presidio", "jionlp", "helan", "helan+jieba")
OUT_DIR = Path(__file__).resolve().parent / "out"

PRESIDIO_MAP = {
    "PERSON": "PERSON",
    "LOCATION": "ADDRESS",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "BANK_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "US_PASSPORT": "PASSPORT",
}
JIONLP_MAP = {
    "extract_phone_number": "PHONE",
    "extract_id_card": "CN_ID_CARD",
    "extract_email": "EMAIL",
    "extract_ip_address": "IP_ADDRESS",
    "extract_qq": "QQ",
    "extract_wechat_id": "WECHAT",
    "extract_motor_vehicle_licence_plate": "LICENSE_PLATE",
}
HELAN_MAP = {
    "PERSON_NAME": "PERSON",
    "ADDRESS": "ADDRESS",
    "PHONE": "PHONE",
    "LANDLINE": "PHONE",
    "EMAIL": "EMAIL",
    "ID_CARD": "CN_ID_CARD",
    "BANK_CARD": "BANK_CARD",
    "IP_ADDRESS": "IP_ADDRESS",
    "PASSPORT": "PASSPORT",
    "LICENSE_PLATE": "LICENSE_PLATE",
    "USCC": "CN_USCC",
    "QQ_NUMBER": "QQ",
    "WECHAT_ID": "WECHAT",
}


@dataclass
class System:
    name: str
    detect: Callable[[str], list[Span]]
    labels: frozenset[str]  # our labels this system can produce at all
    version: str = ""
    crashes: int = 0
    crash_examples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "?"


def make_complydesk(places: bool = False) -> System:
    """The default detector, or with `places` the `--places` one (bare place names)."""
    from complydesk.pii import Detector
    from complydesk.pii.registry import Registry

    det = Detector(Registry.builtin(places=places))

    def detect(text: str) -> list[Span]:
        return [(e.label, e.start, e.end) for e in det.detect(text)]

    name = "complydesk --places" if places else "complydesk"
    return System(name, detect, frozenset(ALL_LABELS), _version("complydesk"))


def make_presidio() -> System:
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    # The e-mail recognizer calls tldextract, which tries to fetch the public
    # suffix list over the network first; use its bundled snapshot instead.
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())
    model = OUT_DIR / "spacy_blank_en"
    if not (model / "meta.json").exists():
        model.parent.mkdir(parents=True, exist_ok=True)
        spacy.blank("en").to_disk(model)
    logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "en", "model_name": str(model)}],
        }
    )
    engine = AnalyzerEngine(
        nlp_engine=provider.create_engine(), supported_languages=["en"]
    )
    sysm = System(
        "presidio",
        lambda t: [],
        frozenset(PRESIDIO_MAP.values()),
        _version("presidio-analyzer"),
    )

    def detect(text: str) -> list[Span]:
        out = []
        for r in engine.analyze(text, language="en"):
            label = PRESIDIO_MAP.get(r.entity_type)
            if label:
                out.append((label, r.start, r.end))
        return out

    sysm.detect = detect
    sysm.notes.append("stock recognizers, language=en, blank spaCy 'en' pipeline")
    return sysm


def _jio_span(text: str, item: dict) -> tuple[int, int] | None:
    """JioNLP offsets can include a padding character: re-anchor on its text."""
    surface = str(item.get("text", "")).strip()
    if not surface:
        return None
    s, _ = item.get("offset", (0, 0))
    i = text.find(surface, max(0, s - 2))
    if i < 0:
        i = text.find(surface)
    return None if i < 0 else (i, i + len(surface))


def make_jionlp() -> System:
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        import jionlp

    for name in ("jionlp", "jiojio"):
        logging.getLogger(name).setLevel(logging.ERROR)
    fns = [(getattr(jionlp, n), label) for n, label in JIONLP_MAP.items()]
    sysm = System(
        "jionlp", lambda t: [], frozenset(JIONLP_MAP.values()), _version("jionlp")
    )

    def detect(text: str) -> list[Span]:
        out = []
        for fn, label in fns:
            try:
                items = fn(text, detail=True)
            except Exception as exc:  # noqa: BLE001 - a peer's crash is data here
                sysm.crashes += 1
                if len(sysm.crash_examples) < 3:
                    sysm.crash_examples.append(
                        f"{fn.__name__}({text[:60]!r}): {type(exc).__name__}: {exc}"
                    )
                continue
            for item in items:
                span = _jio_span(text, item)
                if span:
                    out.append((label, *span))
        return out

    sysm.detect = detect
    return sysm


def make_helan(jieba: bool) -> System:
    import helan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recs = helan.build_recognizers(jieba=jieba)
    name = "helan+jieba" if jieba else "helan"
    sysm = System(name, lambda t: [], frozenset(HELAN_MAP.values()), _version("helan"))
    if jieba:
        import jieba as jb

        jb.setLogLevel(logging.ERROR)
        jb.initialize()
        sysm.version += f", jieba {_version('jieba')}"

    def detect(text: str) -> list[Span]:
        try:
            found = helan.recognize(text, recognizers=recs)
        except Exception as exc:  # noqa: BLE001
            sysm.crashes += 1
            if len(sysm.crash_examples) < 3:
                sysm.crash_examples.append(
                    f"{text[:60]!r}: {type(exc).__name__}: {exc}"
                )
            return []
        return [
            (HELAN_MAP[e.type], e.start, e.end) for e in found if e.type in HELAN_MAP
        ]

    sysm.detect = detect
    return sysm


FACTORIES: dict[str, Callable[[], System]] = {
    "complydesk": make_complydesk,
    "presidio": make_presidio,
    "jionlp": make_jionlp,
    "helan": lambda: make_helan(False),
    "helan+jieba": lambda: make_helan(True),
}


def parse_peers(arg: str) -> list[str]:
    if arg in ("", "none"):
        return []
    if arg == "all":
        return list(PEER_NAMES)
    names = [p.strip() for p in arg.split(",") if p.strip()]
    bad = [n for n in names if n not in PEER_NAMES]
    if bad:
        raise SystemExit(f"unknown peer(s) {bad}; choose from {', '.join(PEER_NAMES)}")
    return names


def load_systems(peers: list[str], with_complydesk: bool = True) -> list[System]:
    """complydesk, then each requested peer that imports; says which are missing."""
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    names = (["complydesk"] if with_complydesk else []) + peers
    systems = []
    for name in names:
        try:
            systems.append(FACTORIES[name]())
        except ImportError as exc:
            print(
                f"peer {name} not available ({exc.name or exc}): skipped; "
                "install the peers with `.venv-bench/bin/pip install -e '.[bench]'`"
            )
    return systems
