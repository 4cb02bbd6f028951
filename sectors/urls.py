"""Staff pages of the sector duties: each sector's views module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from sectors.views import debt, index, investment, ppp, procurement, streets, tendering

app_name = "sectors"
urlpatterns: list[URLPattern | URLResolver] = [
    *index.urlpatterns,
    *procurement.urlpatterns,
    *investment.urlpatterns,
    *ppp.urlpatterns,
    *streets.urlpatterns,
    *debt.urlpatterns,
    *tendering.urlpatterns,
]
