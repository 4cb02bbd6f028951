from django.urls import URLPattern, URLResolver, path

from disclosure import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("public/records/", api.PublicRecordListApi.as_view(), name="public-record-list"),
    path("public/records/<int:pk>/", api.PublicRecordDetailApi.as_view(), name="public-record-detail"),
    path("public/commitments/", api.PublicCommitmentListApi.as_view(), name="public-commitment-list"),
    path("public/commitments/<int:pk>/", api.PublicCommitmentDetailApi.as_view(), name="public-commitment-detail"),
]
