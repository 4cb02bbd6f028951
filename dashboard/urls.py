from django.urls import path

from dashboard.views import city, home, leader, warnings

app_name = "dashboard"
urlpatterns = [
    path("", home.home, name="home"),
    *warnings.urlpatterns,
    *leader.urlpatterns,
    *city.urlpatterns,
]
