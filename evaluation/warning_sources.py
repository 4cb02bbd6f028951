"""The evaluation's early warning (kernel/warnings.py): a unit whose score in the latest period is at least
EVALUATION_DROP_WARNING points below its score in the period before (orange; twice that, red). One query per period,
in the user's scope (None: every unit, for the notice job)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import AnyUser
from accounts.scope import agency_q
from evaluation.models import Period, Score
from kernel.warnings import ORANGE, RED, EarlyWarning, register_warning_source


def score_drops(user: AnyUser | None, today: datetime.date) -> Iterable[EarlyWarning]:
    periods = list(Period.objects.filter(start__lte=today).order_by("-end", "-pk")[:2])
    if len(periods) < 2:
        return []
    latest, before = periods
    drop = Decimal(settings.EVALUATION_DROP_WARNING)
    scope = Q() if user is None else agency_q(user, "agency")
    earlier = dict(Score.objects.filter(scope, period=before).values_list("agency_id", "total"))
    found = []
    rows = Score.objects.filter(scope, period=latest, agency_id__in=list(earlier)).select_related("agency")
    for score in rows.order_by("agency_id"):
        lost = earlier[score.agency_id] - score.total
        if lost < drop:
            continue
        found.append(
            EarlyWarning(
                kind="score_drop",
                key=f"score_drop:{latest.pk}:{score.agency_id}",
                agency_id=score.agency_id,
                agency_name=score.agency.name,
                agency_path=score.agency.path,
                what=gettext("Score %(now)s in %(latest)s, %(lost)s points below %(before)s")
                % {"now": score.total, "latest": latest, "lost": lost, "before": before},
                severity=RED if lost >= 2 * drop else ORANGE,
                link=reverse("evaluation:score_detail", args=[latest.pk, score.agency_id]),
            )
        )
    return found


def register() -> None:
    register_warning_source("score_drop", _("Evaluation score dropped"), score_drops)
