"""Supervision (docs/domain.md §8), one module per kind of supervision: each kind's models live in
`supervision/models/<kind>.py` and are exported here."""

from supervision.models.complaints import (
    BreachComplaint,
    BreachComplaintAttachment,
    BreachComplaintEvent,
    BreachComplaintStatus,
)
from supervision.models.hotline import HotlineTicket

__all__: list[str] = []
__all__ += ["BreachComplaint", "BreachComplaintAttachment", "BreachComplaintEvent", "BreachComplaintStatus"]
__all__ += ["HotlineTicket"]
