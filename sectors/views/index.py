"""The sector duties' own start page: each sector the user may read, with what it holds in the user's reach."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from accounts.models import Role, Sector
from sectors.models import Contract, CreationApplication, DebtRegionYear, InvestmentAgreement, PppProject, TenderProject


@dataclass(frozen=True)
class SectorCard:
    sector: str
    title: str | Promise
    what: str | Promise
    url: str
    count: int
    unit: str | Promise


def _cards(request: AuthenticatedRequest) -> list[SectorCard]:
    user = request.user
    rows: list[tuple[str, str | Promise, str | Promise, str, QuerySet[Any], str | Promise]] = [
        (
            Sector.PROCUREMENT,
            _("Procurement payments"),
            _("Contracts, SME payment deadlines, arrears and the supplier blacklist"),
            "sectors:procurement_contracts",
            Contract.objects.visible_to(user),
            _("contracts"),
        ),
        (
            Sector.INVESTMENT,
            _("Investment promotion"),
            _("Agreements with investors, the government's obligations and their lawful changes"),
            "sectors:investment_list",
            InvestmentAgreement.objects.visible_to(user),
            _("agreements"),
        ),
        (
            Sector.PPP,
            _("PPP projects"),
            _("Projects, stages and who held each, payment obligations"),
            "sectors:ppp_list",
            PppProject.objects.visible_to(user),
            _("projects"),
        ),
        (
            Sector.TENDERING,
            _("Tendering"),
            _("Tender projects, bad-behaviour points, sanctions and the blacklist"),
            "sectors:tendering_behaviours",
            TenderProject.objects.visible_to(user),
            _("tender projects"),
        ),
        (
            Sector.DEBT,
            _("Government debt"),
            _("Limits, balances, bonds, repayments, risk tiers and disclosure"),
            "sectors:debt_years",
            DebtRegionYear.objects.visible_to(user),
            _("region years"),
        ),
        (
            Sector.STREETS_TOWNS,
            _("Honest streets and towns"),
            _("Applications, reviews, public notice and naming"),
            "sectors:creation_list",
            CreationApplication.objects.visible_to(user),
            _("applications"),
        ),
    ]
    # A sector authority reads its own sector only (accounts.scope.sector_data_q).
    if user.role == Role.SECTOR_AUTHORITY:
        rows = [row for row in rows if row[0] == user.sector]
    return [
        SectorCard(sector, title, what, reverse(url), queryset.count(), unit)
        for sector, title, what, url, queryset, unit in rows
    ]


@login_required
@require_GET
def sectors_index(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "sectors/index.html", {"section": "sectors", "cards": _cards(request)})


urlpatterns: list[URLPattern] = [path("", sectors_index, name="index")]
