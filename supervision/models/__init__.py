"""Supervision (docs/domain.md §8), one module per kind of supervision: each kind's models live in
`supervision/models/<kind>.py` and are exported here."""

from supervision.models.complaints import (
    BreachComplaint,
    BreachComplaintAttachment,
    BreachComplaintEvent,
    BreachComplaintStatus,
)
from supervision.models.courts import CourtCase, CourtEvent, CourtHearing, JudicialSuggestion
from supervision.models.hotline import HotlineTicket
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
from supervision.models.suggestions import Suggestion, SuggestionCoUnit, SuggestionEvent

__all__: list[str] = []
__all__ += ["CourtCase", "CourtEvent", "CourtHearing", "JudicialSuggestion"]
__all__ += ["Suggestion", "SuggestionCoUnit", "SuggestionEvent"]

__all__ += ["BreachComplaint", "BreachComplaintAttachment", "BreachComplaintEvent", "BreachComplaintStatus"]
__all__ += ["HotlineTicket"]

__all__ += [
    "Inspection",
    "InspectionFinding",
    "InspectionResult",
    "RectificationEvent",
    "RectificationEvidence",
    "RectificationItem",
]
__all__ += ["LedgerAssignment", "LedgerEvent", "LedgerEvidence", "LedgerTask", "LedgerUnitAlias"]
