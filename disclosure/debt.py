"""The public pages of local government debt (seed 000 §(十三)): each region's limits, balances, bonds, repayments,
risk tier and disclosure timeliness, with a chart of the balance against the limit over the years (Apache ECharts,
vendored) and the same figures as a table. Only published yearly figures; a region without any is "not found"."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from disclosure.views import not_found, page, public_page
from sectors.models import DebtBond, DebtRegionYear, DebtRepayment, RiskTierRule
from sectors.services.debt import debt_disclosure_timeliness, debt_indicators
from subjects.models import Agency


@public_page
def debt_regions(request: HttpRequest) -> HttpResponse:
    rules = list(RiskTierRule.objects.all())
    latest: dict[int, DebtRegionYear] = {}
    for row in DebtRegionYear.objects.published().with_indicators().select_related("region").order_by("-year"):
        latest.setdefault(row.region_id, row)
    regions = [
        {"row": row, "assessment": debt_indicators(row, rules=rules)}
        for row in sorted(latest.values(), key=lambda r: r.region.name)
    ]
    return page(request, "disclosure/debt/list.html", {"regions": regions})


def public_region(pk: int) -> dict[str, Any] | None:
    """What a region's public page shows, in a fixed number of queries; None without published figures."""
    region = Agency.objects.filter(pk=pk).first()
    if region is None:
        return None
    years = list(DebtRegionYear.objects.published().with_indicators().filter(region=region).order_by("year"))
    if not years:
        return None
    rules = list(RiskTierRule.objects.all())
    rows = [{"row": row, "assessment": debt_indicators(row, rules=rules)} for row in years]
    chart = {
        "years": [str(row.year) for row in years],
        "limit": [float(row.limit_total) for row in years],
        "balance": [float(row.balance_total) for row in years],
    }
    return {
        "region": region,
        "rows": rows,
        "latest": rows[-1],
        "chart": chart,
        "bonds": list(DebtBond.objects.filter(region=region).order_by("-issued_on", "code")),
        "repayments": list(
            DebtRepayment.objects.filter(bond__region=region).select_related("bond").order_by("-due_on", "pk")[:200]
        ),
        "timeliness": debt_disclosure_timeliness(region),
    }


@public_page
def debt_region(request: HttpRequest, pk: int) -> HttpResponse:
    card = public_region(pk)
    if card is None:
        return not_found(request)
    return page(request, "disclosure/debt/region.html", card)


urlpatterns: list[URLPattern] = [
    path("debt/", debt_regions, name="debt_regions"),
    path("debt/<int:pk>/", debt_region, name="debt_region"),
]
