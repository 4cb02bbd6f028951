"""12345 hotline tickets: the rules an imported ticket meets and the one write of an import (all rows or none).
They feed the indicators (kernel.sources), they are not handled here. docs/supervision.md § 12345 hotline tickets."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.scope import agency_q
from kernel.errors import NotAllowed
from kernel.sources import unit_changed
from subjects.models import Agency
from supervision.models.hotline import HotlineTicket, Satisfaction, TicketType

# The fields a ticket row gives, as the import reads them.
FIELDS = ("number", "type", "unit", "summary", "received_on", "due_on", "closed_on", "satisfaction", "reopened_count")


def ticket_problems(values: Mapping[str, Any]) -> dict[str, list[str]]:
    """Every rule one ticket breaks, by field."""
    problems: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not values.get("number"):
        add("number", _("Give the ticket number."))
    if values.get("type") not in TicketType.values:
        add("type", _("Choose the ticket type from the list."))
    if values.get("unit") is None:
        add("unit", _("No unit of that name is within your reach."))
    received: datetime.date | None = values.get("received_on")
    due: datetime.date | None = values.get("due_on")
    closed: datetime.date | None = values.get("closed_on")
    if received is None:
        add("received_on", _("Give the date the ticket was received."))
    if due is None:
        add("due_on", _("Give the due date."))
    if received and due and due < received:
        add("due_on", _("The due date cannot be before the date received."))
    if received and closed and closed < received:
        add("closed_on", _("The closing date cannot be before the date received."))
    satisfaction = values.get("satisfaction") or Satisfaction.NONE
    if satisfaction not in Satisfaction.values:
        add("satisfaction", _("Choose the satisfaction from the list."))
    reopened = values.get("reopened_count") or 0
    if not isinstance(reopened, int) or reopened < 0 or reopened > 99:
        add("reopened_count", _("Give the number of times reopened, 0 to 99."))
    return problems


def hotline_units_for(user: User) -> dict[str, Agency]:
    """The units whose tickets `user` imports, by name: the agencies in the user's reach (a credit office: its
    region)."""
    return {agency.name: agency for agency in Agency.objects.filter(agency_q(user)).only("pk", "name", "path")}


def hotline_import_write(*, actor: User, rows: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """Writes valid ticket rows in one transaction: a new number is created, a known one (a later export of the
    platform) updated. Returns (created, updated). The caller has checked every row."""
    numbers = [row["number"] for row in rows]
    known = {t.number: t for t in HotlineTicket.objects.filter(number__in=numbers).select_related("unit")}
    reach = set(HotlineTicket.objects.visible_to(actor).filter(number__in=numbers).values_list("number", flat=True))
    for number in known:
        if number not in reach:
            raise NotAllowed(_("Ticket %(number)s belongs to a unit outside your reach.") % {"number": number})
    created, updated = [], []
    touched: dict[int, datetime.date] = {}
    for row in rows:
        values: dict[str, Any] = {name: row.get(name) for name in FIELDS if name != "number"}
        values["satisfaction"] = values.get("satisfaction") or Satisfaction.NONE
        values["reopened_count"] = values.get("reopened_count") or 0
        values["summary"] = values.get("summary") or ""
        ticket = known.get(row["number"])
        if ticket is None:
            created.append(HotlineTicket(number=row["number"], imported_by=actor, **values))
        else:
            touched[ticket.unit_id] = min(touched.get(ticket.unit_id, ticket.received_on), ticket.received_on)
            for name, value in values.items():
                setattr(ticket, name, value)
            ticket.imported_by = actor
            ticket.imported_at = timezone.now()  # bulk_update does not stamp auto_now
            updated.append(ticket)
        unit: Agency = values["unit"]
        received: datetime.date = values["received_on"]
        touched[unit.pk] = min(touched.get(unit.pk, received), received)
    with transaction.atomic():
        HotlineTicket.objects.bulk_create(created, batch_size=1000)
        HotlineTicket.objects.bulk_update(
            updated, [*(name for name in FIELDS if name != "number"), "imported_by", "imported_at"], batch_size=1000
        )
        # Each unit's figures change from its earliest ticket touched on.
        for on in sorted(set(touched.values())):
            unit_changed([pk for pk, day in touched.items() if day == on], on)
    return len(created), len(updated)
