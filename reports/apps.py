from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Credit reports")

    def ready(self) -> None:
        from reports import builtin_sections, later_sections, opendata_builtin
        from reports.views.staff import agency_report_section, credit_review_link
        from subjects.agency_sections import AgencySection, register_agency_section
        from subjects.integrity import register_file_section

        # The report's own sections and open-data sets go through the same registries as anyone else's.
        builtin_sections.register()
        opendata_builtin.register()
        later_sections.register()
        # 生成信用报告 on the staff agency page.
        register_agency_section(AgencySection("reports/_agency_section.html", agency_report_section))
        # The credit review (信用审查) from an integrity file's page, for inspectors.
        register_file_section(credit_review_link)
