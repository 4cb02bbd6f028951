from django.urls import path

from subjects import views

app_name = "subjects"
urlpatterns = [
    path("agencies/", views.agency_list, name="agency_list"),
    path("agencies/suggest/", views.agency_suggest, name="agency_suggest"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency_detail"),
    path("agencies/<int:agency_pk>/people/new/", views.person_create, name="person_create"),
    path("people/", views.person_list, name="person_list"),
    path("people/lookup/", views.person_lookup, name="person_lookup"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal-id/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/move/", views.person_move, name="person_move"),
    path("people/<int:pk>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("people/<int:pk>/trainings/new/", views.training_create, name="training_create"),
    path("people/<int:pk>/matters-reports/new/", views.matters_report_create, name="matters_report_create"),
]
