"""The report's sections from the apps that arrived after it: the latest frozen evaluation grade (never live scores)
and the results of supervision. Public version: what the public site shows (the frozen grade; the handling results of
NPC suggestions and CPPCC proposals). Full version adds the score kept under a veto, court cases, breach complaints,
inspection rectifications and the work ledger, counted by state. Also the open-data set of frozen grades."""

from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.models import PeriodStatus, SnapshotGrade
from evaluation.selectors import latest_frozen_grade
from reports.opendata import Field, OpenDataset, register_open_dataset
from reports.plain import plain_dict
from reports.sections import FULL, UNIT_VERSIONS, ReportContext, ReportSection, register_report_section
from supervision.models import BreachComplaint, CourtCase, LedgerAssignment, RectificationItem, Suggestion
from supervision.models.complaints import BreachComplaintStatus
from supervision.models.courts import CaseStatus, JudgmentResult
from supervision.models.inspections import RectificationStatus
from supervision.models.ledger import LedgerStatus
from supervision.models.suggestions import ReplyClass, Satisfaction, SuggestionKind

SUGGESTIONS_SHOWN = 50
CASES_SHOWN = 50


def unit_grade(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.agency is None:
        return None
    grade = latest_frozen_grade(ctx.agency)
    if grade is None:
        return {"none": True}
    data: dict[str, Any] = {
        "period": str(grade.period),
        "grade": grade.grade,
        "vetoed": grade.vetoed,
        "version": grade.version,
    }
    if ctx.version == FULL:
        data["total"] = grade.total
    return plain_dict(data)


def _counts(rows: Any, choices: Any) -> list[dict[str, Any]]:
    found = Counter(dict(rows.order_by().values_list("status").annotate(n=Count("pk"))))
    return [{"label": str(text), "count": found[value]} for value, text in choices if found[value]]


def unit_supervision(ctx: ReportContext) -> dict[str, Any] | None:
    agency = ctx.agency
    if agency is None:
        return None
    suggestions = Suggestion.objects.published().filter(lead_unit=agency).order_by("-assigned_on", "-pk")
    labels = {
        "kind": dict(SuggestionKind.choices),
        "class": dict(ReplyClass.choices),
        "satisfaction": dict(Satisfaction.choices),
    }
    data: dict[str, Any] = {
        "suggestions_total": suggestions.count(),
        "suggestions": [
            {
                "number": s.number,
                "kind": str(labels["kind"].get(s.kind, s.kind)),
                "title": s.title,
                "reply_class": str(labels["class"].get(s.reply_class, "")),
                "satisfaction": str(labels["satisfaction"].get(s.final_satisfaction or s.satisfaction, "")),
            }
            for s in suggestions[:SUGGESTIONS_SHOWN]
        ],
    }
    if ctx.version == FULL:
        data["full"] = True
        cases = CourtCase.objects.filter(agency=agency).order_by("-filing_notice_on", "-pk")
        results = dict(JudgmentResult.choices)
        data["cases"] = [
            {
                "case_number": c.case_number,
                "court": c.court,
                "result": str(results.get(c.result, "")),
                "performance_due_on": c.performance_due_on,
                "performed_on": c.performed_on,
                "not_performed": c.status == CaseStatus.TO_PERFORM
                and c.performance_due_on is not None
                and c.performance_due_on < ctx.on,
            }
            for c in cases[:CASES_SHOWN]
        ]
        data["complaints"] = _counts(BreachComplaint.objects.filter(respondent=agency), BreachComplaintStatus.choices)
        data["rectifications"] = _counts(RectificationItem.objects.filter(agency=agency), RectificationStatus.choices)
        data["ledger"] = _counts(LedgerAssignment.objects.filter(agency=agency), LedgerStatus.choices)
    return plain_dict(data)


GRADE_FIELDS = (
    Field("unit_name", gettext_lazy("Unit"), "text"),
    Field("unit_uscc", gettext_lazy("Unified Social Credit Code"), "text"),
    Field("period", gettext_lazy("Evaluation period"), "text"),
    Field("grade", gettext_lazy("Grade"), "text"),
    Field("vetoed", gettext_lazy("One-vote veto"), "boolean"),
    Field("version", gettext_lazy("Snapshot version"), "integer"),
)


def grade_rows() -> Iterator[dict[str, Any]]:
    """Each unit's grade in every frozen period, from the period's latest snapshot version."""
    rows = (
        SnapshotGrade.objects.filter(snapshot__period__status=PeriodStatus.FROZEN)
        .select_related("agency", "snapshot__period")
        .order_by("snapshot__period__end", "agency_id", "-snapshot__version")
    )
    seen: set[tuple[int, int]] = set()
    for row in rows.iterator(2000):
        key = (row.snapshot.period_id, row.agency_id)
        if key in seen:
            continue
        seen.add(key)
        yield {
            "unit_name": row.agency.name,
            "unit_uscc": row.agency.uscc,
            "period": str(row.snapshot.period),
            "grade": row.grade,
            "vetoed": row.vetoed,
            "version": row.snapshot.version,
        }


def register() -> None:
    register_report_section(
        ReportSection(
            "grade",
            gettext_lazy("Latest frozen evaluation grade"),
            "reports/sections/grade.html",
            UNIT_VERSIONS,
            unit_grade,
            70,
        )
    )
    register_report_section(
        ReportSection(
            "supervision",
            gettext_lazy("Supervision results"),
            "reports/sections/supervision.html",
            UNIT_VERSIONS,
            unit_supervision,
            80,
        )
    )
    register_open_dataset(OpenDataset("grades", _("Frozen evaluation grades"), GRADE_FIELDS, grade_rows, 50))
