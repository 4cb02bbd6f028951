"""Sector duties (docs/domain.md §7), one module per sector: each sector's models live in `sectors/models/<sector>.py`
and are exported here."""

from sectors.models.procurement import (
    Acceptance,
    Contract,
    OverdueDisclosure,
    Payment,
    PaymentObligation,
    ProcurementEvent,
    SupplierBan,
    SupplierEvaluation,
)

__all__ = [
    "Acceptance",
    "Contract",
    "OverdueDisclosure",
    "Payment",
    "PaymentObligation",
    "ProcurementEvent",
    "SupplierBan",
    "SupplierEvaluation",
]
