from django.urls import URLPattern, URLResolver, path

from disclosure import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("public/records/", api.PublicRecordListApi.as_view(), name="public-record-list"),
    path("public/records/<int:pk>/", api.PublicRecordDetailApi.as_view(), name="public-record-detail"),
]
