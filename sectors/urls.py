"""Staff pages of the sector duties: each sector's views module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from sectors.views import investment, ppp, procurement, tendering

app_name = "sectors"
urlpatterns: list[URLPattern | URLResolver] = [
    *procurement.urlpatterns,
    *investment.urlpatterns,
    *ppp.urlpatterns,
    *tendering.urlpatterns,
]
