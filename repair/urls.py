from django.urls import URLPattern, URLResolver, path

from repair import views

app_name = "repair"

ACTION = "<slug:action>/"

urlpatterns: list[URLPattern | URLResolver] = [
    # Public: no account. The query code never appears in any of these addresses.
    path("objections/new/<int:record_id>/", views.objection_new, name="objection_new"),
    path("complaints/new/<int:record_id>/", views.complaint_new, name="complaint_new"),
    path("repair/apply/<int:record_id>/", views.repair_new, name="repair_new"),
    path("repair/decision/<str:token>/", views.repair_decision, name="repair_decision"),
    path("repair/verify/<str:code>/", views.repair_verify, name="repair_verify"),
    path("track/", views.track, name="track"),
    path("track/material/", views.track_supply_material, name="track_supply_material"),
    # Staff
    path("staff/cases/", views.case_queue, name="case_queue"),
    path("staff/cases/objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("staff/cases/objections/<int:pk>/uphold/", views.objection_uphold, name="objection_uphold"),
    path(
        f"staff/cases/objections/<int:pk>/{ACTION}", views.case_action, {"kind": "objection"}, name="objection_action"
    ),
    path("staff/cases/complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path(
        f"staff/cases/complaints/<int:pk>/{ACTION}", views.case_action, {"kind": "complaint"}, name="complaint_action"
    ),
    path("staff/cases/repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("staff/cases/repairs/<int:pk>/decision/", views.staff_repair_decision, name="staff_repair_decision"),
    path(f"staff/cases/repairs/<int:pk>/{ACTION}", views.case_action, {"kind": "repair"}, name="repair_action"),
    path("staff/cases/attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("staff/cases/mitigation/<int:measure_id>/", views.mitigation, name="mitigation"),
    path("staff/cases/record/<int:record_id>/", views.record_cases, name="record_cases"),
    path("staff/cases/record/<int:record_id>/<slug:kind>/new/", views.staff_filing, name="staff_filing"),
]
