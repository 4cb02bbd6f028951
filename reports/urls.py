"""The reports' pages: the public ones (reports, verification, open data) and the staff ones under /staff/reports/."""

from reports.views import public, staff

app_name = "reports"
urlpatterns = [*public.urlpatterns, *staff.urlpatterns]
