"""REST endpoints of objections (异议), complaints (投诉) and credit repair (信用修复) (docs/domain.md §5), split by
audience: staff working the cases in their scope, and the public filing and following them with a query code.

Status codes, in the one error shape (accounts/api_support.py): 400 input a rule refused (`fields` names the input),
403 a role or region that may not take the step (`not_allowed`), 404 a case outside the caller's scope or a query code
that matches nothing, 409 a step the case's current status does not allow (`illegal_transition`), 429 too many requests
(with `Retry-After`).
"""

from repair.api.cases import (
    ComplaintAcceptApi,
    ComplaintDetailApi,
    ComplaintDismissApi,
    ComplaintListApi,
    ComplaintNotAcceptApi,
    ComplaintResolveApi,
    MeasureMitigateApi,
    ObjectionAcceptApi,
    ObjectionDetailApi,
    ObjectionListApi,
    ObjectionNotAcceptApi,
    ObjectionRejectApi,
    ObjectionSendForVerificationApi,
    ObjectionUpholdApi,
    RepairAcceptApi,
    RepairDetailApi,
    RepairGrantApi,
    RepairListApi,
    RepairNotAcceptApi,
    RepairRefuseApi,
    RepairRequestMaterialApi,
)
from repair.api.public import (
    PublicComplaintFileApi,
    PublicObjectionFileApi,
    PublicRepairFileApi,
    PublicSupplyMaterialApi,
    PublicTrackApi,
)

__all__ = [
    "ComplaintAcceptApi",
    "ComplaintDetailApi",
    "ComplaintDismissApi",
    "ComplaintListApi",
    "ComplaintNotAcceptApi",
    "ComplaintResolveApi",
    "MeasureMitigateApi",
    "ObjectionAcceptApi",
    "ObjectionDetailApi",
    "ObjectionListApi",
    "ObjectionNotAcceptApi",
    "ObjectionRejectApi",
    "ObjectionSendForVerificationApi",
    "ObjectionUpholdApi",
    "PublicComplaintFileApi",
    "PublicObjectionFileApi",
    "PublicRepairFileApi",
    "PublicSupplyMaterialApi",
    "PublicTrackApi",
    "RepairAcceptApi",
    "RepairDetailApi",
    "RepairGrantApi",
    "RepairListApi",
    "RepairNotAcceptApi",
    "RepairRefuseApi",
    "RepairRequestMaterialApi",
]
