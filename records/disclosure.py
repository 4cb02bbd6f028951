"""The disclosure window of a record, computed from the rule in force on its decision date (DOMAIN §3).

Periods count from the date of the deciding document: repair may be applied for from `earliest_repair_on`
(decision date + the rule's minimum) and the record leaves public view on `disclosure_ends_on` (decision date + the
maximum), the first day it is no longer shown.
"""

import datetime
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext as _

from records.errors import DomainError
from records.models import DisclosureRule


@dataclass(frozen=True)
class Window:
    rule: DisclosureRule
    publicly_disclosed: bool
    starts_on: datetime.date
    earliest_repair_on: datetime.date
    ends_on: datetime.date


def add_months(day: datetime.date, months: int) -> datetime.date:
    # 31 January + 1 month is 28 (or 29) February: the period never runs past the month's end.
    return day + relativedelta(months=months)


def rule_in_force(*, decision_date: datetime.date, severity: str, special_field: str = "") -> DisclosureRule:
    rules = DisclosureRule.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=decision_date),
        effective_from__lte=decision_date,
        severity=severity,
    )
    # A rule for the record's special field wins over the tier's general rule.
    by_field = {rule.special_field: rule for rule in rules.order_by("effective_from")}
    rule = by_field.get(special_field) or by_field.get("")
    if rule is None:
        raise DomainError(
            _("No disclosure rule covers a %(severity)s record decided on %(date)s; an administrator must add one.")
            % {"severity": severity, "date": decision_date.isoformat()},
            code="no_disclosure_rule",
            field="decision_date",
        )
    return rule


def window_for(*, decision_date: datetime.date, severity: str, special_field: str = "") -> Window:
    rule = rule_in_force(decision_date=decision_date, severity=severity, special_field=special_field)
    return Window(
        rule=rule,
        publicly_disclosed=rule.disclosed,
        starts_on=decision_date,
        earliest_repair_on=add_months(decision_date, rule.min_months),
        ends_on=add_months(decision_date, rule.max_months),
    )
