"""Issues an API client from the command line and prints its key, once.

    manage.py api_client_issue --name 市信用平台同步 --scope public:read
    manage.py api_client_issue --name 东城区审计系统 --scope records:read --agency <USCC> --agency <USCC>
    manage.py api_client_issue --name 财政局业务系统 --scope records:write --write-agency <USCC>

Agencies are named by their Unified Social Credit Code. With records:write and a single --agency, that agency is the
one the client writes for.
"""

from typing import TYPE_CHECKING, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import ApiScope, User
from accounts.services import api_client_issue
from kernel.errors import DomainError

if TYPE_CHECKING:
    from subjects.models import Agency


def _agency(code: str) -> "Agency":
    # The agency model through the user's own link: accounts sits below subjects and imports none of it.
    agencies = cast("type[Agency]", User._meta.get_field("agency").related_model)
    agency = agencies.objects.filter(uscc=code.strip().upper()).first()
    if agency is None:
        raise CommandError(f"No agency has the code {code}.")
    return agency


class Command(BaseCommand):
    help = "Issue an API client (another system's credentials) and print its key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", action="append", required=True, choices=ApiScope.values, dest="scopes")
        parser.add_argument(
            "--agency", action="append", default=[], dest="agencies", help="records:read: an agency and its subtree."
        )
        parser.add_argument("--write-agency", help="records:write: the one agency the client enters records for.")
        parser.add_argument("--description", default="")
        parser.add_argument("--contact", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        scopes = set(options["scopes"])
        agencies = [_agency(code) for code in options["agencies"]]
        write_agency = _agency(options["write_agency"]) if options["write_agency"] else None
        if ApiScope.RECORDS_WRITE in scopes and write_agency is None and len(agencies) == 1:
            write_agency = agencies[0]
            if ApiScope.RECORDS_READ not in scopes:
                agencies = []
        try:
            client, key = api_client_issue(
                actor=None,
                name=options["name"],
                scopes=scopes,
                read_agencies=agencies,
                write_agency=write_agency,
                description=options["description"],
                contact=options["contact"],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.field or 'error'}: {exc.message}") from exc
        self.stdout.write(f"API client {client.name} (id {client.pk}), scopes: {' '.join(sorted(client.scopes))}")
        self.stdout.write("Key, shown only this once; send it as `Authorization: Bearer <key>`:")
        self.stdout.write(key)
