from django.urls import URLPattern, URLResolver, path

from subjects import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("agencies/", api.AgencyListApi.as_view(), name="agency-list"),
    path("agencies/<int:pk>/", api.AgencyDetailApi.as_view(), name="agency-detail"),
    path("civil-servants/", api.CivilServantListApi.as_view(), name="civil-servant-list"),
    path("civil-servants/lookup/", api.CivilServantLookupApi.as_view(), name="civil-servant-lookup"),
    path("civil-servants/<int:pk>/", api.CivilServantDetailApi.as_view(), name="civil-servant-detail"),
    path(
        "civil-servants/<int:pk>/reveal-id-number/",
        api.CivilServantRevealIdNumberApi.as_view(),
        name="civil-servant-reveal-id-number",
    ),
    path(
        "civil-servants/<int:pk>/integrity-file/",
        api.CivilServantIntegrityFileApi.as_view(),
        name="civil-servant-integrity-file",
    ),
]
