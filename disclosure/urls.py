from django.urls import path

from disclosure import procurement, views

app_name = "disclosure"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("records/", views.record_list, name="records"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("language/", views.language, name="language"),
    path("healthz", views.healthz, name="healthz"),
    *procurement.urlpatterns,
]
