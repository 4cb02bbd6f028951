from django.urls import path

from notices import views

app_name = "notices"
urlpatterns = [
    path("staff/notifications/", views.notification_list, name="notification_list"),
    path("staff/notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("staff/notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
]
