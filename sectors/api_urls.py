"""REST API of the sector duties under /api/v1/sectors/: each sector's api module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from sectors.api import debt, investment, ppp, procurement, streets, tendering

urlpatterns: list[URLPattern | URLResolver] = [
    *procurement.urlpatterns,
    *investment.urlpatterns,
    *ppp.urlpatterns,
    *streets.urlpatterns,
    *debt.urlpatterns,
    *tendering.urlpatterns,
]
