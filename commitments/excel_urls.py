"""The Excel pages of public commitments, merged into commitments/urls.py."""

from django.urls import URLPattern, path

from commitments import excel_views

excel_urlpatterns: list[URLPattern] = [
    path("excel/template/", excel_views.commitment_import_template, name="excel_template"),
    path("excel/import/", excel_views.commitment_import, name="excel_import"),
    path("excel/export.xlsx", excel_views.commitment_export, name="excel_export"),
]
