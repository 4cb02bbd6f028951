"""Supervision (docs/domain.md §8), one module per kind of supervision: each kind's models live in
`supervision/models/<kind>.py` and are exported here."""

from supervision.models.inspections import (
    Inspection,
    InspectionFinding,
    InspectionResult,
    RectificationEvent,
    RectificationEvidence,
    RectificationItem,
)
from supervision.models.ledger import (
    LedgerAssignment,
    LedgerEvent,
    LedgerEvidence,
    LedgerTask,
    LedgerUnitAlias,
)

__all__: list[str] = []
__all__ += [
    "Inspection",
    "InspectionFinding",
    "InspectionResult",
    "RectificationEvent",
    "RectificationEvidence",
    "RectificationItem",
]
__all__ += ["LedgerAssignment", "LedgerEvent", "LedgerEvidence", "LedgerTask", "LedgerUnitAlias"]
