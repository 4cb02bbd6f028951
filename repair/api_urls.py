from django.urls import URLPattern, URLResolver, path

from repair import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("objections/", api.ObjectionListApi.as_view(), name="objection-list"),
    path("objections/<int:pk>/", api.ObjectionDetailApi.as_view(), name="objection-detail"),
    path("objections/<int:pk>/accept/", api.ObjectionAcceptApi.as_view(), name="objection-accept"),
    path("objections/<int:pk>/not-accept/", api.ObjectionNotAcceptApi.as_view(), name="objection-not-accept"),
    path(
        "objections/<int:pk>/send-for-verification/",
        api.ObjectionSendForVerificationApi.as_view(),
        name="objection-send-for-verification",
    ),
    path("objections/<int:pk>/uphold/", api.ObjectionUpholdApi.as_view(), name="objection-uphold"),
    path("objections/<int:pk>/reject/", api.ObjectionRejectApi.as_view(), name="objection-reject"),
    path("complaints/", api.ComplaintListApi.as_view(), name="complaint-list"),
    path("complaints/<int:pk>/", api.ComplaintDetailApi.as_view(), name="complaint-detail"),
    path("complaints/<int:pk>/accept/", api.ComplaintAcceptApi.as_view(), name="complaint-accept"),
    path("complaints/<int:pk>/not-accept/", api.ComplaintNotAcceptApi.as_view(), name="complaint-not-accept"),
    path("complaints/<int:pk>/resolve/", api.ComplaintResolveApi.as_view(), name="complaint-resolve"),
    path("complaints/<int:pk>/dismiss/", api.ComplaintDismissApi.as_view(), name="complaint-dismiss"),
    path("repairs/", api.RepairListApi.as_view(), name="repair-list"),
    path("repairs/<int:pk>/", api.RepairDetailApi.as_view(), name="repair-detail"),
    path("repairs/<int:pk>/accept/", api.RepairAcceptApi.as_view(), name="repair-accept"),
    path("repairs/<int:pk>/not-accept/", api.RepairNotAcceptApi.as_view(), name="repair-not-accept"),
    path("repairs/<int:pk>/request-material/", api.RepairRequestMaterialApi.as_view(), name="repair-request-material"),
    path("repairs/<int:pk>/grant/", api.RepairGrantApi.as_view(), name="repair-grant"),
    path("repairs/<int:pk>/refuse/", api.RepairRefuseApi.as_view(), name="repair-refuse"),
    path("measures/<int:pk>/mitigate/", api.MeasureMitigateApi.as_view(), name="measure-mitigate"),
    path("public/objections/", api.PublicObjectionFileApi.as_view(), name="public-objection-file"),
    path("public/complaints/", api.PublicComplaintFileApi.as_view(), name="public-complaint-file"),
    path("public/repairs/", api.PublicRepairFileApi.as_view(), name="public-repair-file"),
    path("public/repairs/material/", api.PublicSupplyMaterialApi.as_view(), name="public-repair-supply-material"),
    path("public/track/", api.PublicTrackApi.as_view(), name="public-track"),
]
