"""Each record's window comes from the national rule in force on its decision date (DOMAIN §3)."""

import datetime

import pytest

from records.disclosure import add_months, window_for
from records.errors import DomainError
from records.models import DisclosureRule

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("decided", "severity", "field", "disclosed", "repair_from", "ends"),
    [
        # 2019 rule (发改办财金〔2019〕527号): general 3 m–1 y, serious 6 m–3 y, minor not published.
        (D(2022, 3, 15), "general", "", True, D(2022, 6, 15), D(2023, 3, 15)),
        (D(2022, 3, 15), "serious", "", True, D(2022, 9, 15), D(2025, 3, 15)),
        (D(2022, 3, 15), "minor", "", False, D(2022, 3, 15), D(2022, 3, 15)),
        # 2023 rule (令第58号): 3 m–3 y; work safety, fire and special equipment at least 1 y.
        (D(2024, 1, 10), "general", "", True, D(2024, 4, 10), D(2027, 1, 10)),
        (D(2024, 1, 10), "serious", "", True, D(2024, 4, 10), D(2027, 1, 10)),
        (D(2024, 1, 10), "general", "fire_safety", True, D(2025, 1, 10), D(2027, 1, 10)),
        (D(2024, 1, 10), "serious", "work_safety", True, D(2025, 1, 10), D(2027, 1, 10)),
        # 2026 rule (令第36号, from 1 April 2026): general 3 m–1 y, serious 1 y–3 y, minor not published.
        (D(2026, 5, 20), "general", "", True, D(2026, 8, 20), D(2027, 5, 20)),
        (D(2026, 5, 20), "serious", "", True, D(2027, 5, 20), D(2029, 5, 20)),
        (D(2026, 5, 20), "minor", "", False, D(2026, 5, 20), D(2026, 8, 20)),
        # The 2026 rule has no special-field rows: the tier's general row applies.
        (D(2026, 5, 20), "general", "special_equipment", True, D(2026, 8, 20), D(2027, 5, 20)),
    ],
)
def test_the_window_follows_the_rule_in_force(
    decided: datetime.date, severity: str, field: str, disclosed: bool, repair_from: datetime.date, ends: datetime.date
) -> None:
    window = window_for(decision_date=decided, severity=severity, special_field=field)
    assert (window.publicly_disclosed, window.earliest_repair_on, window.ends_on) == (disclosed, repair_from, ends)


def test_rules_change_exactly_on_their_effective_dates() -> None:
    # The day before 1 May 2023 a serious record still had the 2019 six-month minimum; from that day, three months.
    assert window_for(decision_date=D(2023, 4, 30), severity="serious").rule.citation.startswith("发改办财金")
    assert window_for(decision_date=D(2023, 5, 1), severity="serious").rule.citation.endswith("第58号")
    assert window_for(decision_date=D(2026, 3, 31), severity="serious").earliest_repair_on == D(2026, 6, 30)
    assert window_for(decision_date=D(2026, 4, 1), severity="serious").earliest_repair_on == D(2027, 4, 1)


def test_months_never_run_past_the_end_of_a_short_month() -> None:
    assert add_months(D(2026, 5, 31), 3) == D(2026, 8, 31)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert add_months(D(2027, 11, 29), 3) == D(2028, 2, 29)


def test_a_new_rule_is_a_new_row_and_old_records_keep_theirs() -> None:
    DisclosureRule.objects.filter(effective_to__isnull=True).update(effective_to=D(2028, 1, 1))
    DisclosureRule.objects.create(
        citation="假设的2028年新规", effective_from=D(2028, 1, 1), severity="general", min_months=1, max_months=6
    )
    assert window_for(decision_date=D(2028, 2, 1), severity="general").ends_on == D(2028, 8, 1)
    assert window_for(decision_date=D(2027, 12, 31), severity="general").ends_on == D(2028, 12, 31)


def test_a_date_no_rule_covers_is_refused_clearly() -> None:
    with pytest.raises(DomainError) as caught:
        window_for(decision_date=D(1999, 12, 31), severity="general")
    assert (caught.value.code, caught.value.field) == ("no_disclosure_rule", "decision_date")
