"""The supervision start page (/staff/supervision/): one card per kind of supervision with what it holds in the
user's reach. Each kind registers its card with `register_supervision_section` (from SupervisionConfig.ready through
its own module), so the kinds added by separate modules do not edit one list."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from django.utils.functional import Promise
from django.views.decorators.http import require_GET

from accounts.http import AuthenticatedRequest
from accounts.models import User


@dataclass(frozen=True)
class SupervisionSection:
    """One kind's card: `rows(user)` is the scoped queryset counted on the card; `urgent(user)`, when given, counts
    what needs attention (overdue, due soon)."""

    key: str
    title: str | Promise
    what: str | Promise
    url_name: str
    unit: str | Promise
    rows: Callable[[User], QuerySet[Any]]
    urgent: Callable[[User], QuerySet[Any]] | None = None
    urgent_label: str | Promise = ""
    order: int = 100


@dataclass(frozen=True)
class SupervisionCard:
    key: str
    title: str | Promise
    what: str | Promise
    url: str
    count: int
    unit: str | Promise
    urgent: int | None
    urgent_label: str | Promise


SECTIONS: list[SupervisionSection] = []


def register_supervision_section(section: SupervisionSection) -> SupervisionSection:
    """Called from an AppConfig.ready (or a kind's `register()`); registering the same key again replaces it."""
    SECTIONS[:] = [known for known in SECTIONS if known.key != section.key]
    SECTIONS.append(section)
    SECTIONS.sort(key=lambda known: (known.order, known.key))
    return section


def supervision_cards(user: User) -> list[SupervisionCard]:
    return [
        SupervisionCard(
            key=section.key,
            title=section.title,
            what=section.what,
            url=reverse(section.url_name),
            count=section.rows(user).count(),
            unit=section.unit,
            urgent=section.urgent(user).count() if section.urgent is not None else None,
            urgent_label=section.urgent_label,
        )
        for section in SECTIONS
    ]


@login_required
@require_GET
def supervision_index(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request, "supervision/index.html", {"section": "supervision", "cards": supervision_cards(request.user)}
    )


urlpatterns: list[URLPattern] = [path("", supervision_index, name="index")]
