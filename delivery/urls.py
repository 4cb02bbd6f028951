from django.urls import path

from delivery import views

app_name = "delivery"
urlpatterns = [
    path("platform/", views.operations, name="operations"),
    path("platform/changes/<int:pk>/", views.change_detail, name="change"),
    path("platform/changes/<int:pk>/replay/", views.replay, name="replay"),
    path("platform/replay-failed/", views.replay_failed, name="replay_failed"),
]
