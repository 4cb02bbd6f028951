from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Credit reports")

    def ready(self) -> None:
        from reports import builtin_sections, opendata_builtin
        from reports.views.staff import agency_report_section
        from subjects.agency_sections import AgencySection, register_agency_section

        # The report's own sections and open-data sets go through the same registries as anyone else's.
        builtin_sections.register()
        opendata_builtin.register()
        # 生成信用报告 on the staff agency page.
        register_agency_section(AgencySection("reports/_agency_section.html", agency_report_section))
