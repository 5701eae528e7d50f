"""Policy packs: every deadline, threshold and wording rule, as cited data.

Code reads figures from a loaded `PolicyPack` (for example
`load_pack("eu").breach.authority_deadline.value`) and records
`pack.pack`, `pack.version` and `pack.content_hash` with each decision.
"""

from complydesk.policy.load import (
    SHIPPED_DIR,
    available_packs,
    load_pack,
    load_pack_file,
)
from complydesk.policy.pack import (
    AfterSales,
    AiDisclosure,
    AttorneyGeneralNotice,
    AutomatedDecisions,
    Breach,
    Cited,
    CitedRow,
    Confidence,
    Consumer,
    CrossBorder,
    DataSubjectRequests,
    ErasureException,
    Fairness,
    HumanHandoff,
    IncidentReporting,
    Pia,
    PolicyPack,
    Retention,
    RetentionRule,
    VolumeThresholds,
    iter_cited,
)

__all__ = [
    "AfterSales",
    "AiDisclosure",
    "AttorneyGeneralNotice",
    "AutomatedDecisions",
    "Breach",
    "Cited",
    "CitedRow",
    "Confidence",
    "Consumer",
    "CrossBorder",
    "DataSubjectRequests",
    "ErasureException",
    "Fairness",
    "HumanHandoff",
    "IncidentReporting",
    "Pia",
    "PolicyPack",
    "Retention",
    "RetentionRule",
    "SHIPPED_DIR",
    "VolumeThresholds",
    "available_packs",
    "iter_cited",
    "load_pack",
    "load_pack_file",
]
