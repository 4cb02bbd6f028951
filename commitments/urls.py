from commitments.excel_urls import excel_urlpatterns

app_name = "commitments"
urlpatterns = [*excel_urlpatterns]
