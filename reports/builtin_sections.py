"""The report's own sections (reports/sections.py registry): basic information and lineage, summary, dishonesty
records, measures, commitments, sector performance; for the review, the person, their records, measures, integrity
file and assessments.

The public version reads only what the disclosure site reads — `DishonestyRecord.objects.disclosed()` through
disclosure.queries (PublicRecord: public fields, persons as 张某, free text redacted), published commitments through
disclosure.commitments (PublicCommitment), published sector statements — so nothing non-public can reach it by a
slip here. The full version and the review read the staff data of the subject.
"""

from collections import Counter, defaultdict
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure.commitments import LIST_FIELDS, Standing, public_commitments
from disclosure.commitments import to_public as commitments_to_public
from disclosure.queries import (
    DETAIL_FIELDS,
    MEASURE_FIELDS,
    PublicRecord,
    agency_with_lineage,
    label,
    public_records,
)
from records.models import (
    AppliedMeasure,
    DishonestyRecord,
    MeasureState,
    MeasureTarget,
    RecordEvent,
    RecordSource,
    RecordStatus,
    ResponsibilityKind,
    Severity,
)
from reports.plain import plain, plain_dict
from reports.sections import FULL, PUBLIC, REVIEW, UNIT_VERSIONS, ReportContext, ReportSection, register_report_section
from sectors.models import DebtRegionYear, OverdueDisclosure, PaymentObligation
from sectors.models.procurement import ObligationStatus
from sectors.services.debt import debt_indicators
from subjects.models import AgencyEventKind, AssessmentResult

# The staff versions list every record a unit ever had in force; drafts, candidates and dismissed ones never count.
ISSUED_STATUSES = (
    RecordStatus.PUBLISHED,
    RecordStatus.CORRECTED,
    RecordStatus.REPAIRED,
    RecordStatus.EXPIRED,
    RecordStatus.REVOKED,
)
ENDED_STATUSES = (RecordStatus.REPAIRED, RecordStatus.EXPIRED, RecordStatus.REVOKED)
COMMITMENTS_SHOWN = 200


def _lineage(ctx: ReportContext) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        assert ctx.agency is not None
        agency, predecessors = agency_with_lineage(ctx.agency.pk)
        return {"agency": agency, "predecessors": predecessors, "ids": [ctx.agency.pk, *(p.pk for p in predecessors)]}

    result: dict[str, Any] = ctx.remember("lineage", compute)
    return result


# Unit: basic information and lineage


def basic(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.agency is None:
        return None
    lineage = _lineage(ctx)
    agency = lineage["agency"]
    parent = ctx.agency.parent
    events = ctx.agency.events.filter(kind__in=[AgencyEventKind.RENAMED, AgencyEventKind.MERGED]).order_by("at")
    return plain_dict(
        {
            "name": agency.name,
            "uscc": agency.uscc,
            "kind": agency.kind,
            "region_code": agency.region_code,
            "parent": parent.name if parent is not None else "",
            "successor": agency.successor_name,
            "predecessors": [{"name": p.name, "uscc": p.uscc, "kind": p.kind} for p in lineage["predecessors"]],
            "changes": [
                {"at": e.at.date(), "kind": label(AgencyEventKind, e.kind), "from": e.from_value, "to": e.to_value}
                for e in events
            ],
        }
    )


# Unit: dishonesty records


def _public_records(ctx: ReportContext) -> list[PublicRecord]:
    """The disclosed records of the unit and its predecessors, each as the public record page shows it."""

    def compute() -> list[PublicRecord]:
        ids = _lineage(ctx)["ids"]
        rows = list(
            public_records(ctx.on)
            .filter(subject_agency_id__in=ids)
            .order_by("-decision_date", "-pk")
            .values(*DETAIL_FIELDS)
        )
        measures: dict[int, list[dict[str, Any]]] = defaultdict(list)
        in_force = AppliedMeasure.objects.in_force().filter(record_id__in=[r["id"] for r in rows]).order_by("pk")
        for m in in_force.values("record_id", *MEASURE_FIELDS):
            measures[m["record_id"]].append(m)
        return [PublicRecord.of(row, detail=True, measures=measures[row["id"]]) for row in rows]

    result: list[PublicRecord] = ctx.remember("public_records", compute)
    return result


def _public_record_dict(r: PublicRecord) -> dict[str, Any]:
    return {
        "id": r.pk,
        "subject": r.subject,
        "is_person": r.is_person,
        "agency_name": r.agency_name,
        "source": r.source,
        "sector": r.sector,
        "severity": r.severity,
        "severity_label": r.severity_label,
        "document_number": r.document_number,
        "deciding_body_name": r.deciding_body_name,
        "decision_date": r.decision_date,
        "disclosed_until": r.disclosed_until,
        "earliest_repair_on": r.earliest_repair_on,
        "corrected": r.corrected,
        "under_objection": r.under_objection,
        "facts": r.facts,
        "legal_basis": r.legal_basis,
        "fine_amount": r.fine_amount,
        "status_label": _("Corrected") if r.corrected else _("In force"),
        "measures": [
            {
                "name": m.name,
                "applies_to": m.applies_to,
                "executing_agency": m.executing_agency,
                "starts_on": m.starts_on,
                "ends_on": m.ends_on,
                "state": _("Suspended") if m.suspended else _("In force"),
            }
            for m in r.measures
        ],
    }


def _full_records(ctx: ReportContext, *, person_scope: bool = False) -> list[dict[str, Any]]:
    """Every record issued about the unit (and predecessors) or, for the review, naming the person: in force and
    ended, minor ones too, with the reason it ended, the persons named and every measure with its state."""

    def compute() -> list[dict[str, Any]]:
        if person_scope:
            assert ctx.person is not None
            records = DishonestyRecord.objects.naming(ctx.person)
        else:
            records = DishonestyRecord.objects.filter(subject_agency_id__in=_lineage(ctx)["ids"])
        chosen = list(
            records.filter(status__in=ISSUED_STATUSES)
            .select_related("subject_agency")
            .prefetch_related("responsibilities__person")
            .order_by("-decision_date", "-pk")
        )
        ids = [r.pk for r in chosen]
        reasons: dict[int, str] = {}
        for event in RecordEvent.objects.filter(record_id__in=ids, to_status__in=ENDED_STATUSES).order_by("at", "pk"):
            reasons[event.record_id] = event.reason
        measures: dict[int, list[dict[str, Any]]] = defaultdict(list)
        applied = (
            AppliedMeasure.objects.filter(record_id__in=ids)
            .select_related("measure_type", "target_agency", "target_person", "executing_agency")
            .order_by("pk")
        )
        for m in applied:
            target = m.target_person.name if m.target_person is not None else getattr(m.target_agency, "name", "")
            measures[m.record_id].append(
                {
                    "name": m.measure_type.name,
                    "applies_to": label(MeasureTarget, m.measure_type.target),
                    "target": target,
                    "executing_agency": m.executing_agency.name,
                    "starts_on": m.starts_on,
                    "ends_on": m.ends_on,
                    "state": label(MeasureState, m.state),
                    "in_force": m.state in (MeasureState.ACTIVE, MeasureState.SUSPENDED),
                    "reason": m.state_reason,
                    "target_person_id": m.target_person_id,
                }
            )
        rows = []
        for r in chosen:
            persons = [
                {"name": p.person.name, "kind": label(ResponsibilityKind, p.kind), "person_id": p.person_id}
                for p in r.responsibilities.all()
            ]
            role = ""
            if person_scope and ctx.person is not None:
                if r.subject_person_id == ctx.person.pk:
                    role = _("Subject of the record")
                else:
                    role = next((p["kind"] for p in persons if p["person_id"] == ctx.person.pk), "")
            rows.append(
                {
                    "id": r.pk,
                    "subject": r.subject_name,
                    "is_person": r.subject_person_id is not None,
                    "agency_name": r.subject_agency.name,
                    "source": label(RecordSource, r.source),
                    "severity": r.severity,
                    "severity_label": label(Severity, r.severity),
                    "status": r.status,
                    "status_label": label(RecordStatus, r.status),
                    "in_force": r.status in (RecordStatus.PUBLISHED, RecordStatus.CORRECTED),
                    "publicly_disclosed": r.publicly_disclosed,
                    "document_number": r.document_number,
                    "deciding_body_name": r.deciding_body_name,
                    "decision_date": r.decision_date,
                    "disclosure_starts_on": r.disclosure_starts_on,
                    "disclosure_ends_on": r.disclosure_ends_on,
                    "facts": r.facts,
                    "legal_basis": r.legal_basis,
                    "fine_amount": r.fine_amount,
                    "ended_reason": reasons.get(r.pk, ""),
                    "explanation": r.explanation,
                    "persons": [{"name": p["name"], "kind": p["kind"]} for p in persons],
                    "role": role,
                    "measures": measures[r.pk],
                }
            )
        result: list[dict[str, Any]] = plain(rows)
        return result

    result: list[dict[str, Any]] = ctx.remember(f"full_records:{person_scope}", compute)
    return result


def unit_records(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.agency is None:
        return None
    if ctx.is_public:
        return {"public": True, "records": plain([_public_record_dict(r) for r in _public_records(ctx)])}
    return {"public": False, "records": _full_records(ctx)}


def _record_rows(ctx: ReportContext) -> list[dict[str, Any]]:
    """The records of the version: as the public site shows them, or the staff's full rows."""
    if ctx.is_public:
        rows: list[dict[str, Any]] = plain([_public_record_dict(r) for r in _public_records(ctx)])
        return rows
    return _full_records(ctx)


def _measure_rows(ctx: ReportContext) -> list[dict[str, Any]]:
    records = _record_rows(ctx)
    return [
        {**m, "document_number": r["document_number"], "subject": r["subject"]} for r in records for m in r["measures"]
    ]


def unit_measures(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.agency is None:
        return None
    return {"public": ctx.is_public, "measures": _measure_rows(ctx)}


# Unit: commitments


def unit_commitments(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.agency is None:
        return None
    scope = public_commitments().filter(agency_id__in=_lineage(ctx)["ids"])
    rows = commitments_to_public(scope.order_by("-due_on", "-pk").values(*LIST_FIELDS)[:COMMITMENTS_SHOWN], ctx.on)
    counts = Counter(c.standing for c in rows)
    return plain_dict(
        {
            "total": scope.count(),
            "standings": [{"label": text, "count": counts[value]} for value, text in Standing.choices if counts[value]],
            "commitments": [
                {
                    "code": c.code,
                    "title": c.title,
                    "kind": c.kind,
                    "due_on": c.due_on,
                    "standing": c.standing,
                    "standing_label": c.standing_label,
                    "progress_percent": c.progress_percent,
                    "outcome_reason": c.outcome_reason,
                    "responsible_person": c.responsible_person,
                }
                for c in rows
            ],
        }
    )


# Unit: sector performance


def unit_sectors(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.agency is None:
        return None
    ids = _lineage(ctx)["ids"]
    statements = OverdueDisclosure.objects.published().filter(agency_id__in=ids).order_by("-year", "-pk")
    overdue = [
        {
            "year": s.year,
            "contracts": s.contract_count,
            "payments": s.obligation_count,
            "amount": s.amount,
            "interest": s.interest,
            "oldest_days": s.oldest_days,
        }
        for s in statements
    ]
    debt = None
    latest = DebtRegionYear.objects.published().with_indicators().filter(region=ctx.agency).order_by("-year").first()
    if latest is not None:
        assessment = debt_indicators(latest)
        debt = {
            "year": latest.year,
            "limit": latest.limit_general + latest.limit_special,
            "balance": latest.balance_general + latest.balance_special,
            "tier": assessment.tier,
            "tier_label": assessment.tier_label,
        }
    obligations = None
    if not ctx.is_public:
        # The staff versions add the unit's live payment obligations (not published as such).
        totals = PaymentObligation.objects.filter(agency_id__in=ids).aggregate(
            total=Count("pk"),
            sme=Count("pk", filter=Q(is_sme=True)),
            settled=Count("pk", filter=Q(status=ObligationStatus.SETTLED)),
            settled_on_time=Count("pk", filter=Q(status=ObligationStatus.SETTLED, overdue_days=0)),
            overdue=Count("pk", filter=Q(status=ObligationStatus.OVERDUE)),
            overdue_amount=Sum("amount", filter=Q(status=ObligationStatus.OVERDUE)),
        )
        settled = totals["settled"] or 0
        totals["on_time_percent"] = round(100 * totals["settled_on_time"] / settled) if settled else None
        obligations = totals
    if not overdue and debt is None and not (obligations and obligations["total"]):
        return {"empty": True}
    return plain_dict({"empty": False, "overdue": overdue, "debt": debt, "obligations": obligations})


# Unit: summary (with a chart of records by decision year, as SVG)


def _bar_chart(counts: dict[int, int]) -> dict[str, Any]:
    years = sorted(counts)[-10:]
    top = max([counts[y] for y in years] or [1]) or 1
    width = 36
    bars = []
    for i, year in enumerate(years):
        height = round(120 * counts[year] / top)
        bars.append({"x": 40 + i * (width + 12), "y": 140 - height, "h": height, "year": year, "n": counts[year]})
    return {"bars": bars, "width": 60 + len(years) * (width + 12), "bar_width": width}


def unit_summary(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.agency is None:
        return None
    records = _record_rows(ctx)
    in_force = [r for r in records if ctx.is_public or r["in_force"]]
    by_severity = Counter(r["severity_label"] for r in in_force)
    by_year = Counter(int(r["decision_date"][:4]) for r in records)
    measures = [m for m in _measure_rows(ctx) if ctx.is_public or m["in_force"]]
    return plain_dict(
        {
            "records_in_force": len(in_force),
            "records_total": len(records),
            "by_severity": [{"label": k, "count": v} for k, v in sorted(by_severity.items())],
            "measures_in_force": len(measures),
            "chart": _bar_chart(dict(by_year)),
        }
    )


# Review: the civil servant


def review_person(ctx: ReportContext) -> dict[str, Any] | None:
    person = ctx.person
    if person is None:
        return None
    return plain_dict(
        {
            "name": person.name,
            "id_number": person.id_number_masked,
            "agency": person.agency.name,
            "position": person.position,
            "rank": person.rank,
            "principal": person.is_principal,
            "active": person.active,
        }
    )


def review_records(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.person is None:
        return None
    return {"public": False, "records": _full_records(ctx, person_scope=True)}


def review_measures(ctx: ReportContext) -> dict[str, Any] | None:
    if ctx.person is None:
        return None
    rows = [
        {**m, "document_number": r["document_number"], "subject": r["subject"]}
        for r in _full_records(ctx, person_scope=True)
        for m in r["measures"]
        if m["target_person_id"] == ctx.person.pk
    ]
    return {"public": False, "measures": rows}


def review_integrity_file(ctx: ReportContext) -> dict[str, Any] | None:
    person = ctx.person
    if person is None:
        return None
    return plain_dict(
        {
            "trainings": [
                {"title": t.title, "organizer": t.organizer, "on": t.attended_on, "hours": t.hours}
                for t in person.trainings.order_by("-attended_on", "pk")
            ],
            "matters": [
                {"year": m.year, "on": m.reported_on, "summary": m.summary}
                for m in person.matters_reports.order_by("-reported_on", "pk")
            ],
        }
    )


def review_assessments(ctx: ReportContext) -> dict[str, Any] | None:
    person = ctx.person
    if person is None:
        return None
    return plain_dict(
        {
            "assessments": [
                {"year": a.year, "result": label(AssessmentResult, a.result), "note": a.note}
                for a in person.assessments.order_by("-year", "pk")
            ]
        }
    )


def register() -> None:
    unit = UNIT_VERSIONS
    sections = [
        ReportSection(
            "basic", gettext_lazy("Basic information and lineage"), "reports/sections/basic.html", unit, basic, 10
        ),
        ReportSection("summary", gettext_lazy("Summary"), "reports/sections/summary.html", unit, unit_summary, 20),
        ReportSection(
            "records", gettext_lazy("Dishonesty records"), "reports/sections/records.html", unit, unit_records, 30
        ),
        ReportSection(
            "measures", gettext_lazy("Punishment measures"), "reports/sections/measures.html", unit, unit_measures, 40
        ),
        ReportSection(
            "commitments",
            gettext_lazy("Public commitments and their outcomes"),
            "reports/sections/commitments.html",
            unit,
            unit_commitments,
            50,
        ),
        ReportSection(
            "sectors", gettext_lazy("Sector performance"), "reports/sections/sectors.html", unit, unit_sectors, 60
        ),
        ReportSection(
            "person",
            gettext_lazy("The civil servant"),
            "reports/sections/person.html",
            frozenset({REVIEW}),
            review_person,
            10,
        ),
        ReportSection(
            "person_records",
            gettext_lazy("Records as subject and as responsible person"),
            "reports/sections/records.html",
            frozenset({REVIEW}),
            review_records,
            20,
        ),
        ReportSection(
            "person_measures",
            gettext_lazy("Punishment measures on the person"),
            "reports/sections/measures.html",
            frozenset({REVIEW}),
            review_measures,
            30,
        ),
        ReportSection(
            "integrity_file",
            gettext_lazy("Integrity file"),
            "reports/sections/integrity_file.html",
            frozenset({REVIEW}),
            review_integrity_file,
            40,
        ),
        ReportSection(
            "assessments",
            gettext_lazy("Annual assessments"),
            "reports/sections/assessments.html",
            frozenset({REVIEW}),
            review_assessments,
            50,
        ),
    ]
    for section in sections:
        register_report_section(section)


__all__ = ["FULL", "PUBLIC", "register"]
