from django.urls import path

from records import views

app_name = "records"
urlpatterns = [
    # Dishonesty records
    path("records/", views.record_list, name="record_list"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/bulk/", views.record_bulk, name="record_bulk"),
    path("records/<int:pk>/", views.record_detail, name="record_detail"),
    path("records/<int:pk>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:pk>/correct/", views.record_correct, name="record_correct"),
    path(
        "records/<int:pk>/request-review/",
        views.record_transition,
        {"action": "request_review"},
        name="record_request_review",
    ),
    path("records/<int:pk>/submit/", views.record_transition, {"action": "submit"}, name="record_submit"),
    path("records/<int:pk>/send-back/", views.record_transition, {"action": "send_back"}, name="record_send_back"),
    path("records/<int:pk>/return/", views.record_transition, {"action": "return"}, name="record_return"),
    path("records/<int:pk>/publish/", views.record_transition, {"action": "publish"}, name="record_publish"),
    path("records/<int:pk>/revoke/", views.record_transition, {"action": "revoke"}, name="record_revoke"),
    path("records/<int:pk>/explain/", views.record_explain, name="record_explain"),
    path("records/<int:pk>/dismiss/", views.record_dismiss, name="record_dismiss"),
    path("records/export.<str:fmt>", views.record_export, name="record_export"),
    path("records/import/", views.import_upload, name="import_upload"),
    path("records/import/template/", views.import_template, name="import_template"),
    path("records/import/<int:pk>/", views.import_job, name="import_job"),
    path("records/import/<int:pk>/progress/", views.import_job_progress, name="import_job_progress"),
    path("records/import/<int:pk>/errors/", views.import_job_errors, name="import_job_errors"),
    path("records/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("records/evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("records/measures/<int:pk>/state/", views.measure_state, name="measure_state"),
    path("records/rectifications/<int:pk>/answer/", views.rectification_answer, name="rectification_answer"),
    path("queue/", views.work_queue, name="work_queue"),
]
