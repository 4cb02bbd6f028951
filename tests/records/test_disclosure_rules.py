"""Each record's window comes from the national rule in force on its decision date, for its tier and its source
(docs/domain.md §4, docs/disclosure-periods.md)."""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings

from kernel.errors import DomainError
from records.disclosure import add_months, window_for
from records.models import DisclosureRule, RecordSource, SpecialField

D = datetime.date
pytestmark = pytest.mark.django_db
PENALTY = "administrative_penalty"
OTHER_SOURCES = [source for source in RecordSource.values if source != PENALTY]
FIELDS = ["work_safety", "fire_safety", "special_equipment"]


@pytest.mark.parametrize(
    ("decided", "severity", "source", "field", "disclosed", "repair_from", "ends"),
    [
        # 2019 rule (发改办财金〔2019〕527号): general 3 m–1 y, serious 6 m–3 y, minor not published; every source.
        (D(2022, 3, 15), "general", PENALTY, "", True, D(2022, 6, 15), D(2023, 3, 15)),
        (D(2022, 3, 15), "general", "judicial_judgment", "", True, D(2022, 6, 15), D(2023, 3, 15)),
        (D(2022, 3, 15), "serious", "government_sanction", "", True, D(2022, 9, 15), D(2025, 3, 15)),
        (D(2022, 3, 15), "minor", "breach_of_contract", "", False, D(2022, 3, 15), D(2022, 3, 15)),
        # 2023 rule (令第58号), administrative penalties: 3 m–3 y in both tiers; the three special fields at least 1 y.
        (D(2024, 1, 10), "general", PENALTY, "", True, D(2024, 4, 10), D(2027, 1, 10)),
        (D(2024, 1, 10), "serious", PENALTY, "", True, D(2024, 4, 10), D(2027, 1, 10)),
        (D(2024, 1, 10), "general", PENALTY, "fire_safety", True, D(2025, 1, 10), D(2027, 1, 10)),
        (D(2024, 1, 10), "serious", PENALTY, "work_safety", True, D(2025, 1, 10), D(2027, 1, 10)),
        # 2023 rule, every other source: the order sets no period; the tiers in force before it go on.
        (D(2024, 1, 10), "general", "judicial_judgment", "", True, D(2024, 4, 10), D(2025, 1, 10)),
        (D(2024, 1, 10), "general", "disciplinary_sanction", "work_safety", True, D(2024, 4, 10), D(2025, 1, 10)),
        (D(2024, 1, 10), "serious", "dishonest_debtor", "", True, D(2024, 7, 10), D(2027, 1, 10)),
        (D(2024, 1, 10), "minor", "utility_arrears", "", False, D(2024, 1, 10), D(2024, 1, 10)),
        # 2026 rule (令第36号, from 1 April 2026): general 3 m–1 y, serious 1 y–3 y, minor not published; every source.
        (D(2026, 5, 20), "general", PENALTY, "", True, D(2026, 8, 20), D(2027, 5, 20)),
        (D(2026, 5, 20), "general", "broken_commitment", "", True, D(2026, 8, 20), D(2027, 5, 20)),
        (D(2026, 5, 20), "serious", "accountability", "", True, D(2027, 5, 20), D(2029, 5, 20)),
        (D(2026, 5, 20), "minor", PENALTY, "", False, D(2026, 5, 20), D(2026, 8, 20)),
        # The 2026 rule has no special-field rows: the tier's general row applies.
        (D(2026, 5, 20), "general", PENALTY, "special_equipment", True, D(2026, 8, 20), D(2027, 5, 20)),
    ],
)
def test_the_window_follows_the_rule_in_force(
    decided: datetime.date,
    severity: str,
    source: str,
    field: str,
    disclosed: bool,
    repair_from: datetime.date,
    ends: datetime.date,
) -> None:
    window = window_for(decision_date=decided, severity=severity, source=source, special_field=field)
    assert (window.publicly_disclosed, window.earliest_repair_on, window.ends_on) == (disclosed, repair_from, ends)


def test_a_general_record_of_another_source_leaves_after_a_year_under_the_2023_rule_not_three() -> None:
    penalty = window_for(decision_date=D(2024, 6, 3), severity="general", source=PENALTY)
    judgment = window_for(decision_date=D(2024, 6, 3), severity="general", source="judicial_judgment")

    assert penalty.ends_on == D(2027, 6, 3)
    assert judgment.ends_on == D(2025, 6, 3)
    assert penalty.rule.citation == "国家发展改革委令2023年第58号"
    assert "527号" in judgment.rule.citation


def test_rules_change_exactly_on_their_effective_dates() -> None:
    # The day before 1 May 2023 a serious penalty still had the 2019 six-month minimum; from that day, three months.
    assert window_for(decision_date=D(2023, 4, 30), severity="serious", source=PENALTY).rule.citation.startswith(
        "发改办财金"
    )
    assert window_for(decision_date=D(2023, 5, 1), severity="serious", source=PENALTY).rule.citation.endswith("第58号")
    assert window_for(decision_date=D(2026, 3, 31), severity="serious", source=PENALTY).earliest_repair_on == D(
        2026, 6, 30
    )
    assert window_for(decision_date=D(2026, 4, 1), severity="serious", source=PENALTY).earliest_repair_on == D(
        2027, 4, 1
    )
    # A general judgment: one year under the 2019 tiers, one year in the 2023 years, one year under the 2026 rule.
    for decided, ends in [
        (D(2023, 4, 30), D(2024, 4, 30)),
        (D(2023, 5, 1), D(2024, 5, 1)),
        (D(2026, 3, 31), D(2027, 3, 31)),
        (D(2026, 4, 1), D(2027, 4, 1)),
    ]:
        assert window_for(decision_date=decided, severity="general", source="judicial_judgment").ends_on == ends


def test_months_never_run_past_the_end_of_a_short_month() -> None:
    assert add_months(D(2026, 5, 31), 3) == D(2026, 8, 31)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert add_months(D(2027, 11, 29), 3) == D(2028, 2, 29)


def test_a_new_rule_is_a_new_row_and_old_records_keep_theirs() -> None:
    DisclosureRule.objects.filter(effective_to__isnull=True).update(effective_to=D(2028, 1, 1))
    DisclosureRule.objects.create(
        citation="假设的2028年新规", effective_from=D(2028, 1, 1), severity="general", min_months=1, max_months=6
    )
    assert window_for(decision_date=D(2028, 2, 1), severity="general", source=PENALTY).ends_on == D(2028, 8, 1)
    assert window_for(decision_date=D(2027, 12, 31), severity="general", source=PENALTY).ends_on == D(2028, 12, 31)


def test_a_rule_for_one_source_governs_that_source_only() -> None:
    DisclosureRule.objects.create(
        citation="假设的失信被执行人专门规定",
        effective_from=D(2026, 4, 1),
        severity="general",
        source="dishonest_debtor",
        min_months=6,
        max_months=24,
    )
    assert window_for(decision_date=D(2026, 6, 1), severity="general", source="dishonest_debtor").ends_on == D(
        2028, 6, 1
    )
    assert window_for(decision_date=D(2026, 6, 1), severity="general", source="judicial_judgment").ends_on == D(
        2027, 6, 1
    )


def test_a_date_no_rule_covers_is_refused_clearly() -> None:
    with pytest.raises(DomainError) as caught:
        window_for(decision_date=D(1999, 12, 31), severity="general", source=PENALTY)
    assert (caught.value.code, caught.value.field) == ("no_disclosure_rule", "decision_date")


# The documented table (docs/disclosure-periods.md) and the data agree, for every source under every rule.

DOC = Path(settings.BASE_DIR) / "docs" / "disclosure-periods.md"
ROW = re.compile(
    r"^\| (2019|2023|2026) \| (\S+) –(?: (\S+))? \| (.+?) \| (\w+) \| (.+?) \| (yes|no) \| (\d+) \| (\d+) \|$"
)


def documented_rows() -> list[dict[str, Any]]:
    rows = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match is None:
            continue
        rule, first, last, sources, tier, fields, public, minimum, maximum = match.groups()
        days = [D.fromisoformat(first)] + ([D.fromisoformat(last)] if last else [D(2029, 12, 31)])
        rows.append(
            {
                "rule": rule,
                "days": days,
                "sources": {"every": RecordSource.values, "others": OTHER_SOURCES}.get(sources, [sources]),
                "tier": tier,
                "fields": {"any": SpecialField.values, "none": [""]}.get(fields, fields.split(", ")),
                "public": public == "yes",
                "min": int(minimum),
                "max": int(maximum),
            }
        )
    return rows


def test_the_documented_table_covers_every_source_tier_and_field_of_every_rule() -> None:
    rows = documented_rows()
    assert len(rows) == 13
    for rule in ("2019", "2023", "2026"):
        covered = {
            (source, row["tier"], field)
            for row in rows
            if row["rule"] == rule
            for source in row["sources"]
            for field in row["fields"]
        }
        assert covered == {
            (source, tier, field)
            for source in RecordSource.values
            for tier in ("minor", "general", "serious")
            for field in SpecialField.values
        }, rule


def test_every_source_under_every_rule_gets_the_documented_window() -> None:
    for row in documented_rows():
        for day in row["days"]:
            for source in row["sources"]:
                for field in row["fields"]:
                    window = window_for(decision_date=day, severity=row["tier"], source=source, special_field=field)
                    assert (window.publicly_disclosed, window.earliest_repair_on, window.ends_on) == (
                        row["public"],
                        add_months(day, row["min"]),
                        add_months(day, row["max"]),
                    ), (row["rule"], day, row["tier"], source, field)


# Migration 0017 narrows the 2023 rows to penalties; its reverse widens them again.


def _migration() -> Any:
    import importlib

    return importlib.import_module("records.migrations.0017_disclosure_rules_2023_by_source")


def _rules_2023() -> list[tuple[str, str, str, int, int]]:
    return sorted(
        DisclosureRule.objects.filter(effective_from=D(2023, 5, 1)).values_list(
            "severity", "source", "special_field", "min_months", "max_months"
        )
    )


def test_the_migration_reverses_to_the_rules_as_seeded_and_applies_again() -> None:
    migrated = _rules_2023()

    _migration().widen(apps, None)
    assert _rules_2023() == sorted(
        [("minor", "", "", 0, 0)]
        + [(tier, "", "", 3, 36) for tier in ("general", "serious")]
        + [(tier, "", field, 12, 36) for tier in ("general", "serious") for field in FIELDS]
    )
    assert window_for(decision_date=D(2024, 1, 10), severity="general", source="judicial_judgment").ends_on == D(
        2027, 1, 10
    )

    _migration().narrow(apps, None)
    assert _rules_2023() == migrated
    assert ("general", "", "", 3, 12) in migrated
    assert ("serious", "", "", 6, 36) in migrated
    assert ("general", PENALTY, "", 3, 36) in migrated
