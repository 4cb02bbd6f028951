from django.urls import path

from commitments import views
from commitments.excel_urls import excel_urlpatterns

app_name = "commitments"
urlpatterns = [
    path("", views.commitment_list, name="list"),
    path("new/", views.commitment_create, name="create"),
    path("bulk/", views.commitment_bulk, name="bulk"),
    path("warnings/", views.warning_queue, name="warnings"),
    path("<int:pk>/", views.commitment_detail, name="detail"),
    path("<int:pk>/edit/", views.commitment_edit, name="edit"),
    path("<int:pk>/submit/", views.commitment_move, {"action": "submit"}, name="submit"),
    path("<int:pk>/publish/", views.commitment_move, {"action": "publish"}, name="publish"),
    path("<int:pk>/return/", views.commitment_reasoned, {"action": "return"}, name="return"),
    path("<int:pk>/withdraw/", views.commitment_reasoned, {"action": "withdraw"}, name="withdraw"),
    path("<int:pk>/stall/", views.commitment_reasoned, {"action": "stall"}, name="stall"),
    path("<int:pk>/progress/", views.commitment_progress, name="progress"),
    path("<int:pk>/decide/", views.commitment_decide, name="decide"),
    path("<int:pk>/change/", views.commitment_change, name="change"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    *excel_urlpatterns,
]
