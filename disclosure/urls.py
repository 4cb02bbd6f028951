from django.urls import path

from disclosure import debt, investment, ppp, procurement, streets, tendering, views

app_name = "disclosure"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("agencies/<int:pk>/report-card/", views.agency_report_card, name="agency_report_card"),
    path("districts/<int:pk>/report-card/", views.district_report_card, name="district_report_card"),
    path("commitments/<int:pk>/", views.commitment_detail, name="commitment"),
    path("records/", views.record_list, name="records"),
    path("records/<int:pk>/", views.record_detail, name="record"),
    path("language/", views.language, name="language"),
    path("healthz", views.healthz, name="healthz"),
    *investment.urlpatterns,
    *ppp.urlpatterns,
    *procurement.urlpatterns,
    *streets.urlpatterns,
    *debt.urlpatterns,
    *tendering.urlpatterns,
]
