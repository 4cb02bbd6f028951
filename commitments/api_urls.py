from django.urls import URLPattern, URLResolver, path

from commitments import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("commitments/", api.CommitmentListApi.as_view(), name="commitment-list"),
    path("commitments/<int:pk>/", api.CommitmentDetailApi.as_view(), name="commitment-detail"),
    path("commitments/<int:pk>/submit/", api.CommitmentSubmitApi.as_view(), name="commitment-submit"),
    path("commitments/<int:pk>/return/", api.CommitmentReturnApi.as_view(), name="commitment-return"),
    path("commitments/<int:pk>/withdraw/", api.CommitmentWithdrawApi.as_view(), name="commitment-withdraw"),
    path("commitments/<int:pk>/publish/", api.CommitmentPublishApi.as_view(), name="commitment-publish"),
    path("commitments/<int:pk>/stall/", api.CommitmentStallApi.as_view(), name="commitment-stall"),
    path("commitments/<int:pk>/decide/", api.CommitmentDecideApi.as_view(), name="commitment-decide"),
    path("commitments/<int:pk>/change/", api.CommitmentChangeApi.as_view(), name="commitment-change"),
    path("commitments/<int:pk>/progress/", api.ProgressReportListApi.as_view(), name="commitment-progress"),
]
