"""The disclosure window of a record, computed from the rule in force on its decision date (docs/domain.md §4).

Periods count from the date of the deciding document, the way the Civil Code reckons a period in months (arts.
201-202: the day of the decision is not counted, and the period ends on the corresponding day of the last month, or
that month's last day when it has none). So the record is shown up to and including `ends_on`, decision date + the
rule's maximum, and gone the day after; repair may be applied for from `earliest_repair_on`, decision date + the
minimum. docs/disclosure-periods.md gives the rules and the reasoning.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils.translation import gettext as _

from kernel.errors import DomainError
from records.models import DisclosureRule, Severity


@dataclass(frozen=True)
class Window:
    rule: DisclosureRule
    publicly_disclosed: bool
    starts_on: datetime.date
    earliest_repair_on: datetime.date
    # The last day shown (inclusive): the record's 公示截止日期 when it is publicly disclosed.
    ends_on: datetime.date


def add_months(day: datetime.date, months: int) -> datetime.date:
    # 31 January + 1 month is 28 (or 29) February: the period never runs past the month's end.
    return day + relativedelta(months=months)


def rule_in_force_among(
    rules: Iterable[DisclosureRule], *, decision_date: datetime.date, severity: str, source: str, special_field: str
) -> DisclosureRule | None:
    """The rule that governs a record, among `rules`: of those in force on its decision date for its tier, the one
    that names its source wins over one for every source (the national text that covers only that source, e.g. the
    2023 rule's penalty periods), within that the one for its special field over the tier's general one, and should
    two still tie (rules an administrator let overlap), the later start."""
    candidates = [
        rule
        for rule in rules
        if rule.severity == severity
        and rule.effective_from <= decision_date
        and (rule.effective_to is None or rule.effective_to > decision_date)
        and rule.source in (source, "")
        and rule.special_field in (special_field, "")
    ]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda rule: (rule.source == source, rule.special_field == special_field, rule.effective_from, rule.pk),
    )


def rule_in_force(
    *, decision_date: datetime.date, severity: str, source: str, special_field: str = ""
) -> DisclosureRule:
    rules = DisclosureRule.objects.filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=decision_date),
        effective_from__lte=decision_date,
        severity=severity,
        source__in=[source, ""],
        special_field__in=[special_field, ""],
    )
    rule = rule_in_force_among(
        rules, decision_date=decision_date, severity=severity, source=source, special_field=special_field
    )
    if rule is None:
        raise DomainError(
            no_rule_message(severity=severity, decision_date=decision_date),
            code="no_disclosure_rule",
            field="decision_date",
        )
    return rule


def no_rule_message(*, severity: str, decision_date: datetime.date) -> str:
    """What a record no rule covers is told (records.rules reports it with the record's other problems)."""
    tier = Severity(severity).label if severity in Severity.values else severity
    return _("No disclosure rule covers a %(severity)s record decided on %(date)s; an administrator must add one.") % {
        "severity": tier,
        "date": decision_date.isoformat(),
    }


def window_of(rule: DisclosureRule, decision_date: datetime.date) -> Window:
    return Window(
        rule=rule,
        publicly_disclosed=rule.disclosed,
        starts_on=decision_date,
        earliest_repair_on=add_months(decision_date, rule.min_months),
        ends_on=add_months(decision_date, rule.max_months),
    )


def window_for(*, decision_date: datetime.date, severity: str, source: str, special_field: str = "") -> Window:
    rule = rule_in_force(decision_date=decision_date, severity=severity, source=source, special_field=special_field)
    return window_of(rule, decision_date)
