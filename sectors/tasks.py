"""Scheduled jobs of the sector duties: each calls one idempotent service."""

from celery import shared_task

from sectors.services.debt import debt_repayments_watch as debt_watch
from sectors.services.investment import investment_obligations_watch
from sectors.services.ppp import ppp_payments_watch as watch
from sectors.services.procurement import procurement_overdue_run
from sectors.services.tendering import tendering_daily_run


@shared_task
def procurement_overdue() -> dict[str, int]:
    """Daily: SME payments' overdue status, days and interest; reminders; breach candidates."""
    run = procurement_overdue_run()
    return {"recomputed": run.recomputed, "reminded": run.reminded, "breaches": run.breaches}


@shared_task
def watch_investment_obligations() -> dict[str, int]:
    """Daily: investment obligations due soon, overdue (reminded once) or broken after the reminder."""
    run = investment_obligations_watch()
    return {"due_notices": run.due_notices, "overdue": run.overdue, "breaches": run.breaches}


@shared_task
def ppp_payments_watch() -> dict[str, int]:
    """Daily: late PPP payment obligations flagged, reminders of those due soon, breaches of long unpaid ones."""
    run = watch()
    return {"marked_late": run.marked_late, "reminded": run.reminded, "breaches": run.breaches}


@shared_task
def creation_watch() -> dict[str, int]:
    """Daily: applications whose notice has ended are named; namings hit by a later one-vote veto are revoked."""
    from sectors.services.streets import creation_watch_run

    run = creation_watch_run()
    return {"named": run.named, "revoked": run.revoked}


@shared_task
def debt_repayments_watch() -> dict[str, int]:
    """Daily: late bond repayments marked; a default or a long overdue repayment proposes a serious candidate record."""
    run = debt_watch()
    return {"marked_late": run.marked_late, "breaches": run.breaches}


@shared_task
def tendering_daily() -> dict[str, int]:
    """Daily: bad-behaviour records published by their working-day limit, archived after their public period; the
    tenderer agencies' late signings and deposit refunds."""
    run = tendering_daily_run()
    return {"published": run.published, "archived": run.archived, "breaches": run.breaches}
