from django.urls import URLPattern, URLResolver, path

from records import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("records/", api.RecordListApi.as_view(), name="record-list"),
    path("records/imports/", api.ImportJobListApi.as_view(), name="import-job-list"),
    path("records/imports/template/", api.ImportTemplateApi.as_view(), name="import-template"),
    path("records/imports/<int:pk>/", api.ImportJobDetailApi.as_view(), name="import-job-detail"),
    path("records/imports/<int:pk>/errors.csv", api.ImportJobErrorsApi.as_view(), name="import-job-errors"),
    path("records/<int:pk>/", api.RecordDetailApi.as_view(), name="record-detail"),
    path("records/<int:pk>/submit/", api.RecordSubmitApi.as_view(), name="record-submit"),
    path("records/<int:pk>/return/", api.RecordReturnApi.as_view(), name="record-return"),
    path("records/<int:pk>/publish/", api.RecordPublishApi.as_view(), name="record-publish"),
    path("records/<int:pk>/correct/", api.RecordCorrectApi.as_view(), name="record-correct"),
    path("records/<int:pk>/revoke/", api.RecordRevokeApi.as_view(), name="record-revoke"),
    path("records/<int:pk>/explain/", api.RecordExplainApi.as_view(), name="record-explain"),
    path("records/<int:pk>/dismiss/", api.RecordDismissApi.as_view(), name="record-dismiss"),
    path("sync/changes/", api.ChangeFeedApi.as_view(), name="sync-changes"),
]
