"""Bulk workflow steps from the staff record list: submit or publish the records ticked in the list.

Each record goes through the same service as its own button (records.views.dishonesty.record_move), in its own
transaction, and gets its own line in the answer: done, refused with the service's reason, or not found. Ids outside
the user's scope are "not found", like an id typed into a record's address. Publishing is confirmed first, on a page
that lists each record's disclosure dates, as publishing one record is.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from kernel.errors import DomainError
from records import services
from records.forms import BulkActionForm
from records.models import DishonestyRecord
from records.views.dishonesty import _may_press, _status_allows, bulk_actions_for, listed_records, record_move

BULK_LIMIT = 100


@dataclass
class BulkRow:
    """One ticked record and what became of it (or, before a confirmed publish, what will)."""

    pk: int
    record: DishonestyRecord | None
    outcome: str = ""  # "done", "refused", "not_found"; empty while only previewed
    message: str = ""
    preview: Any = None


def _rows(user: User, ids: list[int]) -> list[BulkRow]:
    found = {
        record.pk: record for record in listed_records(DishonestyRecord.objects.visible_to(user).filter(pk__in=ids))
    }
    return [BulkRow(pk=pk, record=found.get(pk)) for pk in ids]


def _run(user: User, action: str, rows: list[BulkRow]) -> None:
    for row in rows:
        record = row.record
        if record is None:
            row.outcome, row.message = "not_found", _("Not found in your scope.")
            continue
        if not _may_press(user, record, action):
            row.outcome, row.message = "refused", _("Your role does not allow this action on this record.")
            continue
        try:
            row.record = record_move(user, record, action)
        except DomainError as exc:
            row.outcome, row.message = "refused", str(exc.message)
        else:
            row.outcome = "done"


def _preview(user: User, rows: list[BulkRow]) -> None:
    """What publishing each record would do; a record that cannot be published says why before anything is done."""
    for row in rows:
        record = row.record
        if record is None:
            row.outcome, row.message = "not_found", _("Not found in your scope.")
        elif not _may_press(user, record, "publish"):
            row.outcome, row.message = "refused", _("Your role does not allow this action on this record.")
        elif not _status_allows(record, "publish"):
            row.outcome = "refused"
            row.message = _("Only a submitted record can be published; this one is %(status)s.") % {
                "status": record.get_status_display()
            }
        else:
            try:
                row.preview = services.record_publish_preview(record=record)
            except DomainError as exc:
                row.outcome, row.message = "refused", str(exc.message)


@login_required
@require_POST
def record_bulk(request: AuthenticatedRequest) -> HttpResponse:
    """Submit or publish the ticked records. Publish answers first with its confirmation page (a ticked box)."""
    user = request.user
    offered = dict(bulk_actions_for(user))
    if not offered:
        raise PermissionDenied(_("Your role does not move records on."))
    form = BulkActionForm(request.POST, actions=list(offered.items()), limit=BULK_LIMIT)
    context: dict[str, Any] = {"section": "records", "form": form}
    unconfirmed = "confirm" in form.errors and set(form.errors) == {"confirm"}
    if not form.is_valid() and not unconfirmed:
        return render(request, "records/record_bulk.html", context, status=400)
    action = form.cleaned_data["action"]
    rows = _rows(user, form.cleaned_data["ids"])
    context.update(action=action, action_label=offered[action], rows=rows)
    if action == "publish" and not form.cleaned_data.get("confirm"):
        _preview(user, rows)
        context["confirming"] = True
        return render(request, "records/record_bulk.html", context, status=400 if unconfirmed else 200)
    _run(user, action, rows)
    context["done"] = sum(1 for row in rows if row.outcome == "done")
    return render(request, "records/record_bulk.html", context)
