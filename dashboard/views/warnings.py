"""The early warnings page (监测预警): every registered source's warnings in the user's scope, filtered by kind, level
and unit (a unit's subtree), counted, and exported to Excel."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from accounts.models import Role
from dashboard.excel import table_xlsx, xlsx_response
from dashboard.warnings import SEVERITY_LABELS, kind_labels, warning_counts, warnings_for
from kernel.warnings import SEVERITY_ORDER, EarlyWarning
from subjects.models import Agency

READERS = frozenset({Role.CLERK, Role.REVIEWER, Role.CREDIT_OFFICE, Role.SECTOR_AUTHORITY, Role.INSPECTOR})


def _filtered(request: AuthenticatedRequest) -> tuple[list[EarlyWarning], list[EarlyWarning], dict[str, object]]:
    user = request.user
    if not (user.is_administrator or user.role in READERS):
        raise Http404
    today = timezone.localdate()
    everything = warnings_for(user, today)
    labels = kind_labels()
    kind = request.GET.get("kind", "")
    severity = request.GET.get("severity", "")
    unit: Agency | None = None
    raw_unit = request.GET.get("unit", "")
    if raw_unit:
        if not raw_unit.isdigit():
            raise Http404
        unit = Agency.objects.visible_to(user).filter(pk=int(raw_unit)).first()
        if unit is None:
            raise Http404  # outside the scope: as if it did not exist
    shown = [
        w
        for w in everything
        if (not kind or w.kind == kind)
        and (not severity or w.severity == severity)
        and (unit is None or w.agency_path.startswith(unit.path))
    ]
    top = user.agency if not user.is_administrator else None
    regions = Agency.objects.filter(parent=top) if top is not None else Agency.objects.filter(parent__isnull=True)
    context: dict[str, object] = {
        "regions": ([top] if top is not None else []) + list(regions.only("pk", "name")),
        "kind": kind,
        "severity": severity,
        "unit": unit,
        "kinds": list(labels.items()),
        "severities": [(s, SEVERITY_LABELS[s]) for s in SEVERITY_ORDER],
        "labels": labels,
        "today": today,
    }
    return everything, shown, context


@login_required
@never_cache
@require_GET
def warning_list(request: AuthenticatedRequest) -> HttpResponse:
    everything, shown, context = _filtered(request)
    counts = warning_counts(shown)
    context.update(
        {
            "section": "warnings",
            "as_of": timezone.localtime(),
            "warnings": shown,
            "total": len(everything),
            "counts": counts,
            "kind_counts": [(code, label, counts.by_kind.get(code, 0)) for code, label in context["kinds"]],  # type: ignore[attr-defined]
            "severity_counts": [(s, SEVERITY_LABELS[s], counts.by_severity[s]) for s in SEVERITY_ORDER],
            "query": request.GET.urlencode(),
        }
    )
    return render(request, "dashboard/warnings.html", context)


@login_required
@never_cache
@require_GET
def warning_export(request: AuthenticatedRequest) -> HttpResponseBase:
    _everything, shown, context = _filtered(request)
    labels: dict[str, str] = context["labels"]  # type: ignore[assignment]
    rows = [
        [
            str(SEVERITY_LABELS[w.severity]),
            labels.get(w.kind, w.kind),
            w.agency_name,
            w.what,
            w.due_on,
            w.days_left,
            w.days_overdue,
            request.build_absolute_uri(w.link) if w.link else "",
        ]
        for w in shown
    ]
    content = table_xlsx(
        title=_("Early warnings"),
        headers=[
            _("Level"),
            _("Kind"),
            _("Unit"),
            _("What"),
            _("Due on"),
            _("Days left"),
            _("Days overdue"),
            _("Link"),
        ],
        rows=rows,
        as_of=timezone.localtime(),
    )
    return xlsx_response(content, f"warnings-{timezone.localdate():%Y%m%d}.xlsx")


urlpatterns: list[URLPattern] = [
    path("warnings/", warning_list, name="warnings"),
    path("warnings/export/", warning_export, name="warnings_export"),
]
