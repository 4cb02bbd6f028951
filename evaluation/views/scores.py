"""Staff pages of the scores: the list with filters and Excel, a unit's score explained down to the items, manual
points with evidence. Rows come through evaluation.selectors (accounts.scope): outside it, 404."""

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.http import AuthenticatedRequest
from accounts.scope import agency_q
from evaluation import engine, selectors
from evaluation.models import FormulaType, Indicator, ManualScore, Period, Score, Snapshot, VetoRule
from evaluation.services.manual import manual_score_enter, may_score
from kernel.errors import DomainError, NotAllowed
from kernel.sources import source
from records.excel.export import XLSX_CONTENT_TYPE, export_xlsx
from subjects.models import Agency, AgencyKind

LIST_LIMIT = 500
ITEMS_PER_LINE = 50
FLAGS = {
    engine.NO_DATA: gettext_lazy("No data: its weight is spread over its group"),
    engine.NO_SOURCE: gettext_lazy("No source yet: its weight is spread over its group"),
    engine.NOT_APPLICABLE: gettext_lazy("Does not apply to this kind of unit: its weight is spread over its group"),
}


LEVELS = {
    "serious": gettext_lazy("serious"),
    "general": gettext_lazy("general"),
    "minor": gettext_lazy("minor"),
    "listed": gettext_lazy("listed at the period end"),
    "delisted": gettext_lazy("delisted"),
    "overdue": gettext_lazy("overdue"),
    "arrears": gettext_lazy("in arrears at the period end"),
    "late_disclosure": gettext_lazy("late disclosures"),
    "default": gettext_lazy("defaults"),
}


def describe_inputs(inputs: dict[str, Any]) -> str:
    """A line's measure in words: how many items, how many good, by level, the value."""
    if not inputs:
        return ""
    parts = []
    if inputs.get("total"):
        parts.append(_("%(n)s items") % {"n": inputs["total"]})
    if inputs.get("good"):
        parts.append(_("%(n)s good") % {"n": inputs["good"]})
    if inputs.get("partial"):
        parts.append(_("%(n)s in part") % {"n": inputs["partial"]})
    for level, n in (inputs.get("by_level") or {}).items():
        parts.append(f"{LEVELS.get(level, level)} {n}")
    if inputs.get("value") is not None:
        parts.append(_("value %(v)s") % {"v": inputs["value"]})
    return "，".join(parts)


def _period(request: AuthenticatedRequest) -> Period | None:
    raw = request.GET.get("period", "")
    if raw.isdigit():
        return Period.objects.select_related("indicator_set").filter(pk=int(raw)).first()
    return selectors.latest_period()


def _filtered(request: AuthenticatedRequest, period: Period | None) -> tuple[Any, dict[str, str]]:
    scores = selectors.latest_scores(request.user, period)
    chosen = {k: request.GET.get(k, "") for k in ("region", "kind", "grade")}
    if chosen["region"].isdigit():
        region = Agency.objects.filter(agency_q(request.user), pk=int(chosen["region"])).first()
        if region is not None:
            scores = scores.filter(agency__path__startswith=region.path)
    if chosen["kind"] in AgencyKind.values:
        scores = scores.filter(kind=chosen["kind"])
    if chosen["grade"] in selectors.GRADES:
        scores = scores.filter(grade=chosen["grade"])
    return scores, chosen


@login_required
@require_GET
def score_list(request: AuthenticatedRequest) -> HttpResponse:
    period = _period(request)
    scores, chosen = _filtered(request, period)
    regions = Agency.objects.filter(agency_q(request.user), kind=AgencyKind.GOVERNMENT).order_by("path")[:200]
    context = {
        "section": "evaluation",
        "period": period,
        "periods": Period.objects.order_by("-end")[:20],
        "scores": scores[:LIST_LIMIT],
        "count": scores.count(),
        "limit": LIST_LIMIT,
        "chosen": chosen,
        "regions": regions,
        "kinds": AgencyKind.choices,
        "grades": selectors.GRADES,
        "distribution": selectors.grade_distribution(request.user, period),
    }
    return render(request, "evaluation/score_list.html", context)


@login_required
@require_GET
def score_export(request: AuthenticatedRequest) -> HttpResponse:
    period = _period(request)
    if period is None:
        raise Http404
    scores, _chosen = _filtered(request, period)
    headers = [_("Unit"), _("Unit kind"), _("Parent"), _("Score"), _("Grade"), _("Vetoed"), _("Rank"), _("Of")]
    kinds = dict(AgencyKind.choices)
    rows = [headers] + [
        [
            s.agency.name,
            str(kinds.get(s.kind, s.kind)),
            s.parent.name if s.parent else "",
            s.total,
            s.grade,
            _("Yes") if s.vetoed else _("No"),
            s.rank,
            s.rank_of,
        ]
        for s in scores.iterator(chunk_size=1000)
    ]
    response = HttpResponse(export_xlsx(rows), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"评价得分-{period.year}-{period.half}.xlsx") or ""
    )
    return response


def _score(request: AuthenticatedRequest, period_id: int, agency_id: int) -> Score:
    score = (
        Score.objects.filter(agency_q(request.user, "agency"))
        .select_related("agency", "parent", "period__indicator_set")
        .filter(period_id=period_id, agency_id=agency_id)
        .first()
    )
    if score is None:
        raise Http404
    return score


@login_required
@require_GET
def score_detail(request: AuthenticatedRequest, period_id: int, agency_id: int) -> HttpResponse:
    score = _score(request, period_id, agency_id)
    period = score.period
    indicators = {i.code: i for i in Indicator.objects.filter(indicator_set_id=period.indicator_set_id)}
    manual = {
        m.indicator_id: m for m in ManualScore.objects.filter(period=period, agency_id=agency_id).select_related()
    }
    groups = []
    for code, points in score.groups.items():
        group = indicators.get(code)
        lines = []
        for line in score.lines:
            if line["group"] != code:
                continue
            indicator = indicators.get(line["code"])
            src = source(indicator.source_code) if indicator and indicator.source_code else None
            lost = not line["flag"] and line["raw"] != line["weight"]
            items = src.items(agency_id, period.start, period.end)[:ITEMS_PER_LINE] if src and lost else []
            lines.append(
                {
                    "line": line,
                    "indicator": indicator,
                    "source": src,
                    "flag": FLAGS.get(line["flag"], ""),
                    "inputs": describe_inputs(line["inputs"]),
                    "items": items,
                    "manual": manual.get(indicator.pk) if indicator else None,
                    "lost": lost,
                }
            )
        groups.append({"indicator": group, "points": Decimal(points), "lines": lines})
    vetoes = {v.code: v for v in VetoRule.objects.filter(indicator_set_id=period.indicator_set_id)}
    context = {
        "section": "evaluation",
        "score": score,
        "period": period,
        "groups": groups,
        "vetoes": [(vetoes.get(r["code"]), r) for r in score.veto_reasons],
        "snapshots": Snapshot.objects.filter(period=period).order_by("-version").only("version", "frozen_at", "reason"),
        "may_score": period.is_open and may_score(request.user, score.agency),
    }
    return render(request, "evaluation/score_detail.html", context)


class ManualScoreForm(forms.Form):
    indicator = forms.ModelChoiceField(label=gettext_lazy("Indicator"), queryset=Indicator.objects.none())
    points = forms.DecimalField(label=gettext_lazy("Points"), max_digits=6, decimal_places=2, min_value=0)
    note = forms.CharField(label=gettext_lazy("Grounds"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label=gettext_lazy("Evidence"))

    def __init__(self, *args: Any, period: Period, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicator"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Indicator.objects.filter(indicator_set_id=period.indicator_set_id, formula=FormulaType.MANUAL)


@login_required
@require_http_methods(["GET", "POST"])
def manual_score(request: AuthenticatedRequest, period_id: int, agency_id: int) -> HttpResponse:
    score = _score(request, period_id, agency_id)
    if not may_score(request.user, score.agency):
        raise PermissionDenied
    period = score.period
    form = ManualScoreForm(request.POST or None, request.FILES or None, period=period)
    if request.method == "POST" and form.is_valid():
        try:
            manual_score_enter(
                actor=request.user,
                period=period,
                agency=score.agency,
                indicator=form.cleaned_data["indicator"],
                points=form.cleaned_data["points"],
                note=form.cleaned_data["note"],
                evidence=form.cleaned_data["evidence"],
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc.message)) from exc
        except DomainError as exc:
            for field, messages in (exc.field_errors() or {"__all__": [str(exc.message)]}).items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        else:
            return redirect("evaluation:score_detail", period.pk, score.agency_id)
    context = {"section": "evaluation", "score": score, "period": period, "form": form}
    return render(request, "evaluation/manual_score.html", context)


urlpatterns: list[URLPattern] = [
    path("scores/", score_list, name="scores"),
    path("scores/export/", score_export, name="score_export"),
    path("scores/<int:period_id>/<int:agency_id>/", score_detail, name="score_detail"),
    path("scores/<int:period_id>/<int:agency_id>/manual/", manual_score, name="manual_score"),
]
