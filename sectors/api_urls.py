"""REST API of the sector duties under /api/v1/sectors/: each sector's api module holds its own `urlpatterns`."""

from django.urls import URLPattern, URLResolver

from sectors.api import investment, ppp, procurement, tendering

urlpatterns: list[URLPattern | URLResolver] = [
    *procurement.urlpatterns,
    *investment.urlpatterns,
    *ppp.urlpatterns,
    *tendering.urlpatterns,
]
