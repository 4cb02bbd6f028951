"""Lists the civil servants whose stored resident ID number is invalid, for an administrator to review.

    manage.py id_numbers_review
    manage.py id_numbers_review --agency <USCC>

For a while the check character was computed wrongly, so stored numbers may break GB 11643 (and real people may
have been turned away). Each line names the person by id, name and agency, with the masked number and the reason;
a full number is never printed. Nothing is changed.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from subjects.models import Agency, CivilServant
from subjects.services import civil_servants_with_invalid_id_numbers


class Command(BaseCommand):
    help = "List civil servants whose stored resident ID number is invalid (masked; nothing is changed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="Only this agency (by its Unified Social Credit Code) and those below it.")

    def handle(self, *args: Any, **options: Any) -> None:
        within = None
        if options["agency"]:
            within = Agency.objects.filter(uscc=options["agency"].strip().upper()).first()
            if within is None:
                raise CommandError(_("No agency has the code %(code)s.") % {"code": options["agency"]})
        people = CivilServant.objects.all()
        if within is not None:
            people = people.filter(agency__path__startswith=within.path)
        total = people.count()
        found = 0
        for row in civil_servants_with_invalid_id_numbers(within=within):
            if not found:
                self.stdout.write(
                    "\t".join([_("Person id"), _("Full name"), _("Agency"), _("ID number"), _("Problem")])
                )
            found += 1
            agency = f"{row.agency_name} ({row.agency_uscc})"
            self.stdout.write("\t".join([str(row.person_id), row.name, agency, row.masked, row.problem]))
        summary = _("%(found)d of %(total)d stored ID numbers are invalid.") % {"found": found, "total": total}
        self.stdout.write(self.style.WARNING(summary) if found else self.style.SUCCESS(summary))
