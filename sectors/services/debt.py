"""Local government debt: a region's yearly figures (a balance above its limit is refused), bonds, repayments,
disclosures with their lateness, the indicators and risk tiers, and the scheduled job that marks late repayments and
proposes the candidate record of a default or a long overdue one (seed 000 §(十三)). docs/sectors.md § Local
government debt.

The rules of each input are written once here (`debt_year_problems`, `debt_bond_problems`,
`debt_repayment_problems`) for the form, the API and the Excel import; each reports every problem at once.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AnyUser, Sector, User
from accounts.scope import may_enter_sector_data
from kernel.errors import DomainError, NotAllowed
from kernel.sources import unit_changed
from kernel.transitions import ILLEGAL_TRANSITION
from outbox.hooks import public_changed
from outbox.models import ChangeType, PlatformChange
from outbox.services import outbox_emit
from records.models import RecordSource, ResponsibilityKind, Severity
from records.rules import principals
from records.services.candidates import credit_office_over, record_candidate_propose
from records.services.dishonesty import RecordInput
from sectors.models.debt import (
    DebtBond,
    DebtDisclosure,
    DebtDisclosureDeadline,
    DebtIndicators,
    DebtKind,
    DebtRegionYear,
    DebtRepayment,
    RepaymentKind,
    RiskTier,
    RiskTierRule,
)
from subjects.models import Agency, AgencyKind

DEBT_YEAR_KIND = "debt_region_year"
TIER_ORDER = [RiskTier.GREEN, RiskTier.YELLOW, RiskTier.ORANGE, RiskTier.RED]

Problems = dict[str, list[str]]


def _add(errors: Problems, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _amount(errors: Problems, values: Mapping[str, Any], field: str, *, positive: bool = False) -> Decimal | None:
    raw = values.get(field)
    if raw in (None, ""):
        _add(errors, field, _("This field is required."))
        return None
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        _add(errors, field, _("Enter an amount in 10,000 yuan, such as 1200.50."))
        return None
    if not value.is_finite() or value < 0 or (positive and value == 0):
        _add(
            errors,
            field,
            _("The amount must be greater than zero.") if positive else _("The amount cannot be negative."),
        )
        return None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        _add(errors, field, _("Use at most two decimal places."))
        return None
    return value


def _allowed(actor: AnyUser, region: Agency) -> None:
    if not may_enter_sector_data(actor, Sector.DEBT, region):
        raise NotAllowed(_("Only the finance authority or the credit office of the region may enter its debt figures."))


# Yearly figures -------------------------------------------------------------------------------------------------------


def debt_year_problems(values: Mapping[str, Any]) -> tuple[Problems, dict[str, Any]]:
    """Every problem of a region's yearly figures at once, and the clean values."""
    errors: Problems = {}
    clean: dict[str, Any] = {}
    region = values.get("region")
    if not isinstance(region, Agency):
        _add(errors, "region", _("Choose the region's government."))
    elif region.kind != AgencyKind.GOVERNMENT:
        _add(errors, "region", _("Debt figures belong to a region's government (a district or the city)."))
    clean["region"] = region
    try:
        year = int(values.get("year") or 0)
    except (TypeError, ValueError):
        year = 0
    if not 2000 <= year <= 2100:
        _add(errors, "year", _("Enter a year between 2000 and 2100."))
    clean["year"] = year
    for field in ("limit_general", "limit_special", "balance_general", "balance_special", "fiscal_capacity"):
        clean[field] = _amount(errors, values, field)
    for kind, balance, limit in (
        (_("general"), "balance_general", "limit_general"),
        (_("special"), "balance_special", "limit_special"),
    ):
        if clean[balance] is not None and clean[limit] is not None and clean[balance] > clean[limit]:
            _add(
                errors,
                balance,
                _("The %(kind)s debt balance %(balance)s exceeds its limit %(limit)s (10,000 yuan): refused.")
                % {"kind": kind, "balance": clean[balance], "limit": clean[limit]},
            )
    return errors, clean


def debt_year_save(*, actor: AnyUser, values: Mapping[str, Any]) -> DebtRegionYear:
    """Creates or updates (while unpublished, or as a new version when published) a region's yearly figures. A balance
    above its limit is refused with the reason and nothing is written."""
    errors, clean = debt_year_problems(values)
    if errors:
        raise DomainError.of_fields(errors)
    region: Agency = clean.pop("region")
    _allowed(actor, region)
    with transaction.atomic():
        row = DebtRegionYear.objects.select_for_update().filter(region=region, year=clean["year"]).first()
        if row is None:
            row = DebtRegionYear.objects.create(region=region, created_by=_user(actor), **clean)
            return row
        for field, value in clean.items():
            setattr(row, field, value)
        row.save(update_fields=[*clean, "updated_at"])
        if row.published_at is not None:
            _emit(row, ChangeType.CORRECTED)
    return row


def debt_year_publish(*, actor: AnyUser, row: DebtRegionYear) -> DebtRegionYear:
    """Publishes a region's yearly figures on the public page and tells the platform (outbox)."""
    _allowed(actor, row.region)
    with transaction.atomic():
        locked = DebtRegionYear.objects.select_for_update().get(pk=row.pk)
        if locked.published_at is not None:
            raise DomainError(_("These figures are already published."), code=ILLEGAL_TRANSITION)
        locked.published_at = timezone.now()
        locked.save(update_fields=["published_at", "updated_at"])
        _emit(locked, ChangeType.PUBLISHED)
    return locked


def _emit(row: DebtRegionYear, change_type: str) -> None:
    row.version += 1
    row.save(update_fields=["version"])
    outbox_emit(
        kind=DEBT_YEAR_KIND,
        obj=row,
        version=row.version,
        change_type=change_type,
        payload=debt_year_payload(row),
        agency=row.region,
    )
    transaction.on_commit(public_changed.announce, robust=True)


def debt_published_years_correct(region_id: int, years: set[int]) -> None:
    """A repayment created, corrected or paid changes the computed repayment and overdue ratios of its year: if that
    year is published, the platform hears the corrected figures (a new version) when they differ from what it was
    told. Runs inside the caller's transaction."""
    rows = DebtRegionYear.objects.select_for_update().filter(
        region_id=region_id, year__in=years, published_at__isnull=False
    )
    for row in rows.select_related("region"):
        told = (
            PlatformChange.objects.filter(kind=DEBT_YEAR_KIND, object_id=row.pk)
            .order_by("-version")
            .values_list("payload", flat=True)
            .first()
        )
        if told != debt_year_payload(row):
            _emit(row, ChangeType.CORRECTED)


def debt_year_payload(row: DebtRegionYear) -> dict[str, Any]:
    indicators = debt_indicators(row)
    return {
        "region": row.region.name,
        "region_uscc": row.region.uscc,
        "year": row.year,
        "limit_general": str(row.limit_general),
        "limit_special": str(row.limit_special),
        "balance_general": str(row.balance_general),
        "balance_special": str(row.balance_special),
        "fiscal_capacity": str(row.fiscal_capacity),
        "indicators": {key: (str(v) if v is not None else None) for key, v in indicators.values.items()},
        "tier": indicators.tier,
    }


def _user(actor: AnyUser) -> User | None:
    return actor if isinstance(actor, User) else None


# Indicators and tiers -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DebtAssessment:
    values: dict[str, Decimal | None]
    tiers: dict[str, str]
    tier: str  # the worst of the indicators' tiers

    @property
    def tier_label(self) -> str:
        return str(RiskTier(self.tier).label)

    @property
    def percents(self) -> dict[str, str]:
        return {key: ("—" if value is None else f"{value * 100:.2f}%") for key, value in self.values.items()}


def debt_indicators(
    row: DebtRegionYear, *, rules: list[RiskTierRule] | None = None, on: datetime.date | None = None
) -> DebtAssessment:
    """The one service entry for a region's year: the computed indicators, each one's tier under the rules in force
    at the end of the year (or `on`), and the overall tier (the worst). Pass `rules` (all rules, fetched once) to keep
    a list's query count flat."""
    indicators: DebtIndicators = row.indicators()
    day = on or min(datetime.date(row.year, 12, 31), timezone.localdate())
    if rules is None:
        rules = list(RiskTierRule.objects.all())
    tiers: dict[str, str] = {}
    for indicator, value in indicators.as_dict().items():
        rule = rule_in_force(rules, indicator, day)
        if value is not None and rule is not None:
            tiers[indicator] = rule.tier(value)
    worst = max((TIER_ORDER.index(RiskTier(t)) for t in tiers.values()), default=0)
    return DebtAssessment(values=indicators.as_dict(), tiers=tiers, tier=TIER_ORDER[worst])


def rule_in_force(rules: list[RiskTierRule], indicator: str, day: datetime.date) -> RiskTierRule | None:
    candidates = [
        r
        for r in rules
        if r.indicator == indicator and r.effective_from <= day and (r.effective_to is None or r.effective_to > day)
    ]
    return max(candidates, key=lambda r: r.effective_from, default=None)


# Bonds and repayments -------------------------------------------------------------------------------------------------


def debt_bond_problems(values: Mapping[str, Any], *, bond: DebtBond | None = None) -> tuple[Problems, dict[str, Any]]:
    """Every problem of a bond at once, and the clean values; `bond` is the row being edited (its own code is no
    clash, and none of its repayments may fall due before its issue date)."""
    errors: Problems = {}
    clean: dict[str, Any] = {}
    region = values.get("region")
    if not isinstance(region, Agency) or region.kind != AgencyKind.GOVERNMENT:
        _add(errors, "region", _("Debt figures belong to a region's government (a district or the city)."))
    clean["region"] = region
    code = str(values.get("code") or "").strip()
    if not code:
        _add(errors, "code", _("Enter the bond code."))
    elif len(code) > 40:
        _add(errors, "code", _("The bond code has at most 40 characters."))
    elif DebtBond.objects.filter(code=code).exclude(pk__in=[bond.pk] if bond else []).exists():
        _add(errors, "code", _("A bond with this code is already recorded."))
    clean["code"] = code
    kind = values.get("kind")
    if kind not in DebtKind.values:
        _add(errors, "kind", _("Choose general or special."))
    clean["kind"] = kind
    clean["amount"] = _amount(errors, values, "amount", positive=True)
    issued_on = values.get("issued_on")
    if not isinstance(issued_on, datetime.date):
        _add(errors, "issued_on", _("Enter the issue date as YYYY-MM-DD."))
    elif issued_on > timezone.localdate():
        _add(errors, "issued_on", _("The issue date cannot be in the future."))
    clean["issued_on"] = issued_on
    try:
        term = int(values.get("term_years") or 0)
    except (TypeError, ValueError):
        term = 0
    if not 1 <= term <= 50:
        _add(errors, "term_years", _("Enter a term of 1 to 50 years."))
    clean["term_years"] = term
    try:
        rate: Decimal | None = Decimal(str(values.get("rate")).strip())
    except InvalidOperation:
        rate = None
    if rate is None or not rate.is_finite() or not 0 <= rate <= 20:
        _add(errors, "rate", _("Enter the coupon rate in percent, such as 3.25."))
        rate = None
    clean["rate"] = rate
    clean["use_of_funds"] = str(values.get("use_of_funds") or "").strip()
    if not clean["use_of_funds"]:
        _add(errors, "use_of_funds", _("Say what the funds are used for."))
    clean["project"] = str(values.get("project") or "").strip()
    clean["revenue_plan"] = str(values.get("revenue_plan") or "").strip()
    if kind == DebtKind.SPECIAL:
        if not clean["project"]:
            _add(errors, "project", _("A special bond names its project."))
        if not clean["revenue_plan"]:
            _add(errors, "revenue_plan", _("A special bond has a plan balancing the project's revenue and the debt."))
    if (
        bond is not None
        and isinstance(issued_on, datetime.date)
        and bond.repayments.filter(due_on__lt=issued_on).exists()
    ):
        _add(errors, "issued_on", _("Some of the bond's repayments fall due before this issue date."))
    return errors, clean


def debt_bond_create(*, actor: AnyUser, values: Mapping[str, Any]) -> DebtBond:
    errors, clean = debt_bond_problems(values)
    if errors:
        raise DomainError.of_fields(errors)
    _allowed(actor, clean["region"])
    with transaction.atomic():
        return DebtBond.objects.create(created_by=_user(actor), **clean)


def debt_bond_update(*, actor: AnyUser, bond: DebtBond, values: Mapping[str, Any]) -> DebtBond:
    """Corrects a bond with the creation's one check; every problem at once, nothing written on any. Moving it to
    another region needs the right to enter for both."""
    _allowed(actor, bond.region)
    errors, clean = debt_bond_problems(values, bond=bond)
    if errors:
        raise DomainError.of_fields(errors)
    _allowed(actor, clean["region"])
    with transaction.atomic():
        locked = DebtBond.objects.select_for_update().get(pk=bond.pk)
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.save(update_fields=list(clean))
    return locked


def debt_repayment_problems(
    values: Mapping[str, Any], *, repayment: DebtRepayment | None = None
) -> tuple[Problems, dict[str, Any]]:
    """Every problem of a repayment at once, and the clean values; `repayment` is the row being edited."""
    errors: Problems = {}
    clean: dict[str, Any] = {}
    bond = values.get("bond")
    if not isinstance(bond, DebtBond):
        _add(errors, "bond", _("Choose the bond."))
    clean["bond"] = bond
    kind = values.get("kind")
    if kind not in RepaymentKind.values:
        _add(errors, "kind", _("Choose principal or interest."))
    clean["kind"] = kind
    due_on = values.get("due_on")
    if not isinstance(due_on, datetime.date):
        _add(errors, "due_on", _("Enter the due date as YYYY-MM-DD."))
    elif isinstance(bond, DebtBond) and due_on < bond.issued_on:
        _add(errors, "due_on", _("A repayment cannot fall due before the bond is issued."))
    clean["due_on"] = due_on
    clean["amount_due"] = _amount(errors, values, "amount_due", positive=True)
    paid = values.get("paid_amount")
    clean["paid_amount"] = Decimal(0) if paid in (None, "") else _amount(errors, values, "paid_amount")
    paid_on = values.get("paid_on") or None
    if paid_on is not None and not isinstance(paid_on, datetime.date):
        _add(errors, "paid_on", _("Enter the payment date as YYYY-MM-DD."))
    elif paid_on is not None and paid_on > timezone.localdate():
        _add(errors, "paid_on", _("The payment date cannot be in the future."))
    if clean["paid_amount"] and paid_on is None and "paid_on" not in errors:
        _add(errors, "paid_on", _("Enter the date of the payment."))
    clean["paid_on"] = paid_on
    clean["defaulted"] = bool(values.get("defaulted"))
    if (
        isinstance(bond, DebtBond)
        and isinstance(due_on, datetime.date)
        and kind in RepaymentKind.values
        and DebtRepayment.objects.filter(bond=bond, due_on=due_on, kind=kind)
        .exclude(pk__in=[repayment.pk] if repayment else [])
        .exists()
    ):
        _add(errors, "due_on", _("This bond already has a repayment of this kind on that day."))
    return errors, clean


def debt_repayment_create(*, actor: AnyUser, values: Mapping[str, Any]) -> DebtRepayment:
    errors, clean = debt_repayment_problems(values)
    if errors:
        raise DomainError.of_fields(errors)
    _allowed(actor, clean["bond"].region)
    with transaction.atomic():
        repayment = DebtRepayment.objects.create(**clean)
        debt_published_years_correct(repayment.bond.region_id, {repayment.due_on.year})
    return repayment


def debt_repayment_update(*, actor: AnyUser, repayment: DebtRepayment, values: Mapping[str, Any]) -> DebtRepayment:
    """Corrects a repayment with the creation's one check; every problem at once, nothing written on any. The late
    flag is judged again by the job's own rule; a candidate record already proposed stays linked (it is judged on
    its own path)."""
    _allowed(actor, repayment.bond.region)
    errors, clean = debt_repayment_problems(values, repayment=repayment)
    if errors:
        raise DomainError.of_fields(errors)
    _allowed(actor, clean["bond"].region)
    with transaction.atomic():
        locked = DebtRepayment.objects.select_for_update().get(pk=repayment.pk)
        before = (locked.bond.region_id, locked.due_on.year)
        for field, value in clean.items():
            setattr(locked, field, value)
        locked.late = locked.is_late_on(timezone.localdate())
        locked.save(update_fields=[*clean, "late", "updated_at"])
        debt_published_years_correct(before[0], {before[1]})
        debt_published_years_correct(locked.bond.region_id, {locked.due_on.year})
    return locked


def debt_repayment_pay(
    *, actor: AnyUser, repayment: DebtRepayment, paid_amount: Decimal, paid_on: datetime.date
) -> DebtRepayment:
    """Records what has been paid in all by `paid_on` (a later payment replaces the total, it is not added). The late
    flag is judged by the job's own rule: a payment after the due date, or short of the amount due, leaves the row
    late; a payment in full by the due date clears it; the job, run again, changes nothing."""
    _allowed(actor, repayment.bond.region)
    errors: Problems = {}
    if paid_amount <= 0:
        _add(errors, "paid_amount", _("The amount must be greater than zero."))
    if paid_on > timezone.localdate():
        _add(errors, "paid_on", _("The payment date cannot be in the future."))
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        unit_changed(repayment.bond.region_id, timezone.localdate())  # the evaluation recounts it
        locked = DebtRepayment.objects.select_for_update().get(pk=repayment.pk)
        locked.paid_amount = paid_amount
        locked.paid_on = paid_on
        locked.late = locked.is_late_on(timezone.localdate())
        locked.save(update_fields=["paid_amount", "paid_on", "late", "updated_at"])
        debt_published_years_correct(locked.bond.region_id, {locked.due_on.year})
    return locked


# Disclosures ----------------------------------------------------------------------------------------------------------


def debt_disclosure_record(
    *, actor: AnyUser, region: Agency, deadline: DebtDisclosureDeadline, disclosed_on: datetime.date, link: str = ""
) -> DebtDisclosure:
    """Records the day a region disclosed, and how many days late it was against the deadline."""
    _allowed(actor, region)
    errors: Problems = {}
    if disclosed_on > timezone.localdate():
        _add(errors, "disclosed_on", _("The disclosure date cannot be in the future."))
    if DebtDisclosure.objects.filter(region=region, deadline=deadline).exists():
        _add(errors, "deadline", _("This disclosure is already recorded for the region."))
    if errors:
        raise DomainError.of_fields(errors)
    with transaction.atomic():
        unit_changed(region.pk, timezone.localdate())  # the evaluation recounts it
        return DebtDisclosure.objects.create(
            region=region,
            deadline=deadline,
            disclosed_on=disclosed_on,
            days_late=max((disclosed_on - deadline.due_on).days, 0),
            link=link,
            created_by=_user(actor),
        )


def debt_disclosure_timeliness(region: Agency, *, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """Each deadline already past or met, with the region's disclosure: on time, late (days), or missing (overdue)."""
    today = today or timezone.localdate()
    done = {d.deadline_id: d for d in DebtDisclosure.objects.filter(region=region)}
    rows = []
    for deadline in DebtDisclosureDeadline.objects.order_by("-year", "due_on"):
        disclosure = done.get(deadline.pk)
        if disclosure is None and deadline.due_on >= today:
            continue
        rows.append(
            {
                "deadline": deadline,
                "disclosure": disclosure,
                "days_late": disclosure.days_late if disclosure else (today - deadline.due_on).days,
                "missing": disclosure is None,
            }
        )
    return rows


# The scheduled job ----------------------------------------------------------------------------------------------------


@dataclass
class RepaymentWatch:
    marked_late: int = 0
    breaches: int = 0


def debt_repayments_watch(*, today: datetime.date | None = None) -> RepaymentWatch:
    """Safe to run twice (a second run the same day changes nothing):
    1. marks late, with one UPDATE, every repayment not paid in full by its due date;
    2. proposes a SERIOUS candidate record against the region's government for every repayment in default, or still
       unpaid DEBT_OVERDUE_BREACH_DAYS calendar days after its due date, that has none yet."""
    today = today or timezone.localdate()
    run = RepaymentWatch()
    with transaction.atomic():
        run.marked_late = (
            DebtRepayment.objects.filter(late=False, due_on__lt=today)
            .filter(Q(paid_amount__lt=F("amount_due")) | Q(paid_on__gt=F("due_on")))
            .update(late=True)
        )
    cutoff = today - datetime.timedelta(days=int(settings.DEBT_OVERDUE_BREACH_DAYS))
    pending = (
        DebtRepayment.objects.filter(record__isnull=True)
        .filter(Q(defaulted=True) | Q(late=True, due_on__lt=cutoff, paid_amount__lt=F("amount_due")))
        .select_related("bond", "bond__region")
        .order_by("pk")
    )
    for repayment in pending:
        with transaction.atomic():
            locked = DebtRepayment.objects.select_for_update().get(pk=repayment.pk)
            if locked.record_id is not None:
                continue
            locked.bond = repayment.bond
            locked.record = _propose_breach(locked, today)
            locked.save(update_fields=["record", "updated_at"])
            run.breaches += 1
    return run


def _propose_breach(repayment: DebtRepayment, today: datetime.date) -> Any:
    bond = repayment.bond
    region = bond.region
    office = credit_office_over(region)
    responsible: list[tuple[Any, str]] = []
    principal = principals([region.pk]).first()
    if principal is not None:
        responsible.append((principal, ResponsibilityKind.PRINCIPAL.value))
    if repayment.defaulted:
        facts = _("The %(kind)s of bond %(code)s, %(amount)s (10,000 yuan) due on %(due)s, is in default.")
    else:
        facts = _(
            "The %(kind)s of bond %(code)s, %(amount)s (10,000 yuan) due on %(due)s, was still unpaid %(days)d days "
            "later (%(outstanding)s outstanding)."
        )
    facts = facts % {
        "kind": repayment.get_kind_display(),
        "code": bond.code,
        "amount": repayment.amount_due,
        "due": repayment.due_on.isoformat(),
        "days": (today - repayment.due_on).days,
        "outstanding": repayment.outstanding,
    }
    data = RecordInput(
        subject_agency=region,
        source=RecordSource.BREACH_OF_CONTRACT,
        sector=Sector.DEBT,
        severity=Severity.SERIOUS,
        document_number=_("Government bond repayment %(code)s-%(number)d")
        % {"code": bond.code, "number": repayment.pk},
        deciding_body_name=office.name,
        deciding_body_uscc=office.uscc,
        deciding_agency=office,
        decision_date=today,
        facts=facts,
        legal_basis=_("The bond's terms of repayment; the rules on local government debt risk."),
        data_source_agency=region,
        responsible=responsible,
    )
    return record_candidate_propose(
        origin=repayment,
        origin_label=_("Bond %(code)s, repayment due %(due)s") % {"code": bond.code, "due": repayment.due_on},
        data=data,
        actor=None,
        reason=facts,
    )
