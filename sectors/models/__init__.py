"""Sector duties (docs/domain.md §7), one module per sector: each sector's models live in `sectors/models/<sector>.py`
and are exported here."""

from sectors.models.debt import (
    DebtBond,
    DebtDisclosure,
    DebtDisclosureDeadline,
    DebtRegionYear,
    DebtRepayment,
    RiskTierRule,
)
from sectors.models.investment import (
    InvestmentAgreement,
    InvestmentEvent,
    InvestmentEventKind,
    InvestmentObligation,
    InvestorResponse,
    ObligationChange,
    ObligationEvidence,
    ObligationStatus,
    RefusedGround,
)
from sectors.models.ppp import (
    PppBreach,
    PppConsultant,
    PppPaymentObligation,
    PppProject,
    PppProjectEvent,
    PppStageAssignment,
)
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
    "DebtBond",
    "DebtDisclosure",
    "DebtDisclosureDeadline",
    "DebtRegionYear",
    "DebtRepayment",
    "InvestmentAgreement",
    "InvestmentEvent",
    "InvestmentEventKind",
    "InvestmentObligation",
    "InvestorResponse",
    "ObligationChange",
    "ObligationEvidence",
    "ObligationStatus",
    "OverdueDisclosure",
    "Payment",
    "PaymentObligation",
    "PppBreach",
    "PppConsultant",
    "PppPaymentObligation",
    "PppProject",
    "PppProjectEvent",
    "PppStageAssignment",
    "ProcurementEvent",
    "RefusedGround",
    "RiskTierRule",
    "SupplierBan",
    "SupplierEvaluation",
]
